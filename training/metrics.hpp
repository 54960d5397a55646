#pragma once
// Keras' stateful metrics: update() accumulates over the batches of an
// epoch, result() reads the running value, reset() starts over (Model::fit
// resets them at the start of every epoch).
//
// Writing your own: derive from PredictionMetric (Keras' Metric with
// update_state, result, reset_state). update() takes kiln's order,
// prediction first: (y_pred, y_true, sample_weight), sample_weight of
// y_pred's shape without its last axis, or null. Override sums() too when
// the result is total / weight, so that data-parallel training can add the
// processes' sums (a metric without it still works in one process):
//
//   // The fraction of positions whose prediction is within 0.1 of the target.
//   class WithinTenth : public kiln::PredictionMetric {
//    public:
//     WithinTenth() : PredictionMetric("within_tenth") {}
//     void update(const kiln::Array& y_pred, const kiln::Array& y_true, const kiln::Array* w) override {
//       const std::size_t units = y_pred.shape().back();
//       for (std::size_t i = 0; i < y_pred.size() / units; ++i) {
//         bool close = true;
//         for (std::size_t u = 0; u < units; ++u)
//           close = close && std::abs(y_pred.data()[i * units + u] - y_true.data()[i * units + u]) <= 0.1f;
//         sums_.total += (w ? w->data()[i] : 1.0) * close;
//         sums_.weight += w ? w->data()[i] : 1.0;
//       }
//     }
//     void reset() override { sums_ = {}; }
//     double result() const override { return sums_.mean(); }
//     kiln::MetricSums sums() const override { return sums_; }
//    private:
//     kiln::MetricSums sums_;
//   };
//   model->compile({.loss = "mse", .metrics = {std::make_shared<WithinTenth>()}});
//   // fit logs "within_tenth" and "val_within_tenth"
//
// A metric that is a weighted mean of one value per position is shorter as
// a MeanMetricWrapper around a function (below).
//
// Accuracies count one prediction per position: y_pred (..., classes), one
// position per entry of its shape without the class axis. An optional
// sample_weight of that shape weighs each position, as Keras' metrics do:
// result = sum(w * correct) / sum(w), so a padding mask (0 on padding)
// leaves padded positions out entirely.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "graph/shape.hpp"

namespace kiln {

// The running sums behind a mean metric, result = total / weight (0 while
// the weight is 0). Data-parallel training adds them up across processes
// (models/data_parallel.hpp), which averages exactly over the global batch.
struct MetricSums {
  double total = 0.0;
  double weight = 0.0;
  double mean() const { return weight != 0.0 ? total / weight : 0.0; }
};

class Metric {
 public:
  explicit Metric(std::string name) : name_(std::move(name)) {}
  virtual ~Metric() = default;

  // The name it is logged under ("loss", "accuracy", "val_accuracy").
  const std::string& name() const { return name_; }
  virtual void reset() = 0;
  virtual double result() const = 0;
  // The sums result() comes from. Metrics that are not weighted means throw
  // kiln::Error by default: they cannot be reduced across processes.
  virtual MetricSums sums() const;

 private:
  std::string name_;
};

// keras.metrics.Mean: the weighted running mean of the values given, 0
// before any (or when the weights sum to 0). Model::fit tracks the loss with it.
class Mean : public Metric {
 public:
  explicit Mean(std::string name = "mean") : Metric(std::move(name)) {}
  void update(double value, double weight = 1.0);
  void reset() override;
  double result() const override { return sums_.mean(); }
  MetricSums sums() const override { return sums_; }

 private:
  MetricSums sums_;
};

// A metric computed from predictions and targets (Keras' MeanMetricWrapper).
class PredictionMetric : public Metric {
 public:
  using Metric::Metric;
  virtual void update(const Array& y_pred, const Array& y_true, const Array* sample_weight = nullptr) = 0;
};

// keras.metrics.CategoricalAccuracy: correct where argmax(y_pred) ==
// argmax(y_true) along the class axis (the first maximum wins ties);
// y_true has y_pred's shape (one-hot rows).
class CategoricalAccuracy : public PredictionMetric {
 public:
  explicit CategoricalAccuracy(std::string name = "categorical_accuracy") : PredictionMetric(std::move(name)) {}
  void update(const Array& y_pred, const Array& y_true, const Array* sample_weight = nullptr) override;
  void reset() override { mean_.reset(); }
  double result() const override { return mean_.result(); }
  MetricSums sums() const override { return mean_.sums(); }

 private:
  Mean mean_;
};

// keras.metrics.SparseCategoricalAccuracy: correct where argmax(y_pred) ==
// y_true, the class ids (floats) shaped as y_pred without its class axis,
// or with a trailing axis of 1.
class SparseCategoricalAccuracy : public PredictionMetric {
 public:
  explicit SparseCategoricalAccuracy(std::string name = "sparse_categorical_accuracy")
      : PredictionMetric(std::move(name)) {}
  void update(const Array& y_pred, const Array& y_true, const Array* sample_weight = nullptr) override;
  void reset() override { mean_.reset(); }
  double result() const override { return mean_.result(); }
  MetricSums sums() const override { return mean_.sums(); }

 private:
  Mean mean_;
};

// keras.metrics.BinaryAccuracy: correct where y_true equals the
// thresholded prediction, [y_pred > threshold] (Keras 3's formula: labels
// are 0/1, a soft label such as 0.9 never counts as correct), element by
// element; y_true has y_pred's shape. A position (y_pred's shape without
// its last axis) scores the mean over its last axis, weighted by its
// sample_weight.
class BinaryAccuracy : public PredictionMetric {
 public:
  explicit BinaryAccuracy(std::string name = "binary_accuracy", float threshold = 0.5f)
      : PredictionMetric(std::move(name)), threshold_(threshold) {}
  void update(const Array& y_pred, const Array& y_true, const Array* sample_weight = nullptr) override;
  void reset() override { mean_.reset(); }
  double result() const override { return mean_.result(); }
  MetricSums sums() const override { return mean_.sums(); }

 private:
  float threshold_;
  Mean mean_;
};

// "accuracy" as Keras 3 resolves it, from the shapes of the first batch it
// sees: binary accuracy when y_pred has one unit on its last axis,
// sparse categorical when y_true holds class ids (one rank less than y_pred,
// or a last axis of 1 against several classes), categorical otherwise.
class Accuracy : public PredictionMetric {
 public:
  explicit Accuracy(std::string name = "accuracy") : PredictionMetric(std::move(name)) {}
  void update(const Array& y_pred, const Array& y_true, const Array* sample_weight = nullptr) override;
  void reset() override;
  double result() const override { return chosen_ ? chosen_->result() : 0.0; }
  MetricSums sums() const override { return chosen_ ? chosen_->sums() : MetricSums{}; }

 private:
  std::shared_ptr<PredictionMetric> chosen_;
};


// keras.metrics.MeanMetricWrapper: the weighted running mean of a function
// that gives one value per position. The function takes Keras' order,
// (y_true, y_pred), as the functions Keras wraps do, and returns an array
// of y_pred's shape without its last axis:
//   MeanMetricWrapper("mean_error", [](const Array& y_true, const Array& y_pred) {
//     return Array(xt::mean(y_pred - y_true, {y_pred.dimension() - 1}));
//   });
// Throws ShapeError naming the metric when the values or sample_weight do
// not have that shape.
class MeanMetricWrapper : public PredictionMetric {
 public:
  using Function = std::function<Array(const Array& y_true, const Array& y_pred)>;
  MeanMetricWrapper(std::string name, Function function);
  void update(const Array& y_pred, const Array& y_true, const Array* sample_weight = nullptr) override;
  void reset() override { mean_.reset(); }
  double result() const override { return mean_.result(); }
  MetricSums sums() const override { return mean_.sums(); }

 private:
  Function function_;
  Mean mean_;
};

// keras.metrics.MeanAbsoluteError: the mean over the last axis of
// |y_pred - y_true|, averaged over positions (weighted); y_true has y_pred's shape.
class MeanAbsoluteError : public MeanMetricWrapper {
 public:
  explicit MeanAbsoluteError(std::string name = "mean_absolute_error");
};

// keras.metrics.MeanSquaredError: as MeanAbsoluteError with (y_pred - y_true)^2.
class MeanSquaredError : public MeanMetricWrapper {
 public:
  explicit MeanSquaredError(std::string name = "mean_squared_error");
};

// keras.metrics.TopKCategoricalAccuracy: correct where the true class
// (argmax of the one-hot y_true row) is among the k largest predictions.
// As TensorFlow's in_top_k, classes tied with the k-th largest count as in
// the top k: a position is correct when fewer than k classes score strictly
// higher than the true one. Throws kiln::Error for k < 1.
class TopKCategoricalAccuracy : public MeanMetricWrapper {
 public:
  explicit TopKCategoricalAccuracy(int k = 5, std::string name = "top_k_categorical_accuracy");
};

// keras.metrics.SparseTopKCategoricalAccuracy: as TopKCategoricalAccuracy
// with class ids for y_true (shaped as y_pred without its class axis, or
// with a trailing axis of 1).
class SparseTopKCategoricalAccuracy : public MeanMetricWrapper {
 public:
  explicit SparseTopKCategoricalAccuracy(int k = 5, std::string name = "sparse_top_k_categorical_accuracy");
};

// Keras' Precision and Recall options (a single threshold).
struct ThresholdOptions {
  float threshold = 0.5f;             // a prediction is positive when > threshold
  std::optional<int> class_id = {};   // only this unit of the last axis counts
};

// keras.metrics.Precision: tp / (tp + fp) over every element of y_pred
// (one unit, or several independent ones, on the last axis; only unit
// class_id when given), streamed over batches: 0 until a prediction is
// positive. A label is positive when nonzero; a position's sample_weight
// weighs each of its units. y_true has y_pred's shape.
class Precision : public PredictionMetric {
 public:
  explicit Precision(ThresholdOptions options = {}, std::string name = "precision");
  void update(const Array& y_pred, const Array& y_true, const Array* sample_weight = nullptr) override;
  void reset() override { sums_ = {}; }
  double result() const override { return sums_.mean(); }
  MetricSums sums() const override { return sums_; }  // total = tp, weight = tp + fp

 private:
  ThresholdOptions options_;
  MetricSums sums_;
};

// keras.metrics.Recall: tp / (tp + fn), counted as Precision counts.
class Recall : public PredictionMetric {
 public:
  explicit Recall(ThresholdOptions options = {}, std::string name = "recall");
  void update(const Array& y_pred, const Array& y_true, const Array* sample_weight = nullptr) override;
  void reset() override { sums_ = {}; }
  double result() const override { return sums_.mean(); }
  MetricSums sums() const override { return sums_; }  // total = tp, weight = tp + fn

 private:
  ThresholdOptions options_;
  MetricSums sums_;
};

// keras.metrics.AUC with Keras' defaults: the area under the ROC curve
// from a confusion matrix at num_thresholds thresholds, evenly spaced in
// [0, 1] (the first just below 0, the last just above 1), accumulated over
// batches. Every element of y_pred is one binary prediction (Keras'
// multi_label=False), its label y_true in [0, 1] (soft labels count as
// Keras' bucketed update counts them: y_true positive, 1 - y_true negative
// weight), each weighted by its position's sample_weight.
//   curve ROC: x = false positive rate, y = recall; PR: x = recall, y = precision.
//   summation interpolation (trapezoids; for PR, Davis & Goadrich's
//   interpolation as Keras'), minoring or majoring (the lower or higher
//   end of each step).
// Predictions must lie in [0, 1] (from_logits applies a sigmoid first);
// kiln::Error names the metric and the value otherwise. AUC is not a
// weighted mean, so it cannot be reduced across processes (sums() throws).
struct AucOptions {
  int num_thresholds = 200;  // > 1
  enum class Curve { roc, pr } curve = Curve::roc;
  enum class Summation { interpolation, minoring, majoring } summation_method = Summation::interpolation;
  bool from_logits = false;
};

class AUC : public PredictionMetric {
 public:
  explicit AUC(AucOptions options = {}, std::string name = "auc");
  void update(const Array& y_pred, const Array& y_true, const Array* sample_weight = nullptr) override;
  void reset() override;
  double result() const override;

 private:
  double interpolated_pr_auc() const;
  AucOptions options_;
  // Per threshold i: weighted counts of predictions > threshold i.
  std::vector<double> true_positives_, false_positives_, true_negatives_, false_negatives_;
};

// A metric by Keras name, as model.compile(metrics={...}) takes it.
// "accuracy" (or "acc") resolves, as in Keras, by the loss when it tells:
// sparse categorical accuracy for "sparse_categorical_crossentropy", binary
// for "binary_crossentropy", categorical for "categorical_crossentropy", and
// otherwise by the shapes (Accuracy above);
// the metric keeps the name it was asked by. The loss may be named by any
// Keras name or alias ("bce", "BinaryCrossentropy"). Other metrics take
// their Keras 3 function, class or snake_case class name, and are logged
// under Keras 3's default name for their class, as Keras 3 logs them:
// "categorical_accuracy", "sparse_categorical_accuracy", "binary_accuracy",
// "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy" (k = 5),
// "precision", "recall", "auc" ("AUC"), "mean_absolute_error" ("mae",
// "MAE"), "mean_squared_error" ("mse", "MSE"); "CategoricalAccuracy",
// "Precision", "MeanAbsoluteError" and so on for the class names.
// Throws kiln::Error for an unknown name, listing the known ones.
std::shared_ptr<PredictionMetric> metric_by_name(const std::string& name, const std::string& loss_name);

}  // namespace kiln
