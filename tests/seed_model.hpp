#pragma once
// The seed NMT model (attention_keras' define_nmt), built with the
// functional API and the seed's layer names, for tests that compare against
// the golden training step or against the other two model APIs.

#include <map>
#include <string>

#include "layers/bahdanau_attention.hpp"
#include "layers/concatenate.hpp"
#include "layers/dense.hpp"
#include "layers/gru.hpp"
#include "layers/time_distributed.hpp"
#include "models/functional.hpp"

namespace kiln::testing {

struct SeedLayers {
  GRU encoder_gru;
  GRU decoder_gru;
  BahdanauAttention attention;
  Concatenate concat;
  Dense dense;
  TimeDistributed time_distributed;

  explicit SeedLayers(std::size_t hidden, std::size_t fr_vocab)
      : encoder_gru({.units = hidden, .return_sequences = true, .return_state = true, .name = "encoder_gru"}),
        decoder_gru({.units = hidden, .return_sequences = true, .return_state = true, .name = "decoder_gru"}),
        attention({.name = "attention_layer"}),
        concat({.axis = -1, .name = "concat_layer"}),
        dense({.units = fr_vocab, .activation = "softmax", .name = "softmax_layer"}),
        time_distributed({.layer = dense, .name = "time_distributed_layer"}) {}
};

// Outputs: [decoder_pred (batch, fr_time, fr_vocab), attention weights (batch, fr_time, en_time)].
inline Functional seed_model(SeedLayers& l, std::int64_t en_time, std::int64_t en_vocab, std::int64_t fr_time,
                             std::int64_t fr_vocab) {
  auto encoder_inputs = Input({en_time, en_vocab}, "encoder_inputs");
  auto decoder_inputs = Input({fr_time, fr_vocab}, "decoder_inputs");
  auto [encoder_out, encoder_state] = l.encoder_gru(encoder_inputs).unpack<2>();
  auto [decoder_out, decoder_state] = l.decoder_gru({decoder_inputs, encoder_state}).unpack<2>();
  auto [context, weights] = l.attention({encoder_out, decoder_out}).unpack<2>();
  SymbolicTensor concat = l.concat({decoder_out, context});
  SymbolicTensor prediction = l.time_distributed(concat);
  return Functional({encoder_inputs, decoder_inputs}, {prediction, weights}, "seed_nmt");
}

// The golden files name weights by layer ("softmax_layer/kernel"); kiln
// nests the Dense inside TimeDistributed. Maps kiln's names to the seed's.
inline std::string seed_weight_name(const std::string& kiln_name) {
  const std::string nested = "time_distributed_layer/";
  return kiln_name.rfind(nested, 0) == 0 ? kiln_name.substr(nested.size()) : kiln_name;
}

}  // namespace kiln::testing
