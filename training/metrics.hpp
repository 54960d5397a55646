#pragma once
// Keras' stateful metrics: update() accumulates over the batches of an
// epoch, result() reads the running value, reset() starts over (Model::fit
// resets them at the start of every epoch).
//
// Accuracies count one prediction per position: y_pred (..., classes), one
// position per entry of its shape without the class axis. An optional
// sample_weight of that shape weighs each position, as Keras' metrics do:
// result = sum(w * correct) / sum(w), so a padding mask (0 on padding)
// leaves padded positions out entirely.

#include <memory>
#include <string>

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

// keras.metrics.BinaryAccuracy: correct where (y_pred > threshold) equals
// (y_true > threshold), element by element; y_true has y_pred's shape. A
// position (y_pred's shape without its last axis) scores the mean over its
// last axis, weighted by its sample_weight.
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

// A metric by Keras name, as model.compile(metrics={...}) takes it.
// "accuracy" (or "acc") resolves, as in Keras, by the loss when it tells:
// sparse categorical accuracy for "sparse_categorical_crossentropy", binary
// for "binary_crossentropy", categorical for "categorical_crossentropy", and
// otherwise by the shapes (Accuracy above);
// the metric keeps the name it was asked by. "categorical_accuracy",
// "sparse_categorical_accuracy" and "binary_accuracy" are taken as is.
// Throws kiln::Error for an unknown name, listing the known ones.
std::shared_ptr<PredictionMetric> metric_by_name(const std::string& name, const std::string& loss_name);

}  // namespace kiln
