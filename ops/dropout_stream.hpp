#pragma once
// The keep/drop draws of inverted dropout from a counter-based stream
// (SplitMix64) seeded by one draw of the caller's generator: a fraction of
// the cost of drawing every pair of elements from a Mersenne twister, which
// the fused ops that drop hundreds of thousands of elements a step pay for
// (ops/dropout_add, ops/dot_product_attention). Each 64-bit value gives two
// 24-bit uniforms, compared with rate * 2^24 as ops/dropout's mask does.
// Draw j is SplitMix64 of seed + (j + 1) * golden, independent of the others,
// so the dispatched kernels (ops/kernels.hpp) draw many at once, every
// instruction set draws the same flags, and a fill splits into parts drawn
// on kiln's two threads (ops/parallel.hpp) with the same flags as one.

#include <cassert>
#include <cmath>
#include <cstdint>
#include <random>

#include "ops/kernels.hpp"
#include "ops/parallel.hpp"

namespace kiln {

class DropoutStream {
 public:
  DropoutStream(std::mt19937_64& rng, float rate)
      : seed_(rng()), threshold_(std::uint64_t(std::ceil(double(rate) * 16777216.0))) {}

  // keep[i] = 1 with probability 1 - rate, else 0, for i < n. A second
  // fill continues the stream where the first stopped.
  void fill(std::uint8_t* keep, std::size_t n) {
    parallel_halves(n, draw_flops * n, [&](std::size_t begin, std::size_t end) { fill_part(keep, begin, end); },
                    part_align);
    skip(n);
  }
  // keep[i] = `on` (the inverted-dropout scale, say) or 0: the same draws.
  void fill(float* keep, std::size_t n, float on = 1.0f) {
    parallel_halves(n, draw_flops * n, [&](std::size_t begin, std::size_t end) { fill_part(keep, begin, end, on); },
                    part_align);
    skip(n);
  }

  // Flags [begin, end) of the next fill, written to keep[begin, end); begin
  // even (each draw gives two flags). For a caller that splits a fill itself.
  void fill_part(std::uint8_t* keep, std::size_t begin, std::size_t end) const {
    assert(begin % 2 == 0);
    kernels::active().dropout_bytes(seed_at(begin), threshold_, 1, keep + begin, end - begin);
  }
  void fill_part(float* keep, std::size_t begin, std::size_t end, float on) const {
    assert(begin % 2 == 0);
    kernels::active().dropout_floats(seed_at(begin), threshold_, on, keep + begin, end - begin);
  }
  // Past the (n + 1) / 2 draws a fill of n flags uses.
  void skip(std::size_t n) { seed_ = seed_at(n + 1); }

  static constexpr std::size_t draw_flops = 8;   // per flag: half a SplitMix64 and a comparison
  static constexpr std::size_t part_align = 64;  // even, and a cache line of byte flags

 private:
  // The seed of the stream `flags` flags on (flags even, or one past an odd count).
  std::uint64_t seed_at(std::size_t flags) const { return seed_ + std::uint64_t(flags / 2) * 0x9E3779B97F4A7C15ull; }

  std::uint64_t seed_;
  std::uint64_t threshold_;
};

}  // namespace kiln
