#include "ops/cross_entropy.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <vector>

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "ops/keras_epsilon.hpp"
#include "ops/parallel.hpp"
#include "ops/row_math.hpp"

namespace kiln {

namespace {

// (..., C) seen as `positions` rows of `classes` contiguous floats.
struct Rows {
  std::size_t positions;
  std::size_t classes;
};

Rows class_rows(const char* op, const Shape& shape) {
  if (shape.empty() || shape.back() == 0) {
    throw ShapeError(std::string(op) + ": expected (..., classes) with at least one class, got " +
                     to_string(shape));
  }
  return {element_count(shape) / shape.back(), shape.back()};
}

// `what` names the input: "logits and targets differ in shape: (2, 3) and (2, 4)".
void check_targets(const char* op, const char* what, const Shape& input, const Shape& targets) {
  if (input != targets)
    throw_shape_error(op, std::string(what) + " and targets differ in shape:", input, targets);
}

// Labels and masks have one entry per position: the input's shape without
// its class axis.
void check_per_position(const char* op, const char* what, const Shape& given, const Shape& input) {
  const Shape expected(input.begin(), input.end() - 1);
  if (given != expected) {
    throw ShapeError(std::string(op) + ": " + what + " must have shape " + to_string(expected) +
                     " (the input's shape without the class axis), got " + to_string(given) +
                     " for input " + to_string(input));
  }
}

// Per-position weights (the mask, or 1s) and 1 / their sum (0 when the sum is 0).
struct Weighting {
  const float* mask;  // nullptr: every position weighs 1
  float inv_total;
  float at(std::size_t i) const { return mask ? mask[i] : 1.0f; }
};

Weighting weighting(const char* op, const Array* mask, const Shape& input, std::size_t positions) {
  if (!mask) return {nullptr, 1.0f / float(positions)};
  check_per_position(op, "mask", mask->shape(), input);
  double total = 0.0;
  for (std::size_t i = 0; i < positions; ++i) total += mask->data()[i];
  return {mask->data(), total != 0.0 ? float(1.0 / total) : 0.0f};
}

// Writes exp(x - max) into `e`: subtracting the max keeps every exp in
// (0, 1], so logits of 1e4 are safe. The row's log-sum-exp is max + log_sum,
// kept in two parts so that -log_softmax_c = (max - x_c) + log_sum loses
// nothing to the spacing of floats near a large max.
struct RowExp {
  float max;
  float log_sum;
  float inv_sum;  // softmax_c = e_c * inv_sum
  double neg_log_softmax(float x) const { return (double(max) - double(x)) + double(log_sum); }
};

RowExp exp_row(const float* x, float* e, std::size_t n) {
  const float m = row::max(x, n);
  const float total = row::exp_shifted(x, m, e, n);
  return {m, std::log(total), 1.0f / total};
}

// The loss as a scalar Tensor whose backward scales the gradient worked out
// during the forward pass (empty when no gradient is wanted) by g.
Tensor scalar_loss(double loss, const Tensor& input, Array grad) {
  Array y = Array::from_shape(Shape{});
  y.data()[0] = float(loss);
  return record(std::move(y), {input}, [to = input.grad_ref(), grad = std::move(grad)](const Array& g) {
                  accumulate_grad(to, Array(grad * g.data()[0]));
                });
}

bool wants_grad(const Tensor& t) { return t.requires_grad() && grad_enabled(); }

std::size_t checked_label(const char* op, float v, std::size_t position, std::size_t classes) {
  if (std::isfinite(v) && v == std::floor(v) && v >= 0.0f && v < float(classes))
    return std::size_t(v);
  std::ostringstream msg;
  msg << op << ": label " << v << " at position " << position << " is not a class id in [0, "
      << classes << ")";
  throw Error(msg.str());
}

// The rows [0, positions) in two fixed halves (ops/parallel.hpp):
// rows_total(first, last) works through its rows and returns their weighted
// loss; the halves' totals are added after.
template <class RowsTotal>
double total_over_halves(const Rows& rows, RowsTotal rows_total) {
  double totals[2] = {0.0, 0.0};
  fixed_halves(rows.positions, 10 * rows.positions * rows.classes,
               [&](std::size_t half, std::size_t first, std::size_t last) { totals[half] = rows_total(first, last); });
  return totals[0] + totals[1];
}

// The loop the two fused softmax losses share. Each row's exp(x - max) is
// written straight into its row of the gradient (a scratch row when no
// gradient is wanted); row_loss(i, x, r, grad_row, coef) returns row i's
// loss and, when grad_row is not null, turns that row into d loss / d x,
// with coef = the row's weight / the total weight.
template <class RowLoss>
Tensor fused_softmax_loss(const Tensor& logits, const Rows& rows, const Weighting& w, RowLoss row_loss) {
  const bool need_grad = wants_grad(logits);
  Array grad = need_grad ? Array::from_shape(logits.shape()) : Array();
  const double total = total_over_halves(rows, [&](std::size_t first, std::size_t last) {
    std::vector<float> scratch(need_grad ? 0 : rows.classes);
    double sum = 0.0;
    for (std::size_t i = first; i < last; ++i) {
      const std::size_t base = i * rows.classes;
      const float* x = logits.value().data() + base;
      float* e = need_grad ? grad.data() + base : scratch.data();
      const RowExp r = exp_row(x, e, rows.classes);
      sum += double(w.at(i)) * row_loss(i, x, r, need_grad ? e : nullptr, w.at(i) * w.inv_total);
    }
    return sum;
  });
  return scalar_loss(total * w.inv_total, logits, std::move(grad));
}

}  // namespace

// d loss / d logits = (softmax * sum(t) - t) * mask / sum(mask) * g;
// sum(t) = 1 for one-hot or probability targets, giving softmax - t.
Tensor softmax_cross_entropy(const Tensor& logits, const Array& target_probs, const Array* mask) {
  const char* op = "softmax_cross_entropy";
  const Rows rows = class_rows(op, logits.shape());
  check_targets(op, "logits", logits.shape(), target_probs.shape());
  const Weighting w = weighting(op, mask, logits.shape(), rows.positions);
  auto row_loss = [&](std::size_t i, const float* x, const RowExp& r, float* e, float coef) {
    const float* t = target_probs.data() + i * rows.classes;
    double ce = 0.0;
    float t_sum = 0.0f;
    for (std::size_t c = 0; c < rows.classes; ++c) {
      if (t[c] != 0.0f) ce += double(t[c]) * r.neg_log_softmax(x[c]);  // skips 0 * inf
      t_sum += t[c];
    }
    if (e) {
      const float p_scale = r.inv_sum * t_sum;
      for (std::size_t c = 0; c < rows.classes; ++c) e[c] = coef * (e[c] * p_scale - t[c]);
    }
    return ce;
  };
  return fused_softmax_loss(logits, rows, w, row_loss);
}

// d loss / d logits = (softmax - one_hot(label)) * mask / sum(mask) * g
Tensor sparse_softmax_cross_entropy(const Tensor& logits, const Array& labels, const Array* mask) {
  const char* op = "sparse_softmax_cross_entropy";
  const Rows rows = class_rows(op, logits.shape());
  check_per_position(op, "labels", labels.shape(), logits.shape());
  const Weighting w = weighting(op, mask, logits.shape(), rows.positions);
  auto row_loss = [&](std::size_t i, const float* x, const RowExp& r, float* e, float coef) {
    const std::size_t label = checked_label(op, labels.data()[i], i, rows.classes);
    if (e) {
      for (std::size_t c = 0; c < rows.classes; ++c) e[c] *= coef * r.inv_sum;
      e[label] -= coef;
    }
    return r.neg_log_softmax(x[label]);
  };
  return fused_softmax_loss(logits, rows, w, row_loss);
}

// d loss / d p = -t / p * mask / sum(mask) * g where 1e-7 < p < 1 - 1e-7, else 0
Tensor categorical_cross_entropy(const Tensor& probs, const Array& target_probs,
                                 const Array* mask) {
  const char* op = "categorical_cross_entropy";
  const Rows rows = class_rows(op, probs.shape());
  check_targets(op, "probs", probs.shape(), target_probs.shape());
  const Weighting w = weighting(op, mask, probs.shape(), rows.positions);

  const bool need_grad = wants_grad(probs);
  Array grad = need_grad ? Array::from_shape(probs.shape()) : Array();
  constexpr float lo = keras_epsilon, hi = 1.0f - keras_epsilon;
  auto unclipped = [](float q) { return q > lo && q < hi; };
  // Row i's weighted loss, and its gradient row when wanted.
  auto row_loss = [&](std::size_t i) {
    const std::size_t base = i * rows.classes;
    const float* p = probs.value().data() + base;
    const float* t = target_probs.data() + base;
    // q = p / sum(p): the row rescaled to sum to 1, as Keras does.
    const float inv_sum = 1.0f / row::sum(p, rows.classes);
    // Only the classes with a target contribute: one-hot rows skip their zeros a vector at a time.
    auto next_target = [&](std::size_t c) { return c + row::first_nonzero(t + c, rows.classes - c); };
    double ce = 0.0;
    float kept_targets = 0.0f;  // the sum of t_c where q_c is not clipped
    for (std::size_t c = next_target(0); c < rows.classes; c = next_target(c + 1)) {
      const float q = p[c] * inv_sum;
      ce -= double(t[c]) * std::log(double(std::clamp(q, lo, hi)));
      if (unclipped(q)) kept_targets += t[c];
    }
    if (!need_grad) return double(w.at(i)) * ce;
    // dq_c = -t_c / q_c where q_c was not clipped; dp_j = (dq_j - sum_c dq_c q_c) / sum(p),
    // and sum_c dq_c q_c = -kept_targets: dp_j = shared, less scale t_j / q_j where t_j is not 0.
    const float scale = w.at(i) * w.inv_total * inv_sum;
    const float shared = scale * kept_targets;
    float* d = grad.data() + base;
    std::fill_n(d, rows.classes, shared);
    for (std::size_t c = next_target(0); c < rows.classes; c = next_target(c + 1)) {
      const float q = p[c] * inv_sum;
      if (unclipped(q)) d[c] = shared - scale * t[c] / q;
    }
    return double(w.at(i)) * ce;
  };
  const double total = total_over_halves(rows, [&](std::size_t first, std::size_t last) {
    double sum = 0.0;
    for (std::size_t i = first; i < last; ++i) sum += row_loss(i);
    return sum;
  });
  return scalar_loss(total * w.inv_total, probs, std::move(grad));
}

}  // namespace kiln
