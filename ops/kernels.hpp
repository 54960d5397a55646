#pragma once
// The hot elementwise kernels, compiled once per x86-64 level and chosen at
// run time by what the CPU supports. This is the one place kiln dispatches
// on the instruction set: libkiln itself is built for the portable baseline
// (x86-64-v2, see meson.build), and each kernel below also exists built for
// x86-64-v3 (AVX2 + FMA) and x86-64-v4 (AVX-512), in ops/kernels/.
//
// Callers go through the wrappers (row_math.hpp, span_activations.hpp,
// Adam); the table is public so a program or test can see, and pin, the
// variant in use.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kiln::kernels {

// Adam's per-step constants: m += (g - m) keep_1; v += (g^2 - v) keep_2;
// w -= lr_t m / (sqrt(v) + epsilon).
struct AdamConstants {
  float lr_t, keep_1, keep_2, epsilon;
};

// One GRU step on one batch row (Keras reset_after, gates z, r, h), the
// loops of ops/gru.cpp's cell. cache holds z, r, n, hp_h (4 H floats).
struct GruRow {
  std::size_t units;
  const float* xp;    // (3H): x_t kernel + bias[0]
  const float* hp;    // (3H): h_{t-1} recurrent_kernel
  const float* bias;  // (3H): bias[1]
  const float* h;     // (H): h_{t-1}
  float* cache;       // (4H)
  float* h_new;       // (H): forward's output
};
struct GruGradRow {
  std::size_t units;
  const float* cache;  // what forward cached
  const float* h;      // (H): h_{t-1}
  float* dh;           // (H): in dL/dh_t, out the part of dL/dh_{t-1} not through recurrent_kernel
  float* dxp;          // (3H)
  float* dhp;          // (3H)
};

// Bahdanau's scores for one (batch row, decoder step) of ops/additive_attention:
// block[j,:] = tanh(q + keys[j,:]) for the encoder steps j, scores[j] = block[j,:] . v.
struct AdditiveRow {
  std::size_t steps, width;  // encoder steps Te, feature width E
  const float* q;            // (E)
  const float* keys;         // (Te, E)
  const float* v;            // (E)
  float* block;              // (Te, E) scratch
  float* scores;             // (Te): forward's output
};
// Its backward with g = d scores (Te), the block recomputed from q and keys:
// dpre = g_j v (1 - h^2); dkeys[j,:] += dpre; dq += dpre; dv += g_j h.
struct AdditiveGradRow {
  std::size_t steps, width;
  const float* q;
  const float* keys;
  const float* v;
  const float* g;   // (Te)
  float* block;     // (Te, E) scratch
  float* dq;        // (E), accumulated
  float* dkeys;     // (Te, E), accumulated
  float* dv;        // (E), accumulated
};

// Layer normalization of `rows` rows of n features (ops/layer_norm), per row:
// mean (0 with rms), inv = 1 / sqrt(mean((x - mean)^2) + epsilon),
// y = (x - mean) inv gamma + beta. gamma and beta may be null.
struct LayerNormRows {
  std::size_t rows, n;
  float epsilon;
  bool rms;
  const float* x;      // (rows, n)
  const float* gamma;  // (n)
  const float* beta;   // (n)
  float* y;            // (rows, n)
  float* mean;         // (rows): kept for the backward pass
  float* inv;          // (rows)
};
// Its backward, per row with xhat = (x - mean) inv and g = dy gamma:
//   dx = inv (g - mean(g) - xhat mean(g xhat))   (rms: no mean(g) term)
//   dgamma += dy xhat,  dbeta += dy
// dx, dgamma and dbeta may be null (not wanted).
struct LayerNormGradRows {
  std::size_t rows, n;
  bool rms;
  const float* dy;     // (rows, n)
  const float* x;      // (rows, n)
  const float* gamma;  // (n) or null
  const float* mean;   // (rows)
  const float* inv;    // (rows)
  float* scratch;      // (2 n)
  float* dx;           // (rows, n)
  float* dgamma;       // (n), accumulated
  float* dbeta;        // (n), accumulated
};

struct Table {
  const char* isa;  // "x86-64-v2", "x86-64-v3" or "x86-64-v4"
  void (*sigmoid)(float* p, std::size_t n);
  void (*tanh)(float* p, std::size_t n);
  float (*row_max)(const float* x, std::size_t n);  // n >= 1
  float (*row_sum)(const float* x, std::size_t n);
  float (*row_dot)(const float* a, const float* b, std::size_t n);
  float (*row_exp_shifted)(const float* x, float shift, float* y, std::size_t n);
  // The index of the first x[i] that is not +-0 (NaN counts), n if none.
  std::size_t (*first_nonzero)(const float* x, std::size_t n);
  // w, g, m and v do not overlap.
  void (*adam)(const AdamConstants& c, float* w, const float* g, float* m, float* v, std::size_t n);
  void (*gru_forward)(const GruRow& row);
  void (*gru_backward)(const GruGradRow& row);
  void (*additive_scores)(const AdditiveRow& row);
  void (*additive_grad)(const AdditiveGradRow& row);
  void (*layer_norm_forward)(const LayerNormRows& rows);
  void (*layer_norm_backward)(const LayerNormGradRows& rows);
  // sums[j] += sum over r < rows of x[r * stride + j], j < n: a bias's gradient.
  void (*column_sums)(const float* x, std::size_t rows, std::size_t n, std::size_t stride, float* sums);
  // Inverted dropout's draws (ops/dropout_stream.hpp): keep[i] = `on` where
  // draw i passes `threshold`, else 0. Integer arithmetic only, so every
  // variant draws the same flags from the same seed.
  void (*dropout_bytes)(std::uint64_t seed, std::uint64_t threshold, std::uint8_t on, std::uint8_t* keep, std::size_t n);
  void (*dropout_floats)(std::uint64_t seed, std::uint64_t threshold, float on, float* keep, std::size_t n);
  // ops/dropout_add with keep flags k: forward y = residual + x k scale,
  // backward dx = g k scale.
  void (*dropout_add_forward)(const float* x, const float* residual, const std::uint8_t* keep, float scale, float* y,
                              std::size_t n);
  void (*dropout_add_backward)(const float* g, const std::uint8_t* keep, float scale, float* dx, std::size_t n);
};

// The table in use. On first use it is the widest variant the CPU runs,
// or the one named by the environment variable KILN_ISA (for comparing
// variants; a name this CPU cannot run throws kiln::Error).
const Table& active();

// The variants this CPU can run, narrowest first ("x86-64-v2" always).
std::vector<std::string> supported_isas();

// Makes `isa` the active table for the whole process (tests, benchmarks).
// Throws kiln::Error for an unknown name or one this CPU cannot run.
void use_isa(const std::string& isa);

}  // namespace kiln::kernels
