#include "ops/zero_pad.hpp"

#include <algorithm>
#include <cstring>

#include "graph/backward.hpp"
#include "graph/error.hpp"

namespace kiln {

namespace {

// Copies each image row (width * channels floats) between the image and its
// padded frame: from the image into the frame, or back out of it.
void copy_rows(const Shape& image, const Padding2D& p, const float* from, float* to, bool into_frame) {
  const std::size_t H = image[1], W = image[2], C = image[3];
  const std::size_t PH = p[0][0] + H + p[0][1], PW = p[1][0] + W + p[1][1];
  const std::size_t row_floats = W * C;
  for (std::size_t b = 0; b < image[0]; ++b) {
    for (std::size_t h = 0; h < H; ++h) {
      const std::size_t framed = ((b * PH + p[0][0] + h) * PW + p[1][0]) * C;
      const std::size_t plain = (b * H + h) * row_floats;
      if (into_frame) std::memcpy(to + framed, from + plain, row_floats * sizeof(float));
      else std::memcpy(to + plain, from + framed, row_floats * sizeof(float));
    }
  }
}

}  // namespace

Tensor zero_pad2d(const Tensor& x, const Padding2D& p) {
  if (x.ndim() != 4) {
    throw ShapeError("zero_pad2d: expected an input (batch, height, width, channels), got " + to_string(x.shape()));
  }
  const Shape& s = x.shape();
  Array out = Array::from_shape({s[0], p[0][0] + s[1] + p[0][1], p[1][0] + s[2] + p[1][1], s[3]});
  std::fill(out.begin(), out.end(), 0.0f);
  copy_rows(s, p, x.value().data(), out.data(), true);
  return record(std::move(out), {x}, [gx = x.grad_ref(), p](const Array& g) {
    // d pad = the gradient's interior (the zeros have none to pass on).
    Array dx = Array::from_shape(gx.shape());
    copy_rows(gx.shape(), p, g.data(), dx.data(), false);
    accumulate_grad(gx, std::move(dx));
  });
}

}  // namespace kiln
