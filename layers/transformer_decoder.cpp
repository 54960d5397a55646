#include "layers/transformer_decoder.hpp"

#include "layers/transformer_encoder.hpp"

#include "graph/grad_mode.hpp"
#include "layers/activation.hpp"
#include "layers/initializers.hpp"
#include "ops/arithmetic.hpp"
#include "ops/dropout_add.hpp"
#include "ops/layer_norm.hpp"

namespace kiln {

void TransformerDecoderCache::select_rows(const std::vector<std::size_t>& rows) {
  self.select_rows(rows);
  cross.select_rows(rows);
}

TransformerDecoderLayer::TransformerDecoderLayer(Options options)
    : KerasLayer(std::move(options)), rng_(global_generator()()) {
  track_generator(rng_);
  check_transformer_block_options(options_, describe());
  set_supports_masking(true);
}

TransformerDecoderLayer::Options TransformerDecoderLayer::options_from_config(const nlohmann::json& config) {
  Options options = config::read_options<Options>(config, keras_name, attention_call_keys);
  options.return_attention_scores = read_attention_call_flags(config, keras_name).return_attention_scores;
  options.use_causal_mask = config.contains("use_causal_mask") ? read_attention_call_flags(config, keras_name).use_causal_mask : true;
  return options;
}

nlohmann::json TransformerDecoderLayer::get_config() const {
  nlohmann::json config = KerasLayer::get_config();
  if (!options_.use_causal_mask) config["use_causal_mask"] = false;
  if (options_.return_attention_scores) config["return_attention_scores"] = true;
  return config;
}

void TransformerDecoderLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  if (shapes.empty() || shapes.size() > 2) {
    fail("expected [decoder_sequence (batch, T, hidden)] or [decoder_sequence, encoder_sequence (batch, S, hidden)], "
         "got " + std::to_string(shapes.size()) + " inputs");
  }
  const char* names[] = {"decoder_sequence", "encoder_sequence"};
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    if (shapes[i].size() != 3 || shapes[i][2] == unknown_dim) {
      fail("expected " + std::string(names[i]) + " (batch, time, hidden) with a known hidden size, got " + to_string(shapes[i]));
    }
  }
  if (std::size_t(shapes[0][2]) < options_.num_heads) {
    fail("hidden size of decoder_sequence " + to_string(shapes[0]) + " is smaller than num_heads " +
         std::to_string(options_.num_heads));
  }
  if (shapes.size() == 2 && shapes[0][0] != unknown_dim && shapes[1][0] != unknown_dim && shapes[0][0] != shapes[1][0]) {
    fail("decoder_sequence " + to_string(shapes[0]) + " and encoder_sequence " + to_string(shapes[1]) +
         " have different batch sizes");
  }
  if (built() && (shapes.size() == 2) != has_cross_attention()) {
    fail(has_cross_attention() ? "was built with cross-attention and needs [decoder_sequence, encoder_sequence]"
                               : "was built without cross-attention and takes [decoder_sequence] alone");
  }
}

void TransformerDecoderLayer::check_compatible(const std::vector<PartialShape>& shapes) const {
  const auto& built_shapes = built_input_shapes();
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    if (shapes[i][2] != built_shapes[i][2]) {
      fail("was built for " + to_string(built_shapes[i]) + " and cannot be called on " + to_string(shapes[i]));
    }
  }
}

void TransformerDecoderLayer::build(const std::vector<PartialShape>& shapes) {
  const std::size_t hidden = std::size_t(shapes[0][2]), head = hidden / options_.num_heads;
  const auto& o = options_;
  const auto attention = [&](const char* name, bool causal, bool scores) {
    return std::make_shared<MultiHeadAttentionLayer>(MultiHeadAttentionOptions{
        .num_heads = o.num_heads, .key_dim = head, .value_dim = head, .dropout = o.dropout,
        .kernel_initializer = o.kernel_initializer, .bias_initializer = o.bias_initializer,
        .use_causal_mask = causal, .return_attention_scores = scores, .name = name});
  };
  const auto norm = [&](const char* name) {
    return std::make_shared<LayerNormalizationLayer>(LayerNormalizationOptions{.epsilon = o.layer_norm_epsilon, .name = name});
  };
  const bool cross = shapes.size() == 2;
  self_attention_ = attention("self_attention", o.use_causal_mask, o.return_attention_scores && !cross);
  self_attention_norm_ = norm("self_attention_layer_norm");
  track(self_attention_);
  track(self_attention_norm_);
  if (cross) {
    cross_attention_ = attention("cross_attention", false, o.return_attention_scores);
    cross_attention_norm_ = norm("cross_attention_layer_norm");
    track(cross_attention_);
    track(cross_attention_norm_);
  }
  intermediate_ = std::make_shared<DenseLayer>(DenseOptions{.units = o.intermediate_dim, .activation = o.activation,
                                                            .kernel_initializer = o.kernel_initializer,
                                                            .bias_initializer = o.bias_initializer,
                                                            .name = "feedforward_intermediate_dense"});
  output_ = std::make_shared<DenseLayer>(DenseOptions{.units = hidden, .kernel_initializer = o.kernel_initializer,
                                                      .bias_initializer = o.bias_initializer,
                                                      .name = "feedforward_output_dense"});
  feedforward_norm_ = norm("feedforward_layer_norm");
  track(intermediate_);
  track(output_);
  track(feedforward_norm_);

  const PartialShape& x = shapes[0];
  PartialShape wide = x;
  wide.back() = std::int64_t(o.intermediate_dim);
  self_attention_->build_for({x, x});
  self_attention_norm_->build_for({x});
  if (cross) {
    cross_attention_->build_for({x, shapes[1]});
    cross_attention_norm_->build_for({x});
  }
  intermediate_->build_for({x});
  output_->build_for({wide});
  feedforward_norm_->build_for({x});
}

std::vector<PartialShape> TransformerDecoderLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  const PartialShape& x = shapes.at(0);
  std::vector<PartialShape> out{x};
  if (options_.return_attention_scores) {
    const PartialShape& keys = shapes.size() == 2 ? shapes[1] : x;
    out.push_back(PartialShape{x[0], std::int64_t(options_.num_heads), x[1], keys[1]});
  }
  return out;
}

std::vector<Mask> TransformerDecoderLayer::compute_mask(const std::vector<Tensor>&, const std::vector<Mask>& masks) const {
  if (masks.empty() || !masks[0]) return {};
  return {masks[0]};
}

Tensor TransformerDecoderLayer::feedforward(const Tensor& x, const CallContext& context) {
  const bool pre_norm = options_.normalize_first;
  const CallContext plain{.training = context.training};
  Tensor y = pre_norm ? Tensor((*feedforward_norm_)(x, plain)) : x;
  y = transformer_feedforward(*intermediate_, *output_, y, plain);
  Tensor out = dropout_add(y, x, options_.dropout, context.training, rng_);
  return pre_norm ? out : Tensor((*feedforward_norm_)(out, plain));
}

std::vector<Tensor> TransformerDecoderLayer::call(const std::vector<Tensor>& inputs, const CallContext& context) {
  const Array* decoder_padding = context.mask(0);
  const Array* encoder_padding = inputs.size() == 2 ? context.mask(1) : nullptr;
  const Tensor input = inputs[0].with_mask(nullptr);
  const bool pre_norm = options_.normalize_first;
  const CallContext plain{.training = context.training};

  Tensor x = pre_norm ? Tensor((*self_attention_norm_)(input, plain)) : input;
  const auto self = (*self_attention_)({x, x}, CallContext{.training = context.training, .masks = {decoder_padding, decoder_padding}});
  x = dropout_add(self[0].with_mask(nullptr), input, options_.dropout, context.training, rng_);
  if (!pre_norm) x = (*self_attention_norm_)(x, plain);
  Tensor scores = self.size() == 2 ? self[1] : Tensor();

  if (cross_attention_) {
    const Tensor residual = x;
    Tensor y = pre_norm ? Tensor((*cross_attention_norm_)(x, plain)) : x;
    const auto cross = (*cross_attention_)({y, inputs[1].with_mask(nullptr)},
                                           CallContext{.training = context.training, .masks = {decoder_padding, encoder_padding}});
    x = dropout_add(cross[0].with_mask(nullptr), residual, options_.dropout, context.training, rng_);
    if (!pre_norm) x = (*cross_attention_norm_)(x, plain);
    if (cross.size() == 2) scores = cross[1];
  }
  x = feedforward(x, plain);
  if (options_.return_attention_scores) return {x, scores};
  return {x};
}

namespace {

// The block's own LayerNormalization (last axis), as the op: decoding skips
// the layer call's checks and mask bookkeeping, which cost more than the
// normalisation of one position.
Tensor normalize(const LayerNormalizationLayer& norm, const Tensor& x) {
  return layer_norm(x, norm.gamma(), norm.beta(), {.epsilon = norm.options().epsilon, .rms = norm.options().rms_scaling});
}

}  // namespace

Tensor TransformerDecoderLayer::decode_step(const Tensor& x_new, const Tensor* encoder_sequence,
                                            TransformerDecoderCache& cache, const Array* encoder_mask,
                                            Array* cross_weights) {
  if (!built()) fail("decode_step needs the layer built (called once) first");
  if (cross_attention_ && cache.cross.steps() == 0 && !encoder_sequence) {
    fail("decode_step: the first step needs the encoder_sequence");
  }
  NoGradGuard no_grad;
  const bool pre_norm = options_.normalize_first;
  const Tensor input = x_new.with_mask(nullptr);
  Tensor x = pre_norm ? normalize(*self_attention_norm_, input) : input;
  x = self_attention_->attend_cached(x, &x, nullptr, cache.self, options_.use_causal_mask) + input;
  if (!pre_norm) x = normalize(*self_attention_norm_, x);
  if (cross_attention_) {
    const Tensor residual = x;
    const Tensor y = pre_norm ? normalize(*cross_attention_norm_, x) : x;
    const Tensor* encoder = cache.cross.steps() == 0 ? encoder_sequence : nullptr;
    x = cross_attention_->attend_cached(y, encoder, nullptr, cache.cross, false, encoder_mask, cross_weights) + residual;
    if (!pre_norm) x = normalize(*cross_attention_norm_, x);
  }
  const Tensor y = pre_norm ? normalize(*feedforward_norm_, x) : x;
  const Tensor out = transformer_feedforward(*intermediate_, *output_, y, CallContext{}) + x;
  return pre_norm ? out : normalize(*feedforward_norm_, out);
}

}  // namespace kiln
