#pragma once
// The seed's model (attention_keras examples/nmt/model.py, define_nmt), and
// its inference encoder and one-step decoder built from the SAME layer
// objects, so the three models share every weight:
//
//   encoder_inputs (B, Te, en_vocab) one-hot   decoder_inputs (B, Td, fr_vocab) one-hot
//        |  [or Embedding with --embed]             |  [or Embedding with --embed]
//   encoder_gru (GRU, sequences + state) --state--> decoder_gru (GRU, initial_state)
//        | encoder_out (B, Te, H)                   | decoder_out (B, Td, H)
//        +------> attention_layer (Bahdanau) <------+
//                     | context (B, Td, H), weights (B, Td, Te)
//   concat_layer([decoder_out, context]) -> time_distributed_layer(softmax_layer: Dense(fr_vocab, softmax))
//
// Td = fr_timesteps - 1: the decoder reads target[:, :-1] and predicts
// target[:, 1:]. With `bidirectional` (the seed's nmt_bidirectional) the
// encoder is Bidirectional(GRU(H)), its output 2H wide, and the decoder
// GRU has 2H units starting from concat(forward state, backward state).

#include <cstddef>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "models/functional.hpp"

namespace nmt {

// The hyper-parameters that fix the model's shapes, saved as config.json.
struct Seq2SeqConfig {
  std::size_t hidden = 96;
  std::size_t en_timesteps = 20;
  std::size_t fr_timesteps = 20;
  std::size_t en_vocab = 0;  // tokenizer indices in use + 1 (padding)
  std::size_t fr_vocab = 0;
  std::size_t embed = 0;     // 0: one-hot inputs
  bool bidirectional = false;
  // The French start and end markers. Reserved tokens that no corpus word
  // can be (see dataset.hpp); models of format_version 1 used "sos"/"eos".
  std::string start_token = "<sos>";
  std::string end_token = "<eos>";

  bool one_hot() const { return embed == 0; }
  std::size_t encoder_width() const { return bidirectional ? 2 * hidden : hidden; }  // = decoder units
  std::size_t decoder_steps() const { return fr_timesteps - 1; }
  bool operator==(const Seq2SeqConfig&) const = default;
};

// config.json's "format" and "format_version"; a reader refuses others.
inline constexpr const char* config_format = "kiln-nmt";
// Version 2 added the markers; version 1 (markers "sos"/"eos") is still read.
inline constexpr int config_format_version = 2;

nlohmann::json to_json(const Seq2SeqConfig& config);
// Throws kiln::FormatError "<where>: <field>: <fault>" for a missing field,
// a wrong type, a value out of range, or another format or version.
Seq2SeqConfig config_from_json(const nlohmann::json& json, const std::string& where);

struct Seq2Seq {
  Seq2SeqConfig config;
  // [encoder_inputs, decoder_inputs] -> probabilities (B, Td, fr_vocab).
  kiln::Functional training;
  // encoder_inputs -> [encoder_out (B, Te, W), decoder initial state (B, W)].
  kiln::Functional encoder;
  // [previous word (B, 1, fr_vocab) one-hot or (B, 1) id, encoder_out (B, Te, W), state (B, W)]
  //   -> [probabilities (B, 1, fr_vocab), attention weights (B, 1, Te), new state (B, W)].
  kiln::Functional decoder_step;
};

// Builds all three (weights freshly initialised from kiln's global
// generator) and compiles the training model with Adam and categorical
// cross-entropy, as the seed does. With a communicator (kiln::world()
// under mpirun) the training model trains data-parallel across its
// processes. Throws kiln::Error for zero sizes.
Seq2Seq build_seq2seq(const Seq2SeqConfig& config, std::shared_ptr<kiln::Communicator> communicator = nullptr);

// Model input for ids (N, T): one-hot (N, T, vocab), or the ids themselves
// when the model embeds.
kiln::Array model_input(const kiln::Array& ids, std::size_t vocab, const Seq2SeqConfig& config);

}  // namespace nmt
