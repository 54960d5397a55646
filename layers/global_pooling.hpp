#pragma once
// Keras' global pooling layers over channels_last inputs: the max or the
// mean over every spatial axis, (batch, steps, channels) or (batch, height,
// width, channels) -> (batch, channels), or with keepdims (batch, 1, channels)
// / (batch, 1, 1, channels). No weights.
//
// Masks, as Keras 3: GlobalAveragePooling1D takes the mask ((batch, steps),
// 0 = padding) and averages over the kept steps only (a row with none kept
// divides 0 by 0, as Keras); the other three do not support masking and drop
// it. None of them passes a mask on.
//   GlobalAveragePooling1D pool({.keepdims = true});

#include <string>

#include "layers/layer_config.hpp"

namespace kiln {

struct GlobalPoolingOptions {
  std::string data_format = "channels_last";  // the only layout kiln runs
  bool keepdims = false;
  std::string name = {};
  static constexpr auto fields() {
    using O = GlobalPoolingOptions;
    return std::tuple{config::field("data_format", &O::data_format), config::field("keepdims", &O::keepdims)};
  }
};

// Throws kiln::Error naming the class for channels_first.
GlobalPoolingOptions checked_global_pooling_options(GlobalPoolingOptions options, const std::string& class_name);

class BaseGlobalPoolingLayer : public Layer {
 public:
  BaseGlobalPoolingLayer(std::string class_name, std::string name, std::size_t rank, bool max);

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;
  std::vector<Mask> compute_mask(const std::vector<Tensor>&, const std::vector<Mask>&) const override { return {}; }

 protected:
  virtual const GlobalPoolingOptions& global_pooling_options() const = 0;

  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void check_compatible(const std::vector<PartialShape>&) const override {}  // no weights
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;

 private:
  Tensor masked_average(const Tensor& x, const Array& mask) const;

  std::size_t rank_;
  bool max_;
};

template <class Derived, std::size_t Rank, bool Max>
class GlobalPoolingLayer : public KerasLayer<Derived, GlobalPoolingOptions, BaseGlobalPoolingLayer> {
 public:
  explicit GlobalPoolingLayer(GlobalPoolingOptions options)
      : KerasLayer<Derived, GlobalPoolingOptions, BaseGlobalPoolingLayer>(
            checked_global_pooling_options(std::move(options), Derived::keras_name), Rank, Max) {}

 protected:
  const GlobalPoolingOptions& global_pooling_options() const override { return this->options_; }
};

class GlobalMaxPooling1DLayer : public GlobalPoolingLayer<GlobalMaxPooling1DLayer, 1, true> {
 public:
  static constexpr const char* keras_name = "GlobalMaxPooling1D";
  using GlobalPoolingLayer::GlobalPoolingLayer;
};

class GlobalAveragePooling1DLayer : public GlobalPoolingLayer<GlobalAveragePooling1DLayer, 1, false> {
 public:
  static constexpr const char* keras_name = "GlobalAveragePooling1D";
  using GlobalPoolingLayer::GlobalPoolingLayer;
};

class GlobalMaxPooling2DLayer : public GlobalPoolingLayer<GlobalMaxPooling2DLayer, 2, true> {
 public:
  static constexpr const char* keras_name = "GlobalMaxPooling2D";
  using GlobalPoolingLayer::GlobalPoolingLayer;
};

class GlobalAveragePooling2DLayer : public GlobalPoolingLayer<GlobalAveragePooling2DLayer, 2, false> {
 public:
  static constexpr const char* keras_name = "GlobalAveragePooling2D";
  using GlobalPoolingLayer::GlobalPoolingLayer;
};

using GlobalMaxPooling1D = LayerHandle<GlobalMaxPooling1DLayer>;
using GlobalAveragePooling1D = LayerHandle<GlobalAveragePooling1DLayer>;
using GlobalMaxPooling2D = LayerHandle<GlobalMaxPooling2DLayer>;
using GlobalAveragePooling2D = LayerHandle<GlobalAveragePooling2DLayer>;

}  // namespace kiln
