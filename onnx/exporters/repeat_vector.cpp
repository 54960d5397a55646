// RepeatVector: (batch, features) gains a time axis of 1 and is tiled n
// times along it. No mask (kiln's RepeatVector drops it).

#include "layers/repeat_vector.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

LayerOutputs export_repeat_vector(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& repeat = layer_as<RepeatVectorLayer>(layer);
  const std::string p = layer.name();
  const std::string step = unsqueeze(g, in.values[0], {1}, p + "/step");
  const std::string repeats = g.int64s(p + "/repeats", {1, std::int64_t(repeat.options().n), 1});
  return {{g.node1("Tile", {step, repeats}, p + "/Tile")}, {}};
}

}  // namespace kiln::onnx_export
