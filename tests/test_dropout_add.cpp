// dropout_add: residual + dropout(x) in one pass; the identity plus residual
// at inference, kept elements scaled by 1 / (1 - rate) while training, at
// about the rate asked; gradients by finite differences; errors. And the
// draws of DropoutStream.

#include <random>

#include "graph/error.hpp"
#include "ops/arithmetic.hpp"
#include "ops/dropout_add.hpp"
#include "ops/dropout_stream.hpp"
#include "ops/reductions.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_array;
using kiln::testing::random_param;

TEST_CASE("dropout_add adds at inference and drops x's elements, rescaled, while training") {
  std::mt19937_64 rng(1);
  const Tensor x(random_array({4, 50, 8}, 1, 0.5f, 1.5f)), r(random_array({4, 50, 8}, 2));
  CHECK(dropout_add(x, r, 0.3f, false, rng).value() == (x.value() + r.value()));
  const Tensor y = dropout_add(x, r, 0.25f, true, rng);
  std::size_t dropped = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const float kept = y.value().data()[i] - r.value().data()[i];
    if (kept == 0.0f) {
      ++dropped;
    } else {
      CHECK(kept == doctest::Approx(x.value().data()[i] / 0.75f));
    }
  }
  CHECK(double(dropped) / double(y.size()) == doctest::Approx(0.25).epsilon(0.15));
}

TEST_CASE("dropout_add gradients match finite differences with one mask") {
  const Tensor x = random_param({3, 4, 5}, 3, "x"), r = random_param({3, 4, 5}, 4, "r");
  const Tensor upstream(random_array({3, 4, 5}, 5));
  CHECK_GRADIENTS(
      [&] {
        std::mt19937_64 rng(9);  // the same draws every evaluation
        return sum(dropout_add(x, r, 0.4f, true, rng) * upstream);
      },
      {x, r});
}

TEST_CASE("dropout_add refuses other shapes and rates") {
  std::mt19937_64 rng(1);
  CHECK_THROWS_WITH_AS(dropout_add(Tensor(random_array({2, 3}, 1)), Tensor(random_array({3, 2}, 2)), 0.1f, true, rng),
                       "dropout_add: x and residual differ in shape: (2, 3) and (3, 2)", ShapeError);
  CHECK_THROWS_AS(dropout_add(Tensor(random_array({2}, 1)), Tensor(random_array({2}, 2)), 1.0f, true, rng), Error);
}

TEST_CASE("DropoutStream keeps 1 - rate of its draws, the same from the same generator state") {
  std::mt19937_64 a(5), b(5);
  std::vector<float> first(100000), second(100000);
  DropoutStream(a, 0.1f).fill(first.data(), first.size());
  DropoutStream(b, 0.1f).fill(second.data(), second.size());
  CHECK(first == second);
  // Two fills continue one stream: the same flags as one fill of both
  // (an even first length, so no draw is split between them).
  std::mt19937_64 c(5);
  DropoutStream split(c, 0.1f);
  std::vector<float> halves(100000);
  split.fill(halves.data(), 40000);
  split.fill(halves.data() + 40000, 60000);
  CHECK(halves == first);
  double kept = 0;
  for (const float k : first) kept += k;
  CHECK(kept / double(first.size()) == doctest::Approx(0.9).epsilon(0.01));
}
