// Concatenate: one Concat on the layer's axis. Its mask is Keras' (kiln's
// ConcatenateLayer::compute_mask): none when no input has one; otherwise
// each input's mask as 0/1 (all ones, the shape of its leading axes, where
// it has none), joined by Max (a step is kept when any input keeps it) when
// the features are concatenated, and concatenated themselves along any
// other axis.

#include "layers/concatenate.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

namespace {

// Input i's mask as exact 0/1 floats, or ones over its leading axes.
std::string full_mask(GraphBuilder& g, const LayerInputs& in, std::size_t i, const std::string& p) {
  const std::string q = p + "/mask" + std::to_string(i);
  if (const MaskName& mask = in.mask(i)) {
    const std::string is_zero = g.node1("Equal", {*mask, g.scalar(q + "/zero", 0.0f)}, q + "/is_padding");
    return g.node1("Cast", {g.node1("Not", {is_zero}, q + "/keep")}, q + "/keep_float",
                   {int_attribute("to", ::onnx::TensorProto::FLOAT)});
  }
  const std::string leading = g.node1("Shape", {in.values[i]}, q + "/leading_shape", {int_attribute("end", -1)});
  return g.node1("ConstantOfShape", {leading}, q + "/ones", {float_tensor_attribute("value", 1.0f)});
}

MaskName combined_mask(GraphBuilder& g, const LayerInputs& in, std::int64_t axis, const std::string& p) {
  bool any = false;
  for (std::size_t i = 0; i < in.values.size(); ++i) any = any || in.mask(i).has_value();
  if (!any) return std::nullopt;
  const std::int64_t rank = std::int64_t(in.shapes.at(0).size());
  const std::int64_t normalized = axis < 0 ? axis + rank : axis;
  std::vector<std::string> masks;
  for (std::size_t i = 0; i < in.values.size(); ++i) masks.push_back(full_mask(g, in, i, p));
  if (normalized + 1 == rank) {  // pairwise Max: many runtimes (and kiln's import) take two inputs
    std::string any_kept = masks[0];
    for (std::size_t i = 1; i < masks.size(); ++i) any_kept = g.node1("Max", {any_kept, masks[i]}, p + "/mask_any");
    return any_kept;
  }
  return g.node1("Concat", masks, p + "/mask", {int_attribute("axis", normalized)});
}

}  // namespace

LayerOutputs export_concatenate(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& concatenate = layer_as<ConcatenateLayer>(layer);
  const std::int64_t axis = concatenate.options().axis;
  const std::string joined = g.node1("Concat", in.values, layer.name() + "/Concat", {int_attribute("axis", axis)});
  return {{joined}, {combined_mask(g, in, axis, layer.name())}};
}

}  // namespace kiln::onnx_export
