#pragma once
// A value flowing through an imported ONNX graph. float32 data is a kiln
// Tensor, so gradients flow through it to the model's weights; int64 and
// bool data (shapes, indices, axes, masks) never need a gradient and are
// plain integer arrays, exact where floats would round.

#include <cstdint>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

#include "graph/error.hpp"
#include "graph/tensor.hpp"

namespace kiln::onnx_import {

using IntArray = xt::xarray<std::int64_t>;

enum class ElementType { float32, int64, boolean };

struct Value {
  ElementType type = ElementType::float32;
  Tensor tensor;  // float32
  IntArray ints;  // int64, or bool as 0 / 1

  static Value of(Tensor t) { return {ElementType::float32, std::move(t), {}}; }
  static Value int64(IntArray a) { return {ElementType::int64, {}, std::move(a)}; }
  static Value boolean(IntArray a) { return {ElementType::boolean, {}, std::move(a)}; }

  bool is_float() const { return type == ElementType::float32; }
  Shape shape() const;
  std::size_t rank() const { return shape().size(); }
};

const char* type_name(ElementType type);

// The elements as int64 (a float value's are truncated, as ONNX's Cast does).
IntArray as_ints(const Value& v);
// The elements as a float constant (no gradient) or, for a float value, its tensor.
Tensor as_tensor(const Value& v);
// A small 1-D (or scalar) value as a list: shapes, axes, slice bounds.
std::vector<std::int64_t> as_list(const Value& v);

}  // namespace kiln::onnx_import
