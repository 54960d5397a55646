// Saving and loading a Transformer model directory (see transformer_model_dir.hpp).

#include "examples/nmt/transformer_model_dir.hpp"

#include <map>

#include "examples/nmt/dataset.hpp"
#include "examples/nmt/model_dir_reading.hpp"
#include "io/atomic_dir.hpp"
#include "io/atomic_file.hpp"
#include "io/safetensors.hpp"

namespace nmt {

namespace fs = std::filesystem;

bool is_transformer_dir(const fs::path& dir) {
  try {
    const kiln::io::DirectoryReader reader(dir);
    if (!reader.has(config_file)) return false;
    return is_transformer_config(parse_config_json(reader.path() / config_file, reader.read(config_file)));
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
  if (!fs::exists(dir)) file_fault(dir, "no such model directory");
  const kiln::io::DirectoryReader reader(dir);
  const fs::path config_path = dir / config_file;
  const TransformerConfig config = transformer_config_from_json(
      parse_config_json(config_path, read_dir_part(reader, config_file)), config_path.string());
  auto en = read_dir_vocabulary(reader, english_vocab_file, config.en_vocab, "en_vocab", {});
  auto fr = read_dir_vocabulary(reader, french_vocab_file, config.fr_vocab, "fr_vocab",
                                {config.start_token, config.end_token});
  const fs::path where = dir / weights_file;
  auto tensors = kiln::io::load_safetensors_from_bytes(read_dir_part(reader, weights_file), where.string());
  for (const auto& problem : non_finite_tensors(tensors)) {
    if (options.strict) file_fault(where, "tensor " + problem + " (--strict)");
    if (options.warnings) *options.warnings << "nmt: warning: " << where.string() << ": tensor " << problem << "\n";
  }
  TrainedTransformer trained{build_transformer(config, 1e-3, 0, options.communicator), std::move(en), std::move(fr)};
  std::map<std::string, kiln::Array> file;
  for (auto& t : tensors) file.emplace(t.name, std::move(t.value));
  const auto weights = trained.model.training->named_weights();
  for (const auto& [name, w] : weights) {
    const auto found = file.find(name);
    if (found == file.end()) {
      file_fault(where, "no weight '" + name + "' (is config.json the one these weights were saved with?)");
    }
    if (found->second.shape() != w.shape()) {
      file_fault(where, "weight '" + name + "' has shape " + kiln::to_string(found->second.shape()) +
                            " but the model config.json describes has " + kiln::to_string(w.shape()));
    }
  }
  if (file.size() != weights.size()) file_fault(where, "holds weights the model config.json describes does not have");
  for (const auto& [name, w] : weights) kiln::Tensor(w).mutable_value() = std::move(file.at(name));
  return trained;
}

}  // namespace nmt
