// Model construction for the NMT example (see seq2seq.hpp).

#include "examples/nmt/seq2seq.hpp"

#include <optional>

#include "examples/nmt/limits.hpp"
#include "graph/error.hpp"
#include "layers/bahdanau_attention.hpp"
#include "layers/bidirectional.hpp"
#include "layers/concatenate.hpp"
#include "layers/dense.hpp"
#include "layers/embedding.hpp"
#include "layers/gru.hpp"
#include "layers/time_distributed.hpp"
#include "ops/one_hot.hpp"
#include "text/tokenizer.hpp"

namespace nmt {

using kiln::SymbolicTensor;

namespace {

std::int64_t dim(std::size_t n) { return std::int64_t(n); }

// Every layer of the model, created once; the training and inference graphs
// are two sets of calls on these same objects.
struct Layers {
  std::optional<kiln::Embedding> encoder_embedding, decoder_embedding;
  std::optional<kiln::GRU> encoder_gru;
  std::optional<kiln::Bidirectional> bidirectional_encoder;
  std::optional<kiln::Concatenate> encoder_state_concat;
  kiln::GRU decoder_gru;
  kiln::BahdanauAttention attention;
  kiln::Concatenate concat;
  kiln::TimeDistributed softmax_time;

  explicit Layers(const Seq2SeqConfig& c)
      : decoder_gru({.units = c.encoder_width(),
                     .return_sequences = true,
                     .return_state = true,
                     .name = "decoder_gru"}),
        attention({.name = "attention_layer"}),
        concat({.axis = -1, .name = "concat_layer"}),
        softmax_time({.layer = kiln::Dense({.units = c.fr_vocab, .activation = "softmax", .name = "softmax_layer"}),
                      .name = "time_distributed_layer"}) {
    if (!c.one_hot()) {
      encoder_embedding.emplace(kiln::EmbeddingLayer::Options{.input_dim = c.en_vocab, .output_dim = c.embed,
                                                              .name = "encoder_embedding"});
      decoder_embedding.emplace(kiln::EmbeddingLayer::Options{.input_dim = c.fr_vocab, .output_dim = c.embed,
                                                              .name = "decoder_embedding"});
    }
    kiln::GRU gru({.units = c.hidden, .return_sequences = true, .return_state = true, .name = "encoder_gru"});
    if (c.bidirectional) {
      bidirectional_encoder.emplace(kiln::BidirectionalLayer::Options{.layer = gru, .name = "bidirectional_encoder"});
      encoder_state_concat.emplace(kiln::ConcatenateLayer::Options{.axis = -1, .name = "encoder_state_concat"});
    } else {
      encoder_gru = gru;
    }
  }

  // encoder_inputs -> {encoder_out, decoder initial state}.
  std::pair<SymbolicTensor, SymbolicTensor> encode(const SymbolicTensor& inputs) const {
    const SymbolicTensor x = encoder_embedding ? SymbolicTensor((*encoder_embedding)(inputs)) : inputs;
    if (bidirectional_encoder) {
      auto [out, forward_state, backward_state] = (*bidirectional_encoder)(x).unpack<3>();
      return {out, (*encoder_state_concat)({forward_state, backward_state})};
    }
    auto [out, state] = (*encoder_gru)(x).unpack<2>();
    return {out, state};
  }

  struct Decoded {
    SymbolicTensor probabilities, weights, state;
  };
  Decoded decode(const SymbolicTensor& words, const SymbolicTensor& encoder_out,
                 const SymbolicTensor& initial_state) const {
    const SymbolicTensor x = decoder_embedding ? SymbolicTensor((*decoder_embedding)(words)) : words;
    auto [decoder_out, state] = decoder_gru({x, initial_state}).unpack<2>();
    auto [context, weights] = attention({encoder_out, decoder_out}).unpack<2>();
    const SymbolicTensor joined = concat({decoder_out, context});
    return {softmax_time(joined), weights, state};
  }
};

void check_config(const Seq2SeqConfig& c) {
  auto positive = [](std::size_t v, const char* name) {
    if (v == 0) throw kiln::Error(std::string("seq2seq: ") + name + " must be positive");
  };
  positive(c.hidden, "hidden");
  positive(c.en_timesteps, "en_timesteps");
  positive(c.en_vocab, "en_vocab");
  positive(c.fr_vocab, "fr_vocab");
  if (c.fr_timesteps < 2) throw kiln::Error("seq2seq: fr_timesteps must be at least 2 (sos and one word)");
}

}  // namespace

Seq2Seq build_seq2seq(const Seq2SeqConfig& c, std::shared_ptr<kiln::Communicator> communicator) {
  check_config(c);
  const Layers layers(c);
  auto input = [&](std::size_t steps, std::size_t vocab, const char* name) {
    return c.one_hot() ? kiln::Input({dim(steps), dim(vocab)}, name) : kiln::Input({dim(steps)}, name);
  };

  const auto encoder_inputs = input(c.en_timesteps, c.en_vocab, "encoder_inputs");
  const auto decoder_inputs = input(c.decoder_steps(), c.fr_vocab, "decoder_inputs");
  const auto [encoder_out, encoder_state] = layers.encode(encoder_inputs);
  const auto decoded = layers.decode(decoder_inputs, encoder_out, encoder_state);
  kiln::Functional training({encoder_inputs, decoder_inputs}, {decoded.probabilities}, "nmt");
  training->compile({.optimizer = "adam",
                     .loss = "categorical_crossentropy",
                     .metrics = {"accuracy"},
                     .communicator = std::move(communicator)});

  const auto encoder_inf_inputs = input(c.en_timesteps, c.en_vocab, "encoder_inf_inputs");
  const auto [encoder_inf_out, encoder_inf_state] = layers.encode(encoder_inf_inputs);
  kiln::Functional encoder({encoder_inf_inputs}, {encoder_inf_out, encoder_inf_state}, "nmt_encoder");

  const auto word = input(1, c.fr_vocab, "decoder_word_inputs");
  const auto encoder_states = kiln::Input({dim(c.en_timesteps), dim(c.encoder_width())}, "encoder_inf_states");
  const auto decoder_init = kiln::Input({dim(c.encoder_width())}, "decoder_init");
  const auto step = layers.decode(word, encoder_states, decoder_init);
  kiln::Functional decoder_step({word, encoder_states, decoder_init}, {step.probabilities, step.weights, step.state},
                                "nmt_decoder");
  return {c, training, encoder, decoder_step};
}

kiln::Array model_input(const kiln::Array& ids, std::size_t vocab, const Seq2SeqConfig& config) {
  return config.one_hot() ? kiln::one_hot(ids, vocab).value() : ids;
}

nlohmann::json to_json(const Seq2SeqConfig& c) {
  return {{"format", config_format},
          {"format_version", config_format_version},
          {"hidden", c.hidden},
          {"en_timesteps", c.en_timesteps},
          {"fr_timesteps", c.fr_timesteps},
          {"en_vocab", c.en_vocab},
          {"fr_vocab", c.fr_vocab},
          {"embed", c.embed},
          {"bidirectional", c.bidirectional},
          {"start_token", c.start_token},
          {"end_token", c.end_token}};
}

Seq2SeqConfig config_from_json(const nlohmann::json& json, const std::string& where) {
  auto fault = [&](const std::string& field, const std::string& what) {
    throw kiln::FormatError(where + ": " + field + ": " + what);
  };
  if (!json.is_object()) fault("(top level)", "expected a JSON object");
  auto field = [&](const char* name) -> const nlohmann::json& {
    if (!json.contains(name)) fault(name, "missing");
    return json.at(name);
  };
  if (!field("format").is_string() || field("format").get<std::string>() != config_format) {
    fault("format", "expected \"" + std::string(config_format) + "\", got " + field("format").dump());
  }
  const auto& version = field("format_version");
  if (!version.is_number_integer() || version.get<long long>() < 1 ||
      version.get<long long>() > config_format_version) {
    fault("format_version", "this program reads versions 1 to " + std::to_string(config_format_version) +
                                ", got " + version.dump());
  }
  // The same limits as the command line (limits.hpp), checked before any
  // value sizes an allocation.
  auto size = [&](const char* name, std::size_t min, std::size_t max) {
    const auto& v = field(name);
    if (!v.is_number_integer() || v.get<long long>() < (long long)min || v.get<long long>() > (long long)max) {
      fault(name, "expected an integer from " + std::to_string(min) + " to " + std::to_string(max) + ", got " +
                      v.dump());
    }
    return v.get<std::size_t>();
  };
  Seq2SeqConfig c;
  c.hidden = size("hidden", 1, max_hidden);
  c.en_timesteps = size("en_timesteps", 1, max_timesteps);
  c.fr_timesteps = size("fr_timesteps", 2, max_timesteps);
  c.en_vocab = size("en_vocab", 2, max_vocab);
  c.fr_vocab = size("fr_vocab", 2, max_vocab);
  c.embed = size("embed", 0, max_embed);
  if (version.get<int>() == 1) {
    c.start_token = "sos";
    c.end_token = "eos";
  } else {
    for (auto [name, token] : {std::pair{"start_token", &c.start_token}, std::pair{"end_token", &c.end_token}}) {
      if (!field(name).is_string() || field(name).get<std::string>().empty()) {
        fault(name, "expected a non-empty string, got " + field(name).dump());
      }
      *token = field(name).get<std::string>();
    }
    if (c.start_token == c.end_token) fault("end_token", "must differ from start_token");
    // A marker a sentence could contain would cut translations at that word.
    for (auto [name, token] : {std::pair{"start_token", &c.start_token}, std::pair{"end_token", &c.end_token}}) {
      if (kiln::text::text_to_word_sequence(*token) == std::vector<std::string>{*token}) {
        fault(name, "'" + *token + "' is a word a sentence can hold; markers must not be");
      }
    }
  }
  if (!field("bidirectional").is_boolean()) {
    fault("bidirectional", "expected true or false, got " + field("bidirectional").dump());
  }
  c.bidirectional = field("bidirectional").get<bool>();
  return c;
}

}  // namespace nmt
