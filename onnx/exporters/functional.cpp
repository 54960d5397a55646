// A functional model (top level or nested as a layer): every recorded layer
// call in execution order, each input's mask being the mask of the call
// that produced it, as FunctionalModel::call propagates them.

#include <map>

#include "models/functional.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

LayerOutputs export_functional(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& model = layer_as<FunctionalModel>(layer);
  std::map<const SymbolicNode*, LayerOutputs> values;
  for (std::size_t i = 0; i < model.inputs().size(); ++i) {
    LayerOutputs& v = values[model.inputs()[i].node().get()];
    v.values = {in.values.at(i)};
    if (i == 0) v.mask = in.mask;
  }
  for (const auto& node : model.nodes()) {
    LayerInputs args;
    for (const auto& t : node->inputs) {
      args.values.push_back(values.at(t.node().get()).values.at(t.output_index()));
      args.shapes.push_back(t.shape());
    }
    args.mask = values.at(node->inputs.front().node().get()).mask;
    values[node.get()] = export_layer(*node->layer, args, g);
  }
  LayerOutputs out;
  for (const auto& o : model.outputs()) out.values.push_back(values.at(o.node().get()).values.at(o.output_index()));
  return out;
}

}  // namespace kiln::onnx_export
