// Normalisation and corpus scores for the NMT example (see evaluation.hpp).

#include "examples/nmt/evaluation.hpp"

#include <algorithm>
#include <cstdio>

#include "examples/nmt/dataset.hpp"
#include "graph/error.hpp"
#include "text/tokenizer.hpp"

namespace nmt {

TokenizedSentence normalise(const std::string& sentence) {
  return kiln::text::text_to_word_sequence(sentence);
}

Scores score_translations(const std::vector<TokenizedSentence>& hypotheses,
                          const std::vector<std::string>& references) {
  if (hypotheses.size() != references.size()) {
    throw kiln::Error("score: " + std::to_string(hypotheses.size()) + " translations for " +
                      std::to_string(references.size()) + " references");
  }
  std::vector<TokenizedSentence> hyps, refs;
  for (std::size_t i = 0; i < references.size(); ++i) {
    auto ref = normalise(references[i]);
    if (ref.empty()) continue;
    refs.push_back(std::move(ref));
    hyps.push_back(hypotheses[i]);  // the decoder leaves the markers out
  }
  if (refs.empty()) throw kiln::Error("score: no reference sentence has any word");
  Scores s;
  s.bleu = kiln::text::corpus_bleu(hyps, refs).score;
  s.token_accuracy = kiln::text::token_accuracy(hyps, refs);
  s.exact_match = kiln::text::exact_match_rate(hyps, refs);
  s.sentences = refs.size();
  return s;
}

void print_scores(std::ostream& out, const Scores& s) {
  char line[160];
  std::snprintf(line, sizeof line, "BLEU %.4f  token accuracy %.4f  exact match %.4f  (%zu sentences)\n", s.bleu,
                s.token_accuracy, s.exact_match, s.sentences);
  out << line;
}

}  // namespace nmt
