#include "training/losses.hpp"

#include "graph/error.hpp"
#include "ops/arithmetic.hpp"
#include "ops/cross_entropy.hpp"
#include "ops/one_hot.hpp"
#include "ops/reductions.hpp"

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

// The fused cross-entropy ops return the weighted mean sum(w l) / sum(w);
// sum_over_batch_size wants sum(w l) / N, that mean times sum(w) / N.
Tensor reduce_weighted_mean(Tensor weighted_mean, const Array* w, std::size_t positions, Reduction reduction) {
  if (!w || reduction == Reduction::mean_with_sample_weight || positions == 0) return weighted_mean;
  return weighted_mean * float(sum_of(*w) / double(positions));
}

}  // namespace

Tensor categorical_crossentropy(const Tensor& y_pred, const Array& y_true, const Array* sample_weight,
                                bool from_logits, Reduction reduction) {
  const char* loss = "categorical_crossentropy";
  const Shape positions = positions_of(loss, y_pred.shape());
  check_same_shape(loss, y_pred, y_true);
  check_sample_weight(loss, sample_weight, positions, y_pred.shape());
  Tensor mean = from_logits ? softmax_cross_entropy(y_pred, y_true, sample_weight)
                            : categorical_cross_entropy(y_pred, y_true, sample_weight);
  return reduce_weighted_mean(std::move(mean), sample_weight, element_count(positions), reduction);
}

Tensor sparse_categorical_crossentropy(const Tensor& y_pred, const Array& y_true, const Array* sample_weight,
                                       bool from_logits, Reduction reduction) {
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
  // A trailing axis of 1 is dropped by viewing the same ids with the positions' shape.
  Array labels = y_true;
  labels.reshape(positions);
  Tensor mean = from_logits
                    ? sparse_softmax_cross_entropy(y_pred, labels, sample_weight)
                    : categorical_cross_entropy(y_pred, one_hot(labels, y_pred.shape().back()).value(), sample_weight);
  return reduce_weighted_mean(std::move(mean), sample_weight, element_count(positions), reduction);
}

// Composed from primitives, so its gradient, 2 (y_pred - y_true) w / (D denominator), comes from theirs.
Tensor mean_squared_error(const Tensor& y_pred, const Array& y_true, const Array* sample_weight,
                          Reduction reduction) {
  const char* loss = "mean_squared_error";
  const Shape positions = positions_of(loss, y_pred.shape());
  check_same_shape(loss, y_pred, y_true);
  check_sample_weight(loss, sample_weight, positions, y_pred.shape());
  const Tensor diff = y_pred - Tensor(y_true);
  Tensor per_position = mean(diff * diff, -1);
  if (!sample_weight) return mean(per_position);
  const Tensor total = sum(per_position * Tensor(*sample_weight));
  const double denominator =
      reduction == Reduction::mean_with_sample_weight ? sum_of(*sample_weight) : double(element_count(positions));
  return total * (denominator != 0.0 ? float(1.0 / denominator) : 0.0f);
}

LossFunction loss_by_name(const std::string& name, LossOptions options) {
  const bool logits = options.from_logits;
  const Reduction r = options.reduction;
  if (name == "categorical_crossentropy") {
    return [logits, r](const Tensor& y_pred, const Array& y_true, const Array* w) {
      return categorical_crossentropy(y_pred, y_true, w, logits, r);
    };
  }
  if (name == "sparse_categorical_crossentropy") {
    return [logits, r](const Tensor& y_pred, const Array& y_true, const Array* w) {
      return sparse_categorical_crossentropy(y_pred, y_true, w, logits, r);
    };
  }
  if (name == "mean_squared_error" || name == "mse") {
    if (logits) throw Error("loss_by_name: mean_squared_error has no from_logits option");
    return [r](const Tensor& y_pred, const Array& y_true, const Array* w) {
      return mean_squared_error(y_pred, y_true, w, r);
    };
  }
  throw Error("loss_by_name: unknown loss '" + name +
              "' (known: categorical_crossentropy, sparse_categorical_crossentropy, mean_squared_error, mse)");
}

}  // namespace kiln
