// Saving and loading a Transformer model directory (see transformer_model_dir.hpp).

#include "examples/nmt/transformer_model_dir.hpp"

#include <map>

#include "examples/nmt/dataset.hpp"
#include "io/atomic_dir.hpp"
#include "io/atomic_file.hpp"
#include "io/safetensors.hpp"

namespace nmt {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fault(const fs::path& file, const std::string& what) { throw kiln::FormatError(file.string() + ": " + what); }

std::string read_part(const kiln::io::DirectoryReader& dir, const char* name) {
  if (!dir.has(name)) fault(dir.path() / name, "missing");
  return dir.read(name);
}

nlohmann::json parse(const fs::path& file, const std::string& text) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    fault(file, std::string("not valid JSON (") + e.what() + ")");
  }
}

kiln::text::Tokenizer read_vocabulary(const kiln::io::DirectoryReader& dir, const char* name, std::size_t size,
                                      std::vector<std::string> required) {
  const fs::path file = dir.path() / name;
  kiln::text::Tokenizer tokenizer = [&] {
    try {
      return kiln::text::Tokenizer::from_json(read_part(dir, name));
    } catch (const kiln::FormatError&) {
      throw;
    } catch (const kiln::Error& e) {
      fault(file, e.what());
    }
  }();
  if (tokenizer.vocabulary_size() != size) {
    fault(file, "has " + std::to_string(tokenizer.vocabulary_size()) + " ids but config.json says " + std::to_string(size));
  }
  required.push_back(oov_token);
  for (const auto& word : required) {
    if (tokenizer.index_of(word) == 0) fault(file, "has no '" + word + "' token");
  }
  return tokenizer;
}

}  // namespace

bool is_transformer_dir(const fs::path& dir) {
  try {
    const kiln::io::DirectoryReader reader(dir);
    if (!reader.has(config_file)) return false;
    return is_transformer_config(nlohmann::json::parse(reader.read(config_file)));
  } catch (const std::exception&) {
    return false;
  }
}

void write_transformer_files(const fs::path& dir, const TrainedTransformer& trained) {
  kiln::io::write_file_atomically(dir / config_file, to_json(trained.model.config).dump(2) + "\n");
  trained.en.save((dir / english_vocab_file).string());
  trained.fr.save((dir / french_vocab_file).string());
  trained.model.training->save_weights(dir / weights_file);
}

TrainedTransformer load_transformer_dir(const fs::path& dir, const LoadOptions& options) {
  if (!fs::exists(dir)) fault(dir, "no such model directory");
  const kiln::io::DirectoryReader reader(dir);
  const fs::path config_path = dir / config_file;
  const TransformerConfig config =
      transformer_config_from_json(parse(config_path, read_part(reader, config_file)), config_path.string());
  auto en = read_vocabulary(reader, english_vocab_file, config.en_vocab, {});
  auto fr = read_vocabulary(reader, french_vocab_file, config.fr_vocab, {config.start_token, config.end_token});
  const fs::path where = dir / weights_file;
  auto tensors = kiln::io::load_safetensors_from_bytes(read_part(reader, weights_file), where.string());
  for (const auto& problem : non_finite_tensors(tensors)) {
    if (options.strict) fault(where, "tensor " + problem + " (--strict)");
    if (options.warnings) *options.warnings << "nmt: warning: " << where.string() << ": tensor " << problem << "\n";
  }
  TrainedTransformer trained{build_transformer(config, 1e-3, 0, options.communicator), std::move(en), std::move(fr)};
  std::map<std::string, kiln::Array> file;
  for (auto& t : tensors) file.emplace(t.name, std::move(t.value));
  const auto weights = trained.model.training->named_weights();
  for (const auto& [name, w] : weights) {
    const auto found = file.find(name);
    if (found == file.end()) fault(where, "no weight '" + name + "' (is config.json the one these weights were saved with?)");
    if (found->second.shape() != w.shape()) {
      fault(where, "weight '" + name + "' has shape " + kiln::to_string(found->second.shape()) +
                       " but the model config.json describes has " + kiln::to_string(w.shape()));
    }
  }
  if (file.size() != weights.size()) fault(where, "holds weights the model config.json describes does not have");
  for (const auto& [name, w] : weights) kiln::Tensor(w).mutable_value() = std::move(file.at(name));
  return trained;
}

}  // namespace nmt
