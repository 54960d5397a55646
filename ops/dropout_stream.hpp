#pragma once
// The keep/drop draws of inverted dropout from a counter-based stream
// (SplitMix64) seeded by one draw of the caller's generator: a fraction of
// the cost of drawing every pair of elements from a Mersenne twister, which
// the fused ops that drop hundreds of thousands of elements a step pay for
// (ops/dropout_add, ops/dot_product_attention). Each 64-bit value gives two
// 24-bit uniforms, compared with rate * 2^24 as ops/dropout's mask does.
// Draw j is SplitMix64 of seed + (j + 1) * golden, independent of the others,
// so the dispatched kernels (ops/kernels.hpp) draw many at once, and every
// instruction set draws the same flags.

#include <cmath>
#include <cstdint>
#include <random>

#include "ops/kernels.hpp"

namespace kiln {

class DropoutStream {
 public:
  DropoutStream(std::mt19937_64& rng, float rate)
      : seed_(rng()), threshold_(std::uint64_t(std::ceil(double(rate) * 16777216.0))) {}

  // keep[i] = 1 with probability 1 - rate, else 0, for i < n. A second
  // fill continues the stream where the first stopped.
  void fill(std::uint8_t* keep, std::size_t n) {
    kernels::active().dropout_bytes(seed_, threshold_, 1, keep, n);
    advance(n);
  }
  // keep[i] = `on` (the inverted-dropout scale, say) or 0: the same draws.
  void fill(float* keep, std::size_t n, float on = 1.0f) {
    kernels::active().dropout_floats(seed_, threshold_, on, keep, n);
    advance(n);
  }

 private:
  // Past the (n + 1) / 2 draws a fill of n flags used.
  void advance(std::size_t n) { seed_ += std::uint64_t((n + 1) / 2) * 0x9E3779B97F4A7C15ull; }

  std::uint64_t seed_;
  std::uint64_t threshold_;
};

}  // namespace kiln
