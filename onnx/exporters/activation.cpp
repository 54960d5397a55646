// Activation: the named activation's node (Identity for linear, so the
// layer still has an output of its own).

#include "layers/activation_layer.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

LayerOutputs export_activation(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& activation = layer_as<ActivationLayer>(layer);
  std::string y = apply_activation(g, activation.options().activation, in.values[0], layer.name());
  if (y == in.values[0]) y = g.node1("Identity", {y}, layer.name() + "/Identity");
  return {{y}, {in.mask(0)}};
}

}  // namespace kiln::onnx_export
