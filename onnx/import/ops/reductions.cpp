// ReduceSum, ReduceMean and ReduceMax over a list of axes (an input since
// opset 13 for ReduceSum and 18 for the others, an attribute before; none:
// every axis), on kiln's one-axis reductions, the highest axis first so the
// lower ones keep their numbers. Float data only: these follow layers.

#include <algorithm>

#include "ops/reductions.hpp"
#include "onnx/import/ops/ops.hpp"

namespace kiln::onnx_import {

namespace {

using Reduction = Tensor (*)(const Tensor&, int, bool);

OpHandler reduce(Reduction op) {
  return [op](const OpCall& c) -> std::vector<Value> {
    Tensor x = c.tensor(0);
    const std::size_t rank = x.shape().size();
    std::vector<std::int64_t> given = c.has_input(1) ? c.list(1) : c.ints_attribute("axes", {});
    if (given.empty() && c.int_attribute("noop_with_empty_axes", 0) != 0) return {Value::of(x)};
    std::vector<std::size_t> axes;
    for (std::int64_t a : given) axes.push_back(c.axis(a, rank));
    if (axes.empty()) {
      for (std::size_t a = 0; a < rank; ++a) axes.push_back(a);
    }
    std::sort(axes.rbegin(), axes.rend());
    if (std::adjacent_find(axes.begin(), axes.end()) != axes.end()) c.fail("an axis is listed twice");
    const bool keepdims = c.int_attribute("keepdims", 1) != 0;
    for (std::size_t a : axes) x = op(x, int(a), keepdims);
    return {Value::of(x)};
  };
}

}  // namespace

void add_reduction_ops(std::map<std::string, OpHandler>& ops) {
  ops["ReduceSum"] = reduce([](const Tensor& x, int axis, bool keepdims) { return sum(x, axis, keepdims); });
  ops["ReduceMean"] = reduce([](const Tensor& x, int axis, bool keepdims) { return mean(x, axis, keepdims); });
  ops["ReduceMax"] = reduce([](const Tensor& x, int axis, bool keepdims) { return kiln::max(x, axis, keepdims); });
}

}  // namespace kiln::onnx_import
