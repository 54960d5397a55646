// Element-wise operators. Float inputs go through kiln's differentiable ops
// (with numpy broadcasting); int64 and bool inputs (shape arithmetic,
// masks) are computed exactly on integers.

#include <xtensor/xoperation.hpp>

#include "ops/activations.hpp"
#include "ops/arithmetic.hpp"
#include "onnx/import/ops/ops.hpp"

namespace kiln::onnx_import {

namespace {

using Binary = Tensor (*)(const Tensor&, const Tensor&);

OpHandler arithmetic(Binary float_op, char int_op) {
  return [float_op, int_op](const OpCall& c) -> std::vector<Value> {
    const Value& a = c.input(0);
    const Value& b = c.input(1);
    if (a.is_float() || b.is_float()) return {Value::of(float_op(as_tensor(a), as_tensor(b)))};
    const IntArray& x = a.ints;
    const IntArray& y = b.ints;
    switch (int_op) {
      case '+': return {Value::int64(x + y)};
      case '-': return {Value::int64(x - y)};
      case '*': return {Value::int64(x * y)};
      default:
        if (xt::any(xt::equal(y, std::int64_t(0)))) c.fail("integer division by zero");
        return {Value::int64(x / y)};  // truncates, as ONNX's integer Div
    }
  };
}

// 1 where `keep` (a boolean value) holds, as a float constant.
Tensor where(const Value& keep, const Tensor& x, const Tensor& y) {
  const Tensor k = as_tensor(keep);
  // x * k + y * (1 - k): with k 0 or 1 this is x or y exactly (for finite
  // values), and the gradient goes to the chosen side only.
  return x * k + y * (1.0f - k);
}

std::vector<Value> where_op(const OpCall& c) {
  const Value& keep = c.input(0);
  const Value& x = c.input(1);
  const Value& y = c.input(2);
  if (x.is_float() || y.is_float()) return {Value::of(where(keep, as_tensor(x), as_tensor(y)))};
  return {Value{x.type, {}, xt::where(xt::not_equal(keep.ints, std::int64_t(0)), x.ints, y.ints)}};
}

// Max and Min of two inputs; a tie takes the first, as kiln's maximum.
OpHandler extremum(bool largest) {
  return [largest](const OpCall& c) -> std::vector<Value> {
    if (c.input_count() != 2) c.fail("kiln imports Max and Min of exactly two inputs");
    const Value& a = c.input(0);
    const Value& b = c.input(1);
    if (!a.is_float() && !b.is_float()) {
      return {Value::int64(largest ? IntArray(xt::maximum(a.ints, b.ints)) : IntArray(xt::minimum(a.ints, b.ints)))};
    }
    const Tensor x = as_tensor(a), y = as_tensor(b);
    const Array chosen = largest ? Array(xt::cast<float>(xt::greater_equal(x.value(), y.value())))
                                 : Array(xt::cast<float>(xt::less_equal(x.value(), y.value())));
    IntArray keep = IntArray::from_shape(chosen.shape());
    std::copy(chosen.begin(), chosen.end(), keep.begin());
    return {Value::of(where(Value::boolean(std::move(keep)), x, y))};
  };
}

// A comparison as a bool value (no gradient), on floats or integers alike.
template <class Compare>
std::vector<Value> compare(const OpCall& c, Compare compare) {
  const Value& a = c.input(0);
  const Value& b = c.input(1);
  if (a.is_float() || b.is_float()) {
    const Array result = xt::cast<float>(compare(as_tensor(a).value(), as_tensor(b).value()));
    IntArray out = IntArray::from_shape(result.shape());
    std::copy(result.begin(), result.end(), out.begin());
    return {Value::boolean(std::move(out))};
  }
  return {Value::boolean(xt::cast<std::int64_t>(compare(a.ints, b.ints)))};
}

// Or and And of bool values (max and min of 0/1).
std::vector<Value> logical(const OpCall& c, bool either) {
  const auto a = xt::cast<std::int64_t>(xt::not_equal(c.input(0).ints, std::int64_t(0)));
  const auto b = xt::cast<std::int64_t>(xt::not_equal(c.input(1).ints, std::int64_t(0)));
  return {Value::boolean(either ? IntArray(xt::maximum(a, b)) : IntArray(xt::minimum(a, b)))};
}

// The lower (upper = 0) or upper triangle of the last two axes, shifted by
// k, the rest zeroed: x times a constant 0/1 mask, so it is differentiable.
std::vector<Value> trilu_op(const OpCall& c) {
  const Tensor& x = c.tensor(0);
  const Shape s = x.shape();
  if (s.size() < 2) c.fail("the input needs two axes, got " + to_string(s));
  const bool upper = c.int_attribute("upper", 1) != 0;
  const std::int64_t k = c.has_input(1) ? c.list(1).at(0) : 0;
  const std::size_t rows = s[s.size() - 2], columns = s.back();
  Array keep = Array::from_shape(s);
  for (std::size_t n = 0; n < keep.size(); ++n) {
    const std::int64_t i = std::int64_t((n / columns) % rows), j = std::int64_t(n % columns);
    keep.data()[n] = (upper ? j - i >= k : j - i <= k) ? 1.0f : 0.0f;
  }
  return {Value::of(x * Tensor(std::move(keep)))};
}

std::vector<Value> not_op(const OpCall& c) {
  return {Value::boolean(xt::cast<std::int64_t>(xt::equal(c.input(0).ints, std::int64_t(0))))};
}

std::vector<Value> cast_op(const OpCall& c) {
  const Value& x = c.input(0);
  switch (c.int_attribute("to", 0)) {
    case ::onnx::TensorProto::FLOAT:
    case ::onnx::TensorProto::DOUBLE:
      return {Value::of(as_tensor(x))};
    case ::onnx::TensorProto::INT64:
    case ::onnx::TensorProto::INT32:
      return {Value::int64(as_ints(x))};
    case ::onnx::TensorProto::BOOL: {
      if (x.is_float()) {
        const Array nz = xt::cast<float>(xt::not_equal(x.tensor.value(), 0.0f));
        IntArray out = IntArray::from_shape(nz.shape());
        std::copy(nz.begin(), nz.end(), out.begin());
        return {Value::boolean(std::move(out))};
      }
      return {Value::boolean(xt::cast<std::int64_t>(xt::not_equal(x.ints, std::int64_t(0))))};
    }
    default:
      c.fail("Cast to element type " + std::to_string(c.int_attribute("to", 0)) + " is not supported");
  }
}

}  // namespace

OpHandler unary(Tensor (*op)(const Tensor&)) {
  return [op](const OpCall& c) -> std::vector<Value> { return {Value::of(op(c.tensor(0)))}; };
}

void add_elementwise_ops(std::map<std::string, OpHandler>& ops) {
  ops["Add"] = arithmetic(&add, '+');
  ops["Sub"] = arithmetic(&sub, '-');
  ops["Mul"] = arithmetic(&mul, '*');
  ops["Div"] = arithmetic(&div, '/');
  ops["Neg"] = unary(&neg);
  ops["Tanh"] = unary(&kiln::tanh);
  ops["Sigmoid"] = unary(&sigmoid);
  ops["Relu"] = unary(&relu);
  ops["Exp"] = unary(&kiln::exp);
  ops["Log"] = unary(&kiln::log);
  ops["Where"] = where_op;
  ops["Max"] = extremum(true);
  ops["Min"] = extremum(false);
  ops["Equal"] = [](const OpCall& c) { return compare(c, [](const auto& x, const auto& y) { return xt::equal(x, y); }); };
  ops["Greater"] = [](const OpCall& c) { return compare(c, [](const auto& x, const auto& y) { return x > y; }); };
  ops["Or"] = [](const OpCall& c) { return logical(c, true); };
  ops["And"] = [](const OpCall& c) { return logical(c, false); };
  ops["Trilu"] = trilu_op;
  ops["Not"] = not_op;
  ops["Cast"] = cast_op;
  ops["Identity"] = [](const OpCall& c) -> std::vector<Value> { return {c.input(0)}; };
  // Inference and fine-tuning alike run it as the identity: an imported
  // graph has no random state to draw its mask from.
  ops["Dropout"] = [](const OpCall& c) -> std::vector<Value> { return {c.input(0)}; };
}

}  // namespace kiln::onnx_import
