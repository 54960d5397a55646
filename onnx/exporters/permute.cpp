// Permute: a Transpose that keeps the batch axis first. No mask (kiln's
// Permute drops it).

#include "layers/permute.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

LayerOutputs export_permute(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& permute = layer_as<PermuteLayer>(layer);
  std::vector<std::int64_t> perm{0};
  for (std::size_t d : permute.options().dims) perm.push_back(std::int64_t(d));
  return {{transpose(g, in.values[0], perm, layer.name())}, {}};
}

}  // namespace kiln::onnx_export
