#pragma once
// Dense: y = activation(x kernel + bias) on the last axis of a 2-D
// (batch, features) or 3-D (batch, time, features) input.

#include <string>

#include "layers/layer.hpp"

namespace kiln {

class DenseLayer : public Layer {
 public:
  struct Options {
    std::size_t units = 0;
    std::string activation = "linear";
    bool use_bias = true;
    std::string kernel_initializer = "glorot_uniform";
    std::string bias_initializer = "zeros";
    std::string name = {};
  };
  explicit DenseLayer(Options options);
  static Options options_from_config(const nlohmann::json& config);  // see layers/registry.hpp

  const Options& options() const { return options_; }
  Tensor kernel() const { return kernel_; }  // (features, units)
  Tensor bias() const { return bias_; }      // (units), undefined without use_bias

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;
  nlohmann::json get_config() const override;

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void build(const std::vector<PartialShape>& shapes) override;
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;

 private:
  Options options_;
  Tensor kernel_, bias_;
};

using Dense = LayerHandle<DenseLayer>;

}  // namespace kiln
