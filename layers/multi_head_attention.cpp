#include "layers/multi_head_attention.hpp"

#include <cmath>
#include <cstring>

#include "graph/grad_mode.hpp"
#include "layers/attention_masks.hpp"
#include "layers/initializers.hpp"
#include "ops/arithmetic.hpp"
#include "ops/concat.hpp"
#include "ops/dot_product_attention.hpp"
#include "ops/linear.hpp"
#include "ops/matmul.hpp"
#include "ops/reshape.hpp"

namespace kiln {

namespace {

constexpr const char* multi_head_inputs =
    "[query (batch, T, dim), value (batch, S, dim)], [query, value, key (batch, S, dim)] or "
    "[query, value, key, attention_mask (batch, T, S)]";

// `old` (B, n, H * w) with `fresh` (B, m, H * w) appended along axis 1.
Array append_steps(const Array& old, const Array& fresh) {
  if (old.dimension() != 3) return fresh;
  const std::size_t batch = old.shape()[0], n = old.shape()[1], m = fresh.shape()[1], row = old.shape()[2];
  Array out = Array::from_shape({batch, n + m, row});
  for (std::size_t b = 0; b < batch; ++b) {
    std::memcpy(out.data() + b * (n + m) * row, old.data() + b * n * row, n * row * sizeof(float));
    std::memcpy(out.data() + (b * (n + m) + n) * row, fresh.data() + b * m * row, m * row * sizeof(float));
  }
  return out;
}

// Rows `rows` of a (B, ...) array, in that order.
Array take_batch_rows(const Array& a, const std::vector<std::size_t>& rows) {
  Shape shape(a.shape().begin(), a.shape().end());
  const std::size_t row = a.size() / shape[0];
  shape[0] = rows.size();
  Array out = Array::from_shape(shape);
  for (std::size_t i = 0; i < rows.size(); ++i) std::memcpy(out.data() + i * row, a.data() + rows[i] * row, row * sizeof(float));
  return out;
}

}  // namespace

void AttentionCache::select_rows(const std::vector<std::size_t>& rows) {
  if (!key.defined()) return;
  key = Tensor(take_batch_rows(key.value(), rows));
  value = Tensor(take_batch_rows(value.value(), rows));
}

MultiHeadAttentionLayer::MultiHeadAttentionLayer(Options options)
    : KerasLayer(std::move(options)), rng_(options_.seed ? *options_.seed : global_generator()()) {
  track_generator(rng_);
  if (options_.num_heads == 0) throw Error(describe() + ": num_heads must be positive");
  if (options_.key_dim == 0) throw Error(describe() + ": key_dim must be positive");
  if (!options_.value_dim || *options_.value_dim == 0) options_.value_dim = options_.key_dim;  // as Keras
  if (!(options_.dropout >= 0.0f && options_.dropout < 1.0f)) throw Error(describe() + ": dropout must be in [0, 1)");
  if (options_.output_shape) {
    if (options_.output_shape->empty()) options_.output_shape.reset();
    for (const std::size_t d : options_.output_shape.value_or(std::vector<std::size_t>{})) {
      if (d == 0) throw Error(describe() + ": output_shape entries must be positive");
    }
  }
  if (options_.attention_axes) {
    // Keras counts these on the projected (B, T, H, d) tensor; T is axis 1, also written -3.
    for (const int axis : *options_.attention_axes) {
      if (axis != 1 && axis != -3) {
        throw Error(describe() + ": kiln attends over the sequence axis only (attention_axes [1] or none), got " +
                    nlohmann::json(*options_.attention_axes).dump());
      }
    }
  }
  set_supports_masking(true);
}

MultiHeadAttentionLayer::Options MultiHeadAttentionLayer::options_from_config(const nlohmann::json& config) {
  Options options = config::read_options<Options>(config, keras_name, attention_call_keys);
  const AttentionCallFlags flags = read_attention_call_flags(config, keras_name);
  options.use_causal_mask = flags.use_causal_mask;
  options.return_attention_scores = flags.return_attention_scores;
  return options;
}

nlohmann::json MultiHeadAttentionLayer::get_config() const {
  nlohmann::json config = KerasLayer::get_config();
  write_attention_call_flags({options_.use_causal_mask, options_.return_attention_scores}, config);
  return config;
}

void MultiHeadAttentionLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  if (shapes.size() < 2 || shapes.size() > 4) {
    fail("expected 2 to 4 inputs " + std::string(multi_head_inputs) + ", got " + std::to_string(shapes.size()));
  }
  const char* names[] = {"query", "value", "key", "attention_mask"};
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    if (shapes[i].size() != 3) {
      fail("expected " + std::string(names[i]) + (i == 3 ? " (batch, T, S)" : " (batch, time, dim)") + ", got " +
           to_string(shapes[i]));
    }
    if (i > 0 && shapes[0][0] != unknown_dim && shapes[i][0] != unknown_dim && shapes[0][0] != shapes[i][0]) {
      fail("query " + to_string(shapes[0]) + " and " + names[i] + " " + to_string(shapes[i]) +
           " have different batch sizes");
    }
  }
  const auto differ = [](std::int64_t a, std::int64_t b) { return a != unknown_dim && b != unknown_dim && a != b; };
  if (shapes.size() >= 3 && differ(shapes[1][1], shapes[2][1])) {
    fail("value " + to_string(shapes[1]) + " and key " + to_string(shapes[2]) + " have different lengths");
  }
  if (shapes.size() == 4 && (differ(shapes[3][1], shapes[0][1]) || differ(shapes[3][2], shapes[1][1]))) {
    fail("attention_mask " + to_string(shapes[3]) + " must be (batch, T, S) for query " + to_string(shapes[0]) +
         " and value " + to_string(shapes[1]));
  }
  for (std::size_t i = 0; i < std::min<std::size_t>(shapes.size(), 3); ++i) {
    if (shapes[i][2] == unknown_dim) fail("the last axis of " + std::string(names[i]) + " must be known, got " + to_string(shapes[i]));
  }
}

void MultiHeadAttentionLayer::check_compatible(const std::vector<PartialShape>& shapes) const {
  const auto& built = built_input_shapes();
  // Input i's width; the key defaults to the value (input 1).
  const auto width = [](const std::vector<PartialShape>& s, std::size_t i) { return s[i < s.size() ? i : 1][2]; };
  for (std::size_t i = 0; i < 3; ++i) {
    if (width(shapes, i) != width(built, i)) {
      fail("was built for query, value and key widths " + std::to_string(width(built, 0)) + ", " +
           std::to_string(width(built, 1)) + ", " + std::to_string(width(built, 2)) + " and cannot be called on " +
           to_string(shapes[0]) + ", " + to_string(shapes[1]) + (shapes.size() >= 3 ? ", " + to_string(shapes[2]) : ""));
    }
  }
}

void MultiHeadAttentionLayer::build(const std::vector<PartialShape>& shapes) {
  const std::size_t heads = options_.num_heads, kd = options_.key_dim, vd = value_dim();
  const std::size_t dim_q = std::size_t(shapes[0][2]), dim_v = std::size_t(shapes[1][2]);
  const std::size_t dim_k = shapes.size() >= 3 ? std::size_t(shapes[2][2]) : dim_v;
  output_dims_ = options_.output_shape.value_or(std::vector<std::size_t>{dim_q});
  const auto kernel = [&](const char* name, Shape shape) { return add_weight(name, shape, options_.kernel_initializer.make()); };
  const auto bias = [&](const char* name, Shape shape) {
    return options_.use_bias ? add_weight(name, shape, options_.bias_initializer.make()) : Tensor();
  };
  query_kernel_ = kernel("query/kernel", {dim_q, heads, kd});
  query_bias_ = bias("query/bias", {heads, kd});
  key_kernel_ = kernel("key/kernel", {dim_k, heads, kd});
  key_bias_ = bias("key/bias", {heads, kd});
  value_kernel_ = kernel("value/kernel", {dim_v, heads, vd});
  value_bias_ = bias("value/bias", {heads, vd});
  Shape out_kernel{heads, vd};
  out_kernel.insert(out_kernel.end(), output_dims_.begin(), output_dims_.end());
  output_kernel_ = kernel("attention_output/kernel", out_kernel);
  output_bias_ = bias("attention_output/bias", Shape(output_dims_.begin(), output_dims_.end()));
}

std::size_t MultiHeadAttentionLayer::output_width() const {
  std::size_t n = 1;
  for (const std::size_t d : output_dims_) n *= d;
  return n;
}

float MultiHeadAttentionLayer::scale() const { return float(1.0 / std::sqrt(double(options_.key_dim))); }

std::vector<PartialShape> MultiHeadAttentionLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  const PartialShape& q = shapes.at(0);
  PartialShape out{q[0], q[1]};
  if (options_.output_shape) {
    for (const std::size_t d : *options_.output_shape) out.push_back(std::int64_t(d));
  } else {
    out.push_back(q[2]);
  }
  std::vector<PartialShape> result{out};
  if (options_.return_attention_scores) {
    result.push_back(PartialShape{q[0], std::int64_t(options_.num_heads), q[1], shapes.at(1)[1]});
  }
  return result;
}

std::vector<Mask> MultiHeadAttentionLayer::compute_mask(const std::vector<Tensor>&, const std::vector<Mask>& masks) const {
  if (masks.empty() || !masks[0]) return {};
  return {masks[0]};
}

Tensor MultiHeadAttentionLayer::project(const Tensor& x, const Tensor& kernel, const Tensor& bias) const {
  return linear(x, kernel, bias);  // (B, T, dim) -> (B, T, H * width): one GEMM over B * T, no reshape
}

Tensor MultiHeadAttentionLayer::project_packed(const Tensor& x) const {
  const long dim = long(query_kernel_.shape(0)), width = long(options_.num_heads * options_.key_dim);
  const Tensor kernel = concat({reshape(query_kernel_, {dim, width}), reshape(key_kernel_, {dim, width}),
                                reshape(value_kernel_, {dim, width})}, -1);
  Tensor bias;
  if (options_.use_bias) {
    bias = concat({reshape(query_bias_, {width}), reshape(key_bias_, {width}), reshape(value_bias_, {width})}, -1);
  }
  return linear(x, kernel, bias);  // (B, T, [q | k | v])
}

Tensor MultiHeadAttentionLayer::output_projection(const Tensor& attended) const {
  const Tensor y = linear(attended, output_kernel_, output_bias_);  // (B, T, H * value_dim) -> (B, T, out)
  if (output_dims_.size() == 1) return y;
  Shape out{attended.shape(0), attended.shape(1)};
  out.insert(out.end(), output_dims_.begin(), output_dims_.end());
  return reshape(y, out);
}

std::vector<Tensor> MultiHeadAttentionLayer::call(const std::vector<Tensor>& inputs, const CallContext& context) {
  const Tensor& query = inputs[0];
  const Tensor& value = inputs[1];
  const bool separate_key = inputs.size() >= 3 && !inputs[2].same_as(value);
  const Tensor& key = inputs.size() >= 3 ? inputs[2] : value;
  const Array* query_mask = context.mask(0);
  const Array* value_mask = context.mask(1);
  const Array* key_mask = separate_key ? context.mask(2) : nullptr;
  const Array* attention_mask = inputs.size() == 4 ? &inputs[3].value() : nullptr;
  if (query_mask) check_sequence_mask(describe(), "query", *query_mask, query.shape());
  if (value_mask) check_sequence_mask(describe(), "value", *value_mask, value.shape());
  if (key_mask) check_sequence_mask(describe(), "key", *key_mask, key.shape());

  const std::size_t batch = query.shape(0), t = query.shape(1), s = value.shape(1);
  std::optional<Array> keep;  // (a default Array is a 0-d scalar, not "none")
  if (query_mask || value_mask || key_mask || attention_mask) {
    keep = combine_attention_masks(batch, t, s, query_mask, value_mask, key_mask, attention_mask);
  }
  Array weights;
  DotProductAttentionOptions o{.heads = options_.num_heads,
                               .scale = scale(),
                               .mask = keep ? &*keep : nullptr,
                               .causal = options_.use_causal_mask,
                               .dropout = context.training ? options_.dropout : 0.0f,
                               .rng = &rng_,
                               .weights = options_.return_attention_scores ? &weights : nullptr};
  // Self-attention projects q, k and v with one GEMM (the three kernels
  // side by side) and attends on the packed result in place.
  const bool self_attention = value.same_as(query) && key.same_as(query) && value_dim() == options_.key_dim;
  const Tensor attended =
      self_attention ? dot_product_self_attention(project_packed(query), o)
                     : dot_product_attention(project(query, query_kernel_, query_bias_), project(key, key_kernel_, key_bias_),
                                             project(value, value_kernel_, value_bias_), o);
  const Tensor output = output_projection(attended);
  if (options_.return_attention_scores) return {output, Tensor(std::move(weights))};
  return {output};
}

Tensor MultiHeadAttentionLayer::attend_cached(const Tensor& query, const Tensor* value, const Tensor* key,
                                              AttentionCache& cache, bool causal, const Array* key_mask,
                                              Array* weights) {
  if (!built()) fail("attend_cached needs the layer built (call it once, or build_for) first");
  NoGradGuard no_grad;
  if (value) {
    const Tensor& k = key ? *key : *value;
    const Array fresh_key = project(k, key_kernel_, key_bias_).value();
    const Array fresh_value = project(*value, value_kernel_, value_bias_).value();
    cache.key = Tensor(cache.key.defined() ? append_steps(cache.key.value(), fresh_key) : fresh_key);
    cache.value = Tensor(cache.value.defined() ? append_steps(cache.value.value(), fresh_value) : fresh_value);
  }
  if (cache.steps() == 0) fail("attend_cached: the cache is empty and no value was given");
  const std::size_t batch = query.shape(0), t = query.shape(1), s = cache.steps();
  Array keep;
  if (key_mask) keep = combine_attention_masks(batch, t, s, nullptr, key_mask);
  DotProductAttentionOptions o{.heads = options_.num_heads,
                               .scale = scale(),
                               .mask = key_mask ? &keep : nullptr,
                               .causal = causal,
                               .causal_offset = s - t,
                               .weights = weights};
  const Tensor attended =
      dot_product_attention(project(query, query_kernel_, query_bias_), cache.key, cache.value, o);
  return output_projection(attended);
}

}  // namespace kiln
