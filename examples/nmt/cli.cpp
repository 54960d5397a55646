// Option parsing for `nmt`. Each subcommand is a table of options; the
// parser and the --help text are both generated from it, so the help can
// never forget an option or misstate a default.

#include "examples/nmt/cli.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <functional>
#include <optional>
#include <sstream>

#include "examples/nmt/pair_dataset.hpp"

namespace nmt {

namespace {

struct OptionSpec {
  std::string name;        // "--epochs"
  std::string value_name;  // "N"; empty for a flag
  std::string help;        // ends with its default
  std::function<void(const std::string&)> set;
};

struct CommandSpec {
  std::string name;
  std::string synopsis;
  std::string description;
  std::vector<OptionSpec> options;
};

[[noreturn]] void usage_error(const std::string& command, const std::string& message) {
  throw UsageError(command + ": " + message + " (see '" + command + " --help')");
}

// A decimal integer in [min, max], checked before it is narrowed to any
// smaller type; anything else (a sign, a fraction, trailing text, a value
// beyond 64 bits) is a usage error naming the option and the range.
std::uint64_t parse_count(const std::string& command, const std::string& option, const std::string& text,
                          std::uint64_t min, std::uint64_t max) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || error != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    usage_error(command, option + " expects an integer from " + std::to_string(min) + " to " + std::to_string(max) +
                             ", got '" + text + "'");
  }
  return value;
}

// A number in [0, 1).
double parse_fraction(const std::string& command, const std::string& option, const std::string& text) {
  std::size_t used = 0;
  double value = -1.0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || !(value >= 0.0 && value < 1.0)) {
    usage_error(command, option + " expects a number in [0, 1), got '" + text + "'");
  }
  return value;
}

std::string format_help(const CommandSpec& spec) {
  std::ostringstream out;
  out << "usage: " << spec.synopsis << "\n\n" << spec.description << "\n\noptions:\n";
  std::size_t width = 10;
  for (const auto& o : spec.options) width = std::max(width, o.name.size() + o.value_name.size() + 1);
  auto row = [&](const std::string& left, const std::string& help) {
    out << "  " << left << std::string(width + 2 - left.size(), ' ') << help << "\n";
  };
  for (const auto& o : spec.options) row(o.name + (o.value_name.empty() ? "" : " " + o.value_name), o.help);
  row("-h, --help", "show this help and exit");
  return out.str();
}

// Fills the options through the spec's setters and lists the names given
// in `given`. Returns false when --help was asked for.
bool parse_options(const CommandSpec& spec, const std::vector<std::string>& args, std::vector<std::string>& given) {
  for (std::size_t i = 2; i < args.size(); ++i) {
    std::string name = args[i];
    if (name == "--help" || name == "-h") return false;
    std::optional<std::string> inline_value;
    if (const auto eq = name.find('='); name.rfind("--", 0) == 0 && eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const OptionSpec* option = nullptr;
    for (const auto& o : spec.options) option = o.name == name ? &o : option;
    if (option == nullptr) {
      usage_error(spec.name, name.rfind("-", 0) == 0 ? "unknown option '" + name + "'"
                                                       : "unexpected argument '" + name + "'");
    }
    given.push_back(name);
    if (option->value_name.empty()) {
      if (inline_value) usage_error(spec.name, name + " takes no value");
      option->set("");
      continue;
    }
    if (!inline_value && i + 1 == args.size()) {
      usage_error(spec.name, name + " needs a value (" + option->value_name + ")");
    }
    option->set(inline_value ? *inline_value : args[++i]);
  }
  return true;
}

void check_data(const std::string& command, const DataOptions& data, bool required) {
  namespace fs = std::filesystem;
  if (!data.data_dir.empty() && !data.pairs.empty()) usage_error(command, "give --data-dir or --pairs, not both");
  if (required && data.builtin()) usage_error(command, "missing --data-dir DIR or --pairs FILE");
  if (!data.data_dir.empty()) {
    if (!fs::is_directory(data.data_dir)) usage_error(command, "--data-dir '" + data.data_dir + "' is not a directory");
    for (const char* file : {"small_vocab_en", "small_vocab_fr"}) {
      if (!fs::is_regular_file(fs::path(data.data_dir) / file)) {
        usage_error(command, "--data-dir '" + data.data_dir + "' has no file '" + file + "'");
      }
    }
  }
  // Any readable non-directory will do: a pipe, say `--pairs <(zcat fra.txt.gz)`.
  if (!data.pairs.empty() && !fs::exists(data.pairs)) {
    usage_error(command, "--pairs file '" + data.pairs + "' does not exist");
  }
  if (!data.pairs.empty() && fs::is_directory(data.pairs)) {
    usage_error(command, "--pairs '" + data.pairs + "' is a directory; give a tab-separated file");
  }
}

// A resumed run must be the run that was started: only options that do not
// change its result may be given beside --resume.
void check_resume(const std::string& command, const std::vector<std::string>& given) {
  for (const auto& name : given) {
    if (name != "--resume" && name != "--quiet" && name != "--threads" && name != "--checkpoint-every") {
      usage_error(command, "--resume continues a run with the options it was started with; " + name +
                               " cannot be given with it");
    }
  }
}

std::string default_of(std::size_t n) { return " (default: " + std::to_string(n) + ")"; }

// Setters for the three kinds of value, so each option is one short entry.
using Setter = std::function<void(const std::string&)>;
Setter text(std::string& field) {
  return [&field](const std::string& v) { field = v; };
}
Setter flag(bool& field) {
  return [&field](const std::string&) { field = true; };
}
Setter count(std::size_t& field, const std::string& command, const char* option, std::size_t min, std::size_t max) {
  return [&field, command, option, min, max](const std::string& v) {
    field = std::size_t(parse_count(command, option, v, min, max));
  };
}

CommandSpec train_spec(TrainOptions& o) {
  const std::string c = "nmt train";
  const std::string builtin = " (default: the built-in phrasebook)";
  return {c, "nmt train [options]",
          "Trains the attention encoder-decoder (GRU encoder, GRU decoder, Bahdanau attention) on English-French\n"
          "pairs and writes the model directory: weights.safetensors, config.json, vocab_en.json, vocab_fr.json\n"
          "and attention.png/.svg. Prints test translations and BLEU / token accuracy / exact match on the\n"
          "held-out split.",
          {{"--data-dir", "DIR", "directory holding small_vocab_en and small_vocab_fr" + builtin,
            text(o.data.data_dir)},
           {"--pairs", "FILE", "tab-separated 'english<TAB>french' lines" + builtin, text(o.data.pairs)},
           {"--samples", "N",
            "use the first N pairs of the corpus, or generate N phrasebook pairs (default: all; phrasebook " +
                std::to_string(default_phrasebook_pairs) + ")",
            count(o.data.samples, c, "--samples", 1, max_samples)},
           {"--out", "DIR", "model directory to write (default: " + o.out + ")", text(o.out)},
           {"--epochs", "N",
            "passes over the training pairs (default: " + std::to_string(default_corpus_epochs) + " for a corpus, " +
                std::to_string(default_phrasebook_epochs) + " for the phrasebook)",
            count(o.epochs, c, "--epochs", 1, max_epochs)},
           {"--batch-size", "N", "pairs per training step" + default_of(o.batch_size),
            count(o.batch_size, c, "--batch-size", 1, max_batch_size)},
           {"--hidden", "N", "GRU units (the decoder has twice as many with --bidirectional)" + default_of(o.hidden),
            count(o.hidden, c, "--hidden", 1, max_hidden)},
           {"--en-timesteps", "N", "English words per sentence; longer ones are cut" + default_of(o.en_timesteps),
            count(o.en_timesteps, c, "--en-timesteps", 1, max_timesteps)},
           {"--fr-timesteps", "N", "French words per sentence, with '<sos>' and '<eos>'" + default_of(o.fr_timesteps),
            count(o.fr_timesteps, c, "--fr-timesteps", 2, max_timesteps)},
           {"--embed", "N", "word embeddings of width N instead of one-hot inputs; 0 = one-hot" + default_of(o.embed),
            count(o.embed, c, "--embed", 0, max_embed)},
           {"--bidirectional", "", "bidirectional GRU encoder, the seed's nmt_bidirectional (default: off)",
            flag(o.bidirectional)},
           {"--test-split", "F", "fraction of pairs held out for testing, in [0, 1) (default: 0.15)",
            [&o, c](const std::string& v) { o.test_split = parse_fraction(c, "--test-split", v); }},
           {"--seed", "N", "seed of the split, the initial weights and the shuffling" + default_of(o.seed),
            [&o, c](const std::string& v) { o.seed = parse_count(c, "--seed", v, 0, UINT64_MAX); }},
           {"--threads", "N", "threads (products and attention), 0 = every core" + default_of(o.threads),
            count(o.threads, c, "--threads", 0, max_threads)},
           {"--quiet", "", "no progress bar, model summary or sample translations (default: off)", flag(o.quiet)},
           {"--checkpoint-every", "N",
            "write a resumable checkpoint every N epochs; one is also written on SIGINT or SIGTERM; 0 = only then" +
                default_of(o.checkpoint_every),
            count(o.checkpoint_every, c, "--checkpoint-every", 0, max_epochs)},
           {"--checkpoint-dir", "DIR", "where checkpoints go (default: the --out directory's name + '.checkpoint')",
            text(o.checkpoint_dir)},
           {"--resume", "DIR",
            "continue the run a checkpoint directory holds, with the options it was started with (default: none)",
            text(o.resume)},
           {"--arch", "NAME",
            "gru (the seed's GRU encoder-decoder with Bahdanau attention) or transformer (default: " + o.arch + ")",
            [&o, c](const std::string& v) {
              if (v != "gru" && v != "transformer") usage_error(c, "--arch expects gru or transformer, got '" + v + "'");
              o.arch = v;
            }},
           {"--layers", "N", "transformer: encoder blocks and decoder blocks, each" + default_of(o.layers),
            count(o.layers, c, "--layers", 1, 64)},
           {"--heads", "N", "transformer: attention heads (must divide --d-model)" + default_of(o.heads),
            count(o.heads, c, "--heads", 1, max_hidden)},
           {"--d-model", "N", "transformer: model width" + default_of(o.d_model), count(o.d_model, c, "--d-model", 1, max_hidden)},
           {"--ff-dim", "N", "transformer: feed-forward width" + default_of(o.ff_dim), count(o.ff_dim, c, "--ff-dim", 1, max_hidden)},
           {"--dropout", "F", "transformer: dropout rate in [0, 1) (default: 0.1)",
            [&o, c](const std::string& v) { o.dropout = parse_fraction(c, "--dropout", v); }},
           {"--learning-rate", "F", "transformer: Adam's learning rate, in (0, 1) (default: 0.001)",
            [&o, c](const std::string& v) {
              o.learning_rate = parse_fraction(c, "--learning-rate", v);
              if (o.learning_rate == 0.0) usage_error(c, "--learning-rate must be positive");
            }},
           {"--warmup", "N", "transformer: steps of linear learning-rate warmup, 0 = none" + default_of(o.warmup),
            count(o.warmup, c, "--warmup", 0, 100'000'000)},
           {"--batching", "NAME",
            "how training batches are padded: longest (each batch to its longest sentence), bucket (sentences "
            "of similar English length together) or fixed (to --en-timesteps/--fr-timesteps); the gru masks no "
            "padding and takes only fixed (default: longest for transformer, fixed for gru)",
            [&o, c](const std::string& v) {
              if (!batching_named(v)) usage_error(c, "--batching expects fixed, longest or bucket, got '" + v + "'");
              o.batching = v;
            }}}};
}

CommandSpec translate_spec(TranslateOptions& o) {
  const std::string c = "nmt translate";
  return {c, "nmt translate --model DIR [options] < english.txt > french.txt",
          "Reads English sentences from stdin, one per line, and writes exactly one French line per input line\n"
          "to stdout; everything else goes to stderr. An empty line gives an empty line. Words the model never\n"
          "saw become its out-of-vocabulary token 'UNK' (listed on stderr); sentences longer than the model's\n"
          "English time steps keep their first words (a warning on stderr).",
          {{"--model", "DIR", "model directory written by 'nmt train' (required)", text(o.model_dir)},
           {"--beam", "K", "beam width; 1 = greedy decoding" + default_of(o.beam), count(o.beam, c, "--beam", 1, max_beam)},
           {"--heatmap", "FILE", "attention of the last sentence; FILE.png or FILE.svg picks the format (default: none)",
            text(o.heatmap)},
           {"--heatmap-heads", "",
            "with --heatmap, also one heatmap per attention head, FILE-head1.png, ... (Transformer; default: off)",
            flag(o.heatmap_heads)},
           {"--threads", "N", "threads (products and attention), 0 = every core" + default_of(o.threads),
            count(o.threads, c, "--threads", 0, max_threads)},
           {"--line-buffered", "",
            "answer each line as soon as it is read (default: on when stdin is not a regular file, else batches)",
            flag(o.line_buffered)},
           {"--strict", "", "refuse weights holding NaN or infinity instead of warning (default: off)",
            flag(o.strict)}}};
}

CommandSpec evaluate_spec(EvaluateOptions& o) {
  const std::string c = "nmt evaluate";
  return {c, "nmt evaluate --model DIR (--data-dir DIR | --pairs FILE) [options]",
          "Translates every English sentence of the corpus and prints corpus BLEU, token accuracy and the\n"
          "exact-match rate against the French references (both sides lowercased, punctuation removed).",
          {{"--model", "DIR", "model directory written by 'nmt train' (required)", text(o.model_dir)},
           {"--data-dir", "DIR", "directory holding small_vocab_en and small_vocab_fr (this or --pairs is required)",
            text(o.data.data_dir)},
           {"--pairs", "FILE", "tab-separated 'english<TAB>french' lines (this or --data-dir is required)",
            text(o.data.pairs)},
           {"--samples", "N", "evaluate only the first N pairs (default: all)",
            count(o.data.samples, c, "--samples", 1, max_samples)},
           {"--beam", "K", "beam width; 1 = greedy decoding" + default_of(o.beam), count(o.beam, c, "--beam", 1, max_beam)},
           {"--threads", "N", "threads (products and attention), 0 = every core" + default_of(o.threads),
            count(o.threads, c, "--threads", 0, max_threads)},
           {"--quiet", "", "print only the three scores (default: off)", flag(o.quiet)},
           {"--no-cache", "",
            "Transformer: rerun the decoder over the whole prefix at every step instead of using the key/value "
            "cache, to time what the cache saves (default: off)",
            [&o](const std::string&) { o.cache = false; }},
           {"--strict", "", "refuse weights holding NaN or infinity instead of warning (default: off)",
            flag(o.strict)}}};
}

CommandSpec export_spec(ExportOptions& o) {
  const std::string c = "nmt export";
  return {c, "nmt export --model DIR --onnx OUT",
          "Writes the inference models as ONNX (opset 17) for ONNX Runtime: OUT/encoder.onnx and\n"
          "OUT/decoder_step.onnx (whose outputs are the next word's probabilities, the attention weights and\n"
          "the new state), with config.json and the vocabularies, so a translator needs nothing else.",
          {{"--model", "DIR", "model directory written by 'nmt train' (required)", text(o.model_dir)},
           {"--onnx", "OUT", "directory to write, replaced as a whole (required)", text(o.onnx_dir)}}};
}

std::string indent(const std::string& text) {
  std::string out = "  ";
  for (char ch : text) out += ch == '\n' ? std::string("\n  ") : std::string(1, ch);
  return out;
}

}  // namespace

HeatmapFormat heatmap_format(const std::string& command, const std::string& path) {
  std::string extension = std::filesystem::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(), [](unsigned char ch) {
    return char(std::tolower(ch));
  });
  if (extension == ".png") return HeatmapFormat::png;
  if (extension == ".svg") return HeatmapFormat::svg;
  usage_error(command, "--heatmap '" + path + "' must end in .png or .svg (the extension picks the format)");
}

std::string program_help() {
  TrainOptions train;
  TranslateOptions translate;
  EvaluateOptions evaluate;
  ExportOptions export_onnx;
  std::string out =
      "usage: nmt <command> [options]\n\n"
      "English-to-French translation with an attention encoder-decoder, after thushv89/attention_keras.\n\n"
      "commands:\n"
      "  train       train a model and write its directory\n"
      "  translate   translate English lines from stdin\n"
      "  evaluate    BLEU, token accuracy and exact match on a corpus\n"
      "  export      write the inference models as ONNX for ONNX Runtime\n\n"
      "Run 'nmt <command> --help' for one command. All of them:\n";
  for (const auto& spec : {train_spec(train), translate_spec(translate), evaluate_spec(evaluate), export_spec(export_onnx)}) {
    std::string help = format_help(spec);
    if (!help.empty() && help.back() == '\n') help.pop_back();
    out += '\n';
    out += indent(help);
    out += '\n';
  }
  out += "\nExit status: 0 success, 1 runtime failure (e.g. a damaged model directory, a failed write), 2 bad\n"
         "command line, 130 / 143 train stopped by SIGINT / SIGTERM after writing a checkpoint.\n";
  return out;
}

Invocation parse_command_line(const std::vector<std::string>& args) {
  Invocation inv;
  if (args.size() < 2) throw UsageError("nmt: missing command (train, translate, evaluate or export; see 'nmt --help')");
  const std::string& command = args[1];
  if (command == "--help" || command == "-h" || command == "help") {
    inv.help_text = program_help();
    return inv;
  }
  CommandSpec spec;
  if (command == "train") {
    inv.command = Command::train;
    spec = train_spec(inv.train);
  } else if (command == "translate") {
    inv.command = Command::translate;
    spec = translate_spec(inv.translate);
  } else if (command == "evaluate") {
    inv.command = Command::evaluate;
    spec = evaluate_spec(inv.evaluate);
  } else if (command == "export") {
    inv.command = Command::export_onnx;
    spec = export_spec(inv.export_onnx);
  } else {
    throw UsageError("nmt: unknown command '" + command + "' (train, translate, evaluate or export; see 'nmt --help')");
  }
  std::vector<std::string> given;
  if (!parse_options(spec, args, given)) {
    inv.command = Command::help;
    inv.help_text = format_help(spec);
    return inv;
  }
  switch (inv.command) {
    case Command::train:
      check_data(spec.name, inv.train.data, false);
      if (inv.train.out.empty()) usage_error(spec.name, "--out must not be empty");
      if (!inv.train.resume.empty()) check_resume(spec.name, given);
      if (inv.train.data.builtin() && inv.train.data.samples > max_phrasebook_pairs) {
        usage_error(spec.name, "--samples: the built-in phrasebook generates at most " +
                                   std::to_string(max_phrasebook_pairs) + " pairs");
      }
      if ((std::filesystem::path(inv.train.checkpoint_path()) / "").lexically_normal() ==
          (std::filesystem::path(inv.train.out) / "").lexically_normal()) {
        usage_error(spec.name, "--checkpoint-dir must differ from --out (each is replaced as a whole)");
      }
      break;
    case Command::translate:
      if (inv.translate.model_dir.empty()) usage_error(spec.name, "missing --model DIR");
      if (!inv.translate.heatmap.empty()) heatmap_format(spec.name, inv.translate.heatmap);
      break;
    case Command::evaluate:
      if (inv.evaluate.model_dir.empty()) usage_error(spec.name, "missing --model DIR");
      check_data(spec.name, inv.evaluate.data, true);
      break;
    case Command::export_onnx:
      if (inv.export_onnx.model_dir.empty()) usage_error(spec.name, "missing --model DIR");
      if (inv.export_onnx.onnx_dir.empty()) usage_error(spec.name, "missing --onnx OUT");
      break;
    case Command::help:
      break;
  }
  return inv;
}

}  // namespace nmt
