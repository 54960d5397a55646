#include "training/losses.hpp"

#include <array>
#include <cmath>
#include <string_view>

#include "graph/error.hpp"
#include "ops/activations.hpp"
#include "ops/arithmetic.hpp"
#include "ops/axis.hpp"
#include "ops/binary_cross_entropy.hpp"
#include "ops/clip.hpp"
#include "ops/comparisons.hpp"
#include "ops/cross_entropy.hpp"
#include "ops/keras_epsilon.hpp"
#include "ops/minimum_maximum.hpp"
#include "ops/one_hot.hpp"
#include "ops/powers.hpp"
#include "ops/reductions.hpp"
#include "ops/sign.hpp"
#include "ops/where.hpp"

namespace kiln {

namespace {

// y_pred's shape without its last axis: one loss value per entry.
Shape positions_of(const char* loss, const Shape& y_pred) {
  if (y_pred.empty()) {
    throw ShapeError(std::string(loss) + ": y_pred must have at least one axis (..., classes), got a scalar ()");
  }
  return Shape(y_pred.begin(), y_pred.end() - 1);
}

void check_same_shape(const char* loss, const Tensor& y_pred, const Array& y_true) {
  if (y_pred.shape() != y_true.shape()) {
    throw_shape_error(loss, "y_pred and y_true differ in shape:", y_pred.shape(), y_true.shape());
  }
}

void check_sample_weight(const char* loss, const Array* w, const Shape& positions, const Shape& y_pred) {
  if (w && w->shape() != positions) {
    throw ShapeError(std::string(loss) + ": sample_weight must have shape " + to_string(positions) +
                     " (y_pred's shape without its last axis), got " + to_string(w->shape()) + " for y_pred " +
                     to_string(y_pred));
  }
}

double sum_of(const Array& a) {
  double total = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) total += a.data()[i];
  return total;
}

// 1 / d, or 0 for d = 0 (Keras' divide_no_nan).
float inverse_or_zero(double d) { return d != 0.0 ? float(1.0 / d) : 0.0f; }

// The fused cross-entropy ops return the weighted mean sum(w l) / sum(w);
// sum_over_batch_size wants sum(w l) / N, that mean times sum(w) / N.
Tensor reduce_weighted_mean(Tensor weighted_mean, const Array* w, std::size_t positions, Reduction reduction) {
  if (!w || reduction == Reduction::mean_with_sample_weight || positions == 0) return weighted_mean;
  return weighted_mean * float(sum_of(*w) / double(positions));
}

// Keras' reduction of per-position losses (already checked against w).
Tensor reduce_losses(const Tensor& per_position, const Array* w, Reduction reduction) {
  if (!w) return mean(per_position);
  const Tensor total = sum(per_position * Tensor(*w));
  const double denominator =
      reduction == Reduction::mean_with_sample_weight ? sum_of(*w) : double(per_position.size());
  return total * inverse_or_zero(denominator);
}

// The checks every loss with y_true shaped as y_pred makes; returns the positions.
Shape check_regression(const char* loss, const Tensor& y_pred, const Array& y_true, const Array* w) {
  const Shape positions = positions_of(loss, y_pred.shape());
  check_same_shape(loss, y_pred, y_true);
  check_sample_weight(loss, w, positions, y_pred.shape());
  return positions;
}

void check_label_smoothing(const char* loss, float s) {
  if (!(s >= 0.0f && s <= 1.0f)) {
    throw Error(std::string(loss) + ": label_smoothing must be in [0, 1], got " + std::to_string(s));
  }
}

// y (1 - s) + s * share: the targets label smoothing trains towards, made in
// `storage`; y itself, not a copy, without smoothing.
const Array& smoothed(const Array& y, float s, float share, Array& storage) {
  if (s == 0.0f) return y;
  storage = y * (1.0f - s) + s * share;
  return storage;
}

// Keras' l2 normalization along `axis`: x * min(1 / ||x||, 1 / epsilon).
Tensor l2_normalize(const Tensor& x, int axis) {
  return x * minimum(rsqrt(sum(square(x), axis, true)), 1.0f / keras_epsilon);
}

}  // namespace

Tensor categorical_crossentropy(const Tensor& y_pred, const Array& y_true, const Array* sample_weight,
                                const LossOptions& o) {
  const char* loss = "categorical_crossentropy";
  const Shape positions = check_regression(loss, y_pred, y_true, sample_weight);
  check_label_smoothing(loss, o.label_smoothing);
  Array storage;
  const Array& targets = smoothed(y_true, o.label_smoothing, 1.0f / float(y_pred.shape().back()), storage);
  Tensor mean = o.from_logits ? softmax_cross_entropy(y_pred, targets, sample_weight)
                              : categorical_cross_entropy(y_pred, targets, sample_weight);
  return reduce_weighted_mean(std::move(mean), sample_weight, element_count(positions), o.reduction);
}

Tensor categorical_crossentropy(const Tensor& y_pred, const Array& y_true, const Array* sample_weight,
                                bool from_logits, Reduction reduction) {
  return categorical_crossentropy(y_pred, y_true, sample_weight,
                                  LossOptions{.from_logits = from_logits, .reduction = reduction});
}

Tensor sparse_categorical_crossentropy(const Tensor& y_pred, const Array& y_true, const Array* sample_weight,
                                       const LossOptions& o) {
  const char* loss = "sparse_categorical_crossentropy";
  const Shape positions = positions_of(loss, y_pred.shape());
  Shape with_one = positions;
  with_one.push_back(1);
  if (y_true.shape() != positions && y_true.shape() != with_one) {
    throw ShapeError(std::string(loss) + ": y_true must hold one class id per position, shape " +
                     to_string(positions) + " or " + to_string(with_one) + ", got " + to_string(y_true.shape()) +
                     " for y_pred " + to_string(y_pred.shape()));
  }
  check_sample_weight(loss, sample_weight, positions, y_pred.shape());
  if (o.label_smoothing != 0.0f) throw Error(std::string(loss) + ": Keras' sparse loss has no label_smoothing");
  // A trailing axis of 1 is dropped by viewing the same ids with the positions' shape.
  Array labels = y_true;
  labels.reshape(positions);
  const Array* weight = sample_weight;
  Array valid_weight;
  double valid = double(element_count(positions));
  if (o.ignore_class) {
    // Ignored positions get class 0 and weight 0 (so no gradient either);
    // N counts only the others.
    const float ignored = float(*o.ignore_class);
    valid_weight = Array::from_shape(positions);
    valid = 0.0;
    for (std::size_t i = 0; i < labels.size(); ++i) {
      const bool keep = labels.data()[i] != ignored;
      valid += keep;
      valid_weight.data()[i] = keep ? (sample_weight ? sample_weight->data()[i] : 1.0f) : 0.0f;
      if (!keep) labels.data()[i] = 0.0f;
    }
    weight = &valid_weight;
  }
  Tensor mean = o.from_logits
                    ? sparse_softmax_cross_entropy(y_pred, labels, weight)
                    : categorical_cross_entropy(y_pred, one_hot(labels, y_pred.shape().back()).value(), weight);
  if (!weight || o.reduction == Reduction::mean_with_sample_weight) return mean;
  // sum(w l) / N from the weighted mean sum(w l) / sum(w).
  return mean * float(sum_of(*weight) * double(inverse_or_zero(valid)));
}

Tensor sparse_categorical_crossentropy(const Tensor& y_pred, const Array& y_true, const Array* sample_weight,
                                       bool from_logits, Reduction reduction) {
  return sparse_categorical_crossentropy(y_pred, y_true, sample_weight,
                                         LossOptions{.from_logits = from_logits, .reduction = reduction});
}

Tensor binary_crossentropy(const Tensor& y_pred, const Array& y_true, const Array* sample_weight,
                           const LossOptions& o) {
  const char* loss = "binary_crossentropy";
  check_regression(loss, y_pred, y_true, sample_weight);
  check_label_smoothing(loss, o.label_smoothing);
  Array storage;
  const Array& targets = smoothed(y_true, o.label_smoothing, 0.5f, storage);
  const Tensor elements =
      o.from_logits ? sigmoid_cross_entropy(y_pred, targets) : binary_cross_entropy(y_pred, targets);
  return reduce_losses(mean(elements, -1), sample_weight, o.reduction);
}

// Composed from primitives, so its gradient, 2 (y_pred - y_true) w / (D denominator), comes from theirs.
Tensor mean_squared_error(const Tensor& y_pred, const Array& y_true, const Array* sample_weight,
                          Reduction reduction) {
  check_regression("mean_squared_error", y_pred, y_true, sample_weight);
  const Tensor diff = y_pred - Tensor(y_true);
  return reduce_losses(mean(diff * diff, -1), sample_weight, reduction);
}

Tensor mean_absolute_error(const Tensor& y_pred, const Array& y_true, const Array* sample_weight,
                           Reduction reduction) {
  check_regression("mean_absolute_error", y_pred, y_true, sample_weight);
  return reduce_losses(mean(abs(y_pred - Tensor(y_true)), -1), sample_weight, reduction);
}

Tensor huber(const Tensor& y_pred, const Array& y_true, const Array* sample_weight, const LossOptions& o) {
  check_regression("huber", y_pred, y_true, sample_weight);
  const float delta = o.delta;
  if (!(delta > 0.0f)) throw Error("huber: delta must be > 0, got " + std::to_string(delta));
  const Tensor error = y_pred - Tensor(y_true);
  const Tensor magnitude = abs(error);
  const Tensor per_element =
      where(less_equal(magnitude, delta), square(error) * 0.5f, magnitude * delta - 0.5f * delta * delta);
  return reduce_losses(mean(per_element, -1), sample_weight, o.reduction);
}

Tensor kl_divergence(const Tensor& y_pred, const Array& y_true, const Array* sample_weight, Reduction reduction) {
  check_regression("kl_divergence", y_pred, y_true, sample_weight);
  const Array t = xt::clip(y_true, keras_epsilon, 1.0f);
  // sum t log(t / p) = sum t log t - sum t log p; only the second term depends on y_pred.
  const Tensor t_log_t(Array(t * xt::log(t)));
  const Tensor per_element = t_log_t - Tensor(t) * log(clip(y_pred, keras_epsilon, 1.0f));
  return reduce_losses(sum(per_element, -1), sample_weight, reduction);
}

Tensor cosine_similarity(const Tensor& y_pred, const Array& y_true, const Array* sample_weight,
                         const LossOptions& o) {
  const char* loss = "cosine_similarity";
  if (y_pred.shape().empty()) throw ShapeError(std::string(loss) + ": y_pred must have at least one axis, got ()");
  check_same_shape(loss, y_pred, y_true);
  const std::size_t axis = normalize_axis(loss, o.axis, y_pred.shape());
  check_sample_weight(loss, sample_weight, reduced_shape(y_pred.shape(), axis, false), y_pred.shape());
  const Tensor similarity = sum(l2_normalize(Tensor(y_true), o.axis) * l2_normalize(y_pred, o.axis), o.axis);
  return reduce_losses(-similarity, sample_weight, o.reduction);
}

LossFunction keras_loss(KerasLossFunction loss, Reduction reduction) {
  return [loss = std::move(loss), reduction](const Tensor& y_pred, const Array& y_true, const Array* w) {
    Tensor values = loss(Tensor(y_true), y_pred);
    if (!w) return mean(values);
    Shape with_one = w->shape();
    with_one.push_back(1);
    const bool scalar = values.shape().empty();
    if (!scalar && values.shape() != w->shape() && values.shape() != with_one) {
      throw_shape_error("keras_loss", "the loss' values and sample_weight differ in shape:", values.shape(),
                        w->shape());
    }
    if (!scalar && values.shape() == with_one) values = sum(values, -1);  // drop the axis of 1
    const Tensor weighted = values * Tensor(*w);                          // a scalar broadcasts
    const double denominator =
        reduction == Reduction::mean_with_sample_weight ? sum_of(*w) : double(weighted.size());
    return sum(weighted) * inverse_or_zero(denominator);
  };
}

namespace {

// Keras 3's loss names: function name, class name, aliases.
struct LossName {
  std::string_view name;
  std::string_view canonical;
};
constexpr std::array<LossName, 24> loss_names{{
    {"binary_crossentropy", "binary_crossentropy"},
    {"BinaryCrossentropy", "binary_crossentropy"},
    {"bce", "binary_crossentropy"},
    {"BCE", "binary_crossentropy"},
    {"categorical_crossentropy", "categorical_crossentropy"},
    {"CategoricalCrossentropy", "categorical_crossentropy"},
    {"sparse_categorical_crossentropy", "sparse_categorical_crossentropy"},
    {"SparseCategoricalCrossentropy", "sparse_categorical_crossentropy"},
    {"mean_squared_error", "mean_squared_error"},
    {"MeanSquaredError", "mean_squared_error"},
    {"mse", "mean_squared_error"},
    {"MSE", "mean_squared_error"},
    {"mean_absolute_error", "mean_absolute_error"},
    {"MeanAbsoluteError", "mean_absolute_error"},
    {"mae", "mean_absolute_error"},
    {"MAE", "mean_absolute_error"},
    {"huber", "huber"},
    {"Huber", "huber"},
    {"kl_divergence", "kl_divergence"},
    {"KLDivergence", "kl_divergence"},
    {"kld", "kl_divergence"},
    {"KLD", "kl_divergence"},
    {"cosine_similarity", "cosine_similarity"},
    {"CosineSimilarity", "cosine_similarity"},
}};

std::string known_loss_names() {
  std::string out;
  for (const auto& n : loss_names) out += (out.empty() ? "" : ", ") + std::string(n.name);
  return out;
}

const LossName* find_loss(const std::string& name) {
  for (const auto& n : loss_names) {
    if (n.name == name) return &n;
  }
  return nullptr;
}

// Throws when `options` sets one that loss `canonical` does not have.
void check_options(const std::string& name, const std::string& canonical, const LossOptions& o) {
  auto reject = [&](const char* option) {
    throw Error("loss_by_name: " + name + " has no " + option + " option");
  };
  const bool cross_entropy = canonical.find("crossentropy") != std::string::npos;
  if (o.from_logits && !cross_entropy) reject("from_logits");
  if (o.label_smoothing != 0.0f && canonical != "binary_crossentropy" && canonical != "categorical_crossentropy") {
    reject("label_smoothing");
  }
  if (o.ignore_class && canonical != "sparse_categorical_crossentropy") reject("ignore_class");
  if (o.delta != 1.0f && canonical != "huber") reject("delta");
  if (o.axis != -1 && canonical != "cosine_similarity") reject("axis");
}

}  // namespace

std::string canonical_loss_name(const std::string& name) {
  const LossName* found = find_loss(name);
  return found ? std::string(found->canonical) : name;
}

LossFunction loss_by_name(const std::string& name, LossOptions o) {
  const LossName* found = find_loss(name);
  if (!found) throw Error("loss_by_name: unknown loss '" + name + "' (known: " + known_loss_names() + ")");
  const std::string canonical(found->canonical);
  check_options(name, canonical, o);
  using Fn = Tensor (*)(const Tensor&, const Array&, const Array*, const LossOptions&);
  Fn with_options = nullptr;
  if (canonical == "binary_crossentropy") with_options = binary_crossentropy;
  if (canonical == "categorical_crossentropy") with_options = categorical_crossentropy;
  if (canonical == "sparse_categorical_crossentropy") with_options = sparse_categorical_crossentropy;
  if (canonical == "huber") with_options = huber;
  if (canonical == "cosine_similarity") with_options = cosine_similarity;
  if (with_options) {
    return [with_options, o](const Tensor& y_pred, const Array& y_true, const Array* w) {
      return with_options(y_pred, y_true, w, o);
    };
  }
  using ReductionFn = Tensor (*)(const Tensor&, const Array&, const Array*, Reduction);
  ReductionFn plain = canonical == "mean_squared_error"    ? mean_squared_error
                      : canonical == "mean_absolute_error" ? mean_absolute_error
                                                           : kl_divergence;
  return [plain, r = o.reduction](const Tensor& y_pred, const Array& y_true, const Array* w) {
    return plain(y_pred, y_true, w, r);
  };
}

}  // namespace kiln
