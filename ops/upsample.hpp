#pragma once
// Upsampling of channels-last image batches by whole factors (Keras'
// UpSampling2D): nearest repeats each cell; bilinear interpolates with
// half-pixel centres and no corner alignment, as Keras 3's
// ops.image.resize (TensorFlow's resize v2, PyTorch's align_corners=False).

#include <array>
#include <cstddef>

#include "graph/tensor.hpp"

namespace kiln {

// x (batch, height, width, channels) -> (batch, height * size[0],
// width * size[1], channels). Throws ShapeError unless x is 4-D, kiln::Error
// for a zero factor.
Tensor upsample_nearest2d(const Tensor& x, const std::array<std::size_t, 2>& size);
Tensor upsample_bilinear2d(const Tensor& x, const std::array<std::size_t, 2>& size);

}  // namespace kiln
