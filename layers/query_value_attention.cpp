#include "layers/query_value_attention.hpp"

#include "graph/error.hpp"
#include "layers/attention_masks.hpp"
#include "layers/initializers.hpp"
#include "ops/arithmetic.hpp"
#include "ops/dropout.hpp"
#include "ops/matmul.hpp"
#include "ops/softmax.hpp"

namespace kiln {

namespace {

constexpr const char* query_value_inputs =
    "[query (batch, Tq, dim), value (batch, Tv, dim)] or [query, value, key (batch, Tv, dim)]";

// Keras' `scores -= 1e9 * (1 - mask)`: an offset per (b, i, j).
Tensor score_offsets(const Array& keep) {
  Array offsets = Array::from_shape(keep.shape());
  for (std::size_t i = 0; i < keep.size(); ++i) offsets.data()[i] = keep.data()[i] != 0.0f ? 0.0f : -1e9f;
  return Tensor(std::move(offsets));
}

// (B, Tq) -> (B, Tq, 1), to zero the output's padded query steps.
Array as_column(const Array& mask) {
  Array column = mask;
  column.reshape({mask.shape()[0], mask.shape()[1], 1});
  return column;
}

}  // namespace

AttentionCallFlags read_attention_call_flags(const nlohmann::json& config, const std::string& class_name) {
  AttentionCallFlags flags;
  const auto read = [&](const char* key, bool& into) {
    if (const auto found = config.find(key); found != config.end()) {
      if (!found->is_boolean()) throw FormatError(class_name + ": '" + key + "' must be true or false, got " + found->dump());
      into = found->get<bool>();
    }
  };
  read("use_causal_mask", flags.use_causal_mask);
  read("return_attention_scores", flags.return_attention_scores);
  return flags;
}

void write_attention_call_flags(const AttentionCallFlags& flags, nlohmann::json& config) {
  if (flags.use_causal_mask) config["use_causal_mask"] = true;
  if (flags.return_attention_scores) config["return_attention_scores"] = true;
}

QueryValueAttentionLayer::QueryValueAttentionLayer(std::string class_name, std::string name)
    : Layer(std::move(class_name), std::move(name)), rng_(global_generator()()) {
  track_generator(rng_);
  set_supports_masking(true);
}

void QueryValueAttentionLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  if (shapes.size() != 2 && shapes.size() != 3) {
    fail("expected 2 or 3 inputs " + std::string(query_value_inputs) + ", got " + std::to_string(shapes.size()));
  }
  const char* names[] = {"query", "value", "key"};
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    if (shapes[i].size() != 3) fail("expected " + std::string(names[i]) + " (batch, time, dim), got " + to_string(shapes[i]));
  }
  for (std::size_t i = 1; i < shapes.size(); ++i) {
    if (shapes[0][0] != unknown_dim && shapes[i][0] != unknown_dim && shapes[0][0] != shapes[i][0]) {
      fail("query " + to_string(shapes[0]) + " and " + names[i] + " " + to_string(shapes[i]) +
           " have different batch sizes");
    }
  }
  if (shapes.size() == 3 && shapes[1][1] != unknown_dim && shapes[2][1] != unknown_dim && shapes[1][1] != shapes[2][1]) {
    fail("value " + to_string(shapes[1]) + " and key " + to_string(shapes[2]) + " have different lengths");
  }
}

void QueryValueAttentionLayer::check_same_width(const std::vector<PartialShape>& shapes) const {
  const PartialShape& key = shapes.size() == 3 ? shapes[2] : shapes[1];
  if (shapes[0][2] != unknown_dim && key[2] != unknown_dim && shapes[0][2] != key[2]) {
    fail(std::string("the scores need query and ") + (shapes.size() == 3 ? "key" : "value") + " of one width, got " +
         to_string(shapes[0]) + " and " + to_string(key));
  }
}

std::vector<PartialShape> QueryValueAttentionLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  const PartialShape& q = shapes.at(0);
  const PartialShape& v = shapes.at(1);
  std::vector<PartialShape> out{PartialShape{q[0], q[1], v[2]}};
  if (call_flags().return_attention_scores) out.push_back(PartialShape{q[0], q[1], v[1]});
  return out;
}

std::vector<Mask> QueryValueAttentionLayer::compute_mask(const std::vector<Tensor>&, const std::vector<Mask>& masks) const {
  if (masks.empty() || !masks[0]) return {};
  return {masks[0]};
}

std::vector<Tensor> QueryValueAttentionLayer::call(const std::vector<Tensor>& inputs, const CallContext& context) {
  const Tensor& query = inputs[0];
  const Tensor& value = inputs[1];
  const Tensor& key = inputs.size() == 3 ? inputs[2] : value;
  const Array* query_mask = context.mask(0);
  const Array* value_mask = context.mask(1);
  if (query_mask) check_sequence_mask(describe(), "query", *query_mask, query.shape());
  if (value_mask) check_sequence_mask(describe(), "value", *value_mask, value.shape());
  const AttentionCallFlags flags = call_flags();

  Tensor e = scores(query, key);
  const std::size_t batch = query.shape(0), tq = query.shape(1), tv = value.shape(1);
  if (value_mask || flags.use_causal_mask) {
    Array keep = combine_attention_masks(batch, tq, tv, nullptr, value_mask);
    if (flags.use_causal_mask) keep = apply_causal(&keep, tq, tv);
    e = e + score_offsets(keep);
  }
  const Tensor weights = softmax(e, -1);
  Tensor output = matmul(dropout(weights, dropout_rate(), context.training, rng_), value);
  if (query_mask) output = mask_multiply(output, as_column(*query_mask));
  if (flags.return_attention_scores) return {output, weights};
  return {output};
}

}  // namespace kiln
