#pragma once
// Scoring translations against references. Both sides are normalised as
// Keras' Tokenizer reads text (lowercased, punctuation removed, split on
// spaces), so "Il fait beau." and the model's "il fait beau" are the same
// sentence. A word "eos" in a reference is a word like any other. Reported: corpus BLEU (sacrebleu's
// defaults, text/bleu.hpp), token accuracy (position by position against
// the reference) and the exact-match rate.

#include <ostream>
#include <string>
#include <vector>

#include "text/bleu.hpp"

namespace nmt {

using kiln::text::TokenizedSentence;

struct Scores {
  double bleu = 0.0;            // in [0, 1]
  double token_accuracy = 0.0;  // in [0, 1]
  double exact_match = 0.0;     // in [0, 1]
  std::size_t sentences = 0;
};

// The words of a sentence as Keras' Tokenizer sees them.
TokenizedSentence normalise(const std::string& sentence);

// Throws kiln::Error when the lists differ in length or are empty.
// References with no word at all are skipped (they have no token to match).
Scores score_translations(const std::vector<TokenizedSentence>& hypotheses,
                          const std::vector<std::string>& references);

// "BLEU 0.9512  token accuracy 0.9634  exact match 0.7010  (4200 sentences)"
void print_scores(std::ostream& out, const Scores& scores);

}  // namespace nmt
