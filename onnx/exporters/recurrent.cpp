#include "onnx/exporters/recurrent.hpp"

namespace kiln::onnx_export {

namespace {

constexpr auto float_type = ::onnx::TensorProto::FLOAT;

// zeros (batch, width), the batch taken from x's first axis.
std::string zeros_like_batch(GraphBuilder& g, const std::string& x, std::int64_t width, const std::string& p) {
  const std::string batch = g.node1("Shape", {x}, p + "/batch", {int_attribute("start", 0), int_attribute("end", 1)});
  const std::string shape = g.node1("Concat", {batch, g.int64s(p + "/width", {width})}, p + "/zeros_shape",
                                    {int_attribute("axis", 0)});
  return g.node1("ConstantOfShape", {shape}, p + "/zeros");
}

std::vector<Attribute> op_attributes(const RecurrentLayer& layer, const RecurrentCell& cell, bool reverse) {
  std::vector<Attribute> attributes = cell.attributes;
  attributes.push_back(int_attribute("hidden_size", std::int64_t(layer.units())));
  attributes.push_back(string_attribute("direction", reverse ? "reverse" : "forward"));
  return attributes;
}

// The op's inputs after X: W, R, B, sequence_lens, the initial states.
std::vector<std::string> op_inputs(const RecurrentCell& cell, const std::string& x,
                                   const std::vector<std::string>& initial_states) {
  std::vector<std::string> inputs{x, cell.W, cell.R, cell.B, ""};
  inputs.insert(inputs.end(), initial_states.begin(), initial_states.end());
  return inputs;
}

// One ONNX node for the whole sequence: x (B, T, F) is made time-major,
// states get ONNX's direction axis, and the results are put back in kiln's
// layout (a go_backwards sequence in processing order, as kiln returns it).
LayerOutputs unmasked(const RecurrentLayer& layer, const RecurrentCell& cell, const LayerInputs& in,
                      GraphBuilder& g) {
  const std::string p = layer.name();
  const RecurrentSettings& s = layer.settings();
  const std::string x = transpose(g, in.values[0], {1, 0, 2}, p + "/time_major");
  std::vector<std::string> states;
  for (std::size_t k = 1; k < in.values.size(); ++k) states.push_back(unsqueeze(g, in.values[k], {0}, p + "/state"));
  std::vector<std::string> hints{s.return_sequences ? p + "/Y" : "", p + "/Y_h"};
  if (layer.state_count() == 2) hints.push_back(s.return_state ? p + "/Y_c" : "");
  const auto y = g.node_outputs(cell.op, op_inputs(cell, x, states), hints, op_attributes(layer, cell, s.go_backwards));

  LayerOutputs out;
  if (s.return_sequences) {
    // Y is (T, 1, B, H) in input time order.
    std::string seq = transpose(g, squeeze(g, y[0], {1}, p + "/Y"), {1, 0, 2}, p + "/sequence");
    if (s.go_backwards) seq = reverse_axis(g, seq, 1, p + "/processing_order");
    out.values.push_back(seq);
    out.masks = {in.mask(0)};
  } else {
    out.values.push_back(squeeze(g, y[1], {0}, p + "/output"));
  }
  if (s.return_state) {
    for (std::size_t k = 0; k < layer.state_count(); ++k) {
      out.values.push_back(squeeze(g, y[1 + k], {0}, p + (k == 0 ? "/h" : "/c")));
    }
  }
  return out;
}

// The Scan body for one step: states h [, c], seen (B, 1: a step ran
// already), last output; scanned inputs x_t (B, F) and m_t (B).
::onnx::GraphProto masked_step_body(const RecurrentLayer& layer, const RecurrentCell& cell, GraphBuilder& outer) {
  const std::string p = layer.name() + "/step";
  const std::size_t S = layer.state_count();
  ::onnx::GraphProto body;
  body.set_name(layer.name() + "_step");
  GraphBuilder g(body, outer);
  std::vector<std::string> states;
  for (std::size_t k = 0; k < S; ++k) states.push_back(g.fresh(p + (k == 0 ? "/h_in" : "/c_in")));
  const std::string seen = g.fresh(p + "/seen_in"), last = g.fresh(p + "/last_in");
  const std::string x = g.fresh(p + "/x"), m = g.fresh(p + "/m");
  for (const auto& name : states) set_value_info(*body.add_input(), name, float_type);
  set_value_info(*body.add_input(), seen, float_type);
  set_value_info(*body.add_input(), last, float_type);
  set_value_info(*body.add_input(), x, float_type);
  set_value_info(*body.add_input(), m, float_type);

  std::vector<std::string> initial;
  for (const auto& st : states) initial.push_back(unsqueeze(g, st, {0}, p + "/state"));
  std::vector<std::string> hints{"", p + "/Y_h"};
  if (S == 2) hints.push_back(p + "/Y_c");
  const auto y = g.node_outputs(cell.op, op_inputs(cell, unsqueeze(g, x, {0}, p + "/x1"), initial), hints,
                                op_attributes(layer, cell, false));
  const std::string m2 = unsqueeze(g, m, {1}, p + "/m");
  const std::string keep = g.node1("Cast", {m2}, p + "/keep", {int_attribute("to", ::onnx::TensorProto::BOOL)});
  std::vector<std::string> next;
  for (std::size_t k = 0; k < S; ++k) {
    // A masked step carries the state unchanged: Where, not a blend, so it is exact.
    next.push_back(g.node1("Where", {keep, squeeze(g, y[1 + k], {0}, p + "/new"), states[k]}, p + "/carried"));
  }
  const std::string seen_now = g.node1("Max", {seen, m2}, p + "/seen");
  const std::string shown = layer.settings().zero_output_for_mask ? m2 : seen_now;
  const std::string output = g.node1("Mul", {next[0], shown}, p + "/output");
  const std::string last_out = g.node1("Identity", {output}, p + "/last");
  for (const auto& name : next) set_value_info(*body.add_output(), name, float_type);
  set_value_info(*body.add_output(), seen_now, float_type);
  set_value_info(*body.add_output(), last_out, float_type);
  set_value_info(*body.add_output(), output, float_type);
  return body;
}

LayerOutputs masked(const RecurrentLayer& layer, const RecurrentCell& cell, const LayerInputs& in, GraphBuilder& g) {
  const std::string p = layer.name();
  const RecurrentSettings& s = layer.settings();
  const std::size_t S = layer.state_count();
  const std::int64_t units = std::int64_t(layer.units());
  std::vector<std::string> scan_inputs;
  for (std::size_t k = 0; k < S; ++k) {
    scan_inputs.push_back(in.values.size() > 1 ? in.values[1 + k] : zeros_like_batch(g, in.values[0], units, p + "/initial"));
  }
  scan_inputs.push_back(zeros_like_batch(g, in.values[0], 1, p + "/seen0"));
  scan_inputs.push_back(zeros_like_batch(g, in.values[0], units, p + "/last0"));
  scan_inputs.push_back(in.values[0]);
  scan_inputs.push_back(*in.mask(0));
  const std::int64_t direction = s.go_backwards ? 1 : 0;
  // Scan's outputs are not optional: every one is named.
  std::vector<std::string> hints{p + "/h"};
  if (S == 2) hints.push_back(p + "/c");
  hints.push_back(p + "/seen");
  hints.push_back(p + "/output");    // the last output
  hints.push_back(p + "/sequence");  // (B, T, H), processing order
  const auto y = g.node_outputs(
      "Scan", scan_inputs, hints,
      {graph_attribute("body", masked_step_body(layer, cell, g)), int_attribute("num_scan_inputs", 2),
       ints_attribute("scan_input_axes", {1, 1}), ints_attribute("scan_input_directions", {direction, direction}),
       ints_attribute("scan_output_axes", {1})});
  LayerOutputs out;
  out.values.push_back(s.return_sequences ? y[S + 2] : y[S + 1]);
  if (s.return_sequences) out.masks = {in.mask(0)};
  if (s.return_state) out.values.insert(out.values.end(), y.begin(), y.begin() + long(S));
  return out;
}

}  // namespace

LayerOutputs export_recurrent(const RecurrentLayer& layer, const RecurrentCell& cell, const LayerInputs& in,
                              GraphBuilder& g) {
  return in.mask(0) ? masked(layer, cell, in, g) : unmasked(layer, cell, in, g);
}

Array onnx_gate_matrix(const Array& kernel, std::size_t units, const std::vector<std::size_t>& order) {
  const std::size_t features = kernel.shape()[0];
  Array out = Array::from_shape({1, order.size() * units, features});
  for (std::size_t block = 0; block < order.size(); ++block) {
    for (std::size_t u = 0; u < units; ++u) {
      for (std::size_t f = 0; f < features; ++f) out(0, block * units + u, f) = kernel(f, order[block] * units + u);
    }
  }
  return out;
}

Array onnx_gate_vector(const Array& bias, std::size_t units, const std::vector<std::size_t>& order) {
  Array out = Array::from_shape({order.size() * units});
  for (std::size_t block = 0; block < order.size(); ++block) {
    for (std::size_t u = 0; u < units; ++u) out(block * units + u) = bias(order[block] * units + u);
  }
  return out;
}

}  // namespace kiln::onnx_export
