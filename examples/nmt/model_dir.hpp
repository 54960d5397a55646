#pragma once
// The model directory `nmt train` writes and `nmt translate` / `nmt
// evaluate` read:
//   config.json          Seq2SeqConfig with its format name and version
//   weights.safetensors  the training model's weights ("encoder_gru/kernel", ...)
//   vocab_en.json        the English Tokenizer (Keras' to_json layout)
//   vocab_fr.json        the French Tokenizer, with 'sos' and 'eos'
// (plus attention.png / .svg, which nothing reads back). Every file is
// written atomically. Loading checks each file and the files against each
// other before anything is used, and every fault is a kiln::FormatError
// naming the file and what is wrong with it.

#include <filesystem>

#include "examples/nmt/seq2seq.hpp"
#include "text/tokenizer.hpp"

namespace nmt {

inline constexpr const char* config_file = "config.json";
inline constexpr const char* weights_file = "weights.safetensors";
inline constexpr const char* english_vocab_file = "vocab_en.json";
inline constexpr const char* french_vocab_file = "vocab_fr.json";

struct TrainedModel {
  Seq2Seq model;
  kiln::text::Tokenizer en, fr;
};

// Creates `dir` if needed and writes the four files.
void save_model_dir(const std::filesystem::path& dir, const TrainedModel& trained);

// Reads and cross-checks the four files; builds the models and loads the
// weights into them.
TrainedModel load_model_dir(const std::filesystem::path& dir);

}  // namespace nmt
