// LayerNormalization: opset 17's LayerNormalization over the trailing axes
// the layer normalises (axis = the first of them), gamma as Scale (ones,
// made at run time, without scale) and beta as B. With rms_scaling, the
// formula x / sqrt(mean(x^2) + epsilon) * gamma from elementary operators.
// The mask passes through.

#include "layers/layer_normalization.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

namespace {

std::string rms_scaled(GraphBuilder& g, const LayerNormalizationLayer& norm, const std::string& x,
                       const std::vector<std::int64_t>& axes, const std::string& p) {
  const std::string squares = g.node1("Mul", {x, x}, p + "/squares");
  const std::string mean = g.node1("ReduceMean", {squares}, p + "/mean_square", {ints_attribute("axes", axes), int_attribute("keepdims", 1)});
  const std::string shifted = g.node1("Add", {mean, g.scalar(p + "/epsilon", norm.options().epsilon)}, p + "/plus_epsilon");
  const std::string y = g.node1("Div", {x, g.node1("Sqrt", {shifted}, p + "/rms")}, p + "/normalized");
  return g.node1("Mul", {y, g.initializer(p + "/gamma", norm.gamma().value())}, p + "/scaled");
}

}  // namespace

LayerOutputs export_layer_normalization(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& norm = layer_as<LayerNormalizationLayer>(layer);
  const std::string p = layer.name();
  const std::string x = in.values[0];
  // The layer normalises exactly the trailing axes its list names.
  const std::int64_t first = -std::int64_t(norm.options().axis.size());
  std::vector<std::int64_t> axes;
  for (std::int64_t a = first; a < 0; ++a) axes.push_back(a);
  if (norm.options().rms_scaling) return {{rms_scaled(g, norm, x, axes, p)}, {in.mask(0)}};
  std::string scale;
  if (norm.gamma().defined()) {
    scale = g.initializer(p + "/gamma", norm.gamma().value());
  } else {
    const std::string shape = g.node1("Shape", {x}, p + "/normalized_shape", {int_attribute("start", first)});
    scale = g.node1("ConstantOfShape", {shape}, p + "/ones", {float_tensor_attribute("value", 1.0f)});
  }
  std::vector<std::string> inputs{x, scale};
  if (norm.beta().defined()) inputs.push_back(g.initializer(p + "/beta", norm.beta().value()));
  const std::string y = g.node1("LayerNormalization", inputs, p + "/LayerNormalization",
                                {int_attribute("axis", first), float_attribute("epsilon", norm.options().epsilon)});
  return {{y}, {in.mask(0)}};
}

}  // namespace kiln::onnx_export
