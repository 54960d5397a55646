// The windowed pooling layers as ONNX's MaxPool and AveragePool between
// transposes to channels first and back. "same" is SAME_UPPER; an average
// leaves the padding out of its count (count_include_pad 0), as Keras. No
// mask (kiln's pooling drops it).

#include "layers/pooling.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

namespace {

LayerOutputs export_pooling(const Layer& layer, const PoolingOptions& o, bool max, const LayerInputs& in, GraphBuilder& g) {
  const std::string p = layer.name();
  const std::size_t rank = o.pool_size.size();
  const std::vector<std::int64_t> to_first = rank == 1 ? std::vector<std::int64_t>{0, 2, 1} : std::vector<std::int64_t>{0, 3, 1, 2};
  const std::vector<std::int64_t> to_last = rank == 1 ? std::vector<std::int64_t>{0, 2, 1} : std::vector<std::int64_t>{0, 2, 3, 1};
  std::vector<Attribute> attributes{sizes_attribute("kernel_shape", o.pool_size),
                                    sizes_attribute("strides", *o.strides),
                                    string_attribute("auto_pad", o.padding == "same" ? "SAME_UPPER" : "VALID")};
  if (!max) attributes.push_back(int_attribute("count_include_pad", 0));
  const std::string op = max ? "MaxPool" : "AveragePool";
  const std::string y = g.node1(op, {transpose(g, in.values[0], to_first, p + "/channels_first")}, p + "/" + op, attributes);
  return {{transpose(g, y, to_last, p + "/channels_last")}, {}};
}

}  // namespace

LayerOutputs export_max_pooling1d(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  return export_pooling(layer, layer_as<MaxPooling1DLayer>(layer).options(), true, in, g);
}
LayerOutputs export_average_pooling1d(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  return export_pooling(layer, layer_as<AveragePooling1DLayer>(layer).options(), false, in, g);
}
LayerOutputs export_max_pooling2d(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  return export_pooling(layer, layer_as<MaxPooling2DLayer>(layer).options(), true, in, g);
}
LayerOutputs export_average_pooling2d(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  return export_pooling(layer, layer_as<AveragePooling2DLayer>(layer).options(), false, in, g);
}

}  // namespace kiln::onnx_export
