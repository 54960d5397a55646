// Stateful metrics: running means over batches, accuracies with masks,
// Keras' "accuracy" resolution, Keras 3's metrics streamed over batches
// with sample weights against tests/golden/tfjs/metrics.safetensors, a
// user-written metric in fit, and shape errors.

#include <cmath>

#include "golden.hpp"
#include "graph/error.hpp"
#include "layers/dense.hpp"
#include "models/functional.hpp"
#include "support.hpp"
#include "training/history.hpp"
#include "training/metrics.hpp"

using namespace kiln;
using kiln::testing::column;

TEST_CASE("Mean keeps the weighted running mean until reset") {
  Mean loss("loss");
  CHECK(loss.name() == "loss");
  CHECK(loss.result() == 0.0);  // nothing seen yet
  loss.update(2.0);
  loss.update(4.0);
  CHECK(loss.result() == doctest::Approx(3.0));
  loss.update(6.0, 2.0);  // (2 + 4 + 12) / 4
  CHECK(loss.result() == doctest::Approx(4.5));
  loss.reset();
  CHECK(loss.result() == 0.0);
}

TEST_CASE("CategoricalAccuracy compares argmaxes and accumulates over batches") {
  CategoricalAccuracy accuracy;
  CHECK(accuracy.name() == "categorical_accuracy");
  const Array y_pred = {{0.1f, 0.8f, 0.1f}, {0.6f, 0.3f, 0.1f}, {0.2f, 0.5f, 0.3f}};
  const Array y_true = {{0.0f, 1.0f, 0.0f}, {1.0f, 0.0f, 0.0f}, {0.0f, 0.0f, 1.0f}};  // right, right, wrong
  accuracy.update(y_pred, y_true);
  CHECK(accuracy.result() == doctest::Approx(2.0 / 3));
  accuracy.update(Array{{0.0f, 0.0f, 1.0f}}, Array{{1.0f, 0.0f, 0.0f}});  // wrong: 2 of 4
  CHECK(accuracy.result() == doctest::Approx(0.5));
  accuracy.reset();
  CHECK(accuracy.result() == 0.0);
}

TEST_CASE("accuracy ties go to the first largest class, as argmax does") {
  CategoricalAccuracy accuracy;
  accuracy.update(Array{{0.5f, 0.5f}}, Array{{1.0f, 0.0f}});
  CHECK(accuracy.result() == 1.0);
  SparseCategoricalAccuracy sparse;
  sparse.update(Array{{0.5f, 0.5f}}, Array{1.0f});
  CHECK(sparse.result() == 0.0);
}

TEST_CASE("masked positions do not count towards accuracy") {
  // (2, 3, 2): argmax per step is [[0, 1, 1], [1, 0, 0]]
  const Array y_pred = {{{0.9f, 0.1f}, {0.2f, 0.8f}, {0.3f, 0.7f}}, {{0.4f, 0.6f}, {0.6f, 0.4f}, {0.9f, 0.1f}}};
  const Array labels = {{0.0f, 1.0f, 0.0f}, {1.0f, 1.0f, 1.0f}};  // right, right, wrong; right, wrong, wrong
  const Array mask = {{1.0f, 1.0f, 0.0f}, {1.0f, 0.0f, 0.0f}};    // keeps 3 steps, all right
  SparseCategoricalAccuracy sparse;
  sparse.update(y_pred, labels);
  CHECK(sparse.result() == doctest::Approx(3.0 / 6));
  sparse.reset();
  sparse.update(y_pred, labels, &mask);
  CHECK(sparse.result() == 1.0);

  Array one_hot = xt::zeros<float>({2, 3, 2});
  for (std::size_t i = 0; i < labels.size(); ++i) one_hot.data()[i * 2 + std::size_t(labels.data()[i])] = 1.0f;
  CategoricalAccuracy categorical;
  categorical.update(y_pred, one_hot, &mask);
  CHECK(categorical.result() == 1.0);
  const Array half = {{1.0f, 1.0f, 1.0f}, {0.0f, 0.0f, 0.0f}};  // first sequence: 2 of 3 right
  categorical.reset();
  categorical.update(y_pred, one_hot, &half);
  CHECK(categorical.result() == doctest::Approx(2.0 / 3));
}

TEST_CASE("SparseCategoricalAccuracy takes labels with a trailing axis of 1") {
  SparseCategoricalAccuracy sparse;
  Array labels = {1.0f, 1.0f};
  labels.reshape({2, 1});
  sparse.update(Array{{0.1f, 0.9f}, {0.8f, 0.2f}}, labels);
  CHECK(sparse.result() == doctest::Approx(0.5));
}

TEST_CASE("metric_by_name resolves 'accuracy' by the loss, keeping the name") {
  auto sparse = metric_by_name("accuracy", "sparse_categorical_crossentropy");
  CHECK(dynamic_cast<SparseCategoricalAccuracy*>(sparse.get()) != nullptr);
  CHECK(sparse->name() == "accuracy");
  auto categorical = metric_by_name("accuracy", "categorical_crossentropy");
  CHECK(dynamic_cast<CategoricalAccuracy*>(categorical.get()) != nullptr);
  CHECK(categorical->name() == "accuracy");
  CHECK(metric_by_name("acc", "mean_squared_error")->name() == "acc");
  CHECK(metric_by_name("sparse_categorical_accuracy", "")->name() == "sparse_categorical_accuracy");
  CHECK(metric_by_name("categorical_accuracy", "")->name() == "categorical_accuracy");
  CHECK_THROWS_WITH_AS(metric_by_name("f1_score", "categorical_crossentropy"),
                       doctest::Contains("metric_by_name: unknown metric 'f1_score' (known: categorical_accuracy, "
                                         "CategoricalAccuracy, sparse_categorical_accuracy"),
                       Error);
  // The loss may be named by any Keras name or alias.
  CHECK(dynamic_cast<BinaryAccuracy*>(metric_by_name("accuracy", "bce").get()) != nullptr);
  CHECK(dynamic_cast<SparseCategoricalAccuracy*>(metric_by_name("acc", "SparseCategoricalCrossentropy").get()) != nullptr);
}

TEST_CASE("accuracies name themselves and the shapes when inputs do not fit") {
  CategoricalAccuracy categorical("accuracy");
  CHECK_THROWS_WITH_AS(categorical.update(Array::from_shape({2, 3}), Array::from_shape({2, 4})),
                       "accuracy: y_pred and y_true differ in shape: (2, 3) and (2, 4)", ShapeError);
  const Array w = {1.0f, 1.0f, 1.0f};
  CHECK_THROWS_WITH_AS(categorical.update(Array::from_shape({2, 3}), Array::from_shape({2, 3}), &w),
                       "accuracy: sample_weight must have shape (2) (y_pred's shape without its class axis), got (3) "
                       "for y_pred (2, 3)",
                       ShapeError);
  SparseCategoricalAccuracy sparse;
  CHECK_THROWS_WITH_AS(sparse.update(Array::from_shape({2, 3}), Array::from_shape({3})),
                       doctest::Contains("sparse_categorical_accuracy: y_true must hold one class id per position"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(sparse.update(Array::from_shape(Shape{}), Array::from_shape(Shape{})),
                       doctest::Contains("y_pred must be (..., classes)"), ShapeError);
  CHECK(sparse.result() == 0.0);  // failed updates count nothing
}

TEST_CASE("History records one value per epoch per name") {
  History h;
  CHECK(h.epochs() == 0);
  h.record_epoch({{"loss", 0.9}, {"accuracy", 0.5}});
  h.record_epoch({{"loss", 0.7}, {"accuracy", 0.6}, {"val_loss", 0.8}});
  CHECK(h.epochs() == 2);
  CHECK(h.last("loss") == 0.7);
  CHECK(h.history.at("accuracy") == std::vector<double>{0.5, 0.6});
  CHECK(h.has("val_loss"));
  CHECK_FALSE(h.has("val_accuracy"));
  CHECK_THROWS_WITH_AS(h.last("val_accuracy"),
                       "History: no value recorded for 'val_accuracy' (recorded: accuracy, loss, val_loss)", Error);
}

TEST_CASE("binary accuracy compares y_true with the prediction thresholded at 0.5 and weighs each position") {
  BinaryAccuracy m;
  const Array y_pred = column({0.9f, 0.2f, 0.6f, 0.4f});
  const Array y_true = column({1.0f, 0.0f, 0.0f, 0.0f});
  m.update(y_pred, y_true);
  CHECK(m.result() == doctest::Approx(0.75));
  m.reset();
  const Array w = {1.0f, 1.0f, 2.0f, 0.0f};
  m.update(y_pred, y_true, &w);  // (1 + 1 + 0) / 4
  CHECK(m.result() == doctest::Approx(0.5));
  // Keras 3 compares the label itself: a soft label of 0.9 never equals 0 or 1.
  BinaryAccuracy soft;
  soft.update(column({0.95f, 0.1f}), column({0.9f, 0.0f}));
  CHECK(soft.result() == doctest::Approx(0.5));
}

TEST_CASE("'accuracy' for a loss that does not tell resolves by the shapes, as Keras 3 does") {
  auto sigmoid = metric_by_name("accuracy", "mean_squared_error");
  sigmoid->update(column({0.9f, 0.2f, 0.6f, 0.4f, 0.7f}), column({1.0f, 0.0f, 0.0f, 0.0f, 1.0f}));
  CHECK(sigmoid->result() == doctest::Approx(0.8));  // binary: one unit
  CHECK(sigmoid->name() == "accuracy");
  auto ids = metric_by_name("accuracy", "mean_squared_error");
  ids->update(Array{{0.1f, 0.9f}, {0.8f, 0.2f}}, Array{1.0f, 1.0f});
  CHECK(ids->result() == doctest::Approx(0.5));  // sparse: class ids
  auto one_hot = metric_by_name("accuracy", "mean_squared_error");
  one_hot->update(Array{{0.1f, 0.9f}, {0.8f, 0.2f}}, Array{{0.0f, 1.0f}, {0.0f, 1.0f}});
  CHECK(one_hot->result() == doctest::Approx(0.5));  // categorical
}

namespace {

const std::string metrics_file = "tfjs/metrics.safetensors";

// Feeds `metric` the three batches of `group` (scripts/references/tfjs/metrics.js)
// and checks its result after each against <reference>/result.
void check_streaming(PredictionMetric& metric, const std::string& group, const std::string& reference,
                     const char* y_true_name = "y_true") {
  using kiln::testing::golden;
  CAPTURE(reference);
  const Array expected = golden(metrics_file, reference + "/result");
  metric.reset();
  for (std::size_t b = 0; b < 3; ++b) {
    CAPTURE(b);
    const std::string prefix = group + "/batch" + std::to_string(b) + "/";
    const Array w = golden(metrics_file, prefix + "sample_weight");
    metric.update(golden(metrics_file, prefix + "y_pred"), golden(metrics_file, prefix + y_true_name), &w);
    CHECK(metric.result() == doctest::Approx(expected(b)).epsilon(1e-5));
  }
}

}  // namespace

TEST_CASE("Keras 3's metrics streamed over three weighted batches match the reference") {
  BinaryAccuracy binary;
  check_streaming(binary, "binary", "binary_accuracy");
  BinaryAccuracy binary_07("binary_accuracy", 0.7f);
  check_streaming(binary_07, "binary", "binary_accuracy_07");
  Precision precision;
  check_streaming(precision, "binary", "precision");
  Recall recall;
  check_streaming(recall, "binary", "recall");
  Precision precision_unit({.threshold = 0.3f, .class_id = 1});
  check_streaming(precision_unit, "binary", "precision_class1_03");
  Recall recall_unit({.threshold = 0.7f, .class_id = 2});
  check_streaming(recall_unit, "binary", "recall_class2_07");
  AUC auc;
  check_streaming(auc, "binary", "auc");
  AUC auc_pr({.curve = AucOptions::Curve::pr});
  check_streaming(auc_pr, "binary", "auc_pr");
  AUC auc_minoring({.num_thresholds = 50, .summation_method = AucOptions::Summation::minoring});
  check_streaming(auc_minoring, "binary", "auc_minoring_50");
  AUC auc_pr_majoring({.curve = AucOptions::Curve::pr, .summation_method = AucOptions::Summation::majoring});
  check_streaming(auc_pr_majoring, "binary", "auc_pr_majoring");
  TopKCategoricalAccuracy top2(2);
  check_streaming(top2, "categorical", "top_2_categorical_accuracy");
  TopKCategoricalAccuracy top5;
  check_streaming(top5, "categorical", "top_k_categorical_accuracy");
  SparseTopKCategoricalAccuracy sparse_top2(2);
  check_streaming(sparse_top2, "categorical", "top_2_categorical_accuracy", "ids");
  MeanAbsoluteError mae;
  check_streaming(mae, "regression", "mean_absolute_error");
  MeanSquaredError mse;
  check_streaming(mse, "regression", "mean_squared_error");
}

TEST_CASE("AUC of a perfect ranking is 1, of a reversed one 0, of a constant score 0.5") {
  const Array labels = column({0.0f, 0.0f, 1.0f, 1.0f});
  AUC perfect;
  perfect.update(column({0.1f, 0.2f, 0.8f, 0.9f}), labels);
  CHECK(perfect.result() == doctest::Approx(1.0));
  AUC reversed;
  reversed.update(column({0.9f, 0.8f, 0.2f, 0.1f}), labels);
  CHECK(reversed.result() == doctest::Approx(0.0));
  AUC constant;
  constant.update(column({0.5f, 0.5f, 0.5f, 0.5f}), labels);
  CHECK(constant.result() == doctest::Approx(0.5));
  AUC logits({.from_logits = true});
  logits.update(column({-3.0f, -1.0f, 2.0f, 5.0f}), labels);
  CHECK(logits.result() == doctest::Approx(1.0));
  CHECK_THROWS_WITH_AS(perfect.update(column({1.5f}), column({1.0f})), doctest::Contains("auc: predictions must be in [0, 1]"),
                       Error);
  CHECK_THROWS_WITH_AS(AUC({.num_thresholds = 1}), doctest::Contains("num_thresholds must be > 1"), Error);
  CHECK_THROWS_WITH_AS(perfect.sums(), doctest::Contains("cannot be reduced across processes"), Error);
}

TEST_CASE("precision and recall: sums for data parallelism, 0 before any positive, class_id checked") {
  Precision precision;
  CHECK(precision.result() == 0.0);
  precision.update(column({0.9f, 0.8f, 0.1f}), column({1.0f, 0.0f, 1.0f}));  // tp 1, fp 1
  CHECK(precision.result() == doctest::Approx(0.5));
  CHECK(precision.sums().total == 1.0);
  CHECK(precision.sums().weight == 2.0);
  Recall recall;
  recall.update(column({0.9f, 0.8f, 0.1f}), column({1.0f, 0.0f, 1.0f}));  // tp 1, fn 1
  CHECK(recall.result() == doctest::Approx(0.5));
  Precision unit({.class_id = 3});
  CHECK_THROWS_WITH_AS(unit.update(Array::from_shape({2, 3}), Array::from_shape({2, 3})),
                       "precision: class_id 3 is not a unit of y_pred (2, 3)", Error);
}

TEST_CASE("top-k accuracy counts ties with the k-th score as in the top k, as TensorFlow's in_top_k") {
  TopKCategoricalAccuracy top1(1);
  top1.update(Array{{0.5f, 0.5f, 0.0f}}, Array{{0.0f, 1.0f, 0.0f}});  // tied for first: in
  CHECK(top1.result() == 1.0);
  SparseTopKCategoricalAccuracy sparse(2);
  sparse.update(Array{{0.1f, 0.7f, 0.2f}, {0.6f, 0.3f, 0.1f}}, Array{0.0f, 2.0f});  // out, out
  CHECK(sparse.result() == 0.0);
  CHECK_THROWS_WITH_AS(TopKCategoricalAccuracy(0), "top_k_categorical_accuracy: k must be at least 1, got 0", Error);
}

TEST_CASE("metric_by_name knows Keras 3's metric names and logs Keras 3's default names") {
  const std::pair<const char*, const char*> names[] = {
      {"precision", "precision"}, {"Precision", "precision"}, {"recall", "recall"},
      {"auc", "auc"}, {"AUC", "auc"}, {"mae", "mean_absolute_error"}, {"MSE", "mean_squared_error"},
      {"top_k_categorical_accuracy", "top_k_categorical_accuracy"},
      {"SparseTopKCategoricalAccuracy", "sparse_top_k_categorical_accuracy"},
      {"BinaryAccuracy", "binary_accuracy"},
  };
  for (const auto& [asked, logged] : names) {
    CAPTURE(std::string(asked));
    CHECK(metric_by_name(asked, "mse")->name() == logged);
  }
}

TEST_CASE("MeanMetricWrapper averages a Keras-order function and names wrong value shapes") {
  MeanMetricWrapper first_unit("first_unit", [](const Array& y_true, const Array& y_pred) {
    Array out = Array::from_shape({y_pred.shape()[0]});
    for (std::size_t i = 0; i < out.size(); ++i) out(i) = y_pred(i, 0) - y_true(i, 0);
    return out;
  });
  const Array w = {1.0f, 3.0f};
  first_unit.update(Array{{1.0f, 0.0f}, {2.0f, 0.0f}}, Array{{0.0f, 0.0f}, {0.0f, 0.0f}}, &w);  // (1 + 6) / 4
  CHECK(first_unit.result() == doctest::Approx(1.75));
  MeanMetricWrapper wrong("wrong", [](const Array&, const Array& y_pred) { return y_pred; });
  CHECK_THROWS_WITH_AS(wrong.update(Array::from_shape({2, 3}), Array::from_shape({2, 3})),
                       "wrong: the metric function gave values of shape (2, 3), expected one per position (2) for "
                       "y_pred (2, 3)",
                       ShapeError);
}

namespace {

// A user's metric, written as the header comment of training/metrics.hpp
// shows: the weighted mean of the targets (whatever the model predicts), so
// its value over an epoch is known in advance.
class MeanTarget : public PredictionMetric {
 public:
  MeanTarget() : PredictionMetric("mean_target") {}
  void update(const Array& y_pred, const Array& y_true, const Array* w) override {
    REQUIRE(y_pred.shape() == y_true.shape());
    for (std::size_t i = 0; i < y_true.size(); ++i) {
      const double weight = w ? w->data()[i] : 1.0;
      sums_.total += weight * y_true.data()[i];
      sums_.weight += weight;
    }
    ++updates;
  }
  void reset() override {
    sums_ = {};
    ++resets;
  }
  double result() const override { return sums_.mean(); }
  MetricSums sums() const override { return sums_; }
  int updates = 0, resets = 0;

 private:
  MetricSums sums_;
};

// The example of training/metrics.hpp's header comment, verbatim.
class WithinTenth : public kiln::PredictionMetric {
 public:
  WithinTenth() : PredictionMetric("within_tenth") {}
  void update(const kiln::Array& y_pred, const kiln::Array& y_true, const kiln::Array* w) override {
    const std::size_t units = y_pred.shape().back();
    for (std::size_t i = 0; i < y_pred.size() / units; ++i) {
      bool close = true;
      for (std::size_t u = 0; u < units; ++u)
        close = close && std::abs(y_pred.data()[i * units + u] - y_true.data()[i * units + u]) <= 0.1f;
      sums_.total += (w ? w->data()[i] : 1.0) * close;
      sums_.weight += w ? w->data()[i] : 1.0;
    }
  }
  void reset() override { sums_ = {}; }
  double result() const override { return sums_.mean(); }
  kiln::MetricSums sums() const override { return sums_; }

 private:
  kiln::MetricSums sums_;
};

}  // namespace

TEST_CASE("the header comment's example metric counts close predictions") {
  WithinTenth metric;
  const Array w = {1.0f, 3.0f};
  metric.update(Array{{0.5f, 0.0f}, {0.0f, 0.0f}}, Array{{0.45f, 0.05f}, {0.0f, 0.5f}}, &w);  // close, far
  CHECK(metric.result() == doctest::Approx(0.25));
}

TEST_CASE("a user-written metric object is updated per batch, reset per epoch and logged by fit") {
  auto in = Input({2}, "x");
  Dense dense({.units = 1, .name = "out"});
  Functional model({in}, {dense(in)}, "user_metric");
  auto mean_target = std::make_shared<MeanTarget>();
  model->compile({.optimizer = "sgd", .loss = "mse", .metrics = {mean_target, "mae", std::make_shared<WithinTenth>()}});
  Array x = kiln::testing::random_array({8, 2}, 1);
  Array y = Array::from_shape({8, 1});
  for (std::size_t i = 0; i < 8; ++i) y(i, 0) = float(i);  // training rows 0..5, validation 6, 7
  Array w = xt::ones<float>({8});
  w(0) = 3.0f;  // weighted mean of 0..5 with row 0 weighing 3: 15 / 8
  const History h = model->fit({x}, {y}, {.batch_size = 4, .epochs = 2, .validation_split = 0.25, .shuffle = true,
                                          .seed = 3, .verbose = 0, .sample_weight = w});
  REQUIRE(h.has("mean_target"));
  REQUIRE(h.has("val_mean_target"));
  REQUIRE(h.has("mean_absolute_error"));
  REQUIRE(h.has("val_within_tenth"));
  for (std::size_t epoch = 0; epoch < 2; ++epoch) {
    CHECK(h.history.at("mean_target")[epoch] == doctest::Approx(15.0 / 8.0));
    CHECK(h.history.at("val_mean_target")[epoch] == doctest::Approx(6.5));
  }
  CHECK(mean_target->updates >= 4);  // two batches an epoch, and validation
  CHECK(mean_target->resets >= 2);
}
