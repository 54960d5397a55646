#pragma once
// Conv2D: Keras' spatial convolution over (batch, height, width, channels),
// padding "valid" or "same". Everything else is BaseConvLayer's
// (layers/base_conv.hpp):
//   Conv2D conv({.filters = 32, .kernel_size = {3, 3}, .padding = "same", .activation = "relu"});

#include "layers/base_conv.hpp"

namespace kiln {

class Conv2DLayer : public KerasLayer<Conv2DLayer, ConvOptions, BaseConvLayer> {
 public:
  static constexpr const char* keras_name = "Conv2D";
  explicit Conv2DLayer(Options options)
      : KerasLayer(standardize_conv_options(std::move(options), 2, keras_name), std::size_t(2)) {}

 protected:
  const ConvOptions& conv_options() const override { return options_; }
};

using Conv2D = LayerHandle<Conv2DLayer>;

}  // namespace kiln
