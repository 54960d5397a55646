#pragma once
// The NMT example's default corpus: an English-French phrasebook generated
// by our own grammar (phrase.hpp) from a small lexicon (lexicon.hpp), so the
// example trains without downloading anything.
//
//   auto pairs = nmt::generate_phrasebook(20000, /*seed=*/42);
//   pairs[0]  ->  {"we do not like the small red car .",
//                  "nous n' aimons pas la petite voiture rouge ."}   (for example)
//
// Sentences are 3 to 15 tokens long on both sides, lowercase, tokenized with
// spaces around punctuation and after elisions like small_vocab; each side
// uses about 150-250 distinct words.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "examples/nmt/phrase.hpp"
#include "text/parallel_corpus.hpp"

namespace nmt {

// count pairs, the same ones for the same seed on every platform, with no
// pair repeated unless the grammar runs out of new ones.
std::vector<kiln::text::SentencePair> generate_phrasebook(std::size_t count, std::uint64_t seed);

// Sentences may not exceed this many tokens (punctuation included).
inline constexpr std::size_t kMaxPhraseTokens = 15;

}  // namespace nmt
