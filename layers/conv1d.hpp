#pragma once
// Conv1D: Keras' temporal convolution over (batch, steps, channels), with
// padding "valid", "same" or "causal" (output step t sees input steps <= t:
// the steps are padded on the left by dilation_rate * (kernel_size - 1)).
// Everything else is BaseConvLayer's (layers/base_conv.hpp):
//   Conv1D conv({.filters = 64, .kernel_size = {5}, .padding = "causal", .activation = "relu"});

#include "layers/base_conv.hpp"

namespace kiln {

class Conv1DLayer : public KerasLayer<Conv1DLayer, ConvOptions, BaseConvLayer> {
 public:
  static constexpr const char* keras_name = "Conv1D";
  explicit Conv1DLayer(Options options)
      : KerasLayer(standardize_conv_options(std::move(options), 1, keras_name), std::size_t(1)) {}

 protected:
  const ConvOptions& conv_options() const override { return options_; }
};

using Conv1D = LayerHandle<Conv1DLayer>;

}  // namespace kiln
