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

namespace onnx_detail {

inline std::string runner_command() {
  const std::string script = std::string(KILN_SOURCE_DIR) + "/tests/onnx/run_onnxruntime.js";
  return "node " + quoted(script) + " " + quoted(onnxruntime_modules_dir().string());
}

// A run's outputs by name, as run_onnxruntime.js wrote them; fails the
// calling test with ONNX Runtime's message when the run failed.
inline std::map<std::string, Array> read_outputs(const std::filesystem::path& file, const std::string& model) {
  std::ifstream in(file);
  REQUIRE_MESSAGE(in.good(), "ONNX Runtime wrote no outputs for " << model);
  const nlohmann::json j = nlohmann::json::parse(in);
  REQUIRE_MESSAGE(!j.contains("error"), "ONNX Runtime failed on " << model << ":\n"
                                                                   << (j.contains("error") ? j["error"].get<std::string>() : ""));
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

}  // namespace onnx_detail

// The model's outputs by name from ONNX Runtime, or nothing when it is not
// installed. A failed run fails the calling test.
inline std::optional<std::map<std::string, Array>> run_onnxruntime(const std::filesystem::path& model,
                                                                    const std::map<std::string, Array>& inputs) {
  if (!onnxruntime_available()) return std::nullopt;
  OnnxTempDir dir;
  std::ofstream(dir / "inputs.json") << onnx_detail::to_json(inputs).dump();
  std::string out;
  const bool ok = onnx_detail::run_command(
      onnx_detail::runner_command() + " " + onnx_detail::quoted(model.string()) + " " +
          onnx_detail::quoted((dir / "inputs.json").string()) + " " + onnx_detail::quoted((dir / "outputs.json").string()),
      out);
  REQUIRE_MESSAGE(ok, "ONNX Runtime failed on " << model << ":\n" << out);
  return onnx_detail::read_outputs(dir / "outputs.json", model.string());
}

// One model and its feeds, for run_onnxruntime_batch.
struct OnnxRun {
  std::filesystem::path model;
  std::map<std::string, Array> inputs;
};

// Each run's outputs by name, from one ONNX Runtime process for them all
// (starting Node and ONNX Runtime costs more than running a small model);
// nothing when it is not installed. A failed run fails the calling test.
inline std::optional<std::vector<std::map<std::string, Array>>> run_onnxruntime_batch(const std::vector<OnnxRun>& runs) {
  if (!onnxruntime_available()) return std::nullopt;
  OnnxTempDir dir;
  nlohmann::json jobs = nlohmann::json::array();
  for (std::size_t k = 0; k < runs.size(); ++k) {
    const auto inputs = dir / ("inputs" + std::to_string(k) + ".json");
    std::ofstream(inputs) << onnx_detail::to_json(runs[k].inputs).dump();
    jobs.push_back({{"model", runs[k].model.string()},
                    {"inputs", inputs.string()},
                    {"outputs", (dir / ("outputs" + std::to_string(k) + ".json")).string()}});
  }
  std::ofstream(dir / "jobs.json") << jobs.dump();
  std::string out;
  const bool ok = onnx_detail::run_command(
      onnx_detail::runner_command() + " --batch " + onnx_detail::quoted((dir / "jobs.json").string()), out);
  REQUIRE_MESSAGE(ok, "ONNX Runtime's batch run failed:\n" << out);
  std::vector<std::map<std::string, Array>> results;
  for (std::size_t k = 0; k < runs.size(); ++k) {
    results.push_back(onnx_detail::read_outputs(dir / ("outputs" + std::to_string(k) + ".json"), runs[k].model.string()));
  }
  return results;
}

// Debian's python (python3-onnx installs there), run from / with -I: from the
// source tree, "import onnx" would find kiln's onnx/ folder.
inline const std::string python_onnx = "cd / && /usr/bin/python3 -I";

// Whether python3-onnx's checker can run (one note on stderr when not).
inline bool onnx_checker_report_available() {
  static const bool available = [] {
    std::string out;
    const bool ok = onnx_detail::run_command(python_onnx + " -c 'import onnx.checker'", out);
    if (!ok) onnx_detail::note_once("checker", "python3-onnx is not installed: onnx.checker checks skipped");
    return ok;
  }();
  return available;
}

// onnx.checker.check_model(full_check=True) on the file: "" when it passes,
// the checker's message when it does not, nothing without python3-onnx.
inline std::optional<std::string> onnx_checker_report(const std::filesystem::path& model) {
  if (!onnx_checker_report_available()) return std::nullopt;
  std::string out;
  const bool ok = onnx_detail::run_command(
      python_onnx + " -c 'import sys, onnx; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)' " +
          onnx_detail::quoted(model.string()),
      out);
  return ok ? std::string() : (out.empty() ? std::string("the checker failed") : out);
}

// onnx_checker_report for many files in one Python process: per file, ""
// when it passes or the checker's message; nothing without python3-onnx.
inline std::optional<std::vector<std::string>> onnx_checker_reports(const std::vector<std::filesystem::path>& models) {
  if (!onnx_checker_report_available()) return std::nullopt;
  std::string command = python_onnx +
                        " -c 'import sys, json, onnx\n"
                        "out = []\n"
                        "for f in sys.argv[1:]:\n"
                        "    try:\n"
                        "        onnx.checker.check_model(onnx.load(f), full_check=True); out.append(\"\")\n"
                        "    except Exception as e:\n"
                        "        out.append(str(e) or \"the checker failed\")\n"
                        "print(json.dumps(out))'";
  for (const auto& m : models) command += " " + onnx_detail::quoted(m.string());
  std::string out;
  const bool ok = onnx_detail::run_command(command, out);
  REQUIRE_MESSAGE(ok, "the ONNX checker did not run:\n" << out);
  // The list is the last line (JSON escapes the messages' newlines); warnings may come before it.
  std::size_t start = out.rfind("\n[");
  start = start == std::string::npos ? 0 : start + 1;
  return nlohmann::json::parse(out.substr(start)).get<std::vector<std::string>>();
}

}  // namespace kiln::testing
