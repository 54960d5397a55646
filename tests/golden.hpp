#pragma once
// Reference tensors computed outside kiln, by scripts/make_golden.py, in
// tests/golden/ (its README says what each is). golden("gru.safetensors",
// "kernel") loads the file once and caches it.

#include <map>
#include <mutex>
#include <string>
#include <vector>

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

// Every tensor of tests/golden/<file>, loaded once and cached. Throws
// kiln::FormatError when the file cannot be read.
inline const std::map<std::string, Array>& golden_file(const std::string& file) {
  static std::mutex mutex;
  static std::map<std::string, std::map<std::string, Array>> cache;
  const std::lock_guard<std::mutex> lock(mutex);
  auto loaded = cache.find(file);
  if (loaded == cache.end()) {
    std::map<std::string, Array> tensors;
    for (auto& t : io::load_safetensors(golden_path(file))) tensors.emplace(t.name, std::move(t.value));
    loaded = cache.emplace(file, std::move(tensors)).first;
  }
  return loaded->second;  // entries are never erased: the reference stays valid
}

// The tensor `tensor` of tests/golden/<file>. Throws kiln::FormatError
// when the file cannot be read and kiln::Error naming the file and its
// tensors when the tensor is not in it.
inline Array golden(const std::string& file, const std::string& tensor) {
  const auto& tensors = golden_file(file);
  const auto found = tensors.find(tensor);
  if (found == tensors.end()) {
    std::string names;
    for (const auto& [name, value] : tensors) names += (names.empty() ? "" : ", ") + name;
    throw Error("golden: " + golden_path(file) + " has no tensor '" + tensor + "' (it has: " + names + ")");
  }
  return found->second;
}

// Whether tests/golden/<file> holds `tensor` (a case's optional inputs and masks).
inline bool golden_has(const std::string& file, const std::string& tensor) {
  return golden_file(file).count(tensor) != 0;
}

// A case's weights "<case>/weight_0", "<case>/weight_1", ... in get_weights() order.
inline std::vector<Array> golden_weights(const std::string& file, const std::string& reference_case) {
  std::vector<Array> weights;
  for (std::size_t i = 0;; ++i) {
    const std::string name = reference_case + "/weight_" + std::to_string(i);
    if (!golden_has(file, name)) return weights;
    weights.push_back(golden(file, name));
  }
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
