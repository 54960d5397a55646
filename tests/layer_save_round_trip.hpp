#pragma once
// Save/load round trip for one layer (named apart from main's layer_round_trip.hpp,
// added meanwhile, so the two merge without a conflict): a functional model around it is
// written with save_model and read back with load_model, and the loaded
// model must compute exactly what the original did.

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

#include "layers/layer.hpp"
#include "models/functional.hpp"
#include "models/model_file.hpp"
#include "support.hpp"

namespace kiln::testing {

// `input_shapes` exclude the batch; `inputs` are batches of those shapes.
inline void check_save_load_round_trip(const std::shared_ptr<Layer>& layer, const std::vector<PartialShape>& input_shapes,
                                       const std::vector<Array>& inputs) {
  namespace fs = std::filesystem;
  static std::atomic<int> counter{0};
  const fs::path dir = fs::temp_directory_path() /
                       ("kiln-layer-round-trip-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::vector<SymbolicTensor> symbolic;
  for (std::size_t i = 0; i < input_shapes.size(); ++i) symbolic.push_back(Input(input_shapes[i], "in_" + std::to_string(i)));
  const Outputs<SymbolicTensor> outputs = (*layer)(symbolic);
  Functional model(symbolic, outputs, "round_trip");
  std::vector<Tensor> tensors;
  for (const Array& a : inputs) tensors.emplace_back(a);
  const Outputs<Tensor> expected = model(tensors);
  save_model(*model, dir);
  const std::shared_ptr<Model> loaded = load_model(dir);
  const Outputs<Tensor> got = (*loaded)(tensors);
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(max_abs_diff(got[i].value(), expected[i].value()) == 0.0);
  bool found = false;
  for (const auto& sublayer : loaded->sublayers()) {
    if (sublayer->name() != layer->name()) continue;
    found = true;
    CHECK(sublayer->get_config() == layer->get_config());
  }
  CHECK(found);
}

}  // namespace kiln::testing
