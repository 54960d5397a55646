// A functional model (top level or nested as a layer): every recorded layer
// call in execution order. As FunctionalModel::call, each (node, output
// index) holds its value and that value's own mask, so every layer is
// given the masks of exactly the values it is called on; the model's
// inputs carry the masks its caller gives (LayerInputs::masks).

#include <map>

#include "models/functional.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

LayerOutputs export_functional(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& model = layer_as<FunctionalModel>(layer);
  std::map<const SymbolicNode*, LayerOutputs> values;
  for (std::size_t i = 0; i < model.inputs().size(); ++i) {
    values[model.inputs()[i].node().get()] = {{in.values.at(i)}, {in.mask(i)}};
  }
  for (const auto& node : model.nodes()) {
    LayerInputs args;
    for (const auto& t : node->inputs) {
      const LayerOutputs& source = values.at(t.node().get());
      args.values.push_back(source.values.at(t.output_index()));
      args.shapes.push_back(t.shape());
      args.masks.push_back(source.mask(t.output_index()));
    }
    values[node.get()] = export_layer(*node->layer, args, g);
  }
  LayerOutputs out;
  for (const auto& o : model.outputs()) {
    const LayerOutputs& source = values.at(o.node().get());
    out.values.push_back(source.values.at(o.output_index()));
    out.masks.push_back(source.mask(o.output_index()));
  }
  return out;
}

}  // namespace kiln::onnx_export
