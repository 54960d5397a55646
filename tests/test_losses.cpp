// Keras losses: values worked out by hand, Keras' two reductions with
// sample weights, gradients, and errors that name the loss and the shapes.

#include <cmath>

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "support.hpp"
#include "training/losses.hpp"

using namespace kiln;
using kiln::testing::random_array;
using kiln::testing::random_param;

namespace {

// log(sum(exp(x))) of a row, written out plainly.
double logsumexp(std::initializer_list<double> row) {
  double s = 0.0;
  for (double v : row) s += std::exp(v);
  return std::log(s);
}

// Cross-entropy from logits of every (b, t) row of a (B, T, C) array, by a plain loop.
std::vector<double> row_cross_entropies(const Array& logits, const Array& labels) {
  const std::size_t rows = labels.size(), classes = logits.shape().back();
  std::vector<double> out;
  for (std::size_t r = 0; r < rows; ++r) {
    double s = 0.0;
    for (std::size_t c = 0; c < classes; ++c) s += std::exp(double(logits.data()[r * classes + c]));
    out.push_back(std::log(s) - logits.data()[r * classes + std::size_t(labels.data()[r])]);
  }
  return out;
}

Array one_hot_rows(const Array& labels, std::size_t classes) {
  Shape shape = labels.shape();
  shape.push_back(classes);
  Array out = xt::zeros<float>(shape);
  for (std::size_t r = 0; r < labels.size(); ++r) out.data()[r * classes + std::size_t(labels.data()[r])] = 1.0f;
  return out;
}

const Array kLabels = {{0.0f, 3.0f, 1.0f}, {2.0f, 2.0f, 0.0f}};  // (2, 3), 4 classes
const Array kMask = {{1.0f, 1.0f, 0.0f}, {1.0f, 0.0f, 0.0f}};    // 3 of 6 steps are real

}  // namespace

TEST_CASE("categorical_crossentropy on probabilities is the mean of -log p[true class]") {
  Tensor probs(Array{{0.7f, 0.2f, 0.1f}, {0.1f, 0.6f, 0.3f}});
  const Array targets = {{1.0f, 0.0f, 0.0f}, {0.0f, 0.0f, 1.0f}};
  CHECK(categorical_crossentropy(probs, targets).item() ==
        doctest::Approx((-std::log(0.7) - std::log(0.3)) / 2).epsilon(1e-6));
}

TEST_CASE("categorical_crossentropy from logits is log-sum-exp minus the true logit") {
  Tensor logits(Array{{1.0f, 2.0f, 3.0f}, {1.0f, 1.0f, 1.0f}});
  const Array targets = {{0.0f, 0.0f, 1.0f}, {1.0f, 0.0f, 0.0f}};
  const double expected = ((logsumexp({1, 2, 3}) - 3) + std::log(3.0)) / 2;
  CHECK(categorical_crossentropy(logits, targets, nullptr, true).item() == doctest::Approx(expected).epsilon(1e-6));
}

TEST_CASE("sample weights: sum_over_batch_size divides by all positions, mean_with_sample_weight by the weights") {
  Tensor probs(Array{{0.7f, 0.2f, 0.1f}, {0.1f, 0.6f, 0.3f}});
  const Array targets = {{1.0f, 0.0f, 0.0f}, {0.0f, 0.0f, 1.0f}};
  const Array w = {1.0f, 0.0f};
  CHECK(categorical_crossentropy(probs, targets, &w).item() == doctest::Approx(-std::log(0.7) / 2).epsilon(1e-6));
  CHECK(categorical_crossentropy(probs, targets, &w, false, Reduction::mean_with_sample_weight).item() ==
        doctest::Approx(-std::log(0.7)).epsilon(1e-6));
  const Array heavy = {3.0f, 1.0f};
  CHECK(categorical_crossentropy(probs, targets, &heavy).item() ==
        doctest::Approx((-3 * std::log(0.7) - std::log(0.3)) / 2).epsilon(1e-6));
  CHECK(categorical_crossentropy(probs, targets, &heavy, false, Reduction::mean_with_sample_weight).item() ==
        doctest::Approx((-3 * std::log(0.7) - std::log(0.3)) / 4).epsilon(1e-6));
}

TEST_CASE("a per-time-step padding mask weighs each (batch, time) position") {
  const Array logits = random_array({2, 3, 4}, 7, -2.0f, 2.0f);
  const std::vector<double> ce = row_cross_entropies(logits, kLabels);
  double masked_sum = 0.0;
  for (std::size_t i = 0; i < ce.size(); ++i) masked_sum += kMask.data()[i] * ce[i];

  const Tensor x(logits);
  CHECK(sparse_categorical_crossentropy(x, kLabels, &kMask, true).item() ==
        doctest::Approx(masked_sum / 6).epsilon(1e-5));
  CHECK(sparse_categorical_crossentropy(x, kLabels, &kMask, true, Reduction::mean_with_sample_weight).item() ==
        doctest::Approx(masked_sum / 3).epsilon(1e-5));
  const Array targets = one_hot_rows(kLabels, 4);
  CHECK(categorical_crossentropy(x, targets, &kMask, true).item() == doctest::Approx(masked_sum / 6).epsilon(1e-5));
}

TEST_CASE("sparse_categorical_crossentropy equals the categorical one on one-hot targets") {
  const Array probs = random_array({2, 3, 4}, 8, 0.05f, 0.95f);
  const Array targets = one_hot_rows(kLabels, 4);
  const Tensor p(probs);
  CHECK(sparse_categorical_crossentropy(p, kLabels).item() ==
        doctest::Approx(categorical_crossentropy(p, targets).item()).epsilon(1e-6));
  // Keras also takes labels with a trailing axis of 1.
  Array labels_with_one = kLabels;
  labels_with_one.reshape({2, 3, 1});
  CHECK(sparse_categorical_crossentropy(p, labels_with_one, &kMask).item() ==
        doctest::Approx(categorical_crossentropy(p, targets, &kMask).item()).epsilon(1e-6));
}

TEST_CASE("mean_squared_error averages the squared error over the last axis, then the positions") {
  Tensor y_pred(Array{{1.0f, 2.0f}, {3.0f, 5.0f}});
  const Array y_true = {{0.0f, 2.0f}, {3.0f, 3.0f}};  // per position: (1 + 0) / 2 = 0.5, (0 + 4) / 2 = 2
  CHECK(mean_squared_error(y_pred, y_true).item() == doctest::Approx(1.25));
  const Array w = {1.0f, 3.0f};
  CHECK(mean_squared_error(y_pred, y_true, &w).item() == doctest::Approx((0.5 + 6.0) / 2));
  CHECK(mean_squared_error(y_pred, y_true, &w, Reduction::mean_with_sample_weight).item() ==
        doctest::Approx((0.5 + 6.0) / 4));
  // A rank-1 prediction is one position: (1 + 9) / 2.
  CHECK(mean_squared_error(Tensor(Array{1.0f, 3.0f}), Array{0.0f, 0.0f}).item() == doctest::Approx(5.0));
}

TEST_CASE("weights that sum to zero give a zero masked-mean loss and zero gradient") {
  Tensor x = random_param({2, 3}, 3, "x");
  const Array zero = {0.0f, 0.0f};
  const Array targets = {{1.0f, 0.0f, 0.0f}, {0.0f, 1.0f, 0.0f}};
  Tensor loss = categorical_crossentropy(x, targets, &zero, true, Reduction::mean_with_sample_weight);
  CHECK(loss.item() == 0.0f);
  Tensor mse = mean_squared_error(x, targets, &zero, Reduction::mean_with_sample_weight);
  CHECK(mse.item() == 0.0f);
  backward(mse);
  CHECK(x.grad() == xt::zeros<float>({2, 3}));
}

TEST_CASE("loss gradients match finite differences, weighted and unweighted, both reductions") {
  Tensor logits = random_param({2, 3, 4}, 11, "logits", -2.0f, 2.0f);
  Tensor probs = random_param({2, 3, 4}, 12, "probs", 0.1f, 0.9f);
  const Array targets = one_hot_rows(kLabels, 4);
  const Array weights = {{1.0f, 0.5f, 0.0f}, {2.0f, 1.0f, 0.0f}};
  for (Reduction r : {Reduction::sum_over_batch_size, Reduction::mean_with_sample_weight}) {
    CHECK_GRADIENTS([&] { return categorical_crossentropy(logits, targets, &weights, true, r); }, {logits});
    CHECK_GRADIENTS([&] { return categorical_crossentropy(probs, targets, &weights, false, r); }, {probs});
    CHECK_GRADIENTS([&] { return sparse_categorical_crossentropy(logits, kLabels, &weights, true, r); }, {logits});
    CHECK_GRADIENTS([&] { return sparse_categorical_crossentropy(probs, kLabels, &weights, false, r); }, {probs});
    CHECK_GRADIENTS([&] { return mean_squared_error(logits, targets, &weights, r); }, {logits});
  }
  CHECK_GRADIENTS([&] { return categorical_crossentropy(logits, targets, nullptr, true); }, {logits});
  CHECK_GRADIENTS([&] { return mean_squared_error(probs, targets); }, {probs});
}

TEST_CASE("loss_by_name binds Keras' loss names and options") {
  Tensor logits(random_array({2, 3, 4}, 13));
  const Array targets = one_hot_rows(kLabels, 4);
  const LossFunction cce = loss_by_name("categorical_crossentropy", {.from_logits = true});
  CHECK(cce(logits, targets, &kMask).item() == categorical_crossentropy(logits, targets, &kMask, true).item());
  const LossFunction scce =
      loss_by_name("sparse_categorical_crossentropy", {.reduction = Reduction::mean_with_sample_weight});
  Tensor probs(random_array({2, 3, 4}, 14, 0.1f, 0.9f));
  CHECK(scce(probs, kLabels, &kMask).item() ==
        sparse_categorical_crossentropy(probs, kLabels, &kMask, false, Reduction::mean_with_sample_weight).item());
  CHECK(loss_by_name("mse")(logits, targets, nullptr).item() == mean_squared_error(logits, targets).item());
  CHECK_THROWS_WITH_AS(loss_by_name("hinge"),
                       "loss_by_name: unknown loss 'hinge' (known: categorical_crossentropy, "
                       "sparse_categorical_crossentropy, mean_squared_error, mse)",
                       Error);
  CHECK_THROWS_WITH_AS(loss_by_name("mse", {.from_logits = true}), doctest::Contains("no from_logits"), Error);
}

TEST_CASE("losses name themselves and the shapes when inputs do not fit") {
  Tensor x(Array::from_shape({2, 3, 4}));
  CHECK_THROWS_WITH_AS(categorical_crossentropy(x, Array::from_shape({2, 3, 5})),
                       "categorical_crossentropy: y_pred and y_true differ in shape: (2, 3, 4) and (2, 3, 5)",
                       ShapeError);
  const Array per_sample = {1.0f, 1.0f};
  CHECK_THROWS_WITH_AS(categorical_crossentropy(x, Array::from_shape({2, 3, 4}), &per_sample),
                       "categorical_crossentropy: sample_weight must have shape (2, 3) (y_pred's shape without "
                       "its last axis), got (2) for y_pred (2, 3, 4)",
                       ShapeError);
  CHECK_THROWS_WITH_AS(sparse_categorical_crossentropy(x, Array::from_shape({2, 4})),
                       "sparse_categorical_crossentropy: y_true must hold one class id per position, shape (2, 3) "
                       "or (2, 3, 1), got (2, 4) for y_pred (2, 3, 4)",
                       ShapeError);
  CHECK_THROWS_WITH_AS(mean_squared_error(x, Array::from_shape({3, 4})), doctest::Contains("mean_squared_error"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(mean_squared_error(Tensor(Array::from_shape(Shape{})), Array::from_shape(Shape{})),
                       doctest::Contains("at least one axis"), ShapeError);
  const Array bad_labels = {{0.0f, 4.0f, 1.0f}, {2.0f, 2.0f, 0.0f}};
  CHECK_THROWS_WITH_AS(sparse_categorical_crossentropy(x, bad_labels, nullptr, true), doctest::Contains("label 4"),
                       Error);
  CHECK_THROWS_WITH_AS(sparse_categorical_crossentropy(x, bad_labels), doctest::Contains("index 4"), Error);
}
