#include "training/metrics.hpp"

#include "graph/error.hpp"

namespace kiln {

namespace {

// The index of the first largest of n floats.
std::size_t argmax(const float* x, std::size_t n) {
  std::size_t best = 0;
  for (std::size_t c = 1; c < n; ++c) {
    if (x[c] > x[best]) best = c;
  }
  return best;
}

struct Rows {
  std::size_t positions;
  std::size_t classes;
};

Rows class_rows(const Metric& m, const Array& y_pred) {
  if (y_pred.dimension() == 0 || y_pred.shape().back() == 0) {
    throw ShapeError(m.name() + ": y_pred must be (..., classes) with at least one class, got " +
                     to_string(y_pred.shape()));
  }
  return {y_pred.size() / y_pred.shape().back(), y_pred.shape().back()};
}

Shape positions_of(const Array& y_pred) { return Shape(y_pred.shape().begin(), y_pred.shape().end() - 1); }

void check_sample_weight(const Metric& m, const Array* w, const Array& y_pred) {
  const Shape expected = positions_of(y_pred);
  if (w && w->shape() != expected) {
    throw ShapeError(m.name() + ": sample_weight must have shape " + to_string(expected) +
                     " (y_pred's shape without its class axis), got " + to_string(w->shape()) + " for y_pred " +
                     to_string(y_pred.shape()));
  }
}

}  // namespace

MetricSums Metric::sums() const {
  throw Error("metric '" + name_ + "' does not expose its sums (Metric::sums), so it cannot be reduced across "
              "processes in data-parallel training");
}

void Mean::update(double value, double weight) {
  sums_.total += value * weight;
  sums_.weight += weight;
}

void Mean::reset() { sums_ = {}; }

void CategoricalAccuracy::update(const Array& y_pred, const Array& y_true, const Array* sample_weight) {
  const Rows rows = class_rows(*this, y_pred);
  if (y_true.shape() != y_pred.shape()) {
    throw_shape_error(name(), "y_pred and y_true differ in shape:", y_pred.shape(), y_true.shape());
  }
  check_sample_weight(*this, sample_weight, y_pred);
  for (std::size_t i = 0; i < rows.positions; ++i) {
    const std::size_t base = i * rows.classes;
    const bool correct = argmax(y_pred.data() + base, rows.classes) == argmax(y_true.data() + base, rows.classes);
    mean_.update(correct ? 1.0 : 0.0, sample_weight ? sample_weight->data()[i] : 1.0);
  }
}

void SparseCategoricalAccuracy::update(const Array& y_pred, const Array& y_true, const Array* sample_weight) {
  const Rows rows = class_rows(*this, y_pred);
  const Shape positions = positions_of(y_pred);
  Shape with_one = positions;
  with_one.push_back(1);
  if (y_true.shape() != positions && y_true.shape() != with_one) {
    throw ShapeError(name() + ": y_true must hold one class id per position, shape " + to_string(positions) +
                     " or " + to_string(with_one) + ", got " + to_string(y_true.shape()) + " for y_pred " +
                     to_string(y_pred.shape()));
  }
  check_sample_weight(*this, sample_weight, y_pred);
  for (std::size_t i = 0; i < rows.positions; ++i) {
    const float predicted = float(argmax(y_pred.data() + i * rows.classes, rows.classes));
    mean_.update(predicted == y_true.data()[i] ? 1.0 : 0.0, sample_weight ? sample_weight->data()[i] : 1.0);
  }
}

void BinaryAccuracy::update(const Array& y_pred, const Array& y_true, const Array* sample_weight) {
  const Rows rows = class_rows(*this, y_pred);
  if (y_true.shape() != y_pred.shape()) {
    throw_shape_error(name(), "y_pred and y_true differ in shape:", y_pred.shape(), y_true.shape());
  }
  check_sample_weight(*this, sample_weight, y_pred);
  for (std::size_t i = 0; i < rows.positions; ++i) {
    std::size_t correct = 0;
    for (std::size_t c = 0; c < rows.classes; ++c) {
      const std::size_t k = i * rows.classes + c;
      correct += (y_pred.data()[k] > threshold_) == (y_true.data()[k] > threshold_);
    }
    mean_.update(double(correct) / double(rows.classes), sample_weight ? sample_weight->data()[i] : 1.0);
  }
}

void Accuracy::update(const Array& y_pred, const Array& y_true, const Array* sample_weight) {
  if (!chosen_) {
    const bool binary = y_pred.dimension() > 0 && y_pred.shape().back() == 1;
    const bool ids = y_true.dimension() + 1 == y_pred.dimension() ||
                     (y_true.dimension() == y_pred.dimension() && y_true.dimension() > 0 && y_true.shape().back() == 1);
    if (binary) chosen_ = std::make_shared<BinaryAccuracy>(name());
    else if (ids) chosen_ = std::make_shared<SparseCategoricalAccuracy>(name());
    else chosen_ = std::make_shared<CategoricalAccuracy>(name());
  }
  chosen_->update(y_pred, y_true, sample_weight);
}

void Accuracy::reset() {
  if (chosen_) chosen_->reset();
}

std::shared_ptr<PredictionMetric> metric_by_name(const std::string& name, const std::string& loss_name) {
  if (name == "accuracy" || name == "acc") {
    if (loss_name == "sparse_categorical_crossentropy") return std::make_shared<SparseCategoricalAccuracy>(name);
    if (loss_name == "binary_crossentropy") return std::make_shared<BinaryAccuracy>(name);
    if (loss_name == "categorical_crossentropy") return std::make_shared<CategoricalAccuracy>(name);
    return std::make_shared<Accuracy>(name);
  }
  if (name == "categorical_accuracy") return std::make_shared<CategoricalAccuracy>();
  if (name == "sparse_categorical_accuracy") return std::make_shared<SparseCategoricalAccuracy>();
  if (name == "binary_accuracy") return std::make_shared<BinaryAccuracy>();
  throw Error("metric_by_name: unknown metric '" + name +
              "' (known: accuracy, acc, categorical_accuracy, sparse_categorical_accuracy, binary_accuracy)");
}

}  // namespace kiln
