#include "training/metrics.hpp"

#include <array>
#include <cmath>
#include <string_view>

#include "graph/error.hpp"
#include "training/losses.hpp"

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

struct ClassRows {
  std::size_t positions;
  std::size_t classes;
};

ClassRows class_rows(const Metric& m, const Array& y_pred) {
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
  const ClassRows rows = class_rows(*this, y_pred);
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
  const ClassRows rows = class_rows(*this, y_pred);
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
  const ClassRows rows = class_rows(*this, y_pred);
  if (y_true.shape() != y_pred.shape()) {
    throw_shape_error(name(), "y_pred and y_true differ in shape:", y_pred.shape(), y_true.shape());
  }
  check_sample_weight(*this, sample_weight, y_pred);
  for (std::size_t i = 0; i < rows.positions; ++i) {
    std::size_t correct = 0;
    for (std::size_t c = 0; c < rows.classes; ++c) {
      const std::size_t k = i * rows.classes + c;
      correct += y_true.data()[k] == (y_pred.data()[k] > threshold_ ? 1.0f : 0.0f);
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

MeanMetricWrapper::MeanMetricWrapper(std::string name, Function function)
    : PredictionMetric(std::move(name)), function_(std::move(function)) {}

void MeanMetricWrapper::update(const Array& y_pred, const Array& y_true, const Array* sample_weight) {
  class_rows(*this, y_pred);
  check_sample_weight(*this, sample_weight, y_pred);
  const Array values = function_(y_true, y_pred);
  const Shape positions = positions_of(y_pred);
  if (values.shape() != positions) {
    throw ShapeError(name() + ": the metric function gave values of shape " + to_string(values.shape()) +
                     ", expected one per position " + to_string(positions) + " for y_pred " +
                     to_string(y_pred.shape()));
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    mean_.update(values.data()[i], sample_weight ? sample_weight->data()[i] : 1.0);
  }
}

namespace {

void check_same_shape(const std::string& metric, const Array& y_pred, const Array& y_true) {
  if (y_true.shape() != y_pred.shape()) {
    throw_shape_error(metric, "y_pred and y_true differ in shape:", y_pred.shape(), y_true.shape());
  }
}

// One value per position: f(pred row, true row, units), y_true shaped as y_pred.
template <class F>
Array per_position(const char* metric, const Array& y_true, const Array& y_pred, F f) {
  check_same_shape(metric, y_pred, y_true);
  const std::size_t units = y_pred.shape().back();
  Array out = Array::from_shape(positions_of(y_pred));
  for (std::size_t i = 0; i < out.size(); ++i) out.data()[i] = f(y_pred.data() + i * units, y_true.data() + i * units, units);
  return out;
}

// TensorFlow's in_top_k: fewer than k classes score strictly higher than `target`.
bool in_top_k(const float* scores, std::size_t classes, std::size_t target, int k) {
  std::size_t higher = 0;
  for (std::size_t c = 0; c < classes; ++c) higher += scores[c] > scores[target];
  return higher < std::size_t(k);
}

int checked_k(const char* metric, int k) {
  if (k < 1) throw Error(std::string(metric) + ": k must be at least 1, got " + std::to_string(k));
  return k;
}

}  // namespace

MeanAbsoluteError::MeanAbsoluteError(std::string name)
    : MeanMetricWrapper(std::move(name), [](const Array& y_true, const Array& y_pred) {
        return per_position("mean_absolute_error", y_true, y_pred, [](const float* p, const float* t, std::size_t n) {
          double total = 0.0;
          for (std::size_t u = 0; u < n; ++u) total += std::fabs(double(p[u]) - double(t[u]));
          return float(total / double(n));
        });
      }) {}

MeanSquaredError::MeanSquaredError(std::string name)
    : MeanMetricWrapper(std::move(name), [](const Array& y_true, const Array& y_pred) {
        return per_position("mean_squared_error", y_true, y_pred, [](const float* p, const float* t, std::size_t n) {
          double total = 0.0;
          for (std::size_t u = 0; u < n; ++u) total += (double(p[u]) - double(t[u])) * (double(p[u]) - double(t[u]));
          return float(total / double(n));
        });
      }) {}

TopKCategoricalAccuracy::TopKCategoricalAccuracy(int k, std::string name)
    : MeanMetricWrapper(std::move(name), [k = checked_k("top_k_categorical_accuracy", k)](const Array& y_true,
                                                                                          const Array& y_pred) {
        return per_position("top_k_categorical_accuracy", y_true, y_pred,
                            [k](const float* p, const float* t, std::size_t n) {
                              return in_top_k(p, n, argmax(t, n), k) ? 1.0f : 0.0f;
                            });
      }) {}

SparseTopKCategoricalAccuracy::SparseTopKCategoricalAccuracy(int k, std::string name)
    : MeanMetricWrapper(std::move(name), [k = checked_k("sparse_top_k_categorical_accuracy", k)](
                                             const Array& y_true, const Array& y_pred) {
        const char* metric = "sparse_top_k_categorical_accuracy";
        const Shape positions = positions_of(y_pred);
        Shape with_one = positions;
        with_one.push_back(1);
        if (y_true.shape() != positions && y_true.shape() != with_one) {
          throw ShapeError(std::string(metric) + ": y_true must hold one class id per position, shape " +
                           to_string(positions) + " or " + to_string(with_one) + ", got " +
                           to_string(y_true.shape()) + " for y_pred " + to_string(y_pred.shape()));
        }
        const std::size_t classes = y_pred.shape().back();
        Array out = Array::from_shape(positions);
        for (std::size_t i = 0; i < out.size(); ++i) {
          const float id = y_true.data()[i];
          const bool valid = id >= 0.0f && id < float(classes) && id == std::floor(id);
          out.data()[i] = valid && in_top_k(y_pred.data() + i * classes, classes, std::size_t(id), k) ? 1.0f : 0.0f;
        }
        return out;
      }) {}

namespace {

// The weighted confusion counts at one threshold: positives predicted
// (y_pred > threshold) and actual (y_true != 0), over every element or only
// unit class_id of each position.
struct Confusion {
  double tp = 0.0, fp = 0.0, fn = 0.0;
};

Confusion count_at_threshold(const Metric& m, const ThresholdOptions& o, const Array& y_pred, const Array& y_true,
                             const Array* w) {
  class_rows(m, y_pred);
  check_same_shape(m.name(), y_pred, y_true);
  check_sample_weight(m, w, y_pred);
  const std::size_t units = y_pred.shape().back();
  if (o.class_id && (*o.class_id < 0 || std::size_t(*o.class_id) >= units)) {
    throw Error(m.name() + ": class_id " + std::to_string(*o.class_id) + " is not a unit of y_pred " +
                to_string(y_pred.shape()));
  }
  Confusion c;
  for (std::size_t i = 0; i < y_pred.size() / units; ++i) {
    const double weight = w ? w->data()[i] : 1.0;
    for (std::size_t u = 0; u < units; ++u) {
      if (o.class_id && u != std::size_t(*o.class_id)) continue;
      const bool predicted = y_pred.data()[i * units + u] > o.threshold;
      const bool actual = y_true.data()[i * units + u] != 0.0f;
      c.tp += weight * double(predicted && actual);
      c.fp += weight * double(predicted && !actual);
      c.fn += weight * double(!predicted && actual);
    }
  }
  return c;
}

}  // namespace

Precision::Precision(ThresholdOptions options, std::string name) : PredictionMetric(std::move(name)), options_(options) {}

void Precision::update(const Array& y_pred, const Array& y_true, const Array* sample_weight) {
  const Confusion c = count_at_threshold(*this, options_, y_pred, y_true, sample_weight);
  sums_.total += c.tp;
  sums_.weight += c.tp + c.fp;
}

Recall::Recall(ThresholdOptions options, std::string name) : PredictionMetric(std::move(name)), options_(options) {}

void Recall::update(const Array& y_pred, const Array& y_true, const Array* sample_weight) {
  const Confusion c = count_at_threshold(*this, options_, y_pred, y_true, sample_weight);
  sums_.total += c.tp;
  sums_.weight += c.tp + c.fn;
}

AUC::AUC(AucOptions options, std::string name) : PredictionMetric(std::move(name)), options_(options) {
  if (options_.num_thresholds <= 1) {
    throw Error(this->name() + ": num_thresholds must be > 1, got " + std::to_string(options_.num_thresholds));
  }
  reset();
}

void AUC::reset() {
  const std::size_t n = std::size_t(options_.num_thresholds);
  true_positives_.assign(n, 0.0);
  false_positives_.assign(n, 0.0);
  true_negatives_.assign(n, 0.0);
  false_negatives_.assign(n, 0.0);
}

// Keras' bucketed update for evenly spaced thresholds: a prediction p lands
// in bucket ceil(p (n - 1)) - 1 (at least 0, the threshold just below 0);
// it is above thresholds 0 .. bucket. Counts at threshold i are then the
// sums over buckets >= i.
void AUC::update(const Array& y_pred, const Array& y_true, const Array* sample_weight) {
  class_rows(*this, y_pred);
  check_same_shape(name(), y_pred, y_true);
  check_sample_weight(*this, sample_weight, y_pred);
  const std::size_t n = std::size_t(options_.num_thresholds);
  const std::size_t units = y_pred.shape().back();
  std::vector<double> positive(n, 0.0), negative(n, 0.0);
  for (std::size_t k = 0; k < y_pred.size(); ++k) {
    float p = y_pred.data()[k];
    if (options_.from_logits) p = 1.0f / (1.0f + std::exp(-p));
    if (!(p >= 0.0f && p <= 1.0f)) {
      throw Error(name() + ": predictions must be in [0, 1] (from_logits for logits), got " + std::to_string(p));
    }
    const float scaled = std::ceil(p * float(n - 1)) - 1.0f;
    const std::size_t bucket = scaled <= 0.0f ? 0 : std::size_t(scaled);
    const double weight = sample_weight ? sample_weight->data()[k / units] : 1.0;
    const double label = y_true.data()[k];
    positive[bucket] += label * weight;
    negative[bucket] += (1.0 - label) * weight;
  }
  double tp = 0.0, fp = 0.0;
  for (std::size_t i = n; i-- > 0;) {  // running sums from the top bucket down
    tp += positive[i];
    fp += negative[i];
    positive[i] = tp;
    negative[i] = fp;
  }
  const double all_positive = positive[0], all_negative = negative[0];
  for (std::size_t i = 0; i < n; ++i) {
    true_positives_[i] += positive[i];
    false_positives_[i] += negative[i];
    true_negatives_[i] += all_negative - negative[i];
    false_negatives_[i] += all_positive - positive[i];
  }
}

namespace {

double divide_no_nan(double a, double b) { return b != 0.0 ? a / b : 0.0; }

}  // namespace

double AUC::result() const {
  const std::size_t n = std::size_t(options_.num_thresholds);
  if (options_.curve == AucOptions::Curve::pr && options_.summation_method == AucOptions::Summation::interpolation) {
    return interpolated_pr_auc();
  }
  std::vector<double> x(n), y(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double recall = divide_no_nan(true_positives_[i], true_positives_[i] + false_negatives_[i]);
    if (options_.curve == AucOptions::Curve::roc) {
      x[i] = divide_no_nan(false_positives_[i], false_positives_[i] + true_negatives_[i]);
      y[i] = recall;
    } else {
      x[i] = recall;
      y[i] = divide_no_nan(true_positives_[i], true_positives_[i] + false_positives_[i]);
    }
  }
  double area = 0.0;
  for (std::size_t i = 0; i + 1 < n; ++i) {
    double height = (y[i] + y[i + 1]) / 2.0;
    if (options_.summation_method == AucOptions::Summation::minoring) height = std::min(y[i], y[i + 1]);
    if (options_.summation_method == AucOptions::Summation::majoring) height = std::max(y[i], y[i + 1]);
    area += (x[i] - x[i + 1]) * height;
  }
  return area;
}

// Keras' interpolate_pr_auc: precision taken as varying linearly with the
// predicted positives P = TP + FP between thresholds (Davis & Goadrich 2006).
double AUC::interpolated_pr_auc() const {
  double area = 0.0;
  for (std::size_t i = 0; i + 1 < true_positives_.size(); ++i) {
    const double dtp = true_positives_[i] - true_positives_[i + 1];
    const double p_here = true_positives_[i] + false_positives_[i];
    const double p_next = true_positives_[i + 1] + false_positives_[i + 1];
    const double slope = divide_no_nan(dtp, std::max(p_here - p_next, 0.0));
    const double intercept = true_positives_[i + 1] - slope * p_next;
    const double ratio = p_here > 0.0 && p_next > 0.0 ? divide_no_nan(p_here, std::max(p_next, 0.0)) : 1.0;
    area += divide_no_nan(slope * (dtp + intercept * std::log(ratio)),
                          std::max(true_positives_[i + 1] + false_negatives_[i + 1], 0.0));
  }
  return area;
}

namespace {

using MetricFactory = std::shared_ptr<PredictionMetric> (*)();

struct NamedMetric {
  std::string_view name;
  MetricFactory make;
};

template <class M>
std::shared_ptr<PredictionMetric> make_default() {
  return std::make_shared<M>();
}

// Keras 3's metric names: function name or snake_case class name, class
// name, aliases; each makes the metric with its default name.
constexpr std::array<NamedMetric, 27> named_metrics{{
    {"categorical_accuracy", make_default<CategoricalAccuracy>},
    {"CategoricalAccuracy", make_default<CategoricalAccuracy>},
    {"sparse_categorical_accuracy", make_default<SparseCategoricalAccuracy>},
    {"SparseCategoricalAccuracy", make_default<SparseCategoricalAccuracy>},
    {"binary_accuracy", make_default<BinaryAccuracy>},
    {"BinaryAccuracy", make_default<BinaryAccuracy>},
    {"top_k_categorical_accuracy", make_default<TopKCategoricalAccuracy>},
    {"TopKCategoricalAccuracy", make_default<TopKCategoricalAccuracy>},
    {"sparse_top_k_categorical_accuracy", make_default<SparseTopKCategoricalAccuracy>},
    {"SparseTopKCategoricalAccuracy", make_default<SparseTopKCategoricalAccuracy>},
    {"precision", make_default<Precision>},
    {"Precision", make_default<Precision>},
    {"recall", make_default<Recall>},
    {"Recall", make_default<Recall>},
    {"auc", make_default<AUC>},
    {"AUC", make_default<AUC>},
    {"mean_absolute_error", make_default<MeanAbsoluteError>},
    {"MeanAbsoluteError", make_default<MeanAbsoluteError>},
    {"mae", make_default<MeanAbsoluteError>},
    {"MAE", make_default<MeanAbsoluteError>},
    {"mean_squared_error", make_default<MeanSquaredError>},
    {"MeanSquaredError", make_default<MeanSquaredError>},
    {"mse", make_default<MeanSquaredError>},
    {"MSE", make_default<MeanSquaredError>},
    {"accuracy", nullptr},  // resolved by the loss or the shapes, below
    {"acc", nullptr},
    {"Accuracy", nullptr},
}};

}  // namespace

std::shared_ptr<PredictionMetric> metric_by_name(const std::string& name, const std::string& loss_name) {
  if (name == "accuracy" || name == "acc" || name == "Accuracy") {
    const std::string loss = canonical_loss_name(loss_name);
    if (loss == "sparse_categorical_crossentropy") return std::make_shared<SparseCategoricalAccuracy>(name);
    if (loss == "binary_crossentropy") return std::make_shared<BinaryAccuracy>(name);
    if (loss == "categorical_crossentropy") return std::make_shared<CategoricalAccuracy>(name);
    return std::make_shared<Accuracy>(name);
  }
  for (const auto& m : named_metrics) {
    if (m.make && m.name == name) return m.make();
  }
  std::string known;
  for (const auto& m : named_metrics) known += (known.empty() ? "" : ", ") + std::string(m.name);
  throw Error("metric_by_name: unknown metric '" + name + "' (known: " + known + ")");
}

}  // namespace kiln
