#include "layers/transformer_encoder.hpp"

#include "layers/activation.hpp"
#include "layers/initializers.hpp"
#include "ops/arithmetic.hpp"
#include "ops/dropout_add.hpp"
#include "ops/linear.hpp"

namespace kiln {

Tensor transformer_feedforward(DenseLayer& intermediate, DenseLayer& output, const Tensor& x, const CallContext& context) {
  const std::string& activation = intermediate.options().activation;
  if (activation != "relu" && activation != "linear") return output(Tensor(intermediate(x, context)), context);
  const Tensor hidden = linear(x, intermediate.kernel(), intermediate.bias(), activation == "relu");
  return linear(hidden, output.kernel(), output.bias());
}

TransformerEncoderLayer::TransformerEncoderLayer(Options options)
    : KerasLayer(std::move(options)), rng_(global_generator()()) {
  track_generator(rng_);
  check_transformer_block_options(options_, describe());
  set_supports_masking(true);
}

TransformerEncoderLayer::Options TransformerEncoderLayer::options_from_config(const nlohmann::json& config) {
  Options options = config::read_options<Options>(config, keras_name, {"return_attention_scores"});
  options.return_attention_scores = read_attention_call_flags(config, keras_name).return_attention_scores;
  return options;
}

nlohmann::json TransformerEncoderLayer::get_config() const {
  nlohmann::json config = KerasLayer::get_config();
  write_attention_call_flags({false, options_.return_attention_scores}, config);
  return config;
}

void TransformerEncoderLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  if (shapes.empty() || shapes.size() > 2) {
    fail("expected [x (batch, T, hidden)] or [x, attention_mask (batch, T, T)], got " + std::to_string(shapes.size()) +
         " inputs");
  }
  if (shapes[0].size() != 3) fail("expected x (batch, T, hidden), got " + to_string(shapes[0]));
  if (shapes[0][2] == unknown_dim) fail("the hidden size of x must be known, got " + to_string(shapes[0]));
  if (std::size_t(shapes[0][2]) < options_.num_heads) {
    fail("hidden size " + std::to_string(shapes[0][2]) + " of x " + to_string(shapes[0]) + " is smaller than num_heads " +
         std::to_string(options_.num_heads) + " (each head gets hidden / num_heads)");
  }
  if (shapes.size() == 2 && shapes[1].size() != 3) {
    fail("expected attention_mask (batch, T, T), got " + to_string(shapes[1]) + " for x " + to_string(shapes[0]));
  }
}

void TransformerEncoderLayer::check_compatible(const std::vector<PartialShape>& shapes) const {
  if (shapes[0][2] != built_input_shapes()[0][2]) {
    fail("was built for x " + to_string(built_input_shapes()[0]) + " and cannot be called on " + to_string(shapes[0]));
  }
}

void TransformerEncoderLayer::build(const std::vector<PartialShape>& shapes) {
  const std::size_t hidden = std::size_t(shapes[0][2]);
  const auto& o = options_;
  self_attention_ = std::make_shared<MultiHeadAttentionLayer>(MultiHeadAttentionOptions{
      .num_heads = o.num_heads, .key_dim = hidden / o.num_heads, .dropout = o.dropout,
      .kernel_initializer = o.kernel_initializer, .bias_initializer = o.bias_initializer,
      .return_attention_scores = o.return_attention_scores, .name = "self_attention_layer"});
  self_attention_norm_ = std::make_shared<LayerNormalizationLayer>(
      LayerNormalizationOptions{.epsilon = o.layer_norm_epsilon, .name = "self_attention_layer_norm"});
  feedforward_norm_ = std::make_shared<LayerNormalizationLayer>(
      LayerNormalizationOptions{.epsilon = o.layer_norm_epsilon, .name = "feedforward_layer_norm"});
  intermediate_ = std::make_shared<DenseLayer>(DenseOptions{.units = o.intermediate_dim, .activation = o.activation,
                                                            .kernel_initializer = o.kernel_initializer,
                                                            .bias_initializer = o.bias_initializer,
                                                            .name = "feedforward_intermediate_dense"});
  output_ = std::make_shared<DenseLayer>(DenseOptions{.units = hidden, .kernel_initializer = o.kernel_initializer,
                                                      .bias_initializer = o.bias_initializer,
                                                      .name = "feedforward_output_dense"});
  // keras_hub's order of creation, which is its get_weights() order.
  for (const std::shared_ptr<Layer>& l : std::initializer_list<std::shared_ptr<Layer>>{
           self_attention_, self_attention_norm_, feedforward_norm_, intermediate_, output_}) {
    track(l);
  }
  const PartialShape x = shapes[0];
  PartialShape wide = x;
  wide.back() = std::int64_t(o.intermediate_dim);
  self_attention_->build_for({x, x});
  self_attention_norm_->build_for({x});
  feedforward_norm_->build_for({x});
  intermediate_->build_for({x});
  output_->build_for({wide});
}

std::vector<PartialShape> TransformerEncoderLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  const PartialShape& x = shapes.at(0);
  std::vector<PartialShape> out{x};
  if (options_.return_attention_scores) out.push_back(PartialShape{x[0], std::int64_t(options_.num_heads), x[1], x[1]});
  return out;
}

std::vector<Mask> TransformerEncoderLayer::compute_mask(const std::vector<Tensor>&, const std::vector<Mask>& masks) const {
  if (masks.empty() || !masks[0]) return {};
  return {masks[0]};
}

std::vector<Tensor> TransformerEncoderLayer::call(const std::vector<Tensor>& inputs, const CallContext& context) {
  const Array* padding = context.mask(0);
  const Tensor input = inputs[0].with_mask(nullptr);  // the padding goes in explicitly below
  const bool pre_norm = options_.normalize_first;
  const CallContext plain{.training = context.training};

  Tensor x = pre_norm ? Tensor((*self_attention_norm_)(input, plain)) : input;
  std::vector<Tensor> attention_inputs{x, x};
  if (inputs.size() == 2) attention_inputs = {x, x, x, inputs[1]};
  const auto attended = (*self_attention_)(attention_inputs, CallContext{.training = context.training, .masks = {padding, padding}});
  x = dropout_add(attended[0].with_mask(nullptr), input, options_.dropout, context.training, rng_);
  if (!pre_norm) x = (*self_attention_norm_)(x, plain);

  const Tensor residual = x;
  Tensor y = pre_norm ? Tensor((*feedforward_norm_)(x, plain)) : x;
  y = transformer_feedforward(*intermediate_, *output_, y, plain);
  x = dropout_add(y, residual, options_.dropout, context.training, rng_);
  if (!pre_norm) x = (*feedforward_norm_)(x, plain);
  if (options_.return_attention_scores) return {x, attended[1]};
  return {x};
}

}  // namespace kiln
