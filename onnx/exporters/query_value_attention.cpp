// Attention and AdditiveAttention (kiln's QueryValueAttentionLayer, Keras
// 3's layers) on [query, value(, key)]: the scores -- dot (times scale),
// concat (concat_score_weight * sum tanh(scale q + scale k)) or additive
// (sum scale * tanh(q + k)) -- lowered by exactly 1e9 where the value's
// mask or the causal mask (j <= i, Trilu of ones sized at run time) hides a
// step, a softmax over the value steps, one MatMul with the value, and the
// output zeroed at the query's padded steps. Returns the weights too when
// the layer does; the output carries the query's mask.

#include "layers/additive_attention.hpp"
#include "layers/attention.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

namespace {

// sum_k v[k] tanh(q[b, i, k] + k[b, j, k]) as (B, Tq, Tv); v empty: ones.
std::string additive_scores(GraphBuilder& g, const std::string& q, const std::string& k, const std::string& v,
                            const std::string& p) {
  const std::string sum = g.node1("Add", {unsqueeze(g, q, {2}, p + "/query_rows"), unsqueeze(g, k, {1}, p + "/key_columns")}, p + "/sum");
  std::string hidden = g.node1("Tanh", {sum}, p + "/Tanh");
  if (!v.empty()) hidden = g.node1("Mul", {hidden, v}, p + "/weighted");
  return g.node1("ReduceSum", {hidden, g.int64s(p + "/feature_axis", {3})}, p + "/scores", {int_attribute("keepdims", 0)});
}

std::string attention_scores(GraphBuilder& g, const AttentionLayer& layer, const std::string& q, const std::string& k,
                             const std::string& p) {
  const auto& o = layer.options();
  const std::string scale = o.use_scale ? g.initializer(p + "/scale", layer.scale().value()) : "";
  if (o.score_mode == "dot") {
    const std::string e = g.node1("MatMul", {q, transpose(g, k, {0, 2, 1}, p + "/key_t")}, p + "/scores");
    return o.use_scale ? g.node1("Mul", {e, scale}, p + "/scaled_scores") : e;
  }
  const std::string qs = o.use_scale ? g.node1("Mul", {q, scale}, p + "/scaled_query") : q;
  const std::string ks = o.use_scale ? g.node1("Mul", {k, scale}, p + "/scaled_key") : k;
  const std::string e = additive_scores(g, qs, ks, "", p);
  return g.node1("Mul", {e, g.initializer(p + "/concat_score_weight", layer.concat_score_weight().value())}, p + "/concat_scores");
}

// Where a (query, value) pair is hidden, as a bool (B or 1, Tq or 1, Tv).
std::optional<std::string> kept_pairs(GraphBuilder& g, const LayerInputs& in, bool causal, const std::string& q,
                                      const std::string& v, const std::string& p) {
  std::optional<std::string> keep;
  if (const MaskName& value_mask = in.mask(1)) keep = unsqueeze(g, kept_steps(g, *value_mask, p + "/value_mask"), {1}, p + "/value_kept");
  if (causal) {
    const std::string tq = g.node1("Shape", {q}, p + "/query_steps", {int_attribute("start", 1), int_attribute("end", 2)});
    const std::string tv = g.node1("Shape", {v}, p + "/value_steps", {int_attribute("start", 1), int_attribute("end", 2)});
    const std::string square = g.node1("Concat", {tq, tv}, p + "/pairs_shape", {int_attribute("axis", 0)});
    const std::string ones = g.node1("ConstantOfShape", {square}, p + "/ones", {float_tensor_attribute("value", 1.0f)});
    const std::string lower = g.node1("Trilu", {ones}, p + "/lower", {int_attribute("upper", 0)});
    const std::string allowed = g.node1("Cast", {lower}, p + "/causal", {int_attribute("to", ::onnx::TensorProto::BOOL)});
    keep = keep ? g.node1("And", {*keep, allowed}, p + "/kept") : allowed;
  }
  return keep;
}

}  // namespace

LayerOutputs export_query_value_attention(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const std::string p = layer.name();
  const std::string& q = in.values[0];
  const std::string& v = in.values[1];
  const std::string& k = in.values.size() == 3 ? in.values[2] : v;
  std::string e;
  bool causal = false, return_scores = false;
  if (layer.class_name() == "Attention") {
    const auto& attention = layer_as<AttentionLayer>(layer);
    causal = attention.options().use_causal_mask;
    return_scores = attention.options().return_attention_scores;
    e = attention_scores(g, attention, q, k, p);
  } else {
    const auto& additive = layer_as<AdditiveAttentionLayer>(layer);
    causal = additive.options().use_causal_mask;
    return_scores = additive.options().return_attention_scores;
    e = additive_scores(g, q, k, additive.options().use_scale ? g.initializer(p + "/scale", additive.scale().value()) : "", p);
  }
  if (const auto keep = kept_pairs(g, in, causal, q, v, p)) {
    const std::string offsets = g.node1("Where", {*keep, g.scalar(p + "/kept_offset", 0.0f), g.scalar(p + "/hidden_offset", -1e9f)}, p + "/offsets");
    e = g.node1("Add", {e, offsets}, p + "/masked_scores");
  }
  const std::string weights = g.node1("Softmax", {e}, p + "/weights", {int_attribute("axis", -1)});
  std::string output = g.node1("MatMul", {weights, v}, p + "/output");
  if (const MaskName& query_mask = in.mask(0)) {
    output = g.node1("Mul", {output, unsqueeze(g, *query_mask, {2}, p + "/query_mask")}, p + "/masked_output");
  }
  LayerOutputs out{{output}, {in.mask(0)}};
  if (return_scores) out.values.push_back(weights);
  return out;
}

}  // namespace kiln::onnx_export
