// The Transformer translator's model (see transformer_model.hpp).

#include "examples/nmt/transformer_model.hpp"

#include <algorithm>

#include "examples/nmt/limits.hpp"
#include "graph/grad_mode.hpp"
#include "optimizers/adam.hpp"
#include "ops/linear.hpp"
#include "ops/slice.hpp"

namespace nmt {

using kiln::Array;
using kiln::Tensor;

nlohmann::json to_json(const TransformerConfig& c) {
  return {{"format", transformer_config_format},
          {"format_version", transformer_config_format_version},
          {"d_model", c.d_model},
          {"heads", c.heads},
          {"ff_dim", c.ff_dim},
          {"encoder_layers", c.encoder_layers},
          {"decoder_layers", c.decoder_layers},
          {"dropout", c.dropout},
          {"en_timesteps", c.en_timesteps},
          {"fr_timesteps", c.fr_timesteps},
          {"en_vocab", c.en_vocab},
          {"fr_vocab", c.fr_vocab},
          {"start_token", c.start_token},
          {"end_token", c.end_token},
          {"en_padding", c.en_padding}};
}

bool is_transformer_config(const nlohmann::json& json) {
  return json.is_object() && json.contains("format") && json.at("format") == transformer_config_format;
}

TransformerConfig transformer_config_from_json(const nlohmann::json& json, const std::string& where) {
  auto fault = [&](const std::string& field, const std::string& what) {
    throw kiln::FormatError(where + ": " + field + ": " + what);
  };
  if (!is_transformer_config(json)) fault("format", "expected \"" + std::string(transformer_config_format) + "\"");
  auto field = [&](const char* name) -> const nlohmann::json& {
    if (!json.contains(name)) fault(name, "missing");
    return json.at(name);
  };
  const auto& version = field("format_version");
  if (version != 1 && version != transformer_config_format_version) {
    fault("format_version", "this program reads versions 1 and 2, got " + version.dump());
  }
  auto size = [&](const char* name, std::size_t min, std::size_t max) {
    const auto& v = field(name);
    if (!v.is_number_integer() || v.get<long long>() < (long long)min || v.get<long long>() > (long long)max) {
      fault(name, "expected an integer from " + std::to_string(min) + " to " + std::to_string(max) + ", got " + v.dump());
    }
    return v.get<std::size_t>();
  };
  TransformerConfig c;
  c.d_model = size("d_model", 1, max_hidden);
  c.heads = size("heads", 1, c.d_model);
  c.ff_dim = size("ff_dim", 1, max_hidden);
  c.encoder_layers = size("encoder_layers", 1, max_transformer_layers);
  c.decoder_layers = size("decoder_layers", 1, max_transformer_layers);
  if (!field("dropout").is_number() || !(field("dropout").get<double>() >= 0.0 && field("dropout").get<double>() < 1.0)) {
    fault("dropout", "expected a number in [0, 1), got " + field("dropout").dump());
  }
  c.dropout = field("dropout").get<double>();
  c.en_timesteps = size("en_timesteps", 1, max_timesteps);
  c.fr_timesteps = size("fr_timesteps", 2, max_timesteps);
  c.en_vocab = size("en_vocab", 2, max_vocab);
  c.fr_vocab = size("fr_vocab", 2, max_vocab);
  for (auto [name, token] : {std::pair{"start_token", &c.start_token}, std::pair{"end_token", &c.end_token}}) {
    if (!field(name).is_string() || field(name).get<std::string>().empty()) fault(name, "expected a non-empty string");
    *token = field(name).get<std::string>();
  }
  c.en_padding = "pre";  // version 1 directories were trained so
  if (version == 2) {
    const auto& padding = field("en_padding");
    if (padding != "pre" && padding != "post") fault("en_padding", "expected \"pre\" or \"post\", got " + padding.dump());
    c.en_padding = padding.get<std::string>();
  }
  if (c.d_model % c.heads != 0) fault("heads", "d_model " + std::to_string(c.d_model) + " is not a multiple of it");
  return c;
}

Array padding_mask(const Array& ids) {
  Array mask = Array::from_shape(ids.shape());
  for (std::size_t i = 0; i < ids.size(); ++i) mask.data()[i] = ids.data()[i] != 0.0f ? 1.0f : 0.0f;
  return mask;
}

TransformerSeq2Seq build_transformer(const TransformerConfig& c, double learning_rate, std::size_t warmup_steps,
                                     std::shared_ptr<kiln::Communicator> communicator) {
  if (c.d_model == 0 || c.heads == 0 || c.d_model % c.heads != 0) {
    throw kiln::Error("transformer: d_model (" + std::to_string(c.d_model) + ") must be a positive multiple of heads (" +
                      std::to_string(c.heads) + ")");
  }
  const float dropout = float(c.dropout);
  kiln::TokenAndPositionEmbedding source_embedding({.vocabulary_size = c.en_vocab, .sequence_length = c.en_timesteps,
                                                    .embedding_dim = c.d_model, .mask_zero = true,
                                                    .name = "source_embedding"});
  kiln::TokenAndPositionEmbedding target_embedding({.vocabulary_size = c.fr_vocab, .sequence_length = c.decoder_steps(),
                                                    .embedding_dim = c.d_model, .mask_zero = true,
                                                    .name = "target_embedding"});
  std::vector<kiln::TransformerEncoder> encoders;
  std::vector<kiln::TransformerDecoder> decoders;
  for (std::size_t i = 0; i < c.encoder_layers; ++i) {
    encoders.emplace_back(kiln::TransformerEncoderOptions{.intermediate_dim = c.ff_dim, .num_heads = c.heads,
                                                          .dropout = dropout, .name = "encoder_" + std::to_string(i + 1)});
  }
  for (std::size_t i = 0; i < c.decoder_layers; ++i) {
    decoders.emplace_back(kiln::TransformerDecoderOptions{.intermediate_dim = c.ff_dim, .num_heads = c.heads,
                                                          .dropout = dropout, .name = "decoder_" + std::to_string(i + 1)});
  }
  kiln::Dense output({.units = c.fr_vocab, .name = "output_layer"});
  // Any length up to the configured one: batches padded to their own longest sentence.
  const auto source = kiln::Input({kiln::unknown_dim}, "english_ids");
  const auto target = kiln::Input({kiln::unknown_dim}, "french_ids");
  kiln::SymbolicTensor x = source_embedding(source);
  for (const auto& encoder : encoders) x = encoder(x);
  kiln::SymbolicTensor y = target_embedding(target);
  for (const auto& decoder : decoders) y = decoder({y, x});
  TransformerSeq2Seq m{c, source_embedding, target_embedding, encoders, decoders, output,
                       kiln::Functional({source, target}, {output(y)}, "transformer")};

  kiln::Adam::Options adam{.learning_rate = float(learning_rate)};
  if (warmup_steps > 0) {
    adam.learning_rate_schedule = [peak = float(learning_rate), warmup_steps](std::size_t step) {
      return peak * std::min(1.0f, float(step + 1) / float(warmup_steps));
    };
  }
  m.training->compile({.optimizer = std::make_shared<kiln::Adam>(adam),
                       .loss = "sparse_categorical_crossentropy",
                       .metrics = {"accuracy"},
                       .loss_options = {.from_logits = true},
                       .communicator = std::move(communicator)});
  return m;
}

Tensor TransformerSeq2Seq::encode(const Array& source_ids) const {
  kiln::NoGradGuard no_grad;
  Tensor x = source_embedding(Tensor(source_ids));
  for (const auto& encoder : encoders) x = encoder(x);
  return x;
}

Array TransformerSeq2Seq::decode_step(const std::vector<int>& previous, const Tensor* encoder_out,
                                      std::vector<kiln::TransformerDecoderCache>& caches, const Array& source_mask,
                                      Array* cross_weights) const {
  kiln::NoGradGuard no_grad;
  caches.resize(decoders.size());
  Array ids = Array::from_shape({previous.size(), 1});
  for (std::size_t i = 0; i < previous.size(); ++i) ids.data()[i] = float(previous[i]);
  Tensor y = target_embedding->embed(Tensor(ids), caches[0].steps());
  for (std::size_t l = 0; l < decoders.size(); ++l) {
    y = decoders[l]->decode_step(y, encoder_out, caches[l], &source_mask,
                                 l + 1 == decoders.size() ? cross_weights : nullptr);
  }
  const Tensor logits = kiln::linear(y, output->kernel(), output->bias());  // (B, 1, V), the output layer's op
  Array out = logits.value();
  out.reshape({previous.size(), config.fr_vocab});
  return out;
}

Array TransformerSeq2Seq::decode_prefix(const Array& prefix, const Tensor& encoder_out,
                                        const Array& source_mask) const {
  kiln::NoGradGuard no_grad;
  const std::size_t t = prefix.shape()[1];
  Tensor y = target_embedding(Tensor(prefix));
  for (std::size_t l = 0; l < decoders.size(); ++l) {
    y = decoders[l]({y.with_mask(nullptr), encoder_out}, kiln::CallContext{.masks = {nullptr, &source_mask}})[0];
  }
  Tensor last = kiln::slice(y, 1, t - 1, t);
  Array out = Tensor(output(last)).value();
  out.reshape({prefix.shape()[0], config.fr_vocab});
  return out;
}

}  // namespace nmt
