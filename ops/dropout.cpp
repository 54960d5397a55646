#include "ops/dropout.hpp"

#include <cmath>
#include <cstdint>
#include <sstream>

#include "graph/backward.hpp"
#include "graph/error.hpp"

namespace kiln {

namespace {

// numpy broadcasting of `from` up to exactly `to`: trailing axes equal or 1.
bool broadcasts_to(const Shape& from, const Shape& to) {
  if (from.size() > to.size()) return false;
  const std::size_t lead = to.size() - from.size();
  for (std::size_t i = 0; i < from.size(); ++i) {
    if (from[i] != 1 && from[i] != to[lead + i]) return false;
  }
  return true;
}

}  // namespace

// d (x * mask) = g * mask
Tensor mask_multiply(const Tensor& x, Array mask) {
  if (!broadcasts_to(mask.shape(), x.shape())) {
    throw ShapeError("mask_multiply: mask " + to_string(mask.shape()) +
                     " does not broadcast to input " + to_string(x.shape()));
  }
  Array y = x.value() * mask;
  return record(std::move(y), {x}, [gx = x.grad_ref(), mask = std::move(mask)](const Array& g) {
                  accumulate_grad(gx, Array(g * mask));
                });
}

namespace {

// Each element is kept when a uniform 24-bit integer k (u = k / 2^24 in
// [0, 1)) is at least rate * 2^24, i.e. u >= rate: probability 1 - rate.
// One 64-bit draw yields two such integers (bits 40-63 and 8-31), and the
// comparison is turned into a multiply, so the loop has no branch.
Array dropout_mask(const Shape& shape, float rate, std::mt19937_64& rng) {
  Array mask = Array::from_shape(shape);
  const float keep_scale = 1.0f / (1.0f - rate);
  const auto threshold = std::uint64_t(std::ceil(double(rate) * 16777216.0));
  float* m = mask.data();
  const std::size_t n = mask.size();
  std::size_t i = 0;
  for (; i + 1 < n; i += 2) {
    const std::uint64_t r = rng();
    m[i] = keep_scale * float((r >> 40) >= threshold);
    m[i + 1] = keep_scale * float(((r >> 8) & 0xFFFFFFu) >= threshold);
  }
  if (i < n) m[i] = keep_scale * float((rng() >> 40) >= threshold);
  return mask;
}

}  // namespace

// d dropout = g * mask (the same mask, scale included)
Tensor dropout(const Tensor& x, float rate, bool training, std::mt19937_64& rng) {
  if (!(rate >= 0.0f && rate < 1.0f)) {
    std::ostringstream msg;
    msg << "dropout: rate must be in [0, 1), got " << rate;
    throw Error(msg.str());
  }
  if (!training || rate == 0.0f) return x;
  return mask_multiply(x, dropout_mask(x.shape(), rate, rng));
}

}  // namespace kiln
