// The global pooling layers: ReduceMax or ReduceMean over the spatial axes,
// keepdims as the layer's. GlobalAveragePooling1D under a mask averages the
// kept steps only, sum(x * kept) / sum(kept) over time, as kiln (a row with
// no step kept divides 0 by 0 there too). No mask passes on.

#include "layers/global_pooling.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

namespace {

std::string masked_average(GraphBuilder& g, const std::string& x, const std::string& mask, bool keepdims, const std::string& p) {
  const std::string kept = g.node1("Cast", {kept_steps(g, mask, p + "/mask")}, p + "/kept_float",
                                   {int_attribute("to", ::onnx::TensorProto::FLOAT)});
  const std::string weights = unsqueeze(g, kept, {2}, p + "/weights");
  const std::string time = g.int64s(p + "/time_axis", {1});
  const std::vector<Attribute> keep{int_attribute("keepdims", keepdims ? 1 : 0)};
  const std::string total = g.node1("ReduceSum", {g.node1("Mul", {x, weights}, p + "/weighted"), time}, p + "/sum", keep);
  const std::string count = g.node1("ReduceSum", {weights, time}, p + "/count", keep);
  return g.node1("Div", {total, count}, p + "/average");
}

LayerOutputs export_global(const Layer& layer, const GlobalPoolingOptions& o, std::size_t rank, bool max,
                           const LayerInputs& in, GraphBuilder& g) {
  const std::string p = layer.name();
  const MaskName& mask = in.mask(0);
  if (rank == 1 && !max && mask) return {{masked_average(g, in.values[0], *mask, o.keepdims, p)}, {}};
  const std::vector<std::int64_t> axes = rank == 1 ? std::vector<std::int64_t>{1} : std::vector<std::int64_t>{1, 2};
  const std::string op = max ? "ReduceMax" : "ReduceMean";
  return {{g.node1(op, {in.values[0]}, p + "/" + op, {ints_attribute("axes", axes), int_attribute("keepdims", o.keepdims ? 1 : 0)})}, {}};
}

}  // namespace

LayerOutputs export_global_max_pooling1d(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  return export_global(layer, layer_as<GlobalMaxPooling1DLayer>(layer).options(), 1, true, in, g);
}
LayerOutputs export_global_average_pooling1d(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  return export_global(layer, layer_as<GlobalAveragePooling1DLayer>(layer).options(), 1, false, in, g);
}
LayerOutputs export_global_max_pooling2d(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  return export_global(layer, layer_as<GlobalMaxPooling2DLayer>(layer).options(), 2, true, in, g);
}
LayerOutputs export_global_average_pooling2d(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  return export_global(layer, layer_as<GlobalAveragePooling2DLayer>(layer).options(), 2, false, in, g);
}

}  // namespace kiln::onnx_export
