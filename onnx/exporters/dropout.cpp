// Dropout: identity at inference, which is what an exported model runs.

#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

LayerOutputs export_dropout(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  return {{g.node1("Identity", {in.values[0]}, layer.name() + "/Identity")}, {in.mask(0)}};
}

}  // namespace kiln::onnx_export
