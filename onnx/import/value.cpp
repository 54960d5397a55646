#include "onnx/import/value.hpp"

#include <cmath>
#include <limits>

namespace kiln::onnx_import {

Shape Value::shape() const {
  if (is_float()) return tensor.shape();
  return Shape(ints.shape().begin(), ints.shape().end());
}

const char* type_name(ElementType type) {
  switch (type) {
    case ElementType::float32: return "float32";
    case ElementType::int64: return "int64";
    case ElementType::boolean: return "bool";
  }
  return "?";
}

IntArray as_ints(const Value& v) {
  if (!v.is_float()) return v.ints;
  const Array& a = v.tensor.value();
  IntArray out = IntArray::from_shape(a.shape());
  constexpr double limit = 9.2e18;  // inside int64's range
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double x = a.data()[i];
    if (std::isnan(x)) throw Error("cannot convert NaN to an integer");
    out.data()[i] = x >= limit ? std::numeric_limits<std::int64_t>::max()
                               : x <= -limit ? std::numeric_limits<std::int64_t>::min() : std::int64_t(x);
  }
  return out;
}

Tensor as_tensor(const Value& v) {
  if (v.is_float()) return v.tensor;
  Array out = Array::from_shape(Shape(v.ints.shape().begin(), v.ints.shape().end()));
  for (std::size_t i = 0; i < v.ints.size(); ++i) out.data()[i] = float(v.ints.data()[i]);
  return Tensor(std::move(out));
}

std::vector<std::int64_t> as_list(const Value& v) {
  const IntArray a = as_ints(v);
  return std::vector<std::int64_t>(a.begin(), a.end());
}

}  // namespace kiln::onnx_import
