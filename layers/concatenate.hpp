#pragma once
// Concatenate: joins two or more inputs along `axis` (negative counts from
// the end), as keras.layers.Concatenate. Every other dimension must match;
// unknown (None) dimensions match anything. Passes the first input's mask on.

#include <string>

#include "layers/layer.hpp"

namespace kiln {

class ConcatenateLayer : public Layer {
 public:
  struct Options {
    int axis = -1;
    std::string name = {};
  };
  explicit ConcatenateLayer(Options options);
  static Options options_from_config(const nlohmann::json& config);  // see layers/registry.hpp

  const Options& options() const { return options_; }

  // The sum of the inputs' sizes on `axis` (None if any is unknown); every
  // other dimension is the one known among the inputs.
  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;
  nlohmann::json get_config() const override;

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void check_compatible(const std::vector<PartialShape>& shapes) const override;  // no weights: any shapes
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;

 private:
  std::size_t axis_for_rank(std::size_t rank) const;

  Options options_;
};

using Concatenate = LayerHandle<ConcatenateLayer>;

}  // namespace kiln
