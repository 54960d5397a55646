#pragma once
// Max and average pooling over the spatial axes of channels-last inputs, as
// Keras and TensorFlow compute them: with "same" padding a window that
// overhangs the input takes the max, or the average, of the cells inside it
// only (the padding is neither a candidate nor counted).
//
//   Tensor y = max_pool2d(images, {.pool_size = {2, 2}, .strides = {2, 2}});

#include <array>
#include <cstddef>

#include "graph/tensor.hpp"
#include "ops/window.hpp"

namespace kiln {

struct Pool1DOptions {
  std::size_t pool_size = 2;
  std::size_t strides = 2;
  Padding padding = Padding::valid;  // valid or same
};

struct Pool2DOptions {
  std::array<std::size_t, 2> pool_size = {2, 2};  // rows, columns
  std::array<std::size_t, 2> strides = {2, 2};
  Padding padding = Padding::valid;
};

// x (batch, steps, channels) -> (batch, new_steps, channels). The gradient
// of a max goes to the first cell (in row-major window order) holding it.
// Throws ShapeError naming the op and shape when the window does not fit,
// kiln::Error for a zero size or stride or causal padding.
Tensor max_pool1d(const Tensor& x, const Pool1DOptions& options = {});
Tensor average_pool1d(const Tensor& x, const Pool1DOptions& options = {});

// x (batch, height, width, channels) -> (batch, new_height, new_width, channels).
Tensor max_pool2d(const Tensor& x, const Pool2DOptions& options = {});
Tensor average_pool2d(const Tensor& x, const Pool2DOptions& options = {});

}  // namespace kiln
