#pragma once
// The geometry of a window sliding along the spatial axes of a channels-last
// tensor, shared by the convolutions (ops/conv.hpp) and pooling
// (ops/pooling.hpp): the window's taps, stride and dilation on each axis,
// the padding Keras' modes imply, and the output grid.

#include <cstddef>
#include <string>

#include "graph/shape.hpp"

namespace kiln {

// Keras' padding modes ("valid", "same", and for Conv1D "causal").
enum class Padding { valid, same, causal };

// Reads a mode as Keras does (case-insensitive); throws kiln::Error naming
// `who` and the value otherwise. "causal" only when `allow_causal`.
Padding parse_padding(const std::string& text, bool allow_causal, const std::string& who);
std::string to_string(Padding padding);

// One spatial axis of a window.
struct WindowAxis {
  std::size_t size = 1;      // taps (kernel or pool size)
  std::size_t stride = 1;
  std::size_t dilation = 1;  // distance between taps
  std::size_t pad_before = 0, pad_after = 0;

  // Input cells the window covers, first tap to last.
  std::size_t span() const { return dilation * (size - 1) + 1; }
  // Positions the window takes over n input cells (0 when it does not fit).
  std::size_t output_size(std::size_t n) const;
};

// The axis as Keras (TensorFlow) pads it for an input of n cells:
//   valid:  no padding;
//   same:   total = max((ceil(n / stride) - 1) * stride + span - n, 0),
//           the smaller half before (TensorFlow's "SAME");
//   causal: span - 1 before, none after (Keras' Conv1D).
WindowAxis window_axis(std::size_t n, std::size_t size, std::size_t stride, std::size_t dilation, Padding padding);

// Keras' output length for an input of n cells (compute_conv_output_shape,
// compute_pooling_output_shape): 0 when a "valid" window does not fit.
std::size_t padded_output_size(std::size_t n, std::size_t size, std::size_t stride, std::size_t dilation,
                               Padding padding);

// A window over (batch, height, width, channels): 1-D ops see (batch, steps,
// channels) as height 1.
struct WindowGrid {
  std::size_t batch = 0, height = 0, width = 0, channels = 0;
  WindowAxis rows, cols;
  std::size_t out_height = 0, out_width = 0;

  std::size_t out_cells() const { return batch * out_height * out_width; }
};

// The grid of a 4-D (2-D windows) or 3-D (1-D windows, `rows` ignored)
// input. Throws ShapeError naming `op` and the shape when the rank is
// wrong or a window does not fit.
WindowGrid window_grid(const char* op, const Shape& x, const WindowAxis& rows, const WindowAxis& cols);

}  // namespace kiln
