// corpus_bleu against sacrebleu's definition worked by hand, and the two
// simpler accuracy measures.

#include <doctest/doctest.h>

#include <cmath>
#include <sstream>

#include "graph/error.hpp"
#include "text/bleu.hpp"

using namespace kiln;
using namespace kiln::text;

namespace {

TokenizedSentence words(const std::string& text) {
  std::istringstream in(text);
  TokenizedSentence out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::vector<TokenizedSentence> corpus(std::initializer_list<const char*> lines) {
  std::vector<TokenizedSentence> out;
  for (const char* line : lines) out.push_back(words(line));
  return out;
}

}  // namespace

TEST_CASE("a perfect translation scores 1 with every precision 1") {
  const auto refs = corpus({"the cat is on the mat", "il fait beau ."});
  const BleuScore b = corpus_bleu(refs, refs);
  CHECK(b.score == doctest::Approx(1.0));
  for (double p : b.precisions) CHECK(p == doctest::Approx(1.0));
  CHECK(b.brevity_penalty == 1.0);
  CHECK(b.sys_len == 10);
  CHECK(b.ref_len == 10);
}

TEST_CASE("a short hypothesis is punished by the brevity penalty exp(1 - r/c)") {
  // every n-gram of "the cat is on" matches; c = 4, r = 6
  const BleuScore b = corpus_bleu(corpus({"the cat is on"}), corpus({"the cat is on the mat"}));
  CHECK(b.totals == std::array<std::size_t, 4>{4, 3, 2, 1});
  CHECK(b.matches == std::array<std::size_t, 4>{4, 3, 2, 1});
  CHECK(b.brevity_penalty == doctest::Approx(std::exp(-0.5)));
  CHECK(b.score == doctest::Approx(0.6065306597));
}

TEST_CASE("a missing 4-gram gets sacrebleu's exp smoothing 1 / (2 * total)") {
  // hyp "the cat sat on the mat" vs ref "the cat is on the mat":
  // 1-grams 5/6 (sat misses), 2-grams 3/5 (the cat, on the, the mat),
  // 3-grams 1/4 (on the mat), 4-grams 0/3 -> 1/6.  BLEU = (5/6 3/5 1/4 1/6)^(1/4) = (1/48)^(1/4)
  const BleuScore b = corpus_bleu(corpus({"the cat sat on the mat"}), corpus({"the cat is on the mat"}));
  CHECK(b.matches == std::array<std::size_t, 4>{5, 3, 1, 0});
  CHECK(b.precisions[0] == doctest::Approx(5.0 / 6));
  CHECK(b.precisions[1] == doctest::Approx(3.0 / 5));
  CHECK(b.precisions[2] == doctest::Approx(1.0 / 4));
  CHECK(b.precisions[3] == doctest::Approx(1.0 / 6));
  CHECK(b.brevity_penalty == 1.0);
  CHECK(b.score == doctest::Approx(std::pow(1.0 / 48, 0.25)));
  CHECK(b.score == doctest::Approx(0.3799178));
}

TEST_CASE("matches are clipped to the reference count and smoothing doubles per missing order") {
  // "the" x4 vs "the cat": p1 = 1/4; orders 2, 3, 4 have no match:
  // 1/(2*3), 1/(4*2), 1/(8*1).  c = 4 >= r = 2, so no brevity penalty.
  const BleuScore b = corpus_bleu(corpus({"the the the the"}), corpus({"the cat"}));
  CHECK(b.matches == std::array<std::size_t, 4>{1, 0, 0, 0});
  CHECK(b.precisions[1] == doctest::Approx(1.0 / 6));
  CHECK(b.precisions[2] == doctest::Approx(1.0 / 8));
  CHECK(b.precisions[3] == doctest::Approx(1.0 / 8));
  CHECK(b.score == doctest::Approx(std::pow(1.0 / 1536, 0.25)));
}

TEST_CASE("counts are summed over the corpus before taking precisions") {
  // sentence 1 matches fully (4/3/2/1 n-grams), sentence 2 adds 2 unmatched
  // 1-grams and 1 unmatched 2-gram: (4/6 * 3/4 * 2/2 * 1/1)^(1/4) = 0.5^(1/4),
  // not the mean of the sentence scores.
  const BleuScore b = corpus_bleu(corpus({"a b c d", "x y"}), corpus({"a b c d", "a b"}));
  CHECK(b.totals == std::array<std::size_t, 4>{6, 4, 2, 1});
  CHECK(b.score == doctest::Approx(std::pow(0.5, 0.25)));
}

TEST_CASE("BLEU is 0 when no hypothesis is 4 tokens long or nothing matches") {
  const BleuScore short_hyp = corpus_bleu(corpus({"a b"}), corpus({"a b"}));
  CHECK(short_hyp.score == 0.0);
  CHECK(short_hyp.precisions == std::array<double, 4>{1.0, 1.0, 0.0, 0.0});

  const BleuScore no_match = corpus_bleu(corpus({"x y z w"}), corpus({"a b c d"}));
  CHECK(no_match.score == 0.0);
  CHECK(no_match.precisions == std::array<double, 4>{0.0, 0.0, 0.0, 0.0});

  const BleuScore empty_hyp = corpus_bleu(corpus({""}), corpus({"a b c d"}));
  CHECK(empty_hyp.brevity_penalty == 0.0);
  CHECK(empty_hyp.score == 0.0);

  const BleuScore empty = corpus_bleu({}, {});
  CHECK(empty.score == 0.0);
  CHECK(empty.brevity_penalty == 1.0);
}

TEST_CASE("token_accuracy counts reference positions matched at the same index") {
  // sentence 1: a=a, b!=x, c=c -> 2 of 3; sentence 2: x=x, then the hypothesis
  // ends -> 1 of 2. Corpus: 3 of 5.
  CHECK(token_accuracy(corpus({"a b c", "x"}), corpus({"a x c", "x y"})) == doctest::Approx(0.6));
  // extra hypothesis tokens past the reference are not counted
  CHECK(token_accuracy(corpus({"a b c d"}), corpus({"a b"})) == doctest::Approx(1.0));
  CHECK(token_accuracy(corpus({""}), corpus({"a b"})) == 0.0);
}

TEST_CASE("exact_match_rate is the fraction of sentences reproduced exactly") {
  CHECK(exact_match_rate(corpus({"a b", "c", "d"}), corpus({"a b", "c d", "e"})) == doctest::Approx(1.0 / 3));
  CHECK(exact_match_rate(corpus({"a b"}), corpus({"a b"})) == 1.0);
}

TEST_CASE("the metrics reject corpora of different sizes and empty references") {
  CHECK_THROWS_WITH_AS(corpus_bleu(corpus({"a", "b"}), corpus({"a"})), "corpus_bleu: 2 hypotheses but 1 references",
                       Error);
  CHECK_THROWS_WITH_AS(token_accuracy(corpus({"a"}), corpus({"a", "b"})),
                       "token_accuracy: 1 hypotheses but 2 references", Error);
  CHECK_THROWS_WITH_AS(exact_match_rate(corpus({"a"}), {}), "exact_match_rate: 1 hypotheses but 0 references", Error);
  CHECK_THROWS_WITH_AS(token_accuracy(corpus({"a"}), corpus({""})), "token_accuracy: the references hold no tokens",
                       Error);
  CHECK_THROWS_WITH_AS(exact_match_rate({}, {}), "exact_match_rate: the corpus is empty", Error);
}
