// Reshape: ONNX's Reshape to (0, *target_shape), the 0 copying the batch
// size and a -1 inferred as in kiln. No mask (kiln's Reshape drops it).

#include "layers/reshape_layer.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

LayerOutputs export_reshape(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& reshape = layer_as<ReshapeLayer>(layer);
  std::vector<std::int64_t> shape{0};
  shape.insert(shape.end(), reshape.options().target_shape.begin(), reshape.options().target_shape.end());
  return {{g.node1("Reshape", {in.values[0], g.int64s(layer.name() + "/shape", shape)}, layer.name() + "/Reshape")}, {}};
}

}  // namespace kiln::onnx_export
