#pragma once
// `nmt export`: a trained model as a directory ONNX Runtime can translate
// with alone:
//   encoder.onnx       encoder_inf_inputs -> [encoder_out, decoder_init state]
//   decoder_step.onnx  [decoder_word_inputs, encoder_inf_states, decoder_init]
//                      -> [probabilities, attention weights, new state]
//   config.json, vocab_en.json, vocab_fr.json   as in the model directory
// Greedy decoding: encode once, then feed decoder_step its previous word
// (one-hot, or the id with --embed), starting from the start marker, until
// it gives the end marker or id 0, or fr_timesteps - 1 words.

#include <filesystem>

#include "examples/nmt/model_dir.hpp"

namespace nmt {

inline constexpr const char* onnx_encoder_file = "encoder.onnx";
inline constexpr const char* onnx_decoder_step_file = "decoder_step.onnx";

// Writes the directory as one unit (io/atomic_dir.hpp).
void export_onnx_dir(const TrainedModel& trained, const std::filesystem::path& dir);

}  // namespace nmt
