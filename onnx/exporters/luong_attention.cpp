// LuongAttention: e = dec enc^T ("dot") or (dec W) enc^T ("general"), then
// the shared softmax and context (onnx/exporters/attention.hpp).

#include "layers/luong_attention.hpp"
#include "onnx/exporters/attention.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

LayerOutputs export_luong_attention(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& attention = layer_as<LuongAttentionLayer>(layer);
  const std::string p = layer.name();
  std::string queries = in.values[1];
  if (attention.options().score == "general") {
    queries = g.node1("MatMul", {queries, g.initializer(p + "/W", attention.W().value())}, p + "/queries");
  }
  const std::string keys = transpose(g, in.values[0], {0, 2, 1}, p + "/keys");
  return finish_attention(g, g.node1("MatMul", {queries, keys}, p + "/scores"), in, p);
}

}  // namespace kiln::onnx_export
