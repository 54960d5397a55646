#pragma once
// UpSampling2D: Keras' upsampling of (batch, height, width, channels) images
// by whole factors (size: rows, columns), interpolation "nearest" (each cell
// repeated) or "bilinear" (Keras 3's resize: half-pixel centres). No
// weights; a mask is dropped (Keras 3's UpSampling2D does not support masking).
//   UpSampling2D up({.size = {2, 2}});

#include <string>
#include <vector>

#include "layers/layer_config.hpp"

namespace kiln {

struct UpSampling2DOptions {
  std::vector<std::size_t> size = {2};        // one entry, or (rows, columns)
  std::string data_format = "channels_last";
  std::string interpolation = "nearest";      // nearest or bilinear
  std::string name = {};
  static constexpr auto fields() {
    using O = UpSampling2DOptions;
    return std::tuple{config::field("size", &O::size), config::field("data_format", &O::data_format),
                      config::field("interpolation", &O::interpolation)};
  }
};

class UpSampling2DLayer : public KerasLayer<UpSampling2DLayer, UpSampling2DOptions> {
 public:
  static constexpr const char* keras_name = "UpSampling2D";
  explicit UpSampling2DLayer(Options options);

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void check_compatible(const std::vector<PartialShape>&) const override {}  // no weights
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;
};

using UpSampling2D = LayerHandle<UpSampling2DLayer>;

}  // namespace kiln
