#pragma once
// The model directory `nmt train` writes and `nmt translate` / `nmt
// evaluate` read:
//   config.json          Seq2SeqConfig with its format name and version
//   weights.safetensors  the training model's weights ("encoder_gru/kernel", ...)
//   vocab_en.json        the English Tokenizer (Keras' to_json layout)
//   vocab_fr.json        the French Tokenizer, with the start and end markers
// (plus attention.png / .svg and the training history, history.csv and
// history.png, which nothing reads back).
//
// The directory is written as a whole (io/atomic_dir.hpp): the files go into
// a staging sibling that replaces the old directory in one rename, under a
// lock that makes a second writer fail at once. Loading reads every file
// from one pinned version and checks the files against each other before
// anything is allocated from their numbers: config values against the
// vocabularies and the weights' shapes. Every fault is a kiln::FormatError
// naming the file and what is wrong with it.

#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "examples/nmt/seq2seq.hpp"
#include "io/safetensors.hpp"
#include "text/tokenizer.hpp"

namespace nmt {

inline constexpr const char* config_file = "config.json";
inline constexpr const char* weights_file = "weights.safetensors";
inline constexpr const char* english_vocab_file = "vocab_en.json";
inline constexpr const char* french_vocab_file = "vocab_fr.json";

// Every name a model directory may hold; a directory holding anything else
// is not replaced (it may be the user's).
std::vector<std::string> model_dir_parts();

struct TrainedModel {
  Seq2Seq model;
  kiln::text::Tokenizer en, fr;
};

// Writes the four files into `dir` (a DirectoryWrite's staging directory).
void write_model_files(const std::filesystem::path& dir, const TrainedModel& trained);

// Writes the whole directory at once: DirectoryWrite(dir, model_dir_parts()),
// write_model_files into its staging directory, commit.
void save_model_dir(const std::filesystem::path& dir, const TrainedModel& trained);

struct LoadOptions {
  bool strict = false;             // non-finite weights are an error
  std::ostream* warnings = nullptr;  // where non-finite weights are reported otherwise
  std::shared_ptr<kiln::Communicator> communicator = nullptr;  // to train the loaded model data-parallel
};

// Reads and cross-checks the four files of one version of `dir`; builds the
// models and loads the weights into them.
TrainedModel load_model_dir(const std::filesystem::path& dir, const LoadOptions& options = {});

// Checks the tensors' shapes against what `config` builds, for the tensors
// that fix every size (vocabularies, embedding, GRU widths), so that a
// config.json whose numbers disagree with the weights is refused before a
// model is built from it. FormatError naming `where`, the tensor and both shapes.
void check_weights_fit_config(const Seq2SeqConfig& config, const std::vector<kiln::io::NamedArray>& tensors,
                              const std::string& where);

// "'name' holds 3 NaN and 1 infinite values" for each tensor that is not
// all finite; empty when all are.
std::vector<std::string> non_finite_tensors(const std::vector<kiln::io::NamedArray>& tensors);

}  // namespace nmt
