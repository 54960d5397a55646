// TimeDistributed: as kiln computes it, the time axis folded into the batch
// ((B, T, ...) -> (B * T, ...)), the inner layer's export, and the result
// unfolded with the input's B and T. Shapes are taken at run time, so both
// stay dynamic. The folded steps get no mask; the output carries the
// input's, as kiln's TimeDistributed.

#include "layers/time_distributed.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

LayerOutputs export_time_distributed(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& wrapper = layer_as<TimeDistributedLayer>(layer);
  const std::string p = layer.name();
  const std::string x = in.values[0];
  const auto axis0 = [](std::int64_t v) { return int_attribute("axis", v); };
  const std::string rest = g.node1("Shape", {x}, p + "/step_shape", {int_attribute("start", 2)});
  const std::string folded_shape = g.node1("Concat", {g.int64s(p + "/minus_one", {-1}), rest}, p + "/folded_shape", {axis0(0)});
  const std::string folded = g.node1("Reshape", {x, folded_shape}, p + "/folded");

  PartialShape step_shape{unknown_dim};
  step_shape.insert(step_shape.end(), in.shapes[0].begin() + 2, in.shapes[0].end());
  const LayerOutputs inner = export_layer(*wrapper.layer(), {{folded}, {step_shape}, {}}, g);
  if (inner.values.size() != 1) throw Error("the inner layer must give one output");

  const std::string batch_time = g.node1("Shape", {x}, p + "/batch_time", {int_attribute("start", 0), int_attribute("end", 2)});
  const std::string out_rest = g.node1("Shape", {inner.values[0]}, p + "/inner_shape", {int_attribute("start", 1)});
  const std::string shape = g.node1("Concat", {batch_time, out_rest}, p + "/unfolded_shape", {axis0(0)});
  return {{g.node1("Reshape", {inner.values[0], shape}, p + "/unfolded")}, {in.mask(0)}};
}

}  // namespace kiln::onnx_export
