// ReLU with its options, as kiln computes it (layers/relu_layer.hpp):
// LeakyRelu for a plain slope; otherwise x [x > threshold] (or Relu),
// bounded by max_value, less negative_slope relu(threshold - x). The mask
// passes through.

#include "layers/relu_layer.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

LayerOutputs export_relu(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& o = layer_as<ReLULayer>(layer).options();
  const std::string p = layer.name();
  const std::string x = in.values[0];
  if (o.negative_slope != 0.0f && !o.max_value && o.threshold == 0.0f) {
    return {{g.node1("LeakyRelu", {x}, p + "/LeakyRelu", {float_attribute("alpha", o.negative_slope)})}, {in.mask(0)}};
  }
  std::string y;
  if (o.threshold != 0.0f) {
    const std::string threshold = g.scalar(p + "/threshold", o.threshold);
    const std::string above = g.node1("Cast", {g.node1("Greater", {x, threshold}, p + "/above")}, p + "/above_float",
                                      {int_attribute("to", ::onnx::TensorProto::FLOAT)});
    y = g.node1("Mul", {x, above}, p + "/thresholded");
  } else {
    y = g.node1("Relu", {x}, p + "/Relu");
  }
  if (o.max_value) y = g.node1("Min", {y, g.scalar(p + "/max_value", *o.max_value)}, p + "/bounded");
  if (o.negative_slope != 0.0f) {
    const std::string below = g.node1("Relu", {g.node1("Sub", {g.scalar(p + "/threshold_below", o.threshold), x}, p + "/below")}, p + "/below_relu");
    y = g.node1("Sub", {y, g.node1("Mul", {below, g.scalar(p + "/negative_slope", o.negative_slope)}, p + "/leak")}, p + "/ReLU");
  }
  if (y == x) y = g.node1("Identity", {y}, p + "/Identity");
  return {{y}, {in.mask(0)}};
}

}  // namespace kiln::onnx_export
