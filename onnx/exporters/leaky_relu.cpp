// LeakyReLU: ONNX's LeakyRelu with the layer's slope; the mask passes through.

#include "layers/leaky_relu_layer.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

LayerOutputs export_leaky_relu(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const float slope = layer_as<LeakyReLULayer>(layer).options().negative_slope;
  return {{g.node1("LeakyRelu", {in.values[0]}, layer.name() + "/LeakyRelu", {float_attribute("alpha", slope)})},
          {in.mask(0)}};
}

}  // namespace kiln::onnx_export
