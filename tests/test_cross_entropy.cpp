// Cross-entropy losses: values worked by hand (and Keras' documented
// numbers), masking, stability for logits of 1e4, the clipping of
// probabilities, gradients on batched (2, 3, 4) inputs, and bad inputs.

#include <cmath>

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "ops/cross_entropy.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_array;
using kiln::testing::random_param;

namespace {

// Random probability rows along the last axis (each sums to 1).
Array random_distribution(const Shape& shape, std::uint64_t seed) {
  Array t = random_array(shape, seed, 0.1f, 1.0f);
  const std::size_t c = shape.back();
  for (std::size_t i = 0; i < t.size(); i += c) {
    float total = 0.0f;
    for (std::size_t k = 0; k < c; ++k) total += t.data()[i + k];
    for (std::size_t k = 0; k < c; ++k) t.data()[i + k] /= total;
  }
  return t;
}

}  // namespace

TEST_CASE("softmax cross-entropy of logits [0, ln 3] against class 1 is ln(4/3)") {
  // softmax = [1/4, 3/4]; -log(3/4) = ln(4/3); gradient softmax - t = [1/4, -1/4]
  Tensor logits = Tensor::parameter(Array{0.0f, std::log(3.0f)}, "logits");
  const Tensor loss = softmax_cross_entropy(logits, Array{0.0f, 1.0f});
  CHECK(loss.shape() == Shape{});
  CHECK(loss.item() == doctest::Approx(std::log(4.0 / 3.0)));
  backward(loss);
  CHECK(logits.grad()(0) == doctest::Approx(0.25));
  CHECK(logits.grad()(1) == doctest::Approx(-0.25));

  logits.zero_grad();
  const Tensor sparse = sparse_softmax_cross_entropy(logits, Array(1.0f));
  CHECK(sparse.item() == doctest::Approx(std::log(4.0 / 3.0)));
  backward(sparse);
  CHECK(logits.grad()(0) == doctest::Approx(0.25));
  CHECK(logits.grad()(1) == doctest::Approx(-0.25));
}

TEST_CASE("softmax cross-entropy takes probability targets and averages over positions") {
  // Row 0: ln(4/3) as above. Row 1: uniform softmax [1/2, 1/2] against
  // [1/4, 3/4]: -(1/4 ln 1/2 + 3/4 ln 1/2) = ln 2. Mean of the two rows.
  Tensor logits(Array{{0.0f, std::log(3.0f)}, {0.0f, 0.0f}});
  const Array targets = {{0.0f, 1.0f}, {0.25f, 0.75f}};
  CHECK(softmax_cross_entropy(logits, targets).item() ==
        doctest::Approx((std::log(4.0 / 3.0) + std::log(2.0)) / 2.0));
  CHECK(sparse_softmax_cross_entropy(logits, Array{1.0f, 0.0f}).item() ==
        doctest::Approx((std::log(4.0 / 3.0) + std::log(2.0)) / 2.0));
}

TEST_CASE("a mask weights positions and divides by its sum") {
  Tensor logits = Tensor::parameter(Array{{0.0f, std::log(3.0f)}, {0.0f, 0.0f}}, "logits");
  const Array targets = {{0.0f, 1.0f}, {1.0f, 0.0f}};  // ce = ln(4/3), ln 2
  const Array padding = {1.0f, 0.0f};
  const Tensor masked = softmax_cross_entropy(logits, targets, &padding);
  CHECK(masked.item() == doctest::Approx(std::log(4.0 / 3.0)));
  backward(masked);
  // The padded row gets no gradient; the other its full (softmax - t) / 1.
  CHECK(logits.grad()(0, 0) == doctest::Approx(0.25));
  CHECK(logits.grad()(0, 1) == doctest::Approx(-0.25));
  CHECK(logits.grad()(1, 0) == 0.0f);
  CHECK(logits.grad()(1, 1) == 0.0f);

  const Array weights = {2.0f, 1.0f};  // (2 ln(4/3) + ln 2) / 3
  CHECK(softmax_cross_entropy(logits, targets, &weights).item() ==
        doctest::Approx((2.0 * std::log(4.0 / 3.0) + std::log(2.0)) / 3.0));
  CHECK(sparse_softmax_cross_entropy(logits, Array{1.0f, 0.0f}, &weights).item() ==
        doctest::Approx((2.0 * std::log(4.0 / 3.0) + std::log(2.0)) / 3.0));
}

TEST_CASE("an all-padding mask gives a zero loss and a zero gradient") {
  Tensor logits = random_param({2, 3}, 41, "logits");
  const Array none = {0.0f, 0.0f};
  const Tensor loss = sparse_softmax_cross_entropy(logits, Array{0.0f, 2.0f}, &none);
  CHECK(loss.item() == 0.0f);
  backward(loss);
  CHECK(logits.grad() == Array{{0.0f, 0.0f, 0.0f}, {0.0f, 0.0f, 0.0f}});
}

TEST_CASE("softmax cross-entropy is finite for logits of 1e4") {
  // lse = 1e4 + log(1 + e^-1e4 + e^-2e4) = 1e4 in float; ce against class 1 = lse - 0.
  Tensor logits = Tensor::parameter(Array{{1e4f, 0.0f, -1e4f}, {1e4f, 1e4f, -1e4f}}, "logits");
  const Array targets = {{0.0f, 1.0f, 0.0f}, {1.0f, 0.0f, 0.0f}};
  const Tensor loss = softmax_cross_entropy(logits, targets);
  // Row 0: 1e4; row 1: two equal logits, ln 2.
  CHECK(loss.item() == doctest::Approx((1e4 + std::log(2.0)) / 2.0));
  backward(loss);
  for (float g : logits.grad()) CHECK(std::isfinite(g));
  // Row 0: softmax = [1, 0, 0] -> (softmax - t) / 2 = [1/2, -1/2, 0]
  CHECK(logits.grad()(0, 0) == doctest::Approx(0.5));
  CHECK(logits.grad()(0, 1) == doctest::Approx(-0.5));
  CHECK(logits.grad()(0, 2) == 0.0f);
  CHECK(logits.grad()(1, 0) == doctest::Approx(-0.25));

  logits.zero_grad();
  const Tensor sparse = sparse_softmax_cross_entropy(logits, Array{1.0f, 0.0f});
  CHECK(sparse.item() == doctest::Approx((1e4 + std::log(2.0)) / 2.0));
  backward(sparse);
  for (float g : logits.grad()) CHECK(std::isfinite(g));
}

TEST_CASE("categorical cross-entropy on probabilities matches Keras' documented numbers") {
  // Keras' CategoricalCrossentropy example: -log 0.95 = 0.051, -log 0.1 = 2.303,
  // mean 1.1769392; weighted by [0.3, 0.7] it is 1.6271976.
  Tensor probs(Array{{0.05f, 0.95f, 0.0f}, {0.1f, 0.8f, 0.1f}});
  const Array targets = {{0.0f, 1.0f, 0.0f}, {0.0f, 0.0f, 1.0f}};
  CHECK(categorical_cross_entropy(probs, targets).item() == doctest::Approx(1.1769392));
  const Array weights = {0.3f, 0.7f};
  CHECK(categorical_cross_entropy(probs, targets, &weights).item() == doctest::Approx(1.6271976));
}

TEST_CASE("categorical cross-entropy clips probabilities to [1e-7, 1 - 1e-7]") {
  // p = 0 on the target class costs -log(1e-7) = 16.118, not infinity, and
  // a clipped probability gets no gradient.
  Tensor probs = Tensor::parameter(Array{0.0f, 1.0f}, "probs");
  const Tensor loss = categorical_cross_entropy(probs, Array{1.0f, 0.0f});
  CHECK(loss.item() == doctest::Approx(-std::log(1e-7)));
  backward(loss);
  CHECK(probs.grad() == Array{0.0f, 0.0f});

  // Unclipped: d/dp_j of -log(p_1 / sum(p)) is -[j = 1] / p_1 + 1 / sum(p)
  // (Keras rescales each row to sum to 1 first); here sum(p) = 1.
  Tensor q = Tensor::parameter(Array{0.25f, 0.75f}, "q");
  const Tensor l2 = categorical_cross_entropy(q, Array{0.0f, 1.0f});
  CHECK(l2.item() == doctest::Approx(std::log(4.0 / 3.0)));
  backward(l2);
  CHECK(q.grad()(0) == doctest::Approx(1.0));
  CHECK(q.grad()(1) == doctest::Approx(1.0 - 1.0 / 0.75));
}

TEST_CASE("categorical cross-entropy rescales each row of probabilities to sum to 1, as Keras") {
  // (0.2, 0.6) is read as (0.25, 0.75): -log 0.75.
  const Tensor loss = categorical_cross_entropy(Tensor(Array{{0.2f, 0.6f}}), Array{{0.0f, 1.0f}});
  CHECK(loss.item() == doctest::Approx(-std::log(0.75)));
}

TEST_CASE("cross-entropy gradients match finite differences on (2, 3, 4) batches") {
  Tensor logits = random_param({2, 3, 4}, 42, "logits", -2.0f, 2.0f);
  const Array targets = random_distribution({2, 3, 4}, 43);
  const Array labels = {{0.0f, 3.0f, 1.0f}, {2.0f, 2.0f, 0.0f}};
  const Array mask = {{1.0f, 1.0f, 0.0f}, {0.5f, 1.0f, 2.0f}};
  CHECK_GRADIENTS([&] { return softmax_cross_entropy(logits, targets); }, {logits});
  CHECK_GRADIENTS([&] { return softmax_cross_entropy(logits, targets, &mask); }, {logits});
  CHECK_GRADIENTS([&] { return sparse_softmax_cross_entropy(logits, labels); }, {logits});
  CHECK_GRADIENTS([&] { return sparse_softmax_cross_entropy(logits, labels, &mask); }, {logits});

  // Probabilities kept inside [0.05, 0.95], far from the clip bounds.
  Tensor probs = random_param({2, 3, 4}, 44, "probs", 0.05f, 0.95f);
  CHECK_GRADIENTS([&] { return categorical_cross_entropy(probs, targets); }, {probs});
  CHECK_GRADIENTS([&] { return categorical_cross_entropy(probs, targets, &mask); }, {probs});
}

TEST_CASE("cross-entropy over 37 classes matches a double-precision loop") {
  // More classes than one SIMD register holds, so the vector kernels and
  // their scalar tails both run.
  Tensor logits = random_param({3, 37}, 45, "logits", -4.0f, 4.0f);
  const Array targets = random_distribution({3, 37}, 46);
  const Array labels = {36.0f, 0.0f, 17.0f};
  double dense = 0.0, sparse = 0.0;
  for (std::size_t r = 0; r < 3; ++r) {
    double total = 0.0;
    for (std::size_t c = 0; c < 37; ++c) total += std::exp(double(logits.value()(r, c)));
    const double lse = std::log(total);
    for (std::size_t c = 0; c < 37; ++c) dense += targets(r, c) * (lse - logits.value()(r, c));
    sparse += lse - logits.value()(r, std::size_t(labels(r)));
  }
  CHECK(softmax_cross_entropy(logits, targets).item() == doctest::Approx(dense / 3.0));
  CHECK(sparse_softmax_cross_entropy(logits, labels).item() == doctest::Approx(sparse / 3.0));
  CHECK_GRADIENTS([&] { return softmax_cross_entropy(logits, targets); }, {logits});
  CHECK_GRADIENTS([&] { return sparse_softmax_cross_entropy(logits, labels); }, {logits});
}

TEST_CASE("cross-entropy names the op and both shapes when inputs do not match") {
  Tensor logits(Array::from_shape({2, 3}));
  CHECK_THROWS_WITH_AS(
      softmax_cross_entropy(logits, Array::from_shape({2, 4})),
      "softmax_cross_entropy: logits and targets differ in shape: (2, 3) and (2, 4)", ShapeError);
  CHECK_THROWS_WITH_AS(
      categorical_cross_entropy(logits, Array::from_shape({3, 2})),
      "categorical_cross_entropy: probs and targets differ in shape: (2, 3) and (3, 2)",
      ShapeError);
  CHECK_THROWS_WITH_AS(
      sparse_softmax_cross_entropy(logits, Array::from_shape({2, 3})),
      "sparse_softmax_cross_entropy: labels must have shape (2) (the input's shape "
      "without the class axis), got (2, 3) for input (2, 3)",
      ShapeError);
  const Array bad_mask = Array::from_shape({3});
  CHECK_THROWS_WITH_AS(softmax_cross_entropy(logits, Array::from_shape({2, 3}), &bad_mask),
                       doctest::Contains("softmax_cross_entropy: mask must have shape (2)"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(
      softmax_cross_entropy(Tensor(Array(1.0f)), Array(1.0f)),
      "softmax_cross_entropy: expected (..., classes) with at least one class, got ()", ShapeError);
}

TEST_CASE("sparse cross-entropy names a label that is not a class id") {
  Tensor logits(Array::from_shape({2, 3}));
  CHECK_THROWS_WITH_AS(
      sparse_softmax_cross_entropy(logits, Array{0.0f, 3.0f}),
      "sparse_softmax_cross_entropy: label 3 at position 1 is not a class id in [0, 3)", Error);
  CHECK_THROWS_WITH_AS(sparse_softmax_cross_entropy(logits, Array{-1.0f, 0.0f}),
                       doctest::Contains("label -1 at position 0"), Error);
  CHECK_THROWS_WITH_AS(sparse_softmax_cross_entropy(logits, Array{0.0f, 1.5f}),
                       doctest::Contains("label 1.5"), Error);
}
