// MultiHeadAttention as an ONNX subgraph: each projection a MatMul by its
// kernel flattened to (dim, heads * width) plus the bias, split into heads
// ((B, heads, steps, width)); scores = q k^T / sqrt(key_dim) per head,
// lowered by exactly 1e9 where the combined mask hides a pair (the query's,
// value's and key's masks, the attention_mask input and the causal mask,
// as kiln's combine_attention_masks and use_causal_mask; the same for
// every head); a softmax over the keys (the scores output, when the layer
// returns them), the weighted values, heads joined, and the output
// projection. The output carries the query's mask.

#include <cmath>

#include "layers/multi_head_attention.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

namespace {

constexpr auto bool_type = ::onnx::TensorProto::BOOL;

Tensor weight(const Layer& layer, const std::string& name) {
  for (const auto& [path, t] : layer.named_weights()) {
    if (path == layer.name() + "/" + name) return t;
  }
  return {};
}

// x (B, T, dim) -> (B, heads, T, width), through kernel (dim, heads, width) and bias (heads, width).
std::string heads_of(GraphBuilder& g, const Layer& layer, const std::string& x, const std::string& part,
                     std::size_t heads, const std::string& p) {
  const Tensor kernel = weight(layer, part + "/kernel");
  const Tensor bias = weight(layer, part + "/bias");
  const std::size_t dim = kernel.shape(0), width = kernel.shape(2);
  Array flat = kernel.value();
  flat.reshape({dim, heads * width});
  const std::string q = p + "/" + part;
  std::string y = g.node1("MatMul", {x, g.initializer(q + "/kernel", flat)}, q + "/MatMul");
  if (bias.defined()) {
    Array b = bias.value();
    b.reshape({heads * width});
    y = g.node1("Add", {y, g.initializer(q + "/bias", b)}, q + "/Add");
  }
  const std::string split = g.node1("Reshape", {y, g.int64s(q + "/heads_shape", {0, 0, std::int64_t(heads), std::int64_t(width)})}, q + "/heads");
  return transpose(g, split, {0, 2, 1, 3}, q + "/head_major");
}

// The pairs (query i, key j) a query may attend to, bool (B or 1, T or 1, S), or none.
std::optional<std::string> kept_pairs(GraphBuilder& g, const LayerInputs& in, bool separate_key, bool causal,
                                      const std::string& query, const std::string& value, const std::string& p) {
  std::optional<std::string> keep;
  const auto both = [&](const std::string& next) { keep = keep ? g.node1("And", {*keep, next}, p + "/kept") : next; };
  if (const MaskName& m = in.mask(0)) both(unsqueeze(g, kept_steps(g, *m, p + "/query_mask"), {2}, p + "/query_rows"));
  if (const MaskName& m = in.mask(1)) both(unsqueeze(g, kept_steps(g, *m, p + "/value_mask"), {1}, p + "/value_columns"));
  if (separate_key) {
    if (const MaskName& m = in.mask(2)) both(unsqueeze(g, kept_steps(g, *m, p + "/key_mask"), {1}, p + "/key_columns"));
  }
  if (in.values.size() == 4) both(g.node1("Cast", {in.values[3]}, p + "/attention_mask", {int_attribute("to", bool_type)}));
  if (causal) {
    const std::string t = g.node1("Shape", {query}, p + "/query_steps", {int_attribute("start", 1), int_attribute("end", 2)});
    const std::string s = g.node1("Shape", {value}, p + "/key_steps", {int_attribute("start", 1), int_attribute("end", 2)});
    const std::string square = g.node1("Concat", {t, s}, p + "/pairs_shape", {int_attribute("axis", 0)});
    const std::string ones = g.node1("ConstantOfShape", {square}, p + "/ones", {float_tensor_attribute("value", 1.0f)});
    both(g.node1("Cast", {g.node1("Trilu", {ones}, p + "/lower", {int_attribute("upper", 0)})}, p + "/causal",
                 {int_attribute("to", bool_type)}));
  }
  return keep;
}

}  // namespace

LayerOutputs export_multi_head_attention(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& o = layer_as<MultiHeadAttentionLayer>(layer).options();
  const std::string p = layer.name();
  const std::size_t heads = o.num_heads;
  const std::string& query = in.values[0];
  const std::string& value = in.values[1];
  const bool separate_key = in.values.size() >= 3 && in.values[2] != value;
  const std::string& key = in.values.size() >= 3 ? in.values[2] : value;
  const std::string q = heads_of(g, layer, query, "query", heads, p);
  const std::string k = heads_of(g, layer, key, "key", heads, p);
  const std::string v = heads_of(g, layer, value, "value", heads, p);
  const float scale = float(1.0 / std::sqrt(double(o.key_dim)));
  std::string scores = g.node1("MatMul", {q, transpose(g, k, {0, 1, 3, 2}, p + "/key_t")}, p + "/dot");
  scores = g.node1("Mul", {scores, g.scalar(p + "/scale", scale)}, p + "/scores");
  if (const auto keep = kept_pairs(g, in, separate_key, o.use_causal_mask, query, value, p)) {
    const std::string offsets = g.node1("Where", {*keep, g.scalar(p + "/kept_offset", 0.0f), g.scalar(p + "/hidden_offset", -1e9f)}, p + "/offsets");
    scores = g.node1("Add", {scores, unsqueeze(g, offsets, {1}, p + "/per_head")}, p + "/masked_scores");
  }
  const std::string weights = g.node1("Softmax", {scores}, p + "/weights", {int_attribute("axis", -1)});
  const std::string attended = transpose(g, g.node1("MatMul", {weights, v}, p + "/attended"), {0, 2, 1, 3}, p + "/step_major");
  const Tensor out_kernel = weight(layer, "attention_output/kernel");
  const std::size_t joined_width = out_kernel.shape(0) * out_kernel.shape(1);
  const std::size_t out_width = out_kernel.value().size() / joined_width;
  const std::string joined = g.node1("Reshape", {attended, g.int64s(p + "/joined_shape", {0, 0, std::int64_t(joined_width)})}, p + "/joined");
  Array flat = out_kernel.value();
  flat.reshape({joined_width, out_width});
  std::string y = g.node1("MatMul", {joined, g.initializer(p + "/attention_output/kernel", flat)}, p + "/output");
  if (const Tensor bias = weight(layer, "attention_output/bias"); bias.defined()) {
    Array b = bias.value();
    b.reshape({out_width});
    y = g.node1("Add", {y, g.initializer(p + "/attention_output/bias", b)}, p + "/output_biased");
  }
  if (out_kernel.shape().size() > 3) {  // output_shape of several axes
    std::vector<std::int64_t> shape{0, 0};
    for (std::size_t i = 2; i < out_kernel.shape().size(); ++i) shape.push_back(std::int64_t(out_kernel.shape(i)));
    y = g.node1("Reshape", {y, g.int64s(p + "/output_shape", shape)}, p + "/output_reshaped");
  }
  LayerOutputs out{{y}, {in.mask(0)}};
  if (o.return_attention_scores) out.values.push_back(weights);
  return out;
}

}  // namespace kiln::onnx_export
