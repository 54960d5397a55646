// Masking: a step is kept when any feature differs from mask_value
// (ReduceMax over the last axis of x != mask_value, as 0/1 floats); the
// output is x times that, and carries it as its mask, whatever mask the
// input had (as kiln's Masking).

#include "layers/masking.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

LayerOutputs export_masking(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& masking = layer_as<MaskingLayer>(layer);
  const std::string p = layer.name();
  const std::string x = in.values[0];
  const std::string same = g.node1("Equal", {x, g.scalar(p + "/mask_value", masking.options().mask_value)}, p + "/is_mask_value");
  const std::string differs = g.node1("Cast", {g.node1("Not", {same}, p + "/differs")}, p + "/differs_float",
                                      {int_attribute("to", ::onnx::TensorProto::FLOAT)});
  const std::string kept = g.node1("ReduceMax", {differs}, p + "/mask",
                                   {ints_attribute("axes", {-1}), int_attribute("keepdims", 0)});
  const std::string y = g.node1("Mul", {x, unsqueeze(g, kept, {-1}, p + "/per_step")}, p + "/Mul");
  return {{y}, {kept}};
}

}  // namespace kiln::onnx_export
