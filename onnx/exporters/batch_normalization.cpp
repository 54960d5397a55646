// BatchNormalization, as inference: ONNX's BatchNormalization with the
// moving statistics, its channels on axis 1 (the layer's axis moved there
// and back when it is elsewhere); ones and zeros, made at run time, stand
// for a missing gamma or beta. The mask passes through.

#include "layers/batch_normalization.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

LayerOutputs export_batch_normalization(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& norm = layer_as<BatchNormalizationLayer>(layer);
  const std::string p = layer.name();
  const std::int64_t rank = std::int64_t(in.shapes[0].size());
  const std::int64_t axis = norm.options().axis < 0 ? norm.options().axis + rank : norm.options().axis;
  const std::string mean = g.initializer(p + "/moving_mean", norm.moving_mean().value());
  const std::string variance = g.initializer(p + "/moving_variance", norm.moving_variance().value());
  const auto filled = [&](const Tensor& weight, const std::string& name, float value) {
    if (weight.defined()) return g.initializer(p + "/" + name, weight.value());
    return g.node1("ConstantOfShape", {g.node1("Shape", {mean}, p + "/channels")}, p + "/" + name,
                   {float_tensor_attribute("value", value)});
  };
  const std::string scale = filled(norm.gamma(), "gamma", 1.0f);
  const std::string bias = filled(norm.beta(), "beta", 0.0f);
  std::vector<std::int64_t> to_axis1{0, axis}, back(std::size_t(rank), 0);
  for (std::int64_t i = 1; i < rank; ++i) {
    if (i != axis) to_axis1.push_back(i);
  }
  for (std::int64_t i = 0; i < rank; ++i) back[std::size_t(to_axis1[std::size_t(i)])] = i;
  const bool moved = axis != 1;
  const std::string x = moved ? transpose(g, in.values[0], to_axis1, p + "/channels_first") : in.values[0];
  std::string y = g.node1("BatchNormalization", {x, scale, bias, mean, variance}, p + "/BatchNormalization",
                          {float_attribute("epsilon", norm.options().epsilon), float_attribute("momentum", norm.options().momentum)});
  if (moved) y = transpose(g, y, back, p + "/channels_back");
  return {{y}, {in.mask(0)}};
}

}  // namespace kiln::onnx_export
