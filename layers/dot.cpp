#include "layers/dot.hpp"

#include <nlohmann/json.hpp>

#include "ops/arithmetic.hpp"
#include "ops/matmul.hpp"
#include "ops/minimum_maximum.hpp"
#include "ops/powers.hpp"
#include "ops/reductions.hpp"
#include "ops/reshape.hpp"

namespace kiln {

namespace {

// What Keras' normalize bounds 1 / |x| by (1 / backend epsilon).
constexpr float max_inverse_norm = 1e7f;

// x / |x| along `axis`, as Keras' ops.normalize(order=2).
Tensor l2_normalize(const Tensor& x, std::size_t axis) {
  return x * minimum(rsqrt(sum(square(x), int(axis), true)), max_inverse_norm);
}

// x with `axis` moved to position `to`, the others in order.
Tensor move_axis(const Tensor& x, std::size_t axis, std::size_t to) {
  if (axis == to) return x;
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < x.ndim(); ++i) {
    if (i != axis) order.push_back(i);
  }
  order.insert(order.begin() + std::ptrdiff_t(to), axis);
  return permute(x, order);
}

}  // namespace

DotLayer::DotLayer(Options options) : KerasLayer(std::move(options)) {
  const auto& axes = options_.axes.values;
  if (axes.empty() || axes.size() > 2 || (options_.axes.listed && axes.size() != 2)) {
    throw Error(describe() + ": axes must be one integer or a list of two");
  }
  set_supports_masking(true);
}

std::array<std::size_t, 2> DotLayer::axes_for(const std::vector<PartialShape>& shapes) const {
  const auto& given = options_.axes.values;
  std::array<std::size_t, 2> axes{};
  for (std::size_t i = 0; i < 2; ++i) {
    const int a = given[given.size() == 2 ? i : 0];
    const long rank = long(shapes[i].size());
    const long axis = a < 0 ? a + rank : a;
    if (axis == 0) fail("cannot take the dot product over the batch axis 0");
    if (axis < 0 || axis >= rank) {
      fail("axis " + std::to_string(a) + " is out of range for input " + std::to_string(i) + " of shape " +
           to_string(shapes[i]));
    }
    axes[i] = std::size_t(axis);
  }
  return axes;
}

void DotLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  if (shapes.size() != 2) fail("expected exactly 2 inputs, got " + std::to_string(shapes.size()));
  for (const auto& s : shapes) {
    if (s.size() < 2) fail("expected inputs of rank 2 or more, got " + to_string(shapes[0]) + " and " + to_string(shapes[1]));
  }
  const auto axes = axes_for(shapes);
  const std::int64_t a = shapes[0][axes[0]], b = shapes[1][axes[1]];
  const std::int64_t batch_a = shapes[0][0], batch_b = shapes[1][0];
  if ((a != unknown_dim && b != unknown_dim && a != b) ||
      (batch_a != unknown_dim && batch_b != unknown_dim && batch_a != batch_b)) {
    fail("cannot take the dot product of " + to_string(shapes[0]) + " and " + to_string(shapes[1]) + " over axes " +
         std::to_string(axes[0]) + " and " + std::to_string(axes[1]));
  }
}

void DotLayer::check_compatible(const std::vector<PartialShape>&) const {}

std::vector<PartialShape> DotLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  const auto axes = axes_for(shapes);
  PartialShape out;
  for (std::size_t i = 0; i < shapes[0].size(); ++i) {
    if (i != axes[0]) out.push_back(shapes[0][i]);
  }
  for (std::size_t i = 1; i < shapes[1].size(); ++i) {
    if (i != axes[1]) out.push_back(shapes[1][i]);
  }
  if (out.size() == 1) out.push_back(1);
  return {out};
}

std::vector<Mask> DotLayer::compute_mask(const std::vector<Tensor>&, const std::vector<Mask>&) const { return {}; }

// batch_dot as one batched GEMM: x as (batch, rest of x, k), y as
// (batch, k, rest of y).
std::vector<Tensor> DotLayer::call(const std::vector<Tensor>& inputs, const CallContext&) {
  const auto axes = axes_for({partial_shape_of(inputs[0].shape()), partial_shape_of(inputs[1].shape())});
  Tensor x = inputs[0], y = inputs[1];
  if (options_.normalize) {
    x = l2_normalize(x, axes[0]);
    y = l2_normalize(y, axes[1]);
  }
  x = move_axis(x, axes[0], x.ndim() - 1);
  y = move_axis(y, axes[1], 1);
  const std::size_t batch = x.shape(0), k = x.shape(x.ndim() - 1);
  const std::size_t m = x.size() / (batch * k), n = y.size() / (batch * k);
  Tensor product = matmul(reshape(x, Shape{batch, m, k}), reshape(y, Shape{batch, k, n}));
  Shape out(x.shape().begin(), x.shape().end() - 1);
  out.insert(out.end(), y.shape().begin() + 2, y.shape().end());
  if (out.size() == 1) out.push_back(1);
  return {reshape(product, out)};
}

}  // namespace kiln
