// Bidirectional: the forward and backward layers' own exports, the
// backward sequence reversed back into input order, then the merge.

#include "layers/bidirectional.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

namespace {

LayerInputs direction_inputs(const LayerInputs& in, std::size_t states, bool backward) {
  // Each direction gets the sequence's mask; the states have none.
  LayerInputs out{{in.values[0]}, {in.shapes[0]}, {in.mask(0)}};
  if (in.values.size() == 1) return out;
  const std::size_t first = 1 + (backward ? states : 0);
  for (std::size_t k = first; k < first + states; ++k) {
    out.values.push_back(in.values[k]);
    out.shapes.push_back(in.shapes[k]);
  }
  return out;
}

std::string merge(GraphBuilder& g, const std::string& mode, const std::string& fwd, const std::string& bwd,
                  const std::string& p) {
  if (mode == "concat") return g.node1("Concat", {fwd, bwd}, p + "/Concat", {int_attribute("axis", -1)});
  if (mode == "sum") return g.node1("Add", {fwd, bwd}, p + "/Add");
  if (mode == "mul") return g.node1("Mul", {fwd, bwd}, p + "/Mul");
  if (mode == "ave") return g.node1("Mul", {g.node1("Add", {fwd, bwd}, p + "/Add"), g.scalar(p + "/half", 0.5f)}, p + "/Ave");
  throw Error("merge_mode '" + mode + "' has no ONNX export");
}

}  // namespace

LayerOutputs export_bidirectional(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& bi = layer_as<BidirectionalLayer>(layer);
  const std::size_t S = bi.forward_layer().state_count();
  const LayerOutputs fwd = export_layer(bi.forward_layer(), direction_inputs(in, S, false), g);
  const LayerOutputs bwd = export_layer(bi.backward_layer(), direction_inputs(in, S, true), g);
  const bool sequences = bi.forward_layer().settings().return_sequences;
  const std::string back = sequences ? reverse_axis(g, bwd.values[0], 1, layer.name() + "/backward") : bwd.values[0];
  LayerOutputs out{{merge(g, bi.options().merge_mode, fwd.values[0], back, layer.name())}, {}};
  out.values.insert(out.values.end(), fwd.values.begin() + 1, fwd.values.end());
  out.values.insert(out.values.end(), bwd.values.begin() + 1, bwd.values.end());
  if (sequences) out.masks = {in.mask(0)};
  return out;
}

}  // namespace kiln::onnx_export
