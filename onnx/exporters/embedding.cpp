// Embedding: ids arrive as float32 (kiln's inputs are float), are cast to
// int64 and gathered from the table. With mask_zero the mask is ids != 0.

#include "layers/embedding.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

LayerOutputs export_embedding(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& embedding = layer_as<EmbeddingLayer>(layer);
  const std::string p = layer.name();
  const std::string ids = g.node1("Cast", {in.values[0]}, p + "/ids", {int_attribute("to", ::onnx::TensorProto::INT64)});
  const std::string table = g.initializer(p + "/embeddings", embedding.embeddings().value());
  LayerOutputs out{{g.node1("Gather", {table, ids}, p + "/Gather", {int_attribute("axis", 0)})}, {}};
  if (embedding.options().mask_zero) {
    const std::string is_zero = g.node1("Equal", {in.values[0], g.scalar(p + "/zero", 0.0f)}, p + "/is_padding");
    const std::string keep = g.node1("Not", {is_zero}, p + "/keep");
    out.masks = {g.node1("Cast", {keep}, p + "/mask", {int_attribute("to", ::onnx::TensorProto::FLOAT)})};
  }
  return out;
}

}  // namespace kiln::onnx_export
