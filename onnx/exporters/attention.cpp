#include "onnx/exporters/attention.hpp"

namespace kiln::onnx_export {

LayerOutputs finish_attention(GraphBuilder& g, const std::string& scores, const LayerInputs& in,
                              const std::string& p) {
  std::string e = scores;
  if (const MaskName& encoder_mask = in.mask(0)) {
    // (mask - 1) * 1e9 is 0 where kept and exactly -1e9 where masked, as
    // kiln adds; (B, 1, Te) broadcasts over the decoder steps.
    const std::string shifted = g.node1("Sub", {*encoder_mask, g.scalar(p + "/one", 1.0f)}, p + "/mask_minus_one");
    const std::string offsets = g.node1("Mul", {shifted, g.scalar(p + "/big", 1e9f)}, p + "/mask_offsets");
    e = g.node1("Add", {e, unsqueeze(g, offsets, {1}, p + "/mask_offsets")}, p + "/masked_scores");
  }
  const std::string weights = g.node1("Softmax", {e}, p + "/weights", {int_attribute("axis", -1)});
  const std::string context = g.node1("MatMul", {weights, in.values[0]}, p + "/context");
  // The context has one row per decoder step: it carries the decoder's mask.
  return {{context, weights}, {in.mask(1)}};
}

}  // namespace kiln::onnx_export
