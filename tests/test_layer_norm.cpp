// layer_norm: the fused op against the formula composed from plain ops,
// its gradients against finite differences, and its shape errors.

#include "ops/arithmetic.hpp"
#include "ops/layer_norm.hpp"
#include "ops/reductions.hpp"
#include "graph/error.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_array;
using kiln::testing::random_param;

namespace {

// The textbook formula from separate ops (mean, variance, broadcasts).
Tensor composed_layer_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, float epsilon) {
  const Tensor centred = x - mean(x, -1, true);
  const Tensor variance = mean(centred * centred, -1, true);
  Tensor inv_std = Tensor(Array(xt::ones<float>(variance.shape()))) / Tensor(Array(xt::sqrt(variance.value() + epsilon)));
  return centred * inv_std * gamma + beta;
}

}  // namespace

TEST_CASE("layer_norm matches the composed formula, per row") {
  const Tensor x(random_array({3, 4, 7}, 1, -2.0f, 3.0f));
  const Tensor gamma(random_array({7}, 2, 0.5f, 1.5f)), beta(random_array({7}, 3));
  const Tensor y = layer_norm(x, gamma, beta, {.epsilon = 1e-3f});
  CHECK(kiln::testing::max_abs_diff(y.value(), composed_layer_norm(x, gamma, beta, 1e-3f).value()) < 1e-5);
  // Without gamma and beta every row has mean 0 and variance var / (var + eps).
  const Tensor plain = layer_norm(x, Tensor(), Tensor(), {.epsilon = 1e-6f});
  const Array row_means = xt::mean(plain.value(), {2});
  CHECK(xt::amax(xt::abs(row_means))() < 1e-5);
}

TEST_CASE("layer_norm gradients match finite differences over x, gamma and beta") {
  const Tensor x = random_param({2, 3, 5}, 4, "x", -2.0f, 2.0f);
  const Tensor gamma = random_param({5}, 5, "gamma", 0.5f, 1.5f), beta = random_param({5}, 6, "beta");
  const Tensor weights(random_array({2, 3, 5}, 7));  // a non-trivial upstream gradient
  CHECK_GRADIENTS([&] { return sum(layer_norm(x, gamma, beta) * weights); }, {x, gamma, beta});
  CHECK_GRADIENTS([&] { return sum(layer_norm(x, Tensor(), Tensor()) * weights); }, {x});
  CHECK_GRADIENTS([&] { return sum(layer_norm(x, gamma, Tensor(), {.rms = true}) * weights); }, {x, gamma});
  // gamma of two axes (LayerNormalization over [1, 2]) keeps its shape in the gradient
  const Tensor rows = random_param({2, 6}, 8, "rows", -2.0f, 2.0f);
  const Tensor gamma_2d = random_param({2, 3}, 9, "gamma_2d", 0.5f, 1.5f);
  CHECK_GRADIENTS([&] { return sum(layer_norm(rows, gamma_2d, Tensor()) * Tensor(random_array({2, 6}, 10))); },
                  {rows, gamma_2d});
}

TEST_CASE("layer_norm with rms divides by the root mean square") {
  const Tensor x(Array{{3.0f, -4.0f}});
  const Tensor y = layer_norm(x, Tensor(), Tensor(), {.epsilon = 0.0f, .rms = true});
  // rms = sqrt((9 + 16) / 2)
  CHECK(y.value()(0, 0) == doctest::Approx(3.0 / std::sqrt(12.5)));
  CHECK(y.value()(0, 1) == doctest::Approx(-4.0 / std::sqrt(12.5)));
}

TEST_CASE("layer_norm names the shapes it cannot use") {
  const Tensor x(random_array({2, 4}, 1));
  CHECK_THROWS_WITH_AS(layer_norm(x, Tensor(random_array({3}, 2)), Tensor()),
                       "layer_norm: gamma (3) must hold as many elements as the last axis of x (2, 4)", ShapeError);
  CHECK_THROWS_WITH_AS(layer_norm(x, Tensor(), Tensor(random_array({5}, 2))),
                       "layer_norm: beta (5) must hold as many elements as the last axis of x (2, 4)", ShapeError);
  CHECK_THROWS_AS(layer_norm(x, Tensor(), Tensor(random_array({4}, 2)), {.rms = true}), ShapeError);
}
