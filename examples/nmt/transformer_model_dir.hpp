#pragma once
// The model directory of a Transformer translator: the GRU model's layout
// (model_dir.hpp: config.json, weights.safetensors, vocab_en.json,
// vocab_fr.json, attention.png/.svg) with config.json's format
// "kiln-nmt-transformer", so `nmt translate` and `nmt evaluate` tell the two
// apart by reading it (is_transformer_dir).

#include <filesystem>

#include "examples/nmt/model_dir.hpp"
#include "examples/nmt/transformer_model.hpp"
#include "text/tokenizer.hpp"

namespace nmt {

struct TrainedTransformer {
  TransformerSeq2Seq model;
  kiln::text::Tokenizer en, fr;
};

// Whether `dir`'s config.json names the Transformer format (false when it
// is absent or unreadable: the GRU loader then reports the fault).
bool is_transformer_dir(const std::filesystem::path& dir);

// Writes config.json, weights.safetensors and both vocabularies into `dir`.
void write_transformer_files(const std::filesystem::path& dir, const TrainedTransformer& trained);

// Reads one version of the directory, checks the vocabularies against the
// config, builds the model and loads the weights (names and shapes must be
// the model's). FormatError naming the file for every fault.
TrainedTransformer load_transformer_dir(const std::filesystem::path& dir, const LoadOptions& options = {});

}  // namespace nmt
