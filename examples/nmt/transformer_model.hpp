#pragma once
// The Transformer translator (`nmt train --arch transformer`): keras_hub's
// blocks in the layout of Keras' "English-to-Spanish translation with a
// sequence-to-sequence Transformer":
//
//   English ids (B, Te)                         French ids target[:, :-1] (B, Td)
//   source_embedding (TokenAndPosition, mask 0) target_embedding (TokenAndPosition, mask 0)
//   encoder_1 .. encoder_N (TransformerEncoder)  decoder_1 .. decoder_M (TransformerDecoder,
//        | encoder_out (B, Te, d_model) ------------> causal self-attention, cross-attention)
//                                                output_layer: Dense(fr_vocab) -> logits (B, Td, fr_vocab)
//
// Padding (id 0) is masked everywhere: in every attention and in the loss
// (the logits carry the French mask). The training model is one
// kiln::Functional; decoding calls the same layers step by step with a
// key/value cache per decoder block (TransformerDecoderLayer::decode_step).

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "layers/dense.hpp"
#include "layers/token_and_position_embedding.hpp"
#include "layers/transformer_decoder.hpp"
#include "layers/transformer_encoder.hpp"
#include "models/functional.hpp"

namespace kiln {
class Communicator;
}

namespace nmt {

inline constexpr std::size_t max_transformer_layers = 64;  // per stack, in config.json

struct TransformerConfig {
  std::size_t d_model = 128;
  std::size_t heads = 4;
  std::size_t ff_dim = 256;
  std::size_t encoder_layers = 2;
  std::size_t decoder_layers = 2;
  double dropout = 0.1;
  std::size_t en_timesteps = 20;
  std::size_t fr_timesteps = 20;
  std::size_t en_vocab = 0;
  std::size_t fr_vocab = 0;
  std::string start_token = "<sos>";
  std::string end_token = "<eos>";
  // Where English padding goes: "post" (after the words, so a batch cut to
  // its longest sentence keeps every word's position). Version 1
  // directories, written before this field, were trained "pre".
  std::string en_padding = "post";

  std::size_t decoder_steps() const { return fr_timesteps - 1; }
  bool operator==(const TransformerConfig&) const = default;
};

// config.json's "format" for a Transformer model directory.
inline constexpr const char* transformer_config_format = "kiln-nmt-transformer";
// Version 2 added en_padding; version 1 directories were trained pre-padded.
inline constexpr int transformer_config_format_version = 2;

nlohmann::json to_json(const TransformerConfig& config);
// FormatError "<where>: <field>: <fault>" for a missing field, a wrong type,
// a value out of range, or another format.
TransformerConfig transformer_config_from_json(const nlohmann::json& json, const std::string& where);
// Whether a parsed config.json is a Transformer's.
bool is_transformer_config(const nlohmann::json& json);

struct TransformerSeq2Seq {
  TransformerConfig config;
  kiln::TokenAndPositionEmbedding source_embedding, target_embedding;
  std::vector<kiln::TransformerEncoder> encoders;
  std::vector<kiln::TransformerDecoder> decoders;
  kiln::Dense output;
  // [English ids (B, Te), French ids (B, Td)] -> logits (B, Td, fr_vocab).
  kiln::Functional training;

  // Inference: English ids (B, Te) -> encoder output (B, Te, d_model).
  kiln::Tensor encode(const kiln::Array& source_ids) const;
  // The logits (B, fr_vocab) of the step after `previous` (B ids at position
  // caches[0].steps()), from each decoder block's cache. `cross_weights`,
  // if set, receives the last block's cross-attention (B, heads, 1, Te).
  kiln::Array decode_step(const std::vector<int>& previous, const kiln::Tensor* encoder_out,
                          std::vector<kiln::TransformerDecoderCache>& caches, const kiln::Array& source_mask,
                          kiln::Array* cross_weights = nullptr) const;
  // The same without a cache: the decoder run over the whole prefix
  // (B, t) again, keeping the last step (what the cache saves).
  kiln::Array decode_prefix(const kiln::Array& prefix, const kiln::Tensor& encoder_out,
                            const kiln::Array& source_mask) const;
};

// Builds the model (weights from kiln's global generator) and compiles it:
// Adam at `learning_rate` (a linear warmup over `warmup_steps` first, when
// positive), sparse categorical cross-entropy on the logits, masked by the
// French padding, and accuracy.
TransformerSeq2Seq build_transformer(const TransformerConfig& config, double learning_rate = 1e-3,
                                     std::size_t warmup_steps = 0,
                                     std::shared_ptr<kiln::Communicator> communicator = nullptr);

// (ids != 0) as 1/0: the padding mask of id rows.
kiln::Array padding_mask(const kiln::Array& ids);

}  // namespace nmt
