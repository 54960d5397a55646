#include "graph/shape.hpp"

#include "graph/error.hpp"

namespace kiln {

std::string to_string(const Shape& shape) {
  std::string out = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(shape[i]);
  }
  return out + ")";
}

std::size_t element_count(const Shape& shape) {
  std::size_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

void throw_shape_error(const std::string& op, const std::string& what, const Shape& a,
                       const Shape& b) {
  throw ShapeError(op + ": " + what + " " + to_string(a) + " and " + to_string(b));
}

}  // namespace kiln
