// Shape operators: the plumbing PyTorch's exports compute initial states
// with (Shape, Gather, Unsqueeze, Concat, ConstantOfShape) and the layout
// changes around recurrences (Transpose, Squeeze, Reshape, Slice). Float
// data moves through kiln's differentiable ops; integer data exactly.

#include <algorithm>
#include <cmath>
#include <limits>

#include <xtensor/xmanipulation.hpp>
#include <xtensor/xview.hpp>

#include "ops/arithmetic.hpp"
#include "ops/concat.hpp"
#include "ops/gather.hpp"
#include "ops/reshape.hpp"
#include "ops/reverse.hpp"
#include "ops/slice.hpp"
#include "onnx/import/ops/ops.hpp"

namespace kiln::onnx_import {

namespace {

Shape shape_from(const std::vector<std::int64_t>& dims, const OpCall& c) {
  Shape s;
  for (std::int64_t d : dims) {
    if (d < 0) c.fail("negative dimension " + std::to_string(d));
    s.push_back(std::size_t(d));
  }
  return s;
}

// The same elements in a new shape: float through kiln's reshape, integers as they are.
Value reshape_value(const Value& v, const Shape& shape) {
  if (v.is_float()) return Value::of(reshaped(v.tensor, shape));
  IntArray a = v.ints;
  a.reshape(shape);
  return Value{v.type, {}, std::move(a)};
}

std::vector<Value> shape_op(const OpCall& c) {
  const Shape s = c.input(0).shape();
  const std::int64_t rank = std::int64_t(s.size());
  auto clamp = [&](std::int64_t i) { return std::clamp(i < 0 ? i + rank : i, std::int64_t(0), rank); };
  const std::int64_t start = clamp(c.int_attribute("start", 0));
  const std::int64_t end = clamp(c.int_attribute("end", rank));
  IntArray out = IntArray::from_shape({std::size_t(std::max<std::int64_t>(0, end - start))});
  for (std::int64_t i = start; i < end; ++i) out(std::size_t(i - start)) = std::int64_t(s[std::size_t(i)]);
  return {Value::int64(std::move(out))};
}

std::vector<Value> constant_op(const OpCall& c) {
  if (c.has_attribute("value")) return {value_of(c.tensor_attribute("value"))};
  if (c.has_attribute("value_float")) {
    return {Value::of(Tensor(Array(Shape{}, c.float_attribute("value_float", 0.0f))))};
  }
  if (c.has_attribute("value_int")) return {Value::int64(IntArray(c.int_attribute("value_int", 0)))};
  if (c.has_attribute("value_ints")) {
    const auto v = c.ints_attribute("value_ints", {});
    IntArray a = IntArray::from_shape({v.size()});
    std::copy(v.begin(), v.end(), a.begin());
    return {Value::int64(std::move(a))};
  }
  c.fail("only the value, value_float, value_int and value_ints forms are supported");
}

std::vector<Value> constant_of_shape_op(const OpCall& c) {
  const Shape shape = shape_from(c.list(0), c);
  Value fill = c.has_attribute("value") ? value_of(c.tensor_attribute("value")) : Value::of(Tensor(Array(Shape{1}, 0.0f)));
  if (fill.is_float()) return {Value::of(Tensor(Array(shape, fill.tensor.value().data()[0])))};
  return {Value{fill.type, {}, IntArray(shape, fill.ints.data()[0])}};
}

std::vector<Value> unsqueeze_op(const OpCall& c) {
  const Value& x = c.input(0);
  const auto axes = c.has_input(1) ? c.list(1) : c.ints_attribute("axes", {});
  Shape s = x.shape();
  const std::size_t rank = s.size() + axes.size();
  std::vector<std::size_t> sorted;
  for (std::int64_t a : axes) sorted.push_back(c.axis(a, rank));
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t a : sorted) s.insert(s.begin() + long(a), 1);
  return {reshape_value(x, s)};
}

std::vector<Value> squeeze_op(const OpCall& c) {
  const Value& x = c.input(0);
  const Shape in = x.shape();
  std::vector<std::int64_t> axes = c.has_input(1) ? c.list(1) : c.ints_attribute("axes", {});
  std::vector<bool> drop(in.size(), false);
  if (axes.empty()) {
    for (std::size_t i = 0; i < in.size(); ++i) drop[i] = in[i] == 1;
  }
  for (std::int64_t a : axes) {
    const std::size_t i = c.axis(a, in.size());
    if (in[i] != 1) c.fail("cannot squeeze axis " + std::to_string(a) + " of size " + std::to_string(in[i]));
    drop[i] = true;
  }
  Shape out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (!drop[i]) out.push_back(in[i]);
  }
  return {reshape_value(x, out)};
}

std::vector<Value> reshape_op(const OpCall& c) {
  const Value& x = c.input(0);
  const Shape in = x.shape();
  const auto dims = c.list(1);
  std::size_t known = 1, total = 1;
  long inferred = -1;
  Shape out(dims.size());
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == -1) {
      if (inferred >= 0) c.fail("more than one -1 in the target shape");
      inferred = long(i);
      continue;
    }
    if (dims[i] == 0 && c.int_attribute("allowzero", 0) == 0) {
      if (i >= in.size()) c.fail("a 0 in the target shape has no input dimension to copy");
      out[i] = in[i];
    } else {
      if (dims[i] < 0) c.fail("invalid target dimension " + std::to_string(dims[i]));
      out[i] = std::size_t(dims[i]);
    }
    known *= out[i];
  }
  for (std::size_t d : in) total *= d;
  if (inferred >= 0) {
    if (known == 0 || total % known) c.fail("cannot infer the -1 of the target shape");
    out[std::size_t(inferred)] = total / known;
  }
  return {reshape_value(x, out)};
}

std::vector<Value> transpose_op(const OpCall& c) {
  const Value& x = c.input(0);
  const std::size_t rank = x.rank();
  std::vector<std::int64_t> perm = c.ints_attribute("perm", {});
  if (perm.empty()) {
    for (std::size_t i = 0; i < rank; ++i) perm.push_back(std::int64_t(rank - 1 - i));
  }
  std::vector<std::size_t> axes;
  for (std::int64_t p : perm) axes.push_back(c.axis(p, rank));
  if (x.is_float()) return {Value::of(permute(x.tensor, axes))};
  return {Value{x.type, {}, IntArray(xt::transpose(x.ints, axes))}};
}

std::vector<Value> flatten_op(const OpCall& c) {
  const Value& x = c.input(0);
  const Shape in = x.shape();
  const std::int64_t a = c.int_attribute("axis", 1);
  const std::size_t axis = a == std::int64_t(in.size()) ? in.size() : c.axis(a, in.size());
  std::size_t outer = 1, inner = 1;
  for (std::size_t i = 0; i < in.size(); ++i) (i < axis ? outer : inner) *= in[i];
  return {reshape_value(x, {outer, inner})};
}

std::vector<Value> concat_op(const OpCall& c) {
  bool any_float = false;
  for (std::size_t i = 0; i < c.input_count(); ++i) any_float = any_float || c.input(i).is_float();
  const std::size_t axis = c.axis(c.int_attribute("axis", 0), c.input(0).rank());
  if (any_float) {
    std::vector<Tensor> parts;
    for (std::size_t i = 0; i < c.input_count(); ++i) parts.push_back(as_tensor(c.input(i)));
    return {Value::of(concat(parts, int(axis)))};
  }
  IntArray out = c.input(0).ints;
  for (std::size_t i = 1; i < c.input_count(); ++i) out = xt::concatenate(xt::xtuple(out, c.input(i).ints), axis);
  return {Value{c.input(0).type, {}, std::move(out)}};
}

std::vector<Value> gather_op(const OpCall& c) {
  const Value& data = c.input(0);
  const IntArray indices = as_ints(c.input(1));
  const Shape in = data.shape();
  const std::size_t axis = c.axis(c.int_attribute("axis", 0), in.size());
  const std::int64_t n = std::int64_t(in[axis]);
  IntArray wrapped = indices;
  for (auto& i : wrapped) {
    if (i < -n || i >= n) c.fail("index " + std::to_string(i) + " is out of range for a dimension of " + std::to_string(n));
    if (i < 0) i += n;
  }
  if (data.is_float()) {
    if (indices.dimension() == 0) return {Value::of(select(data.tensor, int(axis), std::size_t(wrapped()))) };
    if (axis == 0 && in.size() == 2) {
      Array ids = xt::cast<float>(wrapped);
      return {Value::of(gather_rows(data.tensor, ids))};  // an embedding lookup
    }
    c.fail("float Gather is supported for a scalar index or rows of a 2-D table");
  }
  if (in.size() != 1) c.fail("integer Gather is supported on 1-D data (shapes)");
  IntArray out = IntArray::from_shape(wrapped.shape());
  for (std::size_t i = 0; i < wrapped.size(); ++i) out.data()[i] = data.ints(std::size_t(wrapped.data()[i]));
  return {Value{data.type, {}, std::move(out)}};
}

// Slice with numpy's clamping; float data takes step 1, or step -1 over the
// whole axis (a reversal), the forms exports use.
std::vector<Value> slice_op(const OpCall& c) {
  const Value& x = c.input(0);
  const Shape in = x.shape();
  const auto starts = c.list(1), ends = c.list(2);
  std::vector<std::int64_t> axes = c.has_input(3) ? c.list(3) : std::vector<std::int64_t>{};
  std::vector<std::int64_t> steps = c.has_input(4) ? c.list(4) : std::vector<std::int64_t>(starts.size(), 1);
  if (axes.empty()) {
    for (std::size_t i = 0; i < starts.size(); ++i) axes.push_back(std::int64_t(i));
  }
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size()) {
    c.fail("starts, ends, axes and steps differ in length");
  }
  Value out = x;
  for (std::size_t k = 0; k < starts.size(); ++k) {
    const std::size_t axis = c.axis(axes[k], in.size());
    const std::int64_t n = std::int64_t(in[axis]), step = steps[k];
    if (step == 0) c.fail("step 0");
    auto bound = [&](std::int64_t v, std::int64_t lo, std::int64_t hi) {
      if (v < 0) v = v < -n ? -n - 1 : v + n;  // no overflow from INT64_MIN
      return std::clamp(v, lo, hi);
    };
    const std::int64_t start = step > 0 ? bound(starts[k], 0, n) : bound(starts[k], -1, n - 1);
    const std::int64_t end = step > 0 ? bound(ends[k], 0, n) : bound(ends[k], -1, n - 1);
    if (out.is_float()) {
      if (step == 1) {
        out = Value::of(slice(out.tensor, int(axis), std::size_t(start), std::size_t(std::max(start, end))));
      } else if (step == -1 && start == n - 1 && end == -1) {
        out = Value::of(reverse(out.tensor, int(axis)));
      } else {
        c.fail("float Slice supports step 1, or step -1 over a whole axis");
      }
      continue;
    }
    if (in.size() != 1) c.fail("integer Slice is supported on 1-D data (shapes)");
    std::vector<std::int64_t> picked;
    for (std::int64_t i = start; step > 0 ? i < end : i > end; i += step) picked.push_back(out.ints(std::size_t(i)));
    IntArray a = IntArray::from_shape({picked.size()});
    std::copy(picked.begin(), picked.end(), a.begin());
    out = Value{out.type, {}, std::move(a)};
  }
  return {out};
}

// Tile: float data repeated along each axis, as copies joined by Concat (differentiable).
std::vector<Value> tile_op(const OpCall& c) {
  Tensor x = c.tensor(0);
  const auto repeats = c.list(1);
  if (repeats.size() != x.shape().size()) c.fail("repeats has " + std::to_string(repeats.size()) + " entries for rank " + std::to_string(x.shape().size()));
  for (std::size_t axis = 0; axis < repeats.size(); ++axis) {
    if (repeats[axis] < 1) c.fail("repeats must be positive, got " + std::to_string(repeats[axis]));
    if (repeats[axis] > 1) x = concat(std::vector<Tensor>(std::size_t(repeats[axis]), x), int(axis));
  }
  return {Value::of(x)};
}

// Expand: numpy broadcasting of float data to a shape, as x + zeros (the
// gradient sums back over the broadcast axes).
std::vector<Value> expand_op(const OpCall& c) {
  const Tensor& x = c.tensor(0);
  const Shape target = shape_from(c.list(1), c);
  Shape out = broadcast_shapes("Expand", x.shape(), target);
  return {Value::of(x + Tensor(Array(out, 0.0f)))};
}

// Range: start, start + delta, ... before limit, of the inputs' type (floats as constants).
std::vector<Value> range_op(const OpCall& c) {
  const bool floats = c.input(0).is_float();
  const double start = as_tensor(c.input(0)).value().data()[0], limit = as_tensor(c.input(1)).value().data()[0];
  const double delta = as_tensor(c.input(2)).value().data()[0];
  if (delta == 0.0) c.fail("delta 0");
  const std::size_t n = std::size_t(std::max(0.0, std::ceil((limit - start) / delta)));
  if (floats) {
    Array out = Array::from_shape({n});
    for (std::size_t i = 0; i < n; ++i) out(i) = float(start + double(i) * delta);
    return {Value::of(Tensor(std::move(out)))};
  }
  IntArray out = IntArray::from_shape({n});
  for (std::size_t i = 0; i < n; ++i) out(i) = std::int64_t(start + double(i) * delta);
  return {Value::int64(std::move(out))};
}

}  // namespace

Tensor reshaped(const Tensor& x, const Shape& shape) { return x.shape() == shape ? x : reshape(x, shape); }

void add_shape_ops(std::map<std::string, OpHandler>& ops) {
  ops["Shape"] = shape_op;
  ops["Constant"] = constant_op;
  ops["ConstantOfShape"] = constant_of_shape_op;
  ops["Unsqueeze"] = unsqueeze_op;
  ops["Squeeze"] = squeeze_op;
  ops["Reshape"] = reshape_op;
  ops["Transpose"] = transpose_op;
  ops["Flatten"] = flatten_op;
  ops["Concat"] = concat_op;
  ops["Gather"] = gather_op;
  ops["Slice"] = slice_op;
  ops["Tile"] = tile_op;
  ops["Expand"] = expand_op;
  ops["Range"] = range_op;
}

}  // namespace kiln::onnx_import
