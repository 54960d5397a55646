#include "ops/pooling.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "graph/backward.hpp"
#include "graph/error.hpp"

namespace kiln {

namespace {

// The cells of the input one window covers: rows [h0, h1) x columns [w0, w1)
// after clipping away the padding.
struct Span {
  std::size_t h0, h1, w0, w1;
  std::size_t count() const { return (h1 - h0) * (w1 - w0); }
};

Span window_at(const WindowGrid& g, std::size_t oh, std::size_t ow) {
  auto clip = [](const WindowAxis& a, std::size_t o, std::size_t n, std::size_t& lo, std::size_t& hi) {
    const std::size_t start = o * a.stride;  // in padded coordinates
    lo = start < a.pad_before ? 0 : start - a.pad_before;
    hi = std::min(n, start + a.size > a.pad_before ? start + a.size - a.pad_before : 0);
  };
  Span s{};
  clip(g.rows, oh, g.height, s.h0, s.h1);
  clip(g.cols, ow, g.width, s.w0, s.w1);
  return s;
}

// Calls body(out_offset, span, input_batch_offset) for every output cell,
// offsets in floats of the first channel.
template <class Body>
void for_each_window(const WindowGrid& g, Body&& body) {
  std::size_t out = 0;
  for (std::size_t b = 0; b < g.batch; ++b) {
    const std::size_t base = b * g.height * g.width * g.channels;
    for (std::size_t oh = 0; oh < g.out_height; ++oh) {
      for (std::size_t ow = 0; ow < g.out_width; ++ow, out += g.channels) body(out, window_at(g, oh, ow), base);
    }
  }
}

Shape pooled_shape(const Shape& x, const WindowGrid& g) {
  return x.size() == 4 ? Shape{g.batch, g.out_height, g.out_width, g.channels} : Shape{g.batch, g.out_width, g.channels};
}

Tensor max_pool(const char* op, const Tensor& x, const WindowGrid& g) {
  Array out = Array::from_shape(pooled_shape(x.shape(), g));
  // Where each output's maximum came from (an input offset), for backward.
  auto argmax = std::make_shared<std::vector<std::uint32_t>>(out.size());
  if (x.size() > std::numeric_limits<std::uint32_t>::max()) throw Error(std::string(op) + ": input too large");
  const float* xv = x.value().data();
  float* y = out.data();
  std::uint32_t* where = argmax->data();
  const std::size_t C = g.channels;
  for_each_window(g, [&](std::size_t o, const Span& s, std::size_t base) {
    // The window's first cell, then strictly greater ones: a tie keeps the first.
    const std::size_t first = base + (s.h0 * g.width + s.w0) * C;
    for (std::size_t c = 0; c < C; ++c) {
      y[o + c] = xv[first + c];
      where[o + c] = std::uint32_t(first + c);
    }
    for (std::size_t h = s.h0; h < s.h1; ++h) {
      for (std::size_t w = s.w0; w < s.w1; ++w) {
        const std::size_t cell = base + (h * g.width + w) * C;
        for (std::size_t c = 0; c < C; ++c) {
          if (xv[cell + c] > y[o + c]) {
            y[o + c] = xv[cell + c];
            where[o + c] = std::uint32_t(cell + c);
          }
        }
      }
    }
  });
  return record(std::move(out), {x}, [gx = x.grad_ref(), argmax = std::move(argmax)](const Array& g) {
    // d max = g at the argmax, 0 elsewhere.
    Array dx = Array::from_shape(gx.shape());
    std::fill(dx.begin(), dx.end(), 0.0f);
    const float* gv = g.data();
    for (std::size_t i = 0; i < g.size(); ++i) dx.data()[(*argmax)[i]] += gv[i];
    accumulate_grad(gx, std::move(dx));
  });
}

Tensor average_pool(const Tensor& x, const WindowGrid& g) {
  Array out = Array::from_shape(pooled_shape(x.shape(), g));
  const float* xv = x.value().data();
  float* y = out.data();
  const std::size_t C = g.channels;
  for_each_window(g, [&](std::size_t o, const Span& s, std::size_t base) {
    std::fill(y + o, y + o + C, 0.0f);
    for (std::size_t h = s.h0; h < s.h1; ++h) {
      for (std::size_t w = s.w0; w < s.w1; ++w) {
        const float* cell = xv + base + (h * g.width + w) * C;
        for (std::size_t c = 0; c < C; ++c) y[o + c] += cell[c];
      }
    }
    const float scale = 1.0f / float(s.count());
    for (std::size_t c = 0; c < C; ++c) y[o + c] *= scale;
  });
  return record(std::move(out), {x}, [gx = x.grad_ref(), g](const Array& grad) {
    // d mean = g / count to each cell of the window.
    Array dx = Array::from_shape(gx.shape());
    std::fill(dx.begin(), dx.end(), 0.0f);
    const float* gv = grad.data();
    const std::size_t C = g.channels;
    for_each_window(g, [&](std::size_t o, const Span& s, std::size_t base) {
      const float scale = 1.0f / float(s.count());
      for (std::size_t h = s.h0; h < s.h1; ++h) {
        for (std::size_t w = s.w0; w < s.w1; ++w) {
          float* cell = dx.data() + base + (h * g.width + w) * C;
          for (std::size_t c = 0; c < C; ++c) cell[c] += scale * gv[o + c];
        }
      }
    });
    accumulate_grad(gx, std::move(dx));
  });
}

WindowAxis pool_axis(const char* op, std::size_t n, std::size_t size, std::size_t stride, Padding padding) {
  if (size == 0 || stride == 0) throw Error(std::string(op) + ": pool_size and strides must be positive");
  if (padding == Padding::causal) throw Error(std::string(op) + ": padding must be 'valid' or 'same'");
  return window_axis(n, size, stride, 1, padding);
}

WindowGrid grid_1d(const char* op, const Tensor& x, const Pool1DOptions& o) {
  if (x.ndim() != 3) throw ShapeError(std::string(op) + ": expected an input (batch, steps, channels), got " + to_string(x.shape()));
  return window_grid(op, x.shape(), {}, pool_axis(op, x.shape(1), o.pool_size, o.strides, o.padding));
}

WindowGrid grid_2d(const char* op, const Tensor& x, const Pool2DOptions& o) {
  if (x.ndim() != 4) {
    throw ShapeError(std::string(op) + ": expected an input (batch, height, width, channels), got " + to_string(x.shape()));
  }
  return window_grid(op, x.shape(), pool_axis(op, x.shape(1), o.pool_size[0], o.strides[0], o.padding),
                     pool_axis(op, x.shape(2), o.pool_size[1], o.strides[1], o.padding));
}

}  // namespace

Tensor max_pool1d(const Tensor& x, const Pool1DOptions& o) { return max_pool("max_pool1d", x, grid_1d("max_pool1d", x, o)); }
Tensor average_pool1d(const Tensor& x, const Pool1DOptions& o) { return average_pool(x, grid_1d("average_pool1d", x, o)); }
Tensor max_pool2d(const Tensor& x, const Pool2DOptions& o) { return max_pool("max_pool2d", x, grid_2d("max_pool2d", x, o)); }
Tensor average_pool2d(const Tensor& x, const Pool2DOptions& o) { return average_pool(x, grid_2d("average_pool2d", x, o)); }

}  // namespace kiln
