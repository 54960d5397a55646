#pragma once
// Reference tensors computed outside kiln, by scripts/make_golden.py, in
// tests/golden/ (its README says what each is). golden("gru.safetensors",
// "kernel") loads the file once and caches it.

#include <map>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "graph/error.hpp"
#include "io/safetensors.hpp"

#ifndef KILN_SOURCE_DIR
#error "the test's meson.build passes KILN_SOURCE_DIR, the absolute path of the project"
#endif

namespace kiln::testing {

inline std::string golden_path(const std::string& file) {
  return std::string(KILN_SOURCE_DIR) + "/tests/golden/" + file;
}

// The tensor `tensor` of tests/golden/<file>. Throws kiln::FormatError
// when the file cannot be read and kiln::Error naming the file and its
// tensors when the tensor is not in it.
inline Array golden(const std::string& file, const std::string& tensor) {
  static std::mutex mutex;
  static std::map<std::string, std::map<std::string, Array>> cache;
  const std::lock_guard<std::mutex> lock(mutex);
  auto loaded = cache.find(file);
  if (loaded == cache.end()) {
    std::map<std::string, Array> tensors;
    for (auto& t : io::load_safetensors(golden_path(file))) tensors.emplace(t.name, std::move(t.value));
    loaded = cache.emplace(file, std::move(tensors)).first;
  }
  const auto found = loaded->second.find(tensor);
  if (found == loaded->second.end()) {
    std::string names;
    for (const auto& [name, value] : loaded->second) names += (names.empty() ? "" : ", ") + name;
    throw Error("golden: " + golden_path(file) + " has no tensor '" + tensor + "' (it has: " + names + ")");
  }
  return found->second;
}

// The Keras config stored with a reference case (scripts/references/README.md):
// the metadata entry "config/<name>" of tests/golden/<file>, parsed.
inline nlohmann::json golden_config(const std::string& file, const std::string& name) {
  const auto metadata = io::load_safetensors_metadata(golden_path(file));
  const auto found = metadata.find("config/" + name);
  if (found == metadata.end()) throw Error("golden: " + golden_path(file) + " has no config for '" + name + "'");
  return nlohmann::json::parse(found->second);
}

}  // namespace kiln::testing
