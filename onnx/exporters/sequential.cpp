// A Sequential model: its layers chained, each given the mask its
// predecessor's output carries (the first, the mask its caller gives the
// model's input), as SequentialModel::call.

#include "models/sequential.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

LayerOutputs export_sequential(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& model = layer_as<SequentialModel>(layer);
  LayerInputs current{{in.values.at(0)}, {in.shapes.at(0)}, {in.mask(0)}};
  for (const auto& inner : model.sublayers()) {
    LayerOutputs out = export_layer(*inner, current, g);
    if (out.values.size() != 1) throw Error(inner->describe() + " gives " + std::to_string(out.values.size()) + " outputs");
    PartialShape shape = inner->compute_output_shape(current.shapes).front();
    current = {{out.values[0]}, {shape}, {out.mask(0)}};
  }
  return {{current.values[0]}, {current.mask(0)}};
}

}  // namespace kiln::onnx_export
