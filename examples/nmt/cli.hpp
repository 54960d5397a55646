#pragma once
// The command line of `nmt`: its subcommands, their options with defaults,
// the --help texts generated from the same table, and the exit codes.
//
//   nmt train     [--data-dir DIR | --pairs FILE] [--out DIR] [--epochs N] ...
//   nmt translate --model DIR [--beam K] [--heatmap FILE.png|FILE.svg]
//   nmt evaluate  --model DIR (--data-dir DIR | --pairs FILE) [--beam K]
//   nmt export    --model DIR --onnx OUT
//
// Exit codes: 0 success, 1 a runtime fault (damaged model directory,
// unreadable corpus, a failed write, any kiln::Error), 2 a bad command line;
// `train` stopped by SIGINT or SIGTERM exits 128 + the signal's number
// (130, 143) after writing a checkpoint.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "examples/nmt/limits.hpp"

namespace nmt {

constexpr int exit_ok = 0;
constexpr int exit_failure = 1;
constexpr int exit_usage = 2;

// BLAS threads. One: the model's matrices are small (64 x 96 x 288 per GRU
// step), so a second BLAS thread buys little on an idle 2-core machine
// (median step 15.5 ms vs 17.3 ms, 20,000 phrasebook pairs) and costs far
// more when the cores are shared (an epoch of 10,800 pairs took 10 s instead
// of 4.4 s under load). Several processes scale better: see MPI in README.md.
constexpr std::size_t default_threads = 1;

// A bad command line; main prints "nmt: <message>" and exits with exit_usage.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where sentence pairs come from: a small_vocab-style directory, a
// tab-separated file, or (both empty) the built-in phrasebook.
struct DataOptions {
  std::string data_dir;
  std::string pairs;
  std::size_t samples = 0;  // keep only the first N pairs; 0 keeps all
  bool builtin() const { return data_dir.empty() && pairs.empty(); }
};

struct TrainOptions {
  DataOptions data;
  std::string out = "nmt-out";
  std::size_t epochs = 0;             // 0: the default for the data (see cli.cpp)
  std::size_t batch_size = 64;
  std::size_t hidden = 96;
  std::size_t en_timesteps = 20;
  std::size_t fr_timesteps = 20;
  std::size_t embed = 0;              // 0: one-hot inputs, as the seed
  bool bidirectional = false;
  double test_split = 0.15;
  std::uint64_t seed = 1;
  std::size_t threads = default_threads;
  bool quiet = false;
  std::size_t checkpoint_every = 0;   // epochs between checkpoints; 0: only on SIGINT / SIGTERM
  std::string checkpoint_dir;         // empty: "<out>.checkpoint"
  std::string resume;                 // a checkpoint directory to continue from
  // --arch transformer (transformer_model.hpp) and its sizes; "gru" is the seed's model.
  std::string arch = "gru";
  std::size_t layers = 2;             // encoder blocks and decoder blocks each
  std::size_t heads = 4;
  std::size_t d_model = 128;
  std::size_t ff_dim = 256;
  double dropout = 0.1;
  double learning_rate = 1e-3;
  std::size_t warmup = 0;             // steps of linear learning-rate warmup; 0: none
  std::string batching;               // fixed, longest or bucket; empty: the architecture's default
  std::string checkpoint_path() const { return checkpoint_dir.empty() ? out + ".checkpoint" : checkpoint_dir; }
};

struct TranslateOptions {
  std::string model_dir;
  std::size_t beam = 1;               // 1: greedy
  std::string heatmap;                // attention of the last sentence; .png or .svg picks the format
  bool heatmap_heads = false;         // also one heatmap per attention head (Transformer)
  std::size_t threads = default_threads;
  bool line_buffered = false;         // answer each line at once (also the default when stdin is not a file)
  bool strict = false;                // non-finite weights are an error, not a warning
};

struct EvaluateOptions {
  std::string model_dir;
  DataOptions data;
  std::size_t beam = 1;
  bool cache = true;                  // Transformer: decode from the key/value cache (--no-cache reruns the prefix)
  std::size_t threads = default_threads;
  bool quiet = false;
  bool strict = false;
};

struct ExportOptions {
  std::string model_dir;
  std::string onnx_dir;               // written as a whole: encoder.onnx, decoder_step.onnx, config and vocabularies
};

// The built-in corpus's defaults: generated pairs and epochs, about 4,000
// steps of 64 pairs, which take the held-out BLEU above 0.95.
constexpr std::size_t default_phrasebook_pairs = 30000;
constexpr std::size_t default_phrasebook_epochs = 10;
// The seed's number of epochs, used for a corpus given on the command line.
constexpr std::size_t default_corpus_epochs = 10;

enum class Command { help, train, translate, evaluate, export_onnx };

struct Invocation {
  Command command = Command::help;
  std::string help_text;  // for Command::help: what to print on stdout
  TrainOptions train;
  TranslateOptions translate;
  EvaluateOptions evaluate;
  ExportOptions export_onnx;
};

// argv[1] is the subcommand. Throws UsageError for an unknown subcommand or
// option, a missing or malformed value, a value out of range, a missing
// required option, or a data file that does not exist.
Invocation parse_command_line(const std::vector<std::string>& args);

enum class HeatmapFormat { png, svg };
// The format `path`'s extension names (.png or .svg, any case); UsageError
// for anything else.
HeatmapFormat heatmap_format(const std::string& command, const std::string& path);

// The program's --help: every subcommand with every option and default.
std::string program_help();

}  // namespace nmt
