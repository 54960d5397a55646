#pragma once
// Checks every layer test repeats: the config round trip (layer_from_config
// of get_config gives the same config) and the save_model / load_model round
// trip (the loaded model computes the same outputs).

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "layers/registry.hpp"
#include "models/functional.hpp"
#include "models/model_file.hpp"
#include "support.hpp"

namespace kiln::testing {

// A fresh directory under the system temp dir, removed afterwards.
class ScratchDir {
 public:
  ScratchDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("kiln-layer-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// layer_from_config(class, get_config()) rebuilds a layer with the same config.
inline void check_config_round_trip(const Layer& layer) {
  const nlohmann::json config = layer.get_config();
  CAPTURE(config.dump());
  CHECK(layer_from_config(layer.class_name(), config)->get_config() == config);
}

// A functional model of one call of `layer` on inputs shaped as `examples`
// but for an unknown batch.
inline std::shared_ptr<FunctionalModel> one_layer_model(const std::shared_ptr<Layer>& layer,
                                                        const std::vector<Array>& examples) {
  std::vector<SymbolicTensor> inputs;
  for (std::size_t i = 0; i < examples.size(); ++i) {
    const Shape& s = examples[i].shape();
    inputs.push_back(Input(PartialShape(s.begin() + 1, s.end()), "input_" + std::to_string(i)));
  }
  auto outputs = (*layer)(inputs);
  return std::make_shared<FunctionalModel>(inputs, std::vector<SymbolicTensor>(outputs), "one_layer");
}

// save_model then load_model: the loaded model has the same weights and
// computes the same outputs on `inputs`.
inline void check_save_load(Model& model, const std::vector<Array>& inputs) {
  ScratchDir dir;
  save_model(model, dir / "model");
  const auto loaded = load_model(dir / "model");
  const auto want = model.predict(inputs);
  const auto got = loaded->predict(inputs);
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(max_abs_diff(got[i], want[i]) == 0.0);
  const auto want_weights = model.get_weights();
  const auto got_weights = loaded->get_weights();
  REQUIRE(got_weights.size() == want_weights.size());
  for (std::size_t i = 0; i < got_weights.size(); ++i) CHECK(max_abs_diff(got_weights[i], want_weights[i]) == 0.0);
}

}  // namespace kiln::testing
