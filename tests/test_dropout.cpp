// mask_multiply and dropout: values, gradients through the mask, the
// inverted-dropout scaling and rate, reproducibility from the seed, and bad
// rates or mask shapes.

#include <algorithm>
#include <cmath>
#include <random>
#include <xtensor/xbuilder.hpp>

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "ops/dropout.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::column;
using kiln::testing::random_param;

namespace {

}  // namespace

TEST_CASE("mask_multiply multiplies by a mask broadcast over the input") {
  Tensor x(Array{{1.0f, 2.0f, 3.0f}, {4.0f, 5.0f, 6.0f}});
  CHECK(mask_multiply(x, Array{0.0f, 1.0f, 2.0f}).value() ==
        Array{{0.0f, 2.0f, 6.0f}, {0.0f, 5.0f, 12.0f}});
  CHECK(mask_multiply(x, column({1.0f, 0.0f})).value() ==
        Array{{1.0f, 2.0f, 3.0f}, {0.0f, 0.0f, 0.0f}});
}

TEST_CASE("mask_multiply passes g * mask back, and nothing to the mask") {
  Tensor x = Tensor::parameter(Array{{1.0f, 2.0f}, {3.0f, 4.0f}}, "x");
  backward(mask_multiply(x, column({0.0f, 3.0f})), Array{{1.0f, 2.0f}, {3.0f, 4.0f}});
  CHECK(x.grad() == Array{{0.0f, 0.0f}, {9.0f, 12.0f}});

  Tensor y = random_param({2, 3, 4}, 31, "y");
  const Array mask = kiln::testing::random_array({3, 1}, 32);
  CHECK_GRADIENTS([&] { return mask_multiply(y, mask); }, {y});
}

TEST_CASE("mask_multiply names both shapes when the mask does not broadcast to the input") {
  Tensor x(Array::from_shape({2, 3}));
  CHECK_THROWS_WITH_AS(mask_multiply(x, Array::from_shape({2, 4})),
                       "mask_multiply: mask (2, 4) does not broadcast to input (2, 3)", ShapeError);
  // Broadcasting may not grow the input: a (2, 2, 3) mask would.
  CHECK_THROWS_WITH_AS(mask_multiply(x, Array::from_shape({2, 2, 3})),
                       "mask_multiply: mask (2, 2, 3) does not broadcast to input (2, 3)",
                       ShapeError);
}

TEST_CASE("dropout is the identity at inference and at rate 0") {
  Tensor x = random_param({3, 4}, 33, "x");
  std::mt19937_64 rng(1);
  CHECK(dropout(x, 0.5f, false, rng).same_as(x));
  CHECK(dropout(x, 0.0f, true, rng).same_as(x));
}

TEST_CASE("dropout at rate 0.25 zeros about a quarter and scales the rest by 4/3") {
  Tensor x(xt::ones<float>({100, 100}));
  std::mt19937_64 rng(2024);
  const Array y = dropout(x, 0.25f, true, rng).value();
  std::size_t zeros = 0, scaled = 0;
  double total = 0.0;
  for (float v : y) {
    if (v == 0.0f) ++zeros;
    if (v == 1.0f / 0.75f) ++scaled;
    total += v;
  }
  CHECK(zeros + scaled == y.size());  // nothing else appears
  // Binomial(10000, 0.25): standard deviation 43, so +-250 is about 6 sigma.
  CHECK(zeros > 2250);
  CHECK(zeros < 2750);
  // Inverted dropout keeps the expected value: the mean stays near 1.
  CHECK(total / 10000.0 == doctest::Approx(1.0).epsilon(0.05));
}

TEST_CASE("dropout draws the same mask from the same seed") {
  Tensor x = random_param({8, 16}, 34, "x");
  std::mt19937_64 a(99), b(99), c(100);
  const Array ya = dropout(x, 0.5f, true, a).value();
  CHECK(dropout(x, 0.5f, true, b).value() == ya);
  CHECK(dropout(x, 0.5f, true, c).value() != ya);
  CHECK(dropout(x, 0.5f, true, a).value() != ya);  // the generator moved on
}

TEST_CASE("dropout's gradient is the mask it applied") {
  Tensor x = Tensor::parameter(xt::ones<float>({4, 5}), "x");
  std::mt19937_64 rng(5);
  const Tensor y = dropout(x, 0.5f, true, rng);
  backward(y, xt::ones<float>({4, 5}));
  CHECK(x.grad() == y.value());  // x = 1, so y is the mask itself (0 or 2)

  Tensor z = random_param({2, 3, 4}, 35, "z");
  CHECK_GRADIENTS(
      [&] {
        std::mt19937_64 fixed(6);  // the same mask on every evaluation
        return dropout(z, 0.3f, true, fixed);
      },
      {z});
}

TEST_CASE("dropout rejects a rate outside [0, 1)") {
  Tensor x(Array{1.0f});
  std::mt19937_64 rng(1);
  CHECK_THROWS_WITH_AS(dropout(x, 1.0f, true, rng), "dropout: rate must be in [0, 1), got 1",
                       Error);
  CHECK_THROWS_WITH_AS(dropout(x, -0.1f, false, rng), "dropout: rate must be in [0, 1), got -0.1",
                       Error);
  CHECK_THROWS_AS(dropout(x, NAN, true, rng), Error);
}
