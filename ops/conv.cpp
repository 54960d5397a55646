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
// (b, oh, ow); its columns are the taps (kh, kw, c) in the kernel's order,
// group by group: group g's columns (kh, kw, c - g * in_per_group) come
// together, so each group's block of the matrix, of the kernel
// (taps_per_group, filters) and of the output is a strided sub-matrix, one
// GEMM each. With one group it is the whole matrix, one GEMM per call.
struct ConvPlan {
  WindowGrid grid;
  std::size_t filters = 0;
  std::size_t groups = 1;
  std::size_t taps = 0;  // kh * kw * in: the im2col matrix's width
  std::size_t group_taps() const { return taps / groups; }
  std::size_t group_filters() const { return filters / groups; }
  // A 1x1 kernel at stride 1 without padding reads each input cell once, in
  // order: the input is its own im2col matrix.
  bool input_is_cols = false;
  Shape out_shape;

  int rows() const { return int(grid.out_cells()); }
};

ConvPlan plan_conv(const char* op, const Shape& x, const Shape& kernel, const WindowAxis& rows,
                   const WindowAxis& cols, std::size_t groups) {
  const std::size_t rank = x.size();
  if (kernel.size() != rank) {
    throw_shape_error(op, "expects a kernel of rank " + std::to_string(rank) + " for the input, got", x, kernel);
  }
  if (groups == 0 || x.back() % groups != 0 || kernel.back() % groups != 0) {
    throw_shape_error(op, "with " + std::to_string(groups) +
                              " groups, the input's channels and the filters must be multiples of it:", x, kernel);
  }
  if (kernel[rank - 2] * groups != x.back()) {
    throw_shape_error(op, groups == 1 ? "the input's channels (last axis) and the kernel's (second-last) differ:"
                                      : "the kernel's second-last axis must be the input's channels / groups:",
                      x, kernel);
  }
  if (rows.stride == 0 || cols.stride == 0 || rows.dilation == 0 || cols.dilation == 0) {
    throw Error(std::string(op) + ": strides and dilation rates must be positive");
  }
  const bool fits = rows.output_size(rank == 4 ? x[1] : 1) > 0 && cols.output_size(x[rank - 2]) > 0;
  if (!fits) throw_shape_error(op, "the kernel's window does not fit the input:", x, kernel);
  ConvPlan p;
  p.grid = window_grid(op, x, rows, cols);
  p.filters = kernel.back();
  p.groups = groups;
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

// Where a run of n input floats (whole taps, or a part of one tap with one
// group) lands in the grouped im2col matrix: calls f(col, offset, count) for
// each piece, `col` its offset in the matrix, `offset` its offset in the run.
template <class F>
void for_each_piece(const ConvPlan& p, std::size_t at, std::size_t n, F&& f) {
  if (p.groups == 1) {
    f(at, 0, n);
    return;
  }
  const std::size_t C = p.grid.channels, per_group = C / p.groups;
  const std::size_t row_start = at - at % p.taps, first_tap = (at % p.taps) / C;
  for (std::size_t k = 0; k < n / C; ++k) {
    for (std::size_t g = 0; g < p.groups; ++g) {
      f(row_start + g * p.group_taps() + (first_tap + k) * per_group, k * C + g * per_group, per_group);
    }
  }
}

// cols (cells, taps) <- the input's windows, zeros in the padding.
void im2col(const ConvPlan& p, const float* x, float* cols) {
  for_each_tap(
      p.grid,
      [&](std::size_t at, std::size_t cell, std::size_t n) {
        for_each_piece(p, at, n, [&](std::size_t col, std::size_t offset, std::size_t count) {
          std::copy_n(x + cell + offset, count, cols + col);
        });
      },
      [&](std::size_t at, std::size_t n) {
        for_each_piece(p, at, n, [&](std::size_t col, std::size_t, std::size_t count) { std::fill_n(cols + col, count, 0.0f); });
      });
}

// dx += the windows of dcols scattered back (the adjoint of im2col).
void col2im(const ConvPlan& p, const float* dcols, float* dx) {
  for_each_tap(
      p.grid,
      [&](std::size_t at, std::size_t cell, std::size_t n) {
        for_each_piece(p, at, n, [&](std::size_t col, std::size_t offset, std::size_t count) {
          const float* src = dcols + col;
          float* dst = dx + cell + offset;
          for (std::size_t i = 0; i < count; ++i) dst[i] += src[i];
        });
      },
      [](std::size_t, std::size_t) {});
}

// The three products of a convolution, each as one GEMM per group on that
// group's blocks: columns [g * taps_per_group, ...) of the im2col matrix,
// [g * filters_per_group, ...) of the kernel, the output and its gradient.
enum class Product { forward, kernel_grad, cols_grad };

void grouped_gemm(const ConvPlan& p, Product product, const float* a, const float* b, float beta, float* c) {
  const int rows = p.rows(), taps = int(p.taps), filters = int(p.filters);
  const int gt = int(p.group_taps()), gf = int(p.group_filters());
  for (std::size_t g = 0; g < p.groups; ++g) {
    const std::size_t tap0 = g * p.group_taps(), filter0 = g * p.group_filters();
    switch (product) {
      case Product::forward:  // Y_g = cols_g K_g
        gemm_strided(false, false, rows, gf, gt, 1.0f, a + tap0, taps, b + filter0, filters, beta, c + filter0, filters);
        break;
      case Product::kernel_grad:  // dK_g = cols_g^T dY_g
        gemm_strided(true, false, gt, gf, rows, 1.0f, a + tap0, taps, b + filter0, filters, beta, c + filter0, filters);
        break;
      case Product::cols_grad:  // dcols_g = dY_g K_g^T
        gemm_strided(false, true, rows, gt, gf, 1.0f, a + filter0, filters, b + filter0, filters, beta, c + tap0, taps);
        break;
    }
  }
}

// The im2col matrix of x for plan p (x itself when input_is_cols).
const float* columns_of(const ConvPlan& p, const Array& x, Array& storage) {
  if (p.input_is_cols) return x.data();
  storage = Array::from_shape({p.grid.out_cells(), p.taps});
  im2col(p, x.data(), storage.data());
  return storage.data();
}

Tensor convolve(const char* op, const Tensor& x, const Tensor& kernel, const WindowAxis& row_axis,
                const WindowAxis& col_axis, std::size_t groups) {
  const ConvPlan p = plan_conv(op, x.shape(), kernel.shape(), row_axis, col_axis, groups);
  Array out = Array::from_shape(p.out_shape);
  Array storage;
  const float* columns = columns_of(p, x.value(), storage);
  grouped_gemm(p, Product::forward, columns, kernel.value().data(), 0.0f, out.data());
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
    // Y = cols(X) K (per group):  dK = cols(X)^T dY,  dX = col2im(dY K^T).
    if (cols && gk.requires_grad()) {
      const GradTarget dk = grad_target(gk);
      grouped_gemm(p, Product::kernel_grad, cols->data(), g.data(), dk.accumulate ? 1.0f : 0.0f, dk.data);
    }
    if (kv && gx.requires_grad()) {
      const GradTarget dx = grad_target(gx);
      if (p.input_is_cols) {
        grouped_gemm(p, Product::cols_grad, g.data(), kv->data(), dx.accumulate ? 1.0f : 0.0f, dx.data);
        return;
      }
      Array dcols = Array::from_shape({p.grid.out_cells(), p.taps});
      grouped_gemm(p, Product::cols_grad, g.data(), kv->data(), 0.0f, dcols.data());
      if (!dx.accumulate) std::fill(dx.data, dx.data + element_count(gx.shape()), 0.0f);
      col2im(p, dcols.data(), dx.data);
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
  return convolve("conv1d", x, kernel, WindowAxis{}, steps, o.groups);
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
  return convolve("conv2d", x, kernel, rows, cols, o.groups);
}

}  // namespace kiln
