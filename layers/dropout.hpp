#pragma once
// Dropout layer: inverted dropout (ops/dropout.hpp) while training, the
// identity at inference. Each layer draws its masks from its own generator,
// seeded from `seed` or, when seed is 0, from the global generator
// (set_random_seed), so a seeded program drops the same units every run.

#include <cstdint>
#include <random>
#include <string>

#include "layers/layer_config.hpp"

namespace kiln {

struct DropoutOptions {
  float rate = 0.0f;                         // fraction of the units zeroed, in [0, 1)
  std::optional<std::uint64_t> seed = {};    // none: draw one from the global generator
  std::string name = {};
  static constexpr auto fields() {
    return std::tuple{config::field("rate", &DropoutOptions::rate), config::field("seed", &DropoutOptions::seed)};
  }
};

class DropoutLayer : public KerasLayer<DropoutLayer, DropoutOptions> {
 public:
  static constexpr const char* keras_name = "Dropout";
  explicit DropoutLayer(Options options);

  // The output has the input's shape.
  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void check_compatible(const std::vector<PartialShape>& shapes) const override;  // no weights: any shape
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;

 private:
  std::mt19937_64 rng_;
};

using Dropout = LayerHandle<DropoutLayer>;

}  // namespace kiln
