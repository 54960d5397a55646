#include "ops/clip.hpp"

#include <algorithm>
#include <sstream>

#include "graph/backward.hpp"
#include "graph/error.hpp"

namespace kiln {

// d clip(x, lo, hi) = g * [lo < x < hi]
Tensor clip(const Tensor& x, float lo, float hi) {
  if (!(lo <= hi)) {
    std::ostringstream msg;
    msg << "clip: lower bound " << lo << " is above upper bound " << hi;
    throw Error(msg.str());
  }
  Array y = Array::from_shape(x.shape());
  const float* xv = x.value().data();
  for (std::size_t i = 0; i < y.size(); ++i) y.data()[i] = std::min(std::max(xv[i], lo), hi);
  return record(std::move(y), {x}, [x, lo, hi](const Array& g) {
    Array dx = Array::from_shape(x.shape());
    const float* xv = x.value().data();
    for (std::size_t i = 0; i < dx.size(); ++i) {
      dx.data()[i] = (xv[i] > lo && xv[i] < hi) ? g.data()[i] : 0.0f;
    }
    accumulate_grad(x, std::move(dx));
  });
}

}  // namespace kiln
