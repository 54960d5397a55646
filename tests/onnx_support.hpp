#pragma once
// Runs exported models where the suite can check them independently:
// ONNX Runtime (npm's onnxruntime-node, driven by tests/onnx/run_onnxruntime.js;
// scripts/install-onnxruntime.sh puts it in <source>/.onnxruntime) and the
// ONNX checker (Debian's python3-onnx). Each helper returns nothing, after
// one note on stderr, where its tool is absent: the test then checks only
// what kiln can check alone.

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "graph/shape.hpp"

namespace kiln::testing {

namespace onnx_detail {

inline void note_once(const std::string& key, const std::string& message) {
  static std::set<std::string> said;
  if (said.insert(key).second) std::cerr << "note: " << message << "\n";
}

// Runs a shell command; its stdout+stderr in `output`. True when it exits 0.
inline bool run_command(const std::string& command, std::string& output) {
  output.clear();
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return false;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  return ::pclose(pipe) == 0;
}

inline std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline nlohmann::json to_json(const std::map<std::string, Array>& values) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, a] : values) {
    j[name]["shape"] = std::vector<std::size_t>(a.shape().begin(), a.shape().end());
    j[name]["data"] = std::vector<float>(a.begin(), a.end());
  }
  return j;
}

}  // namespace onnx_detail

// A fresh directory under the system temp dir, removed afterwards.
class OnnxTempDir {
 public:
  OnnxTempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("kiln-onnx-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~OnnxTempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Where onnxruntime-node is installed: $KILN_ONNXRUNTIME_DIR, else
// <source>/.onnxruntime (scripts/install-onnxruntime.sh).
inline std::filesystem::path onnxruntime_modules_dir() {
  if (const char* dir = std::getenv("KILN_ONNXRUNTIME_DIR")) return dir;
  return std::filesystem::path(KILN_SOURCE_DIR) / ".onnxruntime";
}

inline bool onnxruntime_available() {
  static const bool available = [] {
    std::string out;
    if (!onnx_detail::run_command("node --version", out)) {
      onnx_detail::note_once("node", "node is not installed: ONNX Runtime checks skipped");
      return false;
    }
    if (!std::filesystem::exists(onnxruntime_modules_dir() / "node_modules" / "onnxruntime-node")) {
      onnx_detail::note_once("ort", "onnxruntime-node is not in " + onnxruntime_modules_dir().string() +
                                        " (bash scripts/install-onnxruntime.sh): ONNX Runtime checks skipped");
      return false;
    }
    return true;
  }();
  return available;
}

// The model's outputs by name from ONNX Runtime, or nothing when it is not
// installed. A failed run fails the calling test.
inline std::optional<std::map<std::string, Array>> run_onnxruntime(const std::filesystem::path& model,
                                                                    const std::map<std::string, Array>& inputs) {
  if (!onnxruntime_available()) return std::nullopt;
  OnnxTempDir dir;
  std::ofstream(dir / "inputs.json") << onnx_detail::to_json(inputs).dump();
  const std::string script = std::string(KILN_SOURCE_DIR) + "/tests/onnx/run_onnxruntime.js";
  std::string out;
  const bool ok = onnx_detail::run_command(
      "node " + onnx_detail::quoted(script) + " " + onnx_detail::quoted(onnxruntime_modules_dir().string()) + " " +
          onnx_detail::quoted(model.string()) + " " + onnx_detail::quoted((dir / "inputs.json").string()) + " " +
          onnx_detail::quoted((dir / "outputs.json").string()),
      out);
  REQUIRE_MESSAGE(ok, "ONNX Runtime failed on " << model << ":\n" << out);
  std::ifstream in(dir / "outputs.json");
  const nlohmann::json j = nlohmann::json::parse(in);
  std::map<std::string, Array> results;
  for (const auto& [name, value] : j.items()) {
    Shape shape = value.at("shape").get<Shape>();
    std::vector<float> data = value.at("data").get<std::vector<float>>();
    Array a = Array::from_shape(shape);
    REQUIRE(data.size() == a.size());
    std::copy(data.begin(), data.end(), a.begin());
    results.emplace(name, std::move(a));
  }
  return results;
}

// Debian's python (python3-onnx installs there), run from / with -I: from the
// source tree, "import onnx" would find kiln's onnx/ folder.
inline const std::string python_onnx = "cd / && /usr/bin/python3 -I";

// onnx.checker.check_model(full_check=True) on the file: "" when it passes,
// the checker's message when it does not, nothing without python3-onnx.
inline std::optional<std::string> onnx_checker_report(const std::filesystem::path& model) {
  static const bool available = [] {
    std::string out;
    const bool ok = onnx_detail::run_command(python_onnx + " -c 'import onnx.checker'", out);
    if (!ok) onnx_detail::note_once("checker", "python3-onnx is not installed: onnx.checker checks skipped");
    return ok;
  }();
  if (!available) return std::nullopt;
  std::string out;
  const bool ok = onnx_detail::run_command(
      python_onnx + " -c 'import sys, onnx; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)' " +
          onnx_detail::quoted(model.string()),
      out);
  return ok ? std::string() : (out.empty() ? std::string("the checker failed") : out);
}

}  // namespace kiln::testing
