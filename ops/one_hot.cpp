#include "ops/one_hot.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "graph/error.hpp"

namespace kiln {

namespace {

void check_index(float v, std::size_t position, std::size_t depth) {
  const char* problem = nullptr;
  if (!std::isfinite(v) || v != std::floor(v))
    problem = "is not an integer";
  else if (v < 0.0f)
    problem = "is negative";
  else if (v >= float(depth))
    problem = "is out of range";
  if (problem == nullptr) return;
  std::ostringstream msg;
  msg << "one_hot: index " << v << " (flat position " << position << ") " << problem
      << " for depth " << depth << "; expected an integer in [0, " << depth << ")";
  throw Error(msg.str());
}

}  // namespace

Tensor one_hot(const Array& indices, std::size_t depth) {
  Shape shape = indices.shape();
  shape.push_back(depth);
  Array out = Array::from_shape(shape);
  std::fill(out.begin(), out.end(), 0.0f);
  for (std::size_t i = 0; i < indices.size(); ++i) {
    const float v = indices.data()[i];
    check_index(v, i, depth);
    out.data()[i * depth + std::size_t(v)] = 1.0f;
  }
  return Tensor(std::move(out));
}

}  // namespace kiln
