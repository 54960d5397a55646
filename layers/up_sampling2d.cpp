#include "layers/up_sampling2d.hpp"

#include <algorithm>
#include <cctype>

#include "layers/spatial_options.hpp"
#include "ops/upsample.hpp"

namespace kiln {

UpSampling2DLayer::UpSampling2DLayer(Options options) : KerasLayer(std::move(options)) {
  options_.size = standardize_tuple(options_.size, 2, describe(), "size");
  check_channels_last(options_.data_format, describe());
  std::string& mode = options_.interpolation;  // Keras lower-cases it
  std::transform(mode.begin(), mode.end(), mode.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  if (mode != "nearest" && mode != "bilinear") {
    throw Error(describe() + ": interpolation '" + mode + "' is not supported by kiln (nearest or bilinear)");
  }
}

void UpSampling2DLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  expect_inputs(shapes, 1, 4, "(batch, height, width, channels)");
}

std::vector<PartialShape> UpSampling2DLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  PartialShape out = shapes.at(0);
  for (std::size_t a = 0; a < 2; ++a) {
    if (out[a + 1] != unknown_dim) out[a + 1] *= std::int64_t(options_.size[a]);
  }
  return {out};
}

std::vector<Tensor> UpSampling2DLayer::call(const std::vector<Tensor>& inputs, const CallContext&) {
  const std::array<std::size_t, 2> size{options_.size[0], options_.size[1]};
  return {options_.interpolation == "nearest" ? upsample_nearest2d(inputs[0], size)
                                               : upsample_bilinear2d(inputs[0], size)};
}

}  // namespace kiln
