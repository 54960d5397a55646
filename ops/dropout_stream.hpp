#pragma once
// The keep/drop draws of inverted dropout from a counter-based stream
// (SplitMix64) seeded by one draw of the caller's generator: a fraction of
// the cost of drawing every pair of elements from a Mersenne twister, which
// the fused ops that drop hundreds of thousands of elements a step pay for
// (ops/dropout_add, ops/dot_product_attention). Each 64-bit value gives two
// 24-bit uniforms, compared with rate * 2^24 as ops/dropout's mask does.

#include <cmath>
#include <cstdint>
#include <random>

namespace kiln {

class DropoutStream {
 public:
  DropoutStream(std::mt19937_64& rng, float rate)
      : state_(rng()), threshold_(std::uint64_t(std::ceil(double(rate) * 16777216.0))) {}

  // keep[i] = 1 with probability 1 - rate, else 0, for i < n.
  template <class T>
  void fill(T* keep, std::size_t n) {
    std::size_t i = 0;
    for (; i + 1 < n; i += 2) {
      const std::uint64_t r = next();
      keep[i] = T((r >> 40) >= threshold_);
      keep[i + 1] = T(((r >> 8) & 0xFFFFFFu) >= threshold_);
    }
    if (i < n) keep[i] = T((next() >> 40) >= threshold_);
  }

 private:
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  std::uint64_t state_;
  std::uint64_t threshold_;
};

}  // namespace kiln
