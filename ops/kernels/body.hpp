// The kernels of ops/kernels.hpp, written once and compiled once per
// instruction set: each ops/kernels/isa_*.cpp defines KILN_KERNEL_NS and
// includes this file with its own -march, so xsimd::batch<float> is that
// level's widest vector and GCC auto-vectorises the plain loops for it.
//
// No include guard on purpose. Only raw pointers, xsimd batches (a distinct
// type per instruction set) and compiler builtins appear here: an inline
// function shared with the baseline code (std::vector, std::max, ...)
// instantiated in an AVX-512 object could be the copy the linker keeps,
// and then the baseline would execute AVX-512 instructions.

#ifndef KILN_KERNEL_NS
#error "define KILN_KERNEL_NS before including ops/kernels/body.hpp"
#endif

#include <cstddef>

#include <xsimd/xsimd.hpp>

#include "ops/kernels.hpp"

namespace kiln::kernels::KILN_KERNEL_NS {
namespace {

using batch = xsimd::batch<float>;
constexpr std::size_t width = batch::size;
// Proof that this object got its -march: 4 floats for SSE, 8 for AVX2, 16 for AVX-512.
static_assert(width == KILN_KERNEL_WIDTH, "ops/kernels: this file was not built for its instruction set");

void sigmoid(float* p, std::size_t n) {
  const batch one(1.0f);
  std::size_t i = 0;
  for (; i + width <= n; i += width) {
    const batch v = batch::load_unaligned(p + i);
    (one / (one + xsimd::exp(-v))).store_unaligned(p + i);
  }
  // exp overflowing to inf gives exactly 0.
  for (; i < n; ++i) p[i] = 1.0f / (1.0f + __builtin_expf(-p[i]));
}

void tanh(float* p, std::size_t n) {
  std::size_t i = 0;
  for (; i + width <= n; i += width) xsimd::tanh(batch::load_unaligned(p + i)).store_unaligned(p + i);
  for (; i < n; ++i) p[i] = __builtin_tanhf(p[i]);
}

float row_max(const float* x, std::size_t n) {
  std::size_t i = 0;
  float m = x[0];
  if (n >= width) {
    batch acc = batch::load_unaligned(x);
    for (i = width; i + width <= n; i += width) acc = xsimd::max(acc, batch::load_unaligned(x + i));
    alignas(64) float lanes[width];
    acc.store_aligned(lanes);
    for (float l : lanes) m = l > m ? l : m;
  }
  for (; i < n; ++i) m = x[i] > m ? x[i] : m;
  return m;
}

float row_sum(const float* x, std::size_t n) {
  batch acc(0.0f);
  std::size_t i = 0;
  for (; i + width <= n; i += width) acc += batch::load_unaligned(x + i);
  float total = xsimd::hadd(acc);
  for (; i < n; ++i) total += x[i];
  return total;
}

float row_dot(const float* a, const float* b, std::size_t n) {
  batch acc(0.0f);
  std::size_t i = 0;
  for (; i + width <= n; i += width) {
    acc = xsimd::fma(batch::load_unaligned(a + i), batch::load_unaligned(b + i), acc);
  }
  float total = xsimd::hadd(acc);
  for (; i < n; ++i) total += a[i] * b[i];
  return total;
}

float row_exp_shifted(const float* x, float shift, float* y, std::size_t n) {
  const batch s(shift);
  batch acc(0.0f);
  std::size_t i = 0;
  for (; i + width <= n; i += width) {
    const batch e = xsimd::exp(batch::load_unaligned(x + i) - s);
    e.store_unaligned(y + i);
    acc += e;
  }
  float total = xsimd::hadd(acc);
  for (; i < n; ++i) {
    y[i] = __builtin_expf(x[i] - shift);
    total += y[i];
  }
  return total;
}

// A plain loop: with __restrict and -fno-math-errno GCC vectorises it
// (sqrt included) at this file's width.
void adam(const AdamConstants& c, float* __restrict w, const float* __restrict g, float* __restrict m,
          float* __restrict v, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    m[i] += (g[i] - m[i]) * c.keep_1;         // = b1 m + (1 - b1) g
    v[i] += (g[i] * g[i] - v[i]) * c.keep_2;  // = b2 v + (1 - b2) g^2
    w[i] -= c.lr_t * m[i] / (__builtin_sqrtf(v[i]) + c.epsilon);
  }
}

// ops/gru.cpp's cell, whose comments derive the backward pass.
void gru_forward(const GruRow& row) {
  const std::size_t H = row.units;
  const float* __restrict xp = row.xp;
  const float* __restrict hp = row.hp;
  const float* __restrict b = row.bias;
  float *__restrict z = row.cache, *__restrict r = z + H, *__restrict n = r + H, *__restrict hph = n + H;
  for (std::size_t j = 0; j < 2 * H; ++j) z[j] = xp[j] + hp[j] + b[j];  // z and r together
  sigmoid(z, 2 * H);
  for (std::size_t j = 0; j < H; ++j) {
    hph[j] = hp[2 * H + j] + b[2 * H + j];
    n[j] = xp[2 * H + j] + r[j] * hph[j];
  }
  tanh(n, H);
  const float* __restrict h = row.h;
  float* __restrict h_new = row.h_new;
  for (std::size_t j = 0; j < H; ++j) h_new[j] = n[j] + z[j] * (h[j] - n[j]);
}

void gru_backward(const GruGradRow& row) {
  const std::size_t H = row.units;
  const float *__restrict z = row.cache, *__restrict r = z + H, *__restrict n = r + H, *__restrict hph = n + H;
  const float* __restrict h = row.h;
  float* __restrict dh = row.dh;
  float *__restrict dxp = row.dxp, *__restrict dhp = row.dhp;
  for (std::size_t j = 0; j < H; ++j) {
    const float dz = dh[j] * (h[j] - n[j]);
    const float da = dh[j] * (1.0f - z[j]) * (1.0f - n[j] * n[j]);
    const float dr = da * hph[j];
    dxp[j] = dhp[j] = dz * z[j] * (1.0f - z[j]);
    dxp[H + j] = dhp[H + j] = dr * r[j] * (1.0f - r[j]);
    dxp[2 * H + j] = da;
    dhp[2 * H + j] = da * r[j];
    dh[j] *= z[j];
  }
}

// ops/additive_attention.cpp's block: Te * E floats that stay in L1 while used.
void additive_block(const float* __restrict q, const float* __restrict keys, float* __restrict block,
                    std::size_t steps, std::size_t features) {
  for (std::size_t j = 0; j < steps; ++j) {
    const float* __restrict k = keys + j * features;
    float* __restrict hj = block + j * features;
    for (std::size_t c = 0; c < features; ++c) hj[c] = q[c] + k[c];
  }
  tanh(block, steps * features);
}

void additive_scores(const AdditiveRow& row) {
  additive_block(row.q, row.keys, row.block, row.steps, row.width);
  for (std::size_t j = 0; j < row.steps; ++j) row.scores[j] = row_dot(row.block + j * row.width, row.v, row.width);
}

void additive_grad(const AdditiveGradRow& row) {
  const std::size_t features = row.width;
  additive_block(row.q, row.keys, row.block, row.steps, features);
  const float* __restrict v = row.v;
  float *__restrict dq = row.dq, *__restrict dv = row.dv;
  for (std::size_t j = 0; j < row.steps; ++j) {
    const float g = row.g[j];
    const float* __restrict h = row.block + j * features;
    float* __restrict dk = row.dkeys + j * features;
    for (std::size_t c = 0; c < features; ++c) {
      const float dpre = g * v[c] * (1.0f - h[c] * h[c]);  // d tanh = 1 - h^2
      dk[c] += dpre;
      dq[c] += dpre;
      dv[c] += g * h[c];
    }
  }
}

}  // namespace

extern const Table table;  // namespace-scope const would be file-local
const Table table{KILN_KERNEL_ISA, sigmoid, tanh, row_max, row_sum, row_dot, row_exp_shifted, adam, gru_forward, gru_backward,
                  additive_scores, additive_grad};

}  // namespace kiln::kernels::KILN_KERNEL_NS
