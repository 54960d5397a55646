// The windowed operators on kiln's channels-last ops: Conv (1-D and 2-D,
// groups, strides, dilations), MaxPool and AveragePool. ONNX's data is
// channels first, so the input is transposed to channels last and the
// result back (differentiable; the kernel stays as the file has it, so a
// fine-tuned model can be written back). Padding: none, SAME_UPPER (which
// is TensorFlow's and kiln's "same") or its explicit pads with unit
// strides, and for 1-D the causal pads
// (dilation * (taps - 1) before, none after) of kiln's own exports; other
// explicit pads are an error naming the node.

#include "ops/arithmetic.hpp"
#include "ops/conv.hpp"
#include "ops/pooling.hpp"
#include "ops/reshape.hpp"
#include "onnx/import/ops/ops.hpp"

namespace kiln::onnx_import {

namespace {

struct Geometry {
  std::size_t rank = 0;  // spatial axes: 1 or 2
  std::vector<std::size_t> kernel, strides, dilations;
  Padding padding = Padding::valid;
};

std::vector<std::size_t> sizes(const OpCall& c, const std::string& name, std::size_t rank, std::vector<std::int64_t> fallback) {
  const auto v = c.ints_attribute(name, std::move(fallback));
  if (v.size() != rank) c.fail(name + " has " + std::to_string(v.size()) + " entries for " + std::to_string(rank) + " spatial axes");
  std::vector<std::size_t> out;
  for (std::int64_t x : v) {
    if (x < 1) c.fail(name + " entries must be positive");
    out.push_back(std::size_t(x));
  }
  return out;
}

Geometry geometry(const OpCall& c, const std::vector<std::size_t>& kernel) {
  Geometry w;
  w.rank = kernel.size();
  if (w.rank != 1 && w.rank != 2) c.fail("kiln imports 1-D and 2-D windows, got " + std::to_string(w.rank) + "-D");
  w.kernel = kernel;
  w.strides = sizes(c, "strides", w.rank, std::vector<std::int64_t>(w.rank, 1));
  w.dilations = sizes(c, "dilations", w.rank, std::vector<std::int64_t>(w.rank, 1));
  if (c.int_attribute("ceil_mode", 0) != 0) c.fail("ceil_mode=1 is not supported");
  const std::string auto_pad = c.string_attribute("auto_pad", "NOTSET");
  if (auto_pad == "SAME_UPPER") {
    w.padding = Padding::same;
    return w;
  }
  if (auto_pad != "NOTSET" && auto_pad != "VALID") c.fail("auto_pad " + auto_pad + " is not supported (SAME_UPPER and VALID are)");
  const auto pads = c.ints_attribute("pads", std::vector<std::int64_t>(2 * w.rank, 0));
  if (auto_pad == "VALID" || std::all_of(pads.begin(), pads.end(), [](std::int64_t p) { return p == 0; })) return w;
  // TensorFlow's "same" with unit strides: span - 1 in all, the smaller half before.
  bool same = pads.size() == 2 * w.rank;
  for (std::size_t a = 0; same && a < w.rank; ++a) {
    const std::int64_t total = std::int64_t(w.dilations[a] * (w.kernel[a] - 1));
    same = w.strides[a] == 1 && pads[a] == total / 2 && pads[a + w.rank] == total - total / 2;
  }
  if (same) {
    w.padding = Padding::same;
    return w;
  }
  if (w.rank == 1 && pads.size() == 2 && pads[1] == 0 && pads[0] == std::int64_t(w.dilations[0] * (w.kernel[0] - 1))) {
    w.padding = Padding::causal;
    return w;
  }
  c.fail("explicit pads are supported only as none, TensorFlow's same with unit strides, or causal (dilation * (taps - 1) before the steps)");
}

std::vector<std::size_t> to_last(std::size_t rank) { return rank == 1 ? std::vector<std::size_t>{0, 2, 1} : std::vector<std::size_t>{0, 2, 3, 1}; }
std::vector<std::size_t> to_first(std::size_t rank) { return rank == 1 ? std::vector<std::size_t>{0, 2, 1} : std::vector<std::size_t>{0, 3, 1, 2}; }

std::vector<Value> conv_op(const OpCall& c) {
  const Tensor& x = c.tensor(0);
  const Tensor& w = c.tensor(1);
  if (w.shape().size() != x.shape().size() || x.shape().size() < 3) c.fail("input and kernel ranks do not match: " + to_string(x.shape()) + " and " + to_string(w.shape()));
  const std::vector<std::size_t> kernel(w.shape().begin() + 2, w.shape().end());
  const Geometry g = geometry(c, kernel);
  const std::int64_t group = c.int_attribute("group", 1);
  if (group < 1) c.fail("group must be positive");
  const Tensor input = permute(x, to_last(g.rank));
  Tensor y;
  if (g.rank == 1) {
    y = conv1d(input, permute(w, {2, 1, 0}),
               {.strides = g.strides[0], .dilation_rate = g.dilations[0], .padding = g.padding, .groups = std::size_t(group)});
  } else {
    y = conv2d(input, permute(w, {2, 3, 1, 0}),
               {.strides = {g.strides[0], g.strides[1]}, .dilation_rate = {g.dilations[0], g.dilations[1]}, .padding = g.padding,
                .groups = std::size_t(group)});
  }
  if (c.has_input(2)) y = y + c.tensor(2);
  return {Value::of(permute(y, to_first(g.rank)))};
}

OpHandler pool(bool max) {
  return [max](const OpCall& c) -> std::vector<Value> {
    const Tensor& x = c.tensor(0);
    const auto kernel = c.ints_attribute("kernel_shape", {});
    if (kernel.empty()) c.fail("kernel_shape is missing");
    const Geometry g = geometry(c, sizes(c, "kernel_shape", kernel.size(), kernel));
    if (std::any_of(g.dilations.begin(), g.dilations.end(), [](std::size_t d) { return d != 1; })) c.fail("dilated pooling is not supported");
    if (g.padding == Padding::causal) c.fail("causal pads are not supported for pooling");
    if (!max && g.padding == Padding::same && c.int_attribute("count_include_pad", 0) != 0) {
      c.fail("count_include_pad=1 is not supported: kiln averages the cells inside the input only");
    }
    if (x.shape().size() != g.rank + 2) c.fail("input " + to_string(x.shape()) + " does not match the kernel's rank");
    const Tensor input = permute(x, to_last(g.rank));
    Tensor y;
    if (g.rank == 1) {
      const Pool1DOptions o{.pool_size = g.kernel[0], .strides = g.strides[0], .padding = g.padding};
      y = max ? max_pool1d(input, o) : average_pool1d(input, o);
    } else {
      const Pool2DOptions o{.pool_size = {g.kernel[0], g.kernel[1]}, .strides = {g.strides[0], g.strides[1]}, .padding = g.padding};
      y = max ? max_pool2d(input, o) : average_pool2d(input, o);
    }
    return {Value::of(permute(y, to_first(g.rank)))};
  };
}

}  // namespace

void add_window_ops(std::map<std::string, OpHandler>& ops) {
  ops["Conv"] = conv_op;
  ops["MaxPool"] = pool(true);
  ops["AveragePool"] = pool(false);
}

}  // namespace kiln::onnx_import
