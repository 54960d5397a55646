#pragma once
// Corpus-level translation metrics on already tokenized sentences.
//
// corpus_bleu follows sacrebleu's defaults (BLEU with max order 4, 'exp'
// smoothing, no effective order, one reference per hypothesis):
//   p_n  = sum over sentences of clipped matching n-grams
//          / sum over sentences of hypothesis n-grams
//   an order with no match gets p_n = 1 / (2^k * total_n), k counting such
//   orders so far; an order with no hypothesis n-gram at all gets p_n = 0
//   BP   = exp(1 - r / c) when c < r (0 when c = 0), else 1
//   BLEU = BP * exp(mean over n of log p_n), 0 when any p_n is 0 or no
//          n-gram of any order matches.
// Scores and precisions are fractions in [0, 1] (sacrebleu prints percent).

#include <array>
#include <cstddef>
#include <string>
#include <vector>

namespace kiln::text {

using TokenizedSentence = std::vector<std::string>;

struct BleuScore {
  double score = 0.0;                      // in [0, 1]
  std::array<double, 4> precisions{};      // p_1..p_4 as used in the score (smoothed)
  std::array<std::size_t, 4> matches{};    // clipped matching n-grams per order
  std::array<std::size_t, 4> totals{};     // hypothesis n-grams per order
  double brevity_penalty = 0.0;
  std::size_t sys_len = 0;                 // hypothesis tokens
  std::size_t ref_len = 0;                 // reference tokens
};

// Throws kiln::Error when the two lists differ in length.
BleuScore corpus_bleu(const std::vector<TokenizedSentence>& hypotheses,
                      const std::vector<TokenizedSentence>& references);

// Fraction of reference positions i where hypothesis[i] == reference[i],
// over the whole corpus; positions past the hypothesis's end are wrong.
// Throws kiln::Error for lists of different lengths or references with no
// token at all.
double token_accuracy(const std::vector<TokenizedSentence>& hypotheses,
                      const std::vector<TokenizedSentence>& references);

// Fraction of sentences translated exactly. Throws kiln::Error for lists of
// different lengths or an empty corpus.
double exact_match_rate(const std::vector<TokenizedSentence>& hypotheses,
                        const std::vector<TokenizedSentence>& references);

}  // namespace kiln::text
