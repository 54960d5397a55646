// Identity: an Identity node, so the layer has an output of its own; the
// mask passes through.

#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

LayerOutputs export_identity(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  return {{g.node1("Identity", {in.values[0]}, layer.name() + "/Identity")}, {in.mask(0)}};
}

}  // namespace kiln::onnx_export
