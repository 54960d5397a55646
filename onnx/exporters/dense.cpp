// Dense: MatMul (any rank: the kernel applies to the last axis), Add, activation.

#include "layers/dense.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

LayerOutputs export_dense(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& dense = layer_as<DenseLayer>(layer);
  const std::string p = layer.name();
  std::string y = g.node1("MatMul", {in.values[0], g.initializer(p + "/kernel", dense.kernel().value())}, p + "/MatMul");
  if (dense.options().use_bias) y = g.node1("Add", {y, g.initializer(p + "/bias", dense.bias().value())}, p + "/Add");
  return {{apply_activation(g, dense.options().activation, y, p)}, {in.mask(0)}};
}

}  // namespace kiln::onnx_export
