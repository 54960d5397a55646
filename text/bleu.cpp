#include "text/bleu.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <unordered_map>

#include "graph/error.hpp"

namespace kiln::text {
namespace {

constexpr std::size_t kMaxOrder = 4;

void check_same_length(const char* op, std::size_t hypotheses, std::size_t references) {
  if (hypotheses != references) {
    throw Error(std::string(op) + ": " + std::to_string(hypotheses) + " hypotheses but " +
                std::to_string(references) + " references");
  }
}

// An n-gram as one string: each token prefixed by its byte length, so no
// two different n-grams can collide whatever characters the tokens hold.
std::string ngram_key(const TokenizedSentence& s, std::size_t start, std::size_t n) {
  std::string key;
  for (std::size_t i = start; i < start + n; ++i) {
    const auto length = static_cast<std::uint32_t>(s[i].size());
    key.append(reinterpret_cast<const char*>(&length), sizeof length);
    key += s[i];
  }
  return key;
}

using NgramCounts = std::unordered_map<std::string, std::size_t>;

NgramCounts count_ngrams(const TokenizedSentence& s, std::size_t n) {
  NgramCounts counts;
  for (std::size_t start = 0; start + n <= s.size(); ++start) ++counts[ngram_key(s, start, n)];
  return counts;
}

// Sum over n-grams of min(count in hypothesis, count in reference).
std::size_t clipped_matches(const NgramCounts& hypothesis, const NgramCounts& reference) {
  std::size_t matches = 0;
  for (const auto& [ngram, count] : hypothesis) {
    const auto it = reference.find(ngram);
    if (it != reference.end()) matches += std::min(count, it->second);
  }
  return matches;
}

}  // namespace

BleuScore corpus_bleu(const std::vector<TokenizedSentence>& hypotheses,
                      const std::vector<TokenizedSentence>& references) {
  check_same_length("corpus_bleu", hypotheses.size(), references.size());
  BleuScore result;
  for (std::size_t s = 0; s < hypotheses.size(); ++s) {
    const auto& hyp = hypotheses[s];
    const auto& ref = references[s];
    result.sys_len += hyp.size();
    result.ref_len += ref.size();
    for (std::size_t n = 1; n <= kMaxOrder; ++n) {
      if (hyp.size() < n) break;
      result.totals[n - 1] += hyp.size() - n + 1;
      result.matches[n - 1] += clipped_matches(count_ngrams(hyp, n), count_ngrams(ref, n));
    }
  }

  const double c = static_cast<double>(result.sys_len);
  const double r = static_cast<double>(result.ref_len);
  result.brevity_penalty = c < r ? (c > 0 ? std::exp(1.0 - r / c) : 0.0) : 1.0;

  const bool any_match = std::any_of(result.matches.begin(), result.matches.end(),
                                     [](std::size_t m) { return m > 0; });
  if (!any_match) return result;  // score 0, precisions 0, as sacrebleu

  double smoothing = 1.0;
  double log_sum = 0.0;
  bool zero_precision = false;
  for (std::size_t n = 0; n < kMaxOrder; ++n) {
    if (result.totals[n] == 0) {  // no n-gram this long: this and higher orders stay 0
      zero_precision = true;
      break;
    }
    const double total = static_cast<double>(result.totals[n]);
    if (result.matches[n] == 0) {
      smoothing *= 2.0;  // 'exp' smoothing: 1/2, 1/4, ... of one match
      result.precisions[n] = 1.0 / (smoothing * total);
    } else {
      result.precisions[n] = static_cast<double>(result.matches[n]) / total;
    }
    log_sum += std::log(result.precisions[n]);
  }
  result.score = zero_precision ? 0.0 : result.brevity_penalty * std::exp(log_sum / kMaxOrder);
  return result;
}

double token_accuracy(const std::vector<TokenizedSentence>& hypotheses,
                      const std::vector<TokenizedSentence>& references) {
  check_same_length("token_accuracy", hypotheses.size(), references.size());
  std::size_t correct = 0;
  std::size_t positions = 0;
  for (std::size_t s = 0; s < hypotheses.size(); ++s) {
    const auto& hyp = hypotheses[s];
    const auto& ref = references[s];
    positions += ref.size();
    const std::size_t overlap = std::min(hyp.size(), ref.size());
    for (std::size_t i = 0; i < overlap; ++i) correct += hyp[i] == ref[i] ? 1 : 0;
  }
  if (positions == 0) throw Error("token_accuracy: the references hold no tokens");
  return static_cast<double>(correct) / static_cast<double>(positions);
}

double exact_match_rate(const std::vector<TokenizedSentence>& hypotheses,
                        const std::vector<TokenizedSentence>& references) {
  check_same_length("exact_match_rate", hypotheses.size(), references.size());
  if (hypotheses.empty()) throw Error("exact_match_rate: the corpus is empty");
  std::size_t exact = 0;
  for (std::size_t s = 0; s < hypotheses.size(); ++s) exact += hypotheses[s] == references[s] ? 1 : 0;
  return static_cast<double>(exact) / static_cast<double>(hypotheses.size());
}

}  // namespace kiln::text
