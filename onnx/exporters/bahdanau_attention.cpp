// BahdanauAttention: e[b, i, j] = V_a . tanh(enc[b, j] W_a + dec[b, i] U_a)
// as MatMuls and a broadcast Add over (B, Td, Te, E), then the shared
// softmax and context (onnx/exporters/attention.hpp).

#include "layers/bahdanau_attention.hpp"
#include "onnx/exporters/attention.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

LayerOutputs export_bahdanau_attention(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& attention = layer_as<BahdanauAttentionLayer>(layer);
  const std::string p = layer.name();
  const std::string keys = g.node1("MatMul", {in.values[0], g.initializer(p + "/W_a", attention.W_a().value())}, p + "/keys");
  const std::string queries = g.node1("MatMul", {in.values[1], g.initializer(p + "/U_a", attention.U_a().value())}, p + "/queries");
  // (B, Td, 1, E) + (B, 1, Te, E) -> (B, Td, Te, E)
  const std::string sum = g.node1("Add", {unsqueeze(g, queries, {2}, p + "/queries"), unsqueeze(g, keys, {1}, p + "/keys")}, p + "/sum");
  const std::string hidden = g.node1("Tanh", {sum}, p + "/Tanh");
  const std::string scores = g.node1("MatMul", {hidden, g.initializer(p + "/V_a", attention.V_a().value())}, p + "/scores");
  return finish_attention(g, squeeze(g, scores, {3}, p + "/scores"), in, p);
}

}  // namespace kiln::onnx_export
