// Keras losses: values worked out by hand and against TF.js
// (tests/golden/tfjs/losses.safetensors, Keras 3's options and reductions),
// gradients, Keras-order user losses, and errors that name the loss and
// the shapes.

#include <cmath>

#include "golden.hpp"
#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "ops/arithmetic.hpp"
#include "ops/reductions.hpp"
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
                       doctest::Contains("loss_by_name: unknown loss 'hinge' (known: binary_crossentropy, "
                                         "BinaryCrossentropy, bce, BCE, categorical_crossentropy"),
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

namespace {

// LossOptions from a case's Keras config (scripts/references/tfjs/losses.js).
LossOptions options_from(const nlohmann::json& config) {
  LossOptions o;
  o.from_logits = config.value("from_logits", false);
  o.label_smoothing = config.value("label_smoothing", 0.0f);
  if (config.contains("ignore_class")) o.ignore_class = config["ignore_class"].get<int>();
  o.delta = config.value("delta", 1.0f);
  o.axis = config.value("axis", -1);
  if (config.value("reduction", std::string("sum_over_batch_size")) == "mean_with_sample_weight") {
    o.reduction = Reduction::mean_with_sample_weight;
  }
  return o;
}

}  // namespace

TEST_CASE("every Keras loss matches TF.js with its options and reduction, gradient included") {
  using kiln::testing::golden;
  const std::string file = "tfjs/losses.safetensors";
  const std::pair<const char*, const char*> cases[] = {
      {"bce_probs", "binary_crossentropy"},
      {"bce_logits_smoothing_weighted", "bce"},
      {"bce_probs_smoothing_masked", "BinaryCrossentropy"},
      {"cce_probs_smoothing", "categorical_crossentropy"},
      {"cce_logits_smoothing_weighted", "CategoricalCrossentropy"},
      {"scce_logits_ignore_weighted", "sparse_categorical_crossentropy"},
      {"scce_logits_ignore_masked_mean", "sparse_categorical_crossentropy"},
      {"scce_probs", "SparseCategoricalCrossentropy"},
      {"mae_weighted", "mae"},
      {"mse_masked", "mean_squared_error"},
      {"huber_delta", "huber"},
      {"huber_default", "Huber"},
      {"kld", "kld"},
      {"cosine_last", "cosine_similarity"},
      {"cosine_axis1_weighted", "CosineSimilarity"},
  };
  for (const auto& [name, loss_name] : cases) {
    const std::string c(name);
    CAPTURE(c);
    const LossFunction loss = loss_by_name(loss_name, options_from(kiln::testing::golden_config(file, c)));
    Tensor y_pred = Tensor::parameter(golden(file, c + "/y_pred"));
    const Array y_true = golden(file, c + "/y_true");
    std::optional<Array> w;
    try {
      w = golden(file, c + "/sample_weight");
    } catch (const Error&) {
    }
    const Tensor value = loss(y_pred, y_true, w ? &*w : nullptr);
    CHECK(value.item() == doctest::Approx(golden(file, c + "/loss")()).epsilon(1e-5));
    backward(value);
    CHECK(kiln::testing::relative_error(y_pred.grad(), golden(file, c + "/dy_pred")) <= 1e-5);
  }
}

TEST_CASE("binary_crossentropy, huber, mae, kld and cosine worked by hand") {
  // bce: -(log 0.8 + log 0.6) / 2 for one position of two units.
  CHECK(binary_crossentropy(Tensor(Array{{0.8f, 0.4f}}), Array{{1.0f, 0.0f}}).item() ==
        doctest::Approx(-(std::log(0.8) + std::log(0.6)) / 2).epsilon(1e-6));
  // huber with delta 1: errors 0.5 and 3 -> 0.125 and 3 - 0.5.
  CHECK(huber(Tensor(Array{{0.5f, 3.0f}}), Array{{0.0f, 0.0f}}).item() == doctest::Approx((0.125 + 2.5) / 2));
  CHECK(mean_absolute_error(Tensor(Array{{1.0f, -2.0f}}), Array{{0.0f, 0.0f}}).item() == doctest::Approx(1.5));
  // kld of a distribution with itself is 0; of (1, 0) against (0.5, 0.5) is log 2.
  CHECK(kl_divergence(Tensor(Array{{0.5f, 0.5f}}), Array{{1.0f, 0.0f}}).item() ==
        doctest::Approx(std::log(2.0)).epsilon(1e-5));
  // Parallel vectors score -1, opposite ones 1, a zero vector 0.
  const Array y = {{1.0f, 2.0f}, {1.0f, 2.0f}, {0.0f, 0.0f}};
  const Tensor per = cosine_similarity(Tensor(Array{{2.0f, 4.0f}, {-1.0f, -2.0f}, {3.0f, 1.0f}}), y);
  CHECK(per.item() == doctest::Approx((-1.0 + 1.0 + 0.0) / 3).epsilon(1e-6));
}

TEST_CASE("ignore_class leaves ignored positions out of the sum, the count and the gradient") {
  Tensor logits = random_param({2, 3, 4}, 21, "logits", -2.0f, 2.0f);
  const Array labels = {{0.0f, -1.0f, 2.0f}, {-1.0f, 3.0f, 1.0f}};
  const Array kept = {{0.0f, 3.0f, 2.0f}, {3.0f, 3.0f, 1.0f}};  // any valid ids at the ignored places
  const Array valid = {{1.0f, 0.0f, 1.0f}, {0.0f, 1.0f, 1.0f}};
  const Tensor ignoring = sparse_categorical_crossentropy(logits, labels, nullptr, {.from_logits = true, .ignore_class = -1});
  const Tensor masked = sparse_categorical_crossentropy(logits, kept, &valid, true, Reduction::mean_with_sample_weight);
  CHECK(ignoring.item() == doctest::Approx(masked.item()).epsilon(1e-6));
  backward(ignoring);
  for (std::size_t c = 0; c < 4; ++c) {
    CHECK(logits.grad()(0, 1, c) == 0.0f);
    CHECK(logits.grad()(1, 0, c) == 0.0f);
  }
  const LossOptions all_ignored{.from_logits = true, .ignore_class = 1};
  CHECK(sparse_categorical_crossentropy(logits, xt::ones<float>({2, 3}), nullptr, all_ignored).item() == 0.0f);
}

TEST_CASE("new loss gradients match finite differences") {
  Tensor logits = random_param({2, 3, 4}, 31, "logits", -2.0f, 2.0f);
  Tensor probs = random_param({2, 3, 4}, 32, "probs", 0.1f, 0.9f);
  const Array binary = xt::floor(random_array({2, 3, 4}, 33, 0.0f, 2.0f));
  const Array targets = random_array({2, 3, 4}, 34, 0.1f, 0.9f);
  const Array weights = {{1.0f, 0.5f, 0.0f}, {2.0f, 1.0f, 0.0f}};
  const Array labels = {{0.0f, 9.0f, 1.0f}, {2.0f, 2.0f, 9.0f}};
  for (Reduction r : {Reduction::sum_over_batch_size, Reduction::mean_with_sample_weight}) {
    CAPTURE(int(r));
    CHECK_GRADIENTS([&] { return binary_crossentropy(logits, binary, &weights, {.from_logits = true, .reduction = r, .label_smoothing = 0.1f}); }, {logits});
    CHECK_GRADIENTS([&] { return binary_crossentropy(probs, binary, &weights, {.reduction = r}); }, {probs});
    CHECK_GRADIENTS([&] { return categorical_crossentropy(logits, targets, &weights, {.from_logits = true, .reduction = r, .label_smoothing = 0.3f}); }, {logits});
    CHECK_GRADIENTS([&] { return sparse_categorical_crossentropy(logits, labels, &weights, {.from_logits = true, .reduction = r, .ignore_class = 9}); }, {logits});
    CHECK_GRADIENTS([&] { return mean_absolute_error(logits, targets, &weights, r); }, {logits});
    CHECK_GRADIENTS([&] { return huber(logits, targets, &weights, {.reduction = r, .delta = 0.6f}); }, {logits});
    CHECK_GRADIENTS([&] { return kl_divergence(probs, targets, &weights, r); }, {probs});
    CHECK_GRADIENTS([&] { return cosine_similarity(logits, targets, &weights, {.reduction = r}); }, {logits});
  }
  const Array per_time = {{1.0f, 2.0f, 0.5f, 1.0f}, {0.0f, 1.0f, 1.0f, 3.0f}};  // (2, 4): axis 1 reduced
  CHECK_GRADIENTS([&] { return cosine_similarity(logits, targets, &per_time, {.axis = 1}); }, {logits});
}

TEST_CASE("a Keras-order loss (y_true, y_pred) is weighted and reduced as Keras' LossFunctionWrapper does") {
  Tensor y_pred = random_param({2, 3, 4}, 41, "y_pred");
  const Array y_true = random_array({2, 3, 4}, 42);
  const Array weights = {{1.0f, 0.5f, 0.0f}, {2.0f, 1.0f, 0.0f}};
  const KerasLossFunction mse_keras_order = [](const Tensor& t, const Tensor& p) {
    const Tensor d = p - t;
    return mean(d * d, -1);
  };
  for (Reduction r : {Reduction::sum_over_batch_size, Reduction::mean_with_sample_weight}) {
    const LossFunction wrapped = keras_loss(mse_keras_order, r);
    CHECK(wrapped(y_pred, y_true, &weights).item() ==
          doctest::Approx(mean_squared_error(y_pred, y_true, &weights, r).item()).epsilon(1e-6));
    CHECK_GRADIENTS([&] { return wrapped(y_pred, y_true, &weights); }, {y_pred});
  }
  CHECK(keras_loss(mse_keras_order)(y_pred, y_true, nullptr).item() ==
        doctest::Approx(mean_squared_error(y_pred, y_true).item()).epsilon(1e-6));
  // Which argument is which: the first is the target.
  const LossFunction first_only = keras_loss([](const Tensor& t, const Tensor&) { return sum(t, -1); });
  CHECK(first_only(y_pred, y_true, nullptr).item() == doctest::Approx(mean(sum(Tensor(y_true), -1)).item()));
  // Values with a trailing axis of 1 meet per-sample weights; other shapes are named.
  const LossFunction keepdims = keras_loss([](const Tensor& t, const Tensor& p) { return mean(p - t, -1, true); });
  CHECK(keepdims(y_pred, y_true, &weights).item() ==
        doctest::Approx(keras_loss([](const Tensor& t, const Tensor& p) { return mean(p - t, -1); })(y_pred, y_true, &weights).item()));
  const Array per_sample = {1.0f, 2.0f};
  CHECK_THROWS_WITH_AS(keras_loss(mse_keras_order)(y_pred, y_true, &per_sample),
                       "keras_loss: the loss' values and sample_weight differ in shape: (2, 3) and (2)", ShapeError);
}

TEST_CASE("loss_by_name knows Keras 3's names and aliases and rejects options a loss does not have") {
  Tensor p(random_array({3, 4}, 51, 0.1f, 0.9f));
  const Array t = random_array({3, 4}, 52, 0.1f, 0.9f);
  for (const char* alias : {"bce", "BCE", "BinaryCrossentropy"}) {
    CHECK(loss_by_name(alias)(p, t, nullptr).item() == binary_crossentropy(p, t).item());
  }
  for (const char* alias : {"mae", "MAE", "MeanAbsoluteError"}) {
    CHECK(loss_by_name(alias)(p, t, nullptr).item() == mean_absolute_error(p, t).item());
  }
  for (const char* alias : {"kld", "KLD", "KLDivergence", "kl_divergence"}) {
    CHECK(loss_by_name(alias)(p, t, nullptr).item() == kl_divergence(p, t).item());
  }
  CHECK(loss_by_name("MSE")(p, t, nullptr).item() == mean_squared_error(p, t).item());
  CHECK(canonical_loss_name("bce") == "binary_crossentropy");
  CHECK(canonical_loss_name("Huber") == "huber");
  CHECK(canonical_loss_name("my_loss") == "my_loss");
  CHECK_THROWS_WITH_AS(loss_by_name("mae", {.label_smoothing = 0.1f}), "loss_by_name: mae has no label_smoothing option", Error);
  CHECK_THROWS_WITH_AS(loss_by_name("sparse_categorical_crossentropy", {.label_smoothing = 0.1f}),
                       doctest::Contains("no label_smoothing"), Error);
  CHECK_THROWS_WITH_AS(loss_by_name("bce", {.ignore_class = 0}), doctest::Contains("no ignore_class"), Error);
  CHECK_THROWS_WITH_AS(loss_by_name("mse", {.delta = 2.0f}), doctest::Contains("no delta"), Error);
  CHECK_THROWS_WITH_AS(loss_by_name("huber", {.axis = 0}), doctest::Contains("no axis"), Error);
  CHECK_THROWS_WITH_AS(huber(p, t, nullptr, {.delta = 0.0f}), doctest::Contains("delta must be > 0"), Error);
  CHECK_THROWS_WITH_AS(binary_crossentropy(p, t, nullptr, {.label_smoothing = 1.5f}),
                       doctest::Contains("label_smoothing must be in [0, 1]"), Error);
  CHECK_THROWS_WITH_AS(cosine_similarity(p, t, nullptr, {.axis = 2}),
                       "cosine_similarity: axis 2 is out of range for shape (3, 4)", ShapeError);
  CHECK_THROWS_WITH_AS(binary_crossentropy(p, Array::from_shape({3, 5})),
                       "binary_crossentropy: y_pred and y_true differ in shape: (3, 4) and (3, 5)", ShapeError);
}
