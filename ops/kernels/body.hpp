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
#include <cstdint>

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

std::size_t first_nonzero(const float* x, std::size_t n) {
  const batch zero(0.0f);
  std::size_t i = 0;
  for (; i + width <= n; i += width) {
    // !(x == 0), not x != 0: AVX's ordered != is false for NaN. The tail loop finds which.
    if (xsimd::any(!(batch::load_unaligned(x + i) == zero))) break;
  }
  for (; i < n; ++i) {
    if (x[i] != 0.0f) return i;
  }
  return n;
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

// The cell's gradient for one row, its pointers as restrict parameters: GCC
// does not vectorise this loop over restrict locals copied from the struct.
void gru_backward_lanes(std::size_t H, const float* __restrict z, const float* __restrict r,
                        const float* __restrict n, const float* __restrict hph, const float* __restrict h,
                        float* __restrict dh, float* __restrict dxp, float* __restrict dhp) {
  for (std::size_t j = 0; j < H; ++j) {
    const float dz = dh[j] * (h[j] - n[j]);
    const float da = dh[j] * (1.0f - z[j]) * (1.0f - n[j] * n[j]);
    const float dr = da * hph[j];
    const float dz_pre = dz * z[j] * (1.0f - z[j]), dr_pre = dr * r[j] * (1.0f - r[j]);
    dxp[j] = dz_pre;
    dhp[j] = dz_pre;
    dxp[H + j] = dr_pre;
    dhp[H + j] = dr_pre;
    dxp[2 * H + j] = da;
    dhp[2 * H + j] = da * r[j];
    dh[j] *= z[j];
  }
}

void gru_backward(const GruGradRow& row) {
  const std::size_t H = row.units;
  const float* z = row.cache;  // z, r, n, hp_h: H floats each
  gru_backward_lanes(H, z, z + H, z + 2 * H, z + 3 * H, row.h, row.dh, row.dxp, row.dhp);
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

void layer_norm_forward(const LayerNormRows& p) {
  const std::size_t n = p.n;
  const float* __restrict gamma = p.gamma;
  const float* __restrict beta = p.beta;
  for (std::size_t r = 0; r < p.rows; ++r) {
    const float* __restrict x = p.x + r * n;
    float* __restrict y = p.y + r * n;
    const float mean = p.rms ? 0.0f : row_sum(x, n) / float(n);
    for (std::size_t i = 0; i < n; ++i) y[i] = x[i] - mean;  // centred, then scaled in place
    const float inv = 1.0f / __builtin_sqrtf(row_dot(y, y, n) / float(n) + p.epsilon);
    p.mean[r] = mean;
    p.inv[r] = inv;
    if (gamma && beta) {
      for (std::size_t i = 0; i < n; ++i) y[i] = y[i] * inv * gamma[i] + beta[i];
    } else if (gamma) {
      for (std::size_t i = 0; i < n; ++i) y[i] = y[i] * inv * gamma[i];
    } else if (beta) {
      for (std::size_t i = 0; i < n; ++i) y[i] = y[i] * inv + beta[i];
    } else {
      for (std::size_t i = 0; i < n; ++i) y[i] *= inv;
    }
  }
}

void layer_norm_backward(const LayerNormGradRows& p) {
  const std::size_t n = p.n;
  const float* __restrict gamma = p.gamma;
  float *__restrict g = p.scratch, *__restrict xhat = p.scratch + n;
  float *__restrict dgamma = p.dgamma, *__restrict dbeta = p.dbeta;
  for (std::size_t r = 0; r < p.rows; ++r) {
    const float* __restrict dy = p.dy + r * n;
    const float* __restrict x = p.x + r * n;
    const float m = p.mean[r], inv = p.inv[r];
    for (std::size_t i = 0; i < n; ++i) xhat[i] = (x[i] - m) * inv;
    if (gamma) {
      for (std::size_t i = 0; i < n; ++i) g[i] = dy[i] * gamma[i];
    } else {
      for (std::size_t i = 0; i < n; ++i) g[i] = dy[i];
    }
    if (dgamma) {
      for (std::size_t i = 0; i < n; ++i) dgamma[i] += dy[i] * xhat[i];
    }
    if (dbeta) {
      for (std::size_t i = 0; i < n; ++i) dbeta[i] += dy[i];
    }
    if (!p.dx) continue;
    const float g_mean = p.rms ? 0.0f : row_sum(g, n) / float(n), gx_mean = row_dot(g, xhat, n) / float(n);
    float* __restrict dx = p.dx + r * n;
    for (std::size_t i = 0; i < n; ++i) dx[i] = inv * (g[i] - g_mean - xhat[i] * gx_mean);
  }
}

void column_sums(const float* __restrict x, std::size_t rows, std::size_t n, std::size_t stride,
                 float* __restrict sums) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* __restrict row = x + r * stride;
    for (std::size_t j = 0; j < n; ++j) sums[j] += row[j];
  }
}

// SplitMix64 at counter c: the stream's state after c steps of the golden
// increment, mixed. Draw j of a stream seeded with `seed` is at c = j + 1, so
// the draws are independent of each other and the loop vectorises.
std::uint64_t splitmix(std::uint64_t seed, std::uint64_t c) {
  std::uint64_t z = seed + c * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Each 64-bit draw gives two 24-bit uniforms: bits 40-63 for flag 2j, bits
// 8-31 for flag 2j + 1. Drawn a block at a time: the mixing loop alone is what
// vectorises (the interleaved flags would stop it).
template <class T>
void dropout_fill(std::uint64_t seed, std::uint64_t threshold, T on, T* __restrict keep, std::size_t n) {
  constexpr std::size_t block = 128;
  std::uint64_t draws[block];
  const std::size_t total = (n + 1) / 2;
  for (std::size_t first = 0; first < total; first += block) {
    const std::size_t count = total - first < block ? total - first : block;
    for (std::size_t j = 0; j < count; ++j) draws[j] = splitmix(seed, first + j + 1);
    for (std::size_t j = 0; j < count; ++j) {
      const std::size_t i = 2 * (first + j);
      keep[i] = (draws[j] >> 40) >= threshold ? on : T(0);
      if (i + 1 < n) keep[i + 1] = ((draws[j] >> 8) & 0xFFFFFFu) >= threshold ? on : T(0);
    }
  }
}

void dropout_bytes(std::uint64_t seed, std::uint64_t threshold, std::uint8_t on, std::uint8_t* keep, std::size_t n) {
  dropout_fill(seed, threshold, on, keep, n);
}

void dropout_floats(std::uint64_t seed, std::uint64_t threshold, float on, float* keep, std::size_t n) {
  dropout_fill(seed, threshold, on, keep, n);
}

void dropout_add_forward(const float* __restrict x, const float* __restrict residual, const std::uint8_t* __restrict keep,
                         float scale, float* __restrict y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] = residual[i] + x[i] * (float(keep[i]) * scale);
}

void dropout_add_backward(const float* __restrict g, const std::uint8_t* __restrict keep, float scale,
                          float* __restrict dx, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) dx[i] = g[i] * (float(keep[i]) * scale);
}

}  // namespace

extern const Table table;  // namespace-scope const would be file-local
const Table table{KILN_KERNEL_ISA, sigmoid, tanh, row_max, row_sum, row_dot, row_exp_shifted, first_nonzero, adam, gru_forward, gru_backward,
                  additive_scores, additive_grad, layer_norm_forward, layer_norm_backward, column_sums,
                  dropout_bytes, dropout_floats, dropout_add_forward, dropout_add_backward};

}  // namespace kiln::kernels::KILN_KERNEL_NS
