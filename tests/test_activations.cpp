// Activations: values against the formulas, gradients against finite differences.

#include <cmath>

#include "ops/activations.hpp"
#include "ops/arithmetic.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_param;

TEST_CASE("activations match their formulas at chosen points") {
  Tensor x(Array{-2.0f, 0.0f, 1.5f});
  const Array t = kiln::tanh(x).value();
  const Array s = sigmoid(x).value();
  for (int i = 0; i < 3; ++i) {
    const double v = x.value()(i);
    CHECK(t(i) == doctest::Approx(std::tanh(v)));
    CHECK(s(i) == doctest::Approx(1.0 / (1.0 + std::exp(-v))));
    CHECK(kiln::exp(x).value()(i) == doctest::Approx(std::exp(v)));
  }
  CHECK(relu(x).value() == Array{0.0f, 0.0f, 1.5f});
  CHECK(kiln::log(Tensor(Array{1.0f, std::exp(2.0f)})).value()(1) == doctest::Approx(2.0));
}

TEST_CASE("activation gradients match finite differences") {
  Tensor x = random_param({2, 3, 4}, 7, "x", -2.0f, 2.0f);
  Tensor pos = random_param({2, 3, 4}, 8, "pos", 0.5f, 3.0f);
  CHECK_GRADIENTS([&] { return kiln::tanh(x); }, {x});
  CHECK_GRADIENTS([&] { return sigmoid(x); }, {x});
  CHECK_GRADIENTS([&] { return kiln::exp(x); }, {x});
  CHECK_GRADIENTS([&] { return kiln::log(pos); }, {pos});
  // relu's kink at 0 is avoided: |x| >= 0.5 there.
  CHECK_GRADIENTS([&] { return relu(pos - 1.75f); }, {pos});
}
