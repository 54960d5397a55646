// The element-wise binary cross-entropies: values against the formula,
// stability at large logits, clipping, gradients against finite differences.

#include <cmath>

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "ops/binary_cross_entropy.hpp"
#include "ops/reductions.hpp"
#include "support.hpp"

using namespace kiln;

TEST_CASE("sigmoid_cross_entropy is -z log s(x) - (1 - z) log(1 - s(x)), stable for large logits") {
  Tensor x(Array{-2.0f, 0.5f, 3.0f});
  const Array z = {0.0f, 1.0f, 0.3f};
  const Array l = sigmoid_cross_entropy(x, z).value();
  for (std::size_t i = 0; i < 3; ++i) {
    const double s = 1.0 / (1.0 + std::exp(-double(x.value()(i))));
    CHECK(l(i) == doctest::Approx(-z(i) * std::log(s) - (1 - z(i)) * std::log(1 - s)).epsilon(1e-6));
  }
  const Array big = sigmoid_cross_entropy(Tensor(Array{1000.0f, -1000.0f}), Array{0.0f, 1.0f}).value();
  CHECK(big(0) == 1000.0f);
  CHECK(big(1) == 1000.0f);
}

TEST_CASE("binary_cross_entropy clips probabilities to [1e-7, 1 - 1e-7] and passes no gradient there") {
  Tensor p = Tensor::parameter(Array{0.0f, 0.25f, 1.0f});
  const Array z = {1.0f, 1.0f, 0.0f};
  const Tensor l = binary_cross_entropy(p, z);
  CHECK(l.value()(0) == doctest::Approx(-std::log(1e-7)).epsilon(1e-5));
  CHECK(l.value()(1) == doctest::Approx(-std::log(0.25)).epsilon(1e-6));
  CHECK(l.value()(2) == doctest::Approx(-std::log(1.0 - (1.0f - 1e-7f))).epsilon(1e-2));
  backward(sum(l));
  CHECK(p.grad()(0) == 0.0f);
  CHECK(p.grad()(1) == doctest::Approx(-4.0));
  CHECK(p.grad()(2) == 0.0f);
}

TEST_CASE("binary cross-entropy gradients match finite differences") {
  Tensor logits = kiln::testing::random_param({3, 4}, 1, "logits", -3.0f, 3.0f);
  Tensor probs = kiln::testing::random_param({3, 4}, 2, "probs", 0.05f, 0.95f);
  const Array z = kiln::testing::random_array({3, 4}, 3, 0.0f, 1.0f);
  CHECK_GRADIENTS([&] { return sigmoid_cross_entropy(logits, z); }, {logits});
  CHECK_GRADIENTS([&] { return binary_cross_entropy(probs, z); }, {probs});
}

TEST_CASE("binary cross-entropies name both shapes when targets do not fit") {
  CHECK_THROWS_WITH_AS(sigmoid_cross_entropy(Tensor(Array::from_shape({2, 3})), Array::from_shape({2, 1})),
                       "sigmoid_cross_entropy: input and targets differ in shape: (2, 3) and (2, 1)", ShapeError);
}
