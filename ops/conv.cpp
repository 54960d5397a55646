#include "ops/conv.hpp"

#include <algorithm>
#include <memory>
#include <string>

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "ops/blas.hpp"

namespace kiln {

namespace {

// One convolution call: the window grid over the input (1-D inputs as height
// 1) and the GEMM sizes. Row r of the im2col matrix is output cell
// (b, oh, ow); its columns are the taps (kh, kw, c) in the kernel's order.
struct ConvPlan {
  WindowGrid grid;
  std::size_t filters = 0;
  std::size_t taps = 0;  // kh * kw * in: the im2col matrix's width
  // A 1x1 kernel at stride 1 without padding reads each input cell once, in
  // order: the input is its own im2col matrix.
  bool input_is_cols = false;
  Shape out_shape;

  int rows() const { return int(grid.out_cells()); }
};

ConvPlan plan_conv(const char* op, const Shape& x, const Shape& kernel, const WindowAxis& rows,
                   const WindowAxis& cols) {
  const std::size_t rank = x.size();
  if (kernel.size() != rank) {
    throw_shape_error(op, "expects a kernel of rank " + std::to_string(rank) + " for the input, got", x, kernel);
  }
  if (kernel[rank - 2] != x.back()) {
    throw_shape_error(op, "the input's channels (last axis) and the kernel's (second-last) differ:", x, kernel);
  }
  if (rows.stride == 0 || cols.stride == 0 || rows.dilation == 0 || cols.dilation == 0) {
    throw Error(std::string(op) + ": strides and dilation rates must be positive");
  }
  const bool fits = rows.output_size(rank == 4 ? x[1] : 1) > 0 && cols.output_size(x[rank - 2]) > 0;
  if (!fits) throw_shape_error(op, "the kernel's window does not fit the input:", x, kernel);
  ConvPlan p;
  p.grid = window_grid(op, x, rows, cols);
  p.filters = kernel.back();
  p.taps = p.grid.rows.size * p.grid.cols.size * p.grid.channels;
  const WindowAxis& r = p.grid.rows;
  const WindowAxis& c = p.grid.cols;
  p.input_is_cols = r.size == 1 && c.size == 1 && r.stride == 1 && c.stride == 1 && r.pad_before + r.pad_after +
                                                                                         c.pad_before + c.pad_after == 0;
  p.out_shape = rank == 4 ? Shape{p.grid.batch, p.grid.out_height, p.grid.out_width, p.filters}
                          : Shape{p.grid.batch, p.grid.out_width, p.filters};
  return p;
}

// The input row and column under tap (kh, kw) of output cell (oh, ow), or
// false where the tap falls in the padding.
inline bool tap_cell(const WindowGrid& g, std::size_t oh, std::size_t kh, std::size_t& ih) {
  const std::size_t padded = oh * g.rows.stride + kh * g.rows.dilation;
  if (padded < g.rows.pad_before || padded - g.rows.pad_before >= g.height) return false;
  ih = padded - g.rows.pad_before;
  return true;
}
inline bool tap_col(const WindowGrid& g, std::size_t ow, std::size_t kw, std::size_t& iw) {
  const std::size_t padded = ow * g.cols.stride + kw * g.cols.dilation;
  if (padded < g.cols.pad_before || padded - g.cols.pad_before >= g.width) return false;
  iw = padded - g.cols.pad_before;
  return true;
}

// Calls visit(at, cell, n) for the taps of every output cell that land
// inside the input (n floats from input offset `cell` belong at offset `at`
// of the im2col matrix) and pad(at, n) for taps in the padding. Taps along
// a row of the window that are adjacent in the input (dilation 1) go as one
// run, so a 3x3 window over 16 channels is 3 copies of 48 floats, not 9 of 16.
template <class Visit, class Pad>
void for_each_tap(const WindowGrid& g, Visit&& visit, Pad&& pad) {
  const std::size_t C = g.channels, KW = g.cols.size;
  const std::size_t row_floats = KW * C;
  std::size_t at = 0;
  for (std::size_t b = 0; b < g.batch; ++b) {
    for (std::size_t oh = 0; oh < g.out_height; ++oh) {
      for (std::size_t ow = 0; ow < g.out_width; ++ow) {
        for (std::size_t kh = 0; kh < g.rows.size; ++kh, at += row_floats) {
          std::size_t ih = 0;
          if (!tap_cell(g, oh, kh, ih)) {
            pad(at, row_floats);
            continue;
          }
          const std::size_t row_cell = (b * g.height + ih) * g.width;
          if (g.cols.dilation == 1) {
            // Taps kw in [lo, hi) fall inside: one run; the rest is padding.
            const std::size_t start = ow * g.cols.stride;  // padded coordinate of tap 0
            const std::size_t lo = std::min(KW, start < g.cols.pad_before ? g.cols.pad_before - start : 0);
            const std::size_t end = g.cols.pad_before + g.width;  // first padded coordinate past the input
            const std::size_t hi = std::min(KW, end > start ? end - start : 0);
            if (lo > 0) pad(at, lo * C);
            if (hi > lo) visit(at + lo * C, (row_cell + start + lo - g.cols.pad_before) * C, (hi - lo) * C);
            if (hi < KW) pad(at + std::max(hi, lo) * C, (KW - std::max(hi, lo)) * C);
            continue;
          }
          for (std::size_t kw = 0; kw < KW; ++kw) {
            std::size_t iw = 0;
            if (tap_col(g, ow, kw, iw)) visit(at + kw * C, (row_cell + iw) * C, C);
            else pad(at + kw * C, C);
          }
        }
      }
    }
  }
}

// cols (cells, taps) <- the input's windows, zeros in the padding.
void im2col(const WindowGrid& g, const float* x, float* cols) {
  for_each_tap(
      g, [&](std::size_t at, std::size_t cell, std::size_t n) { std::copy_n(x + cell, n, cols + at); },
      [&](std::size_t at, std::size_t n) { std::fill_n(cols + at, n, 0.0f); });
}

// dx += the windows of dcols scattered back (the adjoint of im2col).
void col2im(const WindowGrid& g, const float* dcols, float* dx) {
  for_each_tap(
      g,
      [&](std::size_t at, std::size_t cell, std::size_t n) {
        const float* src = dcols + at;
        float* dst = dx + cell;
        for (std::size_t i = 0; i < n; ++i) dst[i] += src[i];
      },
      [](std::size_t, std::size_t) {});
}

// The im2col matrix of x for plan p (x itself when input_is_cols).
const float* columns_of(const ConvPlan& p, const Array& x, Array& storage) {
  if (p.input_is_cols) return x.data();
  storage = Array::from_shape({p.grid.out_cells(), p.taps});
  im2col(p.grid, x.data(), storage.data());
  return storage.data();
}

Tensor convolve(const char* op, const Tensor& x, const Tensor& kernel, const WindowAxis& row_axis,
                const WindowAxis& col_axis) {
  const ConvPlan p = plan_conv(op, x.shape(), kernel.shape(), row_axis, col_axis);
  Array out = Array::from_shape(p.out_shape);
  Array storage;
  const float* columns = columns_of(p, x.value(), storage);
  gemm(false, false, p.rows(), int(p.filters), int(p.taps), 1.0f, columns, kernel.value().data(), 0.0f, out.data());
  // The kernel's gradient reads the im2col matrix: kept rather than rebuilt
  // (the input itself for a pointwise kernel). The input's reads the kernel.
  std::shared_ptr<const Array> kept_cols;
  if (kernel.requires_grad()) {
    kept_cols = p.input_is_cols ? x.shared_value() : std::make_shared<const Array>(std::move(storage));
  }
  auto kv = x.requires_grad() ? kernel.shared_value() : nullptr;
  return record(std::move(out), {x, kernel},
                [gx = x.grad_ref(), gk = kernel.grad_ref(), cols = std::move(kept_cols), kv = std::move(kv),
                 p](const Array& g) {
    // Y = cols(X) K:  dK = cols(X)^T dY,  dX = col2im(dY K^T).
    const int rows = p.rows(), filters = int(p.filters), taps = int(p.taps);
    if (cols && gk.requires_grad()) {
      const GradTarget dk = grad_target(gk);
      gemm(true, false, taps, filters, rows, 1.0f, cols->data(), g.data(), dk.accumulate ? 1.0f : 0.0f, dk.data);
    }
    if (kv && gx.requires_grad()) {
      const GradTarget dx = grad_target(gx);
      if (p.input_is_cols) {
        gemm(false, true, rows, taps, filters, 1.0f, g.data(), kv->data(), dx.accumulate ? 1.0f : 0.0f, dx.data);
        return;
      }
      Array dcols = Array::from_shape({p.grid.out_cells(), p.taps});
      gemm(false, true, rows, taps, filters, 1.0f, g.data(), kv->data(), 0.0f, dcols.data());
      if (!dx.accumulate) std::fill(dx.data, dx.data + element_count(gx.shape()), 0.0f);
      col2im(p.grid, dcols.data(), dx.data);
    }
  });
}

}  // namespace

Tensor conv1d(const Tensor& x, const Tensor& kernel, const Conv1DOptions& o) {
  if (x.ndim() != 3) throw ShapeError("conv1d: expected an input (batch, steps, channels), got " + to_string(x.shape()));
  if (kernel.ndim() != 3) {
    throw_shape_error("conv1d", "expects a kernel (kernel_size, in, out), got", x.shape(), kernel.shape());
  }
  const WindowAxis steps = window_axis(x.shape(1), kernel.shape(0), o.strides, o.dilation_rate, o.padding);
  return convolve("conv1d", x, kernel, WindowAxis{}, steps);
}

Tensor conv2d(const Tensor& x, const Tensor& kernel, const Conv2DOptions& o) {
  if (x.ndim() != 4) {
    throw ShapeError("conv2d: expected an input (batch, height, width, channels), got " + to_string(x.shape()));
  }
  if (kernel.ndim() != 4) {
    throw_shape_error("conv2d", "expects a kernel (kh, kw, in, out), got", x.shape(), kernel.shape());
  }
  if (o.padding == Padding::causal) throw Error("conv2d: causal padding is for 1-D convolutions only");
  const WindowAxis rows = window_axis(x.shape(1), kernel.shape(0), o.strides[0], o.dilation_rate[0], o.padding);
  const WindowAxis cols = window_axis(x.shape(2), kernel.shape(1), o.strides[1], o.dilation_rate[1], o.padding);
  return convolve("conv2d", x, kernel, rows, cols);
}

}  // namespace kiln
