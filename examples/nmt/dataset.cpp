// Loading, splitting and encoding sentence pairs (see dataset.hpp).

#include "examples/nmt/dataset.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "examples/nmt/phrasebook.hpp"
#include "graph/error.hpp"
#include "text/pad_sequences.hpp"

namespace nmt {

std::vector<SentencePair> load_pairs(const DataOptions& data, std::uint64_t seed) {
  if (data.builtin()) return generate_phrasebook(data.samples ? data.samples : default_phrasebook_pairs, seed);
  auto pairs = data.data_dir.empty() ? kiln::text::read_tab_separated_pairs(data.pairs)
                                     : kiln::text::read_corpus_dir(data.data_dir);
  if (pairs.empty()) {
    throw kiln::Error(data.data_dir.empty() ? "--pairs '" + data.pairs + "' holds no sentence pairs"
                                            : "--data-dir '" + data.data_dir + "' holds no sentence pairs");
  }
  if (data.samples && pairs.size() > data.samples) pairs.resize(data.samples);
  return pairs;
}

Split split_pairs(std::vector<SentencePair> pairs, double test_fraction, std::uint64_t seed) {
  if (pairs.empty()) throw kiln::Error("split: the corpus has no sentence pairs");
  std::mt19937_64 rng(seed);
  std::shuffle(pairs.begin(), pairs.end(), rng);
  const auto n_test = std::size_t(std::llround(test_fraction * double(pairs.size())));
  if (test_fraction > 0.0 && (n_test == 0 || n_test == pairs.size())) {
    throw kiln::Error("split: a test split of " + std::to_string(test_fraction) + " of " +
                      std::to_string(pairs.size()) + " pairs leaves " +
                      (n_test == 0 ? "no test pairs" : "no training pairs"));
  }
  Split split;
  split.test.assign(pairs.end() - std::ptrdiff_t(n_test), pairs.end());
  pairs.resize(pairs.size() - n_test);
  split.train = std::move(pairs);
  return split;
}

std::string wrap_target(const std::string& french) {
  std::string out = start_token;
  for (const auto& word : kiln::text::text_to_word_sequence(french)) out += " " + word;
  return out + " " + end_token;
}

Vocabularies fit_vocabularies(const std::vector<SentencePair>& pairs) {
  // French arrives normalised by wrap_target: no filters, no lowercasing
  // here, so the markers' '<' and '>' survive.
  Vocabularies v{Tokenizer({.oov_token = oov_token}),
                 Tokenizer({.filters = "", .lower = false, .oov_token = oov_token})};
  std::vector<std::string> french;
  for (const auto& p : pairs) french.push_back(wrap_target(p.target));
  v.en.fit_on_texts(sources_of(pairs));
  v.fr.fit_on_texts(french);
  return v;
}

Array source_ids(const Tokenizer& en, const std::vector<std::string>& english, std::size_t timesteps,
                 const std::string& padding) {
  if (english.empty()) return Array::from_shape({0, timesteps});
  return kiln::text::pad_sequences(en.texts_to_sequences(english),
                                   {.maxlen = timesteps, .padding = padding, .truncating = "post"});
}

Array target_ids(const Tokenizer& fr, const std::vector<std::string>& french, std::size_t timesteps) {
  if (french.empty()) return Array::from_shape({0, timesteps});
  std::vector<std::string> wrapped;
  for (const auto& s : french) wrapped.push_back(wrap_target(s));
  return kiln::text::pad_sequences(fr.texts_to_sequences(wrapped),
                                   {.maxlen = timesteps, .padding = "post", .truncating = "post"});
}

Array without_trailing_padding(const Array& ids) {
  const std::size_t n = ids.shape()[0], t = ids.shape()[1];
  std::size_t used = 1;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = t; j > used; --j) {
      if (ids.data()[i * t + j - 1] != 0.0f) {
        used = j;
        break;
      }
    }
  }
  return used == t ? ids : id_columns(ids, 0, used);
}

Array id_columns(const Array& ids, std::size_t begin, std::size_t end) {
  const std::size_t n = ids.shape()[0], t = ids.shape()[1];
  if (begin > end || end > t) {
    throw kiln::Error("id_columns: columns [" + std::to_string(begin) + ", " + std::to_string(end) +
                      ") of ids " + kiln::to_string(ids.shape()));
  }
  Array out = Array::from_shape({n, end - begin});
  for (std::size_t i = 0; i < n; ++i) {
    std::copy_n(ids.data() + i * t + begin, end - begin, out.data() + i * (end - begin));
  }
  return out;
}

std::vector<std::string> sources_of(const std::vector<SentencePair>& pairs) {
  std::vector<std::string> out;
  for (const auto& p : pairs) out.push_back(p.source);
  return out;
}

std::vector<std::string> targets_of(const std::vector<SentencePair>& pairs) {
  std::vector<std::string> out;
  for (const auto& p : pairs) out.push_back(p.target);
  return out;
}

}  // namespace nmt
