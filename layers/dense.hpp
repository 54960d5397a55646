#pragma once
// Dense: y = activation(x kernel + bias) on the last axis of an input of
// any rank >= 2, (batch, ..., features) -> (batch, ..., units), as Keras.

#include <string>

#include "layers/layer_config.hpp"

namespace kiln {

struct DenseOptions {
  std::size_t units = 0;
  std::string activation = "linear";
  bool use_bias = true;
  InitializerSpec kernel_initializer = "glorot_uniform";
  InitializerSpec bias_initializer = "zeros";
  std::string name = {};
  static constexpr auto fields() {
    using O = DenseOptions;
    return std::tuple{config::field("units", &O::units), config::field("activation", &O::activation),
                      config::field("use_bias", &O::use_bias),
                      config::field("kernel_initializer", &O::kernel_initializer),
                      config::field("bias_initializer", &O::bias_initializer)};
  }
};

class DenseLayer : public KerasLayer<DenseLayer, DenseOptions> {
 public:
  static constexpr const char* keras_name = "Dense";
  explicit DenseLayer(Options options);

  Tensor kernel() const { return kernel_; }  // (features, units)
  Tensor bias() const { return bias_; }      // (units), undefined without use_bias

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void build(const std::vector<PartialShape>& shapes) override;
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;

 private:
  Tensor kernel_, bias_;
};

using Dense = LayerHandle<DenseLayer>;

}  // namespace kiln
