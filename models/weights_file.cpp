// Model weights and optimizer state as safetensors files, named
// "layer_name/weight_name" ("encoder_gru/kernel"), written atomically.

#include <map>

#include "io/safetensors.hpp"
#include "models/model.hpp"

namespace kiln {

namespace {

std::vector<io::NamedArray> to_named_arrays(const std::vector<std::pair<std::string, Tensor>>& weights) {
  std::vector<io::NamedArray> out;
  for (const auto& [name, t] : weights) out.push_back({name, t.value()});
  return out;
}

}  // namespace

void Model::save_weights(const std::filesystem::path& path) const {
  io::save_safetensors(path, to_named_arrays(named_weights()), {{"format", "kiln"}, {"model", name()}});
}

void Model::load_weights(const std::filesystem::path& path) {
  const auto weights = named_weights();
  if (weights.empty()) {
    throw Error(describe() + ": load_weights before the model is built (call it on data or build it first)");
  }
  std::map<std::string, Array> file;
  for (auto& entry : io::load_safetensors(path)) file.emplace(entry.name, std::move(entry.value));
  // Check everything first, so a bad file changes nothing.
  for (const auto& [name, t] : weights) {
    const auto found = file.find(name);
    if (found == file.end()) {
      throw FormatError(path.string() + ": no weight '" + name + "' for " + describe() + " (the file has " +
                        std::to_string(file.size()) + " tensors)");
    }
    if (found->second.shape() != t.shape()) {
      throw FormatError(path.string() + ": weight '" + name + "' has shape " + to_string(found->second.shape()) +
                        " in the file but " + to_string(t.shape()) + " in " + describe());
    }
  }
  if (file.size() != weights.size()) {
    for (const auto& [name, value] : file) {
      bool used = false;
      for (const auto& w : weights) used = used || w.first == name;
      if (!used) throw FormatError(path.string() + ": weight '" + name + "' does not exist in " + describe());
    }
  }
  for (const auto& [name, t] : weights) Tensor(t).mutable_value() = file.at(name);
}

void Model::save_optimizer_state(const std::filesystem::path& path) const {
  io::save_safetensors(path, optimizer().state(), {{"format", "kiln-optimizer"}, {"optimizer", optimizer().name()}});
}

void Model::load_optimizer_state(const std::filesystem::path& path) {
  optimizer().load_state(io::load_safetensors(path), trainable_weights());
}

}  // namespace kiln
