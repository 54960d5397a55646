// Flatten: (batch, ...) -> (batch, product of the rest), ONNX's Flatten at
// axis 1. The mask stops here, as kiln's Flatten drops it.

#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

LayerOutputs export_flatten(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  return {{g.node1("Flatten", {in.values[0]}, layer.name() + "/Flatten", {int_attribute("axis", 1)})}, {}};
}

}  // namespace kiln::onnx_export
