// PositionEmbedding: the table's first T rows (a Slice up to the input's
// time length, read at run time), expanded over the batch to the input's
// shape, as kiln adds them to zeros. No mask (the layer drops it).
// TokenAndPositionEmbedding: its token Embedding's export (ids cast and
// gathered, the mask with mask_zero) plus the same rows.

#include "layers/position_embedding.hpp"
#include "layers/token_and_position_embedding.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

namespace {

// The first T rows of `table` (an initializer), T being x's axis 1.
std::string position_rows(GraphBuilder& g, const std::string& table, const std::string& x, const std::string& p) {
  const std::string length = g.node1("Shape", {x}, p + "/length", {int_attribute("start", 1), int_attribute("end", 2)});
  return g.node1("Slice", {table, g.int64s(p + "/first_row", {0}), length, g.int64s(p + "/row_axis", {0})}, p + "/positions");
}

}  // namespace

LayerOutputs export_position_embedding(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& embedding = layer_as<PositionEmbeddingLayer>(layer);
  const std::string p = layer.name();
  const std::string rows = position_rows(g, g.initializer(p + "/embeddings", embedding.embeddings().value()), in.values[0], p);
  return {{g.node1("Expand", {rows, g.node1("Shape", {in.values[0]}, p + "/shape")}, p + "/Expand")}, {}};
}

LayerOutputs export_token_and_position_embedding(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& both = layer_as<TokenAndPositionEmbeddingLayer>(layer);
  const std::string p = layer.name();
  const LayerOutputs tokens = export_layer(*both.token_embedding(), {{in.values[0]}, {in.shapes[0]}, {}}, g);
  const std::string table = g.initializer(p + "/position_embedding/embeddings", both.position_embedding()->embeddings().value());
  const std::string y = g.node1("Add", {tokens.values[0], position_rows(g, table, in.values[0], p)}, p + "/Add");
  return {{y}, {tokens.mask(0)}};
}

}  // namespace kiln::onnx_export
