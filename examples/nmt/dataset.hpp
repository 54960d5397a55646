#pragma once
// The data side of the NMT example, as the seed's data_helper.py does it:
// sentence pairs (a corpus or the built-in phrasebook), a seeded train/test
// split, Keras tokenizers fitted on the training side with the OOV token
// 'UNK', French wrapped in start and end markers, and id matrices padded
// the seed's way: English pre-padded, French post-padded (the Transformer
// post-pads English too: source_ids' padding).
//
// The seed's markers "sos" and "eos" were ordinary words, so a French
// sentence holding the word "eos" was cut there. Here French is first
// normalised (lowercased, punctuation removed) and only then wrapped in
// "<sos>" ... "<eos>"; the French tokenizer keeps '<' and '>' (it has no
// filters of its own), so the markers are tokens no corpus word can be.

#include <cstdint>
#include <string>
#include <vector>

#include "examples/nmt/cli.hpp"
#include "graph/shape.hpp"
#include "text/parallel_corpus.hpp"
#include "text/tokenizer.hpp"

namespace nmt {

using kiln::Array;
using kiln::text::SentencePair;
using kiln::text::Tokenizer;

inline constexpr const char* start_token = "<sos>";
inline constexpr const char* end_token = "<eos>";
inline constexpr const char* oov_token = "UNK";

// The pairs `data` names, the first data.samples of them when that is set.
// The built-in phrasebook is generated from `seed` (data.samples pairs, or
// default_phrasebook_pairs). Throws kiln::FormatError for unreadable files,
// kiln::Error for a file or directory that holds no pairs (never returns none).
std::vector<SentencePair> load_pairs(const DataOptions& data, std::uint64_t seed);

struct Split {
  std::vector<SentencePair> train, test;
};
// A seeded shuffle, then the last round(test_fraction * n) pairs are the test
// split. Throws kiln::Error when either side would be empty (with a
// positive fraction) or there are no pairs.
Split split_pairs(std::vector<SentencePair> pairs, double test_fraction, std::uint64_t seed);

// "<sos> <normalised french words> <eos>", what the French tokenizer reads.
std::string wrap_target(const std::string& french);

struct Vocabularies {
  Tokenizer en, fr;
};
// Tokenizers with oov_token 'UNK' fitted on the English side and on the
// wrapped French side of `pairs`.
Vocabularies fit_vocabularies(const std::vector<SentencePair>& pairs);

// English ids (N, timesteps) as floats, padded with 0 before the words
// (padding "pre", the seed's GRU) or after them ("post", the Transformer,
// whose positions then do not depend on the padding). Longer sentences
// keep their first `timesteps` words.
Array source_ids(const Tokenizer& en, const std::vector<std::string>& english, std::size_t timesteps,
                 const std::string& padding = "pre");
// Wrapped French ids (N, timesteps), post-padded; longer ones keep their
// first words (so they lose 'eos').
Array target_ids(const Tokenizer& fr, const std::vector<std::string>& french, std::size_t timesteps);

// The columns of post-padded ids (N, T) up to the last that holds a word in
// any row: a batch padded to its own longest sentence (at least one column).
Array without_trailing_padding(const Array& ids);

// Columns [begin, end) of ids (N, T): the decoder's input is target[:, :-1],
// its target target[:, 1:].
Array id_columns(const Array& ids, std::size_t begin, std::size_t end);

std::vector<std::string> sources_of(const std::vector<SentencePair>& pairs);
std::vector<std::string> targets_of(const std::vector<SentencePair>& pairs);

}  // namespace nmt
