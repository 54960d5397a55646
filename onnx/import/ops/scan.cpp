// Scan: its body graph run once per step by the same interpreter, in a
// scope that sees the enclosing graph (so the body can use the outer
// weights). kiln's own exports use it for masked recurrences. Every step's
// ops are recorded, so gradients flow through the whole loop.

#include <algorithm>

#include "ops/slice.hpp"
#include "ops/stack.hpp"
#include "onnx/import/ops/ops.hpp"

namespace kiln::onnx_import {

namespace {

std::vector<std::int64_t> per_input(const OpCall& c, const std::string& name, std::size_t count) {
  std::vector<std::int64_t> v = c.ints_attribute(name, std::vector<std::int64_t>(count, 0));
  if (v.size() != count) c.fail(name + " has " + std::to_string(v.size()) + " entries for " + std::to_string(count));
  return v;
}

std::vector<Value> scan_op(const OpCall& c) {
  const ::onnx::GraphProto& body = c.graph_attribute("body");
  const std::size_t M = std::size_t(c.int_attribute("num_scan_inputs", 0));
  if (M == 0 || M > c.input_count()) c.fail("num_scan_inputs must be in [1, number of inputs]");
  const std::size_t N = c.input_count() - M;
  const std::size_t K = std::size_t(body.output_size()) - N;
  if (std::size_t(body.input_size()) != N + M || std::size_t(body.output_size()) < N) {
    c.fail("the body's inputs and outputs do not match the states and scanned inputs");
  }
  const auto in_axes = per_input(c, "scan_input_axes", M), in_dirs = per_input(c, "scan_input_directions", M);
  const auto out_axes = per_input(c, "scan_output_axes", K), out_dirs = per_input(c, "scan_output_directions", K);

  std::vector<Tensor> scanned;
  std::vector<std::size_t> axes;
  for (std::size_t j = 0; j < M; ++j) {
    scanned.push_back(c.tensor(N + j));  // integer scanned inputs are not supported
    axes.push_back(c.axis(in_axes[j], scanned.back().shape().size()));
  }
  const std::size_t T = scanned[0].shape(axes[0]);
  for (std::size_t j = 1; j < M; ++j) {
    if (scanned[j].shape(axes[j]) != T) c.fail("scanned inputs differ in length");
  }
  std::vector<Value> states;
  for (std::size_t i = 0; i < N; ++i) states.push_back(c.input(i));
  std::vector<std::vector<Tensor>> collected(K);
  for (std::size_t t = 0; t < T; ++t) {
    Scope step(&c.scope());
    for (std::size_t i = 0; i < N; ++i) step.set(body.input(int(i)).name(), states[i]);
    for (std::size_t j = 0; j < M; ++j) {
      const std::size_t index = in_dirs[j] ? T - 1 - t : t;
      step.set(body.input(int(N + j)).name(), Value::of(select(scanned[j], int(axes[j]), index)));
    }
    std::vector<Value> results = c.interpreter().run(body, step, c.training());
    for (std::size_t i = 0; i < N; ++i) states[i] = std::move(results[i]);
    for (std::size_t k = 0; k < K; ++k) {
      if (!results[N + k].is_float()) c.fail("integer scan outputs are not supported");
      collected[k].push_back(results[N + k].tensor);
    }
  }
  std::vector<Value> out = states;
  for (std::size_t k = 0; k < K; ++k) {
    if (collected[k].empty()) c.fail("a scan over zero steps has no outputs to stack");
    if (out_dirs[k]) std::reverse(collected[k].begin(), collected[k].end());
    const std::size_t rank = collected[k][0].shape().size() + 1;
    out.push_back(Value::of(stack(collected[k], int(c.axis(out_axes[k], rank)))));
  }
  return out;
}

}  // namespace

void add_scan_op(std::map<std::string, OpHandler>& ops) { ops["Scan"] = scan_op; }

}  // namespace kiln::onnx_import
