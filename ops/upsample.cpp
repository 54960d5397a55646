#include "ops/upsample.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "graph/backward.hpp"
#include "graph/error.hpp"

namespace kiln {

namespace {

// Output position i along one axis reads input cells lo and hi, weighted
// (1 - frac) and frac.
struct Tap {
  std::size_t lo, hi;
  float frac;
};

// Nearest: cell i / factor. Bilinear: the source coordinate
// (i + 0.5) / factor - 0.5, clamped to the input.
std::vector<Tap> axis_taps(std::size_t n, std::size_t factor, bool bilinear) {
  std::vector<Tap> taps(n * factor);
  for (std::size_t i = 0; i < taps.size(); ++i) {
    if (!bilinear) {
      taps[i] = {i / factor, i / factor, 0.0f};
      continue;
    }
    const double src = std::max((double(i) + 0.5) / double(factor) - 0.5, 0.0);
    const std::size_t lo = std::min(std::size_t(src), n - 1);
    taps[i] = {lo, std::min(lo + 1, n - 1), float(src - double(lo))};
  }
  return taps;
}

struct Resize {
  std::vector<Tap> rows, cols;
  std::size_t batch, height, width, channels;
};

// Calls body(out_offset, in_offset, weight) for the (up to) four input cells
// each output cell reads; offsets in floats of the first channel.
template <class Body>
void for_each_source(const Resize& r, Body&& body) {
  const std::size_t C = r.channels, OH = r.rows.size(), OW = r.cols.size();
  for (std::size_t b = 0; b < r.batch; ++b) {
    for (std::size_t i = 0; i < OH; ++i) {
      const Tap& th = r.rows[i];
      for (std::size_t j = 0; j < OW; ++j) {
        const Tap& tw = r.cols[j];
        const std::size_t out = ((b * OH + i) * OW + j) * C;
        auto cell = [&](std::size_t h, std::size_t w) { return ((b * r.height + h) * r.width + w) * C; };
        body(out, cell(th.lo, tw.lo), (1.0f - th.frac) * (1.0f - tw.frac));
        if (tw.frac != 0.0f) body(out, cell(th.lo, tw.hi), (1.0f - th.frac) * tw.frac);
        if (th.frac != 0.0f) body(out, cell(th.hi, tw.lo), th.frac * (1.0f - tw.frac));
        if (th.frac != 0.0f && tw.frac != 0.0f) body(out, cell(th.hi, tw.hi), th.frac * tw.frac);
      }
    }
  }
}

Tensor upsample(const char* op, const Tensor& x, const std::array<std::size_t, 2>& size, bool bilinear) {
  if (x.ndim() != 4) {
    throw ShapeError(std::string(op) + ": expected an input (batch, height, width, channels), got " + to_string(x.shape()));
  }
  if (size[0] == 0 || size[1] == 0) throw Error(std::string(op) + ": the factors must be positive");
  const Shape& s = x.shape();
  Resize r{axis_taps(s[1], size[0], bilinear), axis_taps(s[2], size[1], bilinear), s[0], s[1], s[2], s[3]};
  Array out = Array::from_shape({s[0], r.rows.size(), r.cols.size(), s[3]});
  std::fill(out.begin(), out.end(), 0.0f);
  const float* xv = x.value().data();
  float* y = out.data();
  for_each_source(r, [&](std::size_t o, std::size_t in, float weight) {
    for (std::size_t c = 0; c < r.channels; ++c) y[o + c] += weight * xv[in + c];
  });
  return record(std::move(out), {x}, [gx = x.grad_ref(), r = std::move(r)](const Array& g) {
    // y = sum of weight * x over the sources: dx[source] += weight * g.
    Array dx = Array::from_shape(gx.shape());
    std::fill(dx.begin(), dx.end(), 0.0f);
    const float* gv = g.data();
    float* d = dx.data();
    for_each_source(r, [&](std::size_t o, std::size_t in, float weight) {
      for (std::size_t c = 0; c < r.channels; ++c) d[in + c] += weight * gv[o + c];
    });
    accumulate_grad(gx, std::move(dx));
  });
}

}  // namespace

Tensor upsample_nearest2d(const Tensor& x, const std::array<std::size_t, 2>& size) {
  return upsample("upsample_nearest2d", x, size, false);
}

Tensor upsample_bilinear2d(const Tensor& x, const std::array<std::size_t, 2>& size) {
  return upsample("upsample_bilinear2d", x, size, true);
}

}  // namespace kiln
