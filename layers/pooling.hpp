#pragma once
// Keras' windowed pooling layers over channels_last inputs:
// MaxPooling1D / AveragePooling1D on (batch, steps, channels) and
// MaxPooling2D / AveragePooling2D on (batch, height, width, channels).
// strides default to pool_size (Keras writes them out so in its config);
// padding "same" takes the max, or the average, of the cells inside the
// input only, as Keras. No weights.
//
// Masks: Keras 3's pooling layers do not support masking; a mask reaching
// one is dropped.
//   MaxPooling2D pool({.pool_size = {2, 2}});

#include <optional>
#include <string>
#include <vector>

#include "layers/layer_config.hpp"

namespace kiln {

struct PoolingOptions {
  std::vector<std::size_t> pool_size = {2};                 // one entry, or one per spatial axis
  std::optional<std::vector<std::size_t>> strides = {};     // null: pool_size
  std::string padding = "valid";                            // valid or same
  std::string data_format = "channels_last";                // the only layout kiln runs
  std::string name = {};
  static constexpr auto fields() {
    using O = PoolingOptions;
    return std::tuple{config::field("pool_size", &O::pool_size), config::field("padding", &O::padding),
                      config::field("strides", &O::strides), config::field("data_format", &O::data_format)};
  }
};

// The options as Keras standardizes them for `rank` spatial axes (tuples of
// `rank`, strides filled in, padding in lower case); throws kiln::Error
// naming the class for zero sizes, an unknown padding or channels_first.
PoolingOptions standardize_pooling_options(PoolingOptions options, std::size_t rank, const std::string& class_name);

class BasePoolingLayer : public Layer {
 public:
  BasePoolingLayer(std::string class_name, std::string name, std::size_t rank, bool max);

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;

 protected:
  virtual const PoolingOptions& pooling_options() const = 0;

  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void check_compatible(const std::vector<PartialShape>&) const override {}  // no weights
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;

 private:
  std::size_t rank_;
  bool max_;  // max, else average
};

// One pooling class: its Keras name, rank and kind.
template <class Derived, std::size_t Rank, bool Max>
class PoolingLayer : public KerasLayer<Derived, PoolingOptions, BasePoolingLayer> {
 public:
  explicit PoolingLayer(PoolingOptions options)
      : KerasLayer<Derived, PoolingOptions, BasePoolingLayer>(
            standardize_pooling_options(std::move(options), Rank, Derived::keras_name), Rank, Max) {}

 protected:
  const PoolingOptions& pooling_options() const override { return this->options_; }
};

class MaxPooling1DLayer : public PoolingLayer<MaxPooling1DLayer, 1, true> {
 public:
  static constexpr const char* keras_name = "MaxPooling1D";
  using PoolingLayer::PoolingLayer;
};

class AveragePooling1DLayer : public PoolingLayer<AveragePooling1DLayer, 1, false> {
 public:
  static constexpr const char* keras_name = "AveragePooling1D";
  using PoolingLayer::PoolingLayer;
};

class MaxPooling2DLayer : public PoolingLayer<MaxPooling2DLayer, 2, true> {
 public:
  static constexpr const char* keras_name = "MaxPooling2D";
  using PoolingLayer::PoolingLayer;
};

class AveragePooling2DLayer : public PoolingLayer<AveragePooling2DLayer, 2, false> {
 public:
  static constexpr const char* keras_name = "AveragePooling2D";
  using PoolingLayer::PoolingLayer;
};

using MaxPooling1D = LayerHandle<MaxPooling1DLayer>;
using AveragePooling1D = LayerHandle<AveragePooling1DLayer>;
using MaxPooling2D = LayerHandle<MaxPooling2DLayer>;
using AveragePooling2D = LayerHandle<AveragePooling2DLayer>;

}  // namespace kiln
