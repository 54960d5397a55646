#pragma once
// ZeroPadding2D: Keras' rows and columns of zeros around (batch, height,
// width, channels) images. padding is one number (all four sides), two
// (rows, columns: symmetric) or ((top, bottom), (left, right)); the config
// holds the last form, as Keras writes it. No weights; a mask is dropped
// (Keras 3's ZeroPadding2D does not support masking).
//   ZeroPadding2D pad({.padding = {{1, 1}, {2, 2}}});

#include <string>
#include <vector>

#include "layers/layer_config.hpp"

namespace kiln {

struct ZeroPadding2DOptions {
  std::vector<std::vector<std::size_t>> padding = {{1}};  // standardized to {{top, bottom}, {left, right}}
  std::string data_format = "channels_last";
  std::string name = {};
  static constexpr auto fields() {
    using O = ZeroPadding2DOptions;
    return std::tuple{config::field("padding", &O::padding), config::field("data_format", &O::data_format)};
  }
};

class ZeroPadding2DLayer : public KerasLayer<ZeroPadding2DLayer, ZeroPadding2DOptions> {
 public:
  static constexpr const char* keras_name = "ZeroPadding2D";
  explicit ZeroPadding2DLayer(Options options);

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void check_compatible(const std::vector<PartialShape>&) const override {}  // no weights
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;
};

using ZeroPadding2D = LayerHandle<ZeroPadding2DLayer>;

}  // namespace kiln
