#pragma once
// Convolution as Keras and TensorFlow compute it (a cross-correlation, no
// kernel flip) over channels-last inputs: each output cell is the window of
// input cells under the kernel, flattened, times the kernel flattened to
// (taps * in, out). The windows of the whole batch are gathered into one
// matrix (im2col) and multiplied by the kernel in one GEMM; the backward
// pass is two GEMMs and the scatter back (col2im). With groups, input
// channels and filters split into `groups` equal parts, part g of the
// filters seeing only part g of the channels (Keras' groups): one GEMM per
// group, on blocks of the same matrices.
//
//   Tensor y = conv2d(images, kernel, {.strides = {2, 2}, .padding = Padding::same});
//   Tensor z = conv1d(sequence, kernel, {.dilation_rate = 2, .padding = Padding::causal});

#include <array>
#include <cstddef>

#include "graph/tensor.hpp"
#include "ops/window.hpp"

namespace kiln {

struct Conv1DOptions {
  std::size_t strides = 1;
  std::size_t dilation_rate = 1;
  Padding padding = Padding::valid;  // valid, same or causal
  std::size_t groups = 1;
};

struct Conv2DOptions {
  std::array<std::size_t, 2> strides = {1, 1};        // rows, columns
  std::array<std::size_t, 2> dilation_rate = {1, 1};
  Padding padding = Padding::valid;                   // valid or same
  std::size_t groups = 1;
};

// x (batch, steps, in), kernel (k, in / groups, out) -> (batch, new_steps, out).
// Throws ShapeError naming both shapes when the channels do not match (or
// do not split into the groups) or the window does not fit, kiln::Error for
// a zero stride or dilation.
Tensor conv1d(const Tensor& x, const Tensor& kernel, const Conv1DOptions& options = {});

// x (batch, height, width, in), kernel (kh, kw, in / groups, out)
// -> (batch, new_height, new_width, out). Errors as conv1d.
Tensor conv2d(const Tensor& x, const Tensor& kernel, const Conv2DOptions& options = {});

}  // namespace kiln
