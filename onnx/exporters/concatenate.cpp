// Concatenate: one Concat on the layer's axis; the first input's mask goes
// on, as kiln's Concatenate passes it.

#include "layers/concatenate.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

LayerOutputs export_concatenate(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& concatenate = layer_as<ConcatenateLayer>(layer);
  return {{g.node1("Concat", in.values, layer.name() + "/Concat",
                   {int_attribute("axis", concatenate.options().axis)})},
          in.mask};
}

}  // namespace kiln::onnx_export
