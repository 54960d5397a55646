#include "ops/linear.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <memory>

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "graph/node.hpp"
#include "ops/blas.hpp"
#include "ops/parallel.hpp"
#include "ops/row_math.hpp"

namespace kiln {

namespace {

constexpr const char* linear_op = "linear";

// The kernel's output width for an input width `in`.
std::size_t output_width(const Shape& x, const Shape& kernel) {
  if (x.empty() || kernel.size() < 2)
    throw_shape_error(linear_op, "expects x (..., in) and a kernel of rank 2 or more, got", x, kernel);
  const std::size_t in = x.back();
  std::size_t leading = 1, axis = 0;
  do {
    leading *= kernel[axis++];  // at least the first axis, even for in == 1
  } while (axis < kernel.size() - 1 && leading < in);
  if (leading != in) throw_shape_error(linear_op, "the kernel's leading axes do not multiply to x's last axis:", x, kernel);
  std::size_t out = 1;
  for (; axis < kernel.size(); ++axis) out *= kernel[axis];
  return out;
}

}  // namespace

Tensor linear(const Tensor& x, const Tensor& kernel, const Tensor& bias, bool relu) {
  const Shape& xs = x.shape();
  const std::size_t in = xs.back(), out = output_width(xs, kernel.shape()), rows = x.size() / in;
  if (bias.defined() && bias.size() != out) {
    throw ShapeError(std::string(linear_op) + ": bias " + to_string(bias.shape()) + " must hold " + std::to_string(out) +
                     " elements for kernel " + to_string(kernel.shape()));
  }
  Shape out_shape = xs;
  out_shape.back() = out;
  Array y = Array::from_shape(out_shape);
  float* __restrict yd = y.data();
  const float* __restrict b = bias.defined() ? bias.value().data() : nullptr;
  // The bias goes in first and the GEMM adds to it (beta 1): OpenBLAS would
  // otherwise zero the output (beta 0) and a second pass add the bias. With
  // more rows than outputs (where ops/blas.cpp would split the product by
  // rows anyway) each half of the rows on kiln's two threads does all three;
  // not for one output, a matrix-vector product ops/blas.cpp splits its own way.
  const float* xd = x.value().data();
  auto rows_of_y = [&](std::size_t r0, std::size_t r1) {
    if (b) {
      for (std::size_t r = r0; r < r1; ++r) std::copy_n(b, out, yd + r * out);
    }
    gemm(false, false, int(r1 - r0), int(out), int(in), 1.0f, xd + r0 * in, kernel.value().data(), b ? 1.0f : 0.0f,
         yd + r0 * out);
    if (relu) {
      for (std::size_t i = r0 * out; i < r1 * out; ++i) yd[i] = std::max(yd[i], 0.0f);  // maxps, no branch
    }
  };
  if (rows >= out && out > 1) parallel_halves(rows, 2 * rows * in * out, rows_of_y, 16);
  else rows_of_y(0, rows);
  // With z = x K + b and y = relu(z) (or z):  dz = dy * (y > 0),
  //   dx = dz K^T,  dK = x^T dz,  db = column sums of dz
  auto xv = kernel.requires_grad() ? x.shared_value() : nullptr;
  auto kv = x.requires_grad() ? kernel.shared_value() : nullptr;
  const auto backward = [gx = x.grad_ref(), gk = kernel.grad_ref(), gb = bias.grad_ref(), xv = std::move(xv),
                         kv = std::move(kv), rows, in, out, relu](const Array& g, const Array& y) {
    const float* dz = g.data();
    Array masked;
    if (relu) {
      masked = Array::from_shape(g.shape());
      float* __restrict m = masked.data();
      const float* __restrict gd = g.data();
      const float* __restrict yd = y.data();
      // y > 0 tested on y's bits (y >= 0 after the relu, so its bits as a
      // signed integer are > 0 exactly when y > 0) and the gradient's bits
      // masked: GCC does not if-convert a float comparison (it might trap),
      // so this is what vectorises.
      const std::size_t n = g.size();
      for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t keep = 0u - std::uint32_t(std::bit_cast<std::int32_t>(yd[i]) > 0);
        m[i] = std::bit_cast<float>(std::bit_cast<std::uint32_t>(gd[i]) & keep);
      }
      dz = masked.data();
    }
    if (gx.requires_grad()) {
      const GradTarget dx = grad_target(gx);
      gemm(false, true, int(rows), int(in), int(out), 1.0f, dz, kv->data(), dx.accumulate ? 1.0f : 0.0f, dx.data);
    }
    if (gk.requires_grad()) {
      const GradTarget dk = grad_target(gk);
      gemm(true, false, int(in), int(out), int(rows), 1.0f, xv->data(), dz, dk.accumulate ? 1.0f : 0.0f, dk.data);
    }
    if (gb.requires_grad()) {
      Array db = xt::zeros<float>(gb.shape());
      add_column_sums(dz, rows, out, db.data());
      accumulate_grad(gb, std::move(db));
    }
  };
  if (relu) return record(std::move(y), {x, kernel, bias}, backward);
  // Without relu backward does not read y: do not keep it.
  return record(std::move(y), {x, kernel, bias}, [backward](const Array& g) mutable { backward(g, Array()); });
}

}  // namespace kiln
