#include "layers/partial_shape.hpp"

namespace kiln {

std::string to_string(const PartialShape& shape) {
  std::string out = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) out += ", ";
    out += shape[i] == unknown_dim ? "None" : std::to_string(shape[i]);
  }
  if (shape.size() == 1) out += ",";
  return out + ")";
}

std::string to_string(const std::vector<PartialShape>& shapes) {
  std::string out;
  for (const auto& s : shapes) out += (out.empty() ? "" : ", ") + to_string(s);
  return "[" + out + "]";
}

PartialShape partial_shape_of(const Shape& shape) {
  return PartialShape(shape.begin(), shape.end());
}

bool compatible(const PartialShape& a, const PartialShape& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != unknown_dim && b[i] != unknown_dim && a[i] != b[i]) return false;
  }
  return true;
}

bool matches(const PartialShape& expected, const Shape& actual) {
  if (expected.size() != actual.size()) return false;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (expected[i] != unknown_dim && std::size_t(expected[i]) != actual[i]) return false;
  }
  return true;
}

}  // namespace kiln
