#pragma once
// The GRU and LSTM equations written out step by step in plain loops over
// doubles, independent of kiln's fused ops and tape: the tests' reference.
// Both return the carried states after every step in processing order, as
// gru_sequence / lstm_sequence do.

#include <cmath>
#include <vector>

#include "graph/tensor.hpp"

namespace kiln::testing {

struct ReferenceRnn {
  Array x, kernel, recurrent_kernel;
  Array bias;                    // GRU (2, 3H), LSTM (4H); a default Array (0-d) for none
  const Array* mask = nullptr;   // (B, T), 0 = carry the state
  bool go_backwards = false;
};

namespace detail {

inline double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

// (x_t kernel)[c] + (h recurrent_kernel)[c] for one batch row, unbiased, kept apart.
inline void projections(const ReferenceRnn& r, std::size_t b, std::size_t t, const std::vector<double>& h,
                        std::vector<double>& xp, std::vector<double>& hp) {
  const std::size_t D = r.x.shape()[2], G = r.kernel.shape()[1];
  for (std::size_t c = 0; c < G; ++c) {
    double sx = 0.0, sh = 0.0;
    for (std::size_t d = 0; d < D; ++d) sx += double(r.x(b, t, d)) * r.kernel(d, c);
    for (std::size_t i = 0; i < h.size(); ++i) sh += h[i] * r.recurrent_kernel(i, c);
    xp[c] = sx;
    hp[c] = sh;
  }
}

inline bool skipped(const ReferenceRnn& r, std::size_t b, std::size_t t) {
  return r.mask && (*r.mask)(b, t) == 0.0f;
}

}  // namespace detail

// Keras GRU, reset_after=True, gates z, r, h. Returns (B, T, H).
inline Array reference_gru(const ReferenceRnn& r, const Array& h0) {
  const std::size_t B = r.x.shape()[0], T = r.x.shape()[1], H = h0.shape()[1];
  Array out = Array::from_shape({B, T, H});
  std::vector<double> xp(3 * H), hp(3 * H);
  auto bias = [&](std::size_t row, std::size_t c) { return r.bias.dimension() ? double(r.bias(row, c)) : 0.0; };
  for (std::size_t b = 0; b < B; ++b) {
    std::vector<double> h(H);
    for (std::size_t j = 0; j < H; ++j) h[j] = h0(b, j);
    for (std::size_t s = 0; s < T; ++s) {
      const std::size_t t = r.go_backwards ? T - 1 - s : s;
      if (!detail::skipped(r, b, t)) {
        detail::projections(r, b, t, h, xp, hp);
        std::vector<double> next(H);
        for (std::size_t j = 0; j < H; ++j) {
          const double z = detail::sigmoid(xp[j] + bias(0, j) + hp[j] + bias(1, j));
          const double rr = detail::sigmoid(xp[H + j] + bias(0, H + j) + hp[H + j] + bias(1, H + j));
          const double n = std::tanh(xp[2 * H + j] + bias(0, 2 * H + j) + rr * (hp[2 * H + j] + bias(1, 2 * H + j)));
          next[j] = z * h[j] + (1.0 - z) * n;
        }
        h = next;
      }
      for (std::size_t j = 0; j < H; ++j) out(b, s, j) = float(h[j]);
    }
  }
  return out;
}

// Keras LSTM, gates i, f, c, o. Returns (B, T, 2, H): h then c after each step.
inline Array reference_lstm(const ReferenceRnn& r, const Array& h0, const Array& c0) {
  const std::size_t B = r.x.shape()[0], T = r.x.shape()[1], H = h0.shape()[1];
  Array out = Array::from_shape({B, T, 2, H});
  std::vector<double> xp(4 * H), hp(4 * H);
  for (std::size_t b = 0; b < B; ++b) {
    std::vector<double> h(H), c(H);
    for (std::size_t j = 0; j < H; ++j) {
      h[j] = h0(b, j);
      c[j] = c0(b, j);
    }
    for (std::size_t s = 0; s < T; ++s) {
      const std::size_t t = r.go_backwards ? T - 1 - s : s;
      if (!detail::skipped(r, b, t)) {
        detail::projections(r, b, t, h, xp, hp);
        auto a = [&](std::size_t c) { return xp[c] + hp[c] + (r.bias.dimension() ? double(r.bias(c)) : 0.0); };
        for (std::size_t j = 0; j < H; ++j) {
          const double i = detail::sigmoid(a(j)), f = detail::sigmoid(a(H + j));
          const double g = std::tanh(a(2 * H + j)), o = detail::sigmoid(a(3 * H + j));
          c[j] = f * c[j] + i * g;
          h[j] = o * std::tanh(c[j]);
        }
      }
      for (std::size_t j = 0; j < H; ++j) {
        out(b, s, 0, j) = float(h[j]);
        out(b, s, 1, j) = float(c[j]);
      }
    }
  }
  return out;
}

}  // namespace kiln::testing
