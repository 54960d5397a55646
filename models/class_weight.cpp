#include "models/class_weight.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "graph/error.hpp"

namespace kiln {

namespace {

float weight_of(const std::map<std::size_t, float>& class_weight, float id) {
  if (!(id >= 0.0f) || std::nearbyint(id) != id) {
    throw Error("class_weight: the target holds " + std::to_string(id) + ", which is not a class id");
  }
  const auto found = class_weight.find(std::size_t(id));
  return found == class_weight.end() ? 1.0f : found->second;
}

// One weight per sample or step: (N) for ids (N) or (N, 1); the target's
// shape without its last axis otherwise.
Array class_weights_of(const Array& y, const std::map<std::size_t, float>& class_weight) {
  if (y.dimension() == 0) throw ShapeError("class_weight: the target is a scalar; it needs a batch axis");
  const bool ids = y.dimension() == 1 || y.shape().back() == 1;
  Shape shape(y.shape().begin(), y.shape().end() - (y.dimension() == 1 ? 0 : 1));
  Array out = Array::from_shape(shape);
  if (ids) {
    for (std::size_t i = 0; i < out.size(); ++i) out.data()[i] = weight_of(class_weight, y.data()[i]);
    return out;
  }
  const std::size_t classes = y.shape().back();
  for (std::size_t i = 0; i < out.size(); ++i) {
    const float* row = y.data() + i * classes;
    out.data()[i] = weight_of(class_weight, float(std::max_element(row, row + classes) - row));
  }
  return out;
}

// a * b where one's shape is the other's leading axes (each value of the
// shorter one spans a block of the longer).
Array multiply_leading(const Array& a, const Array& b) {
  const Array& big = a.dimension() >= b.dimension() ? a : b;
  const Array& small = a.dimension() >= b.dimension() ? b : a;
  if (!std::equal(small.shape().begin(), small.shape().end(), big.shape().begin())) {
    throw_shape_error("class_weight", "cannot combine the sample weights with the class weights:", a.shape(),
                      b.shape());
  }
  Array out = big;
  const std::size_t block = small.size() == 0 ? 0 : big.size() / small.size();
  for (std::size_t i = 0; i < out.size(); ++i) out.data()[i] *= small.data()[i / block];
  return out;
}

}  // namespace

void apply_class_weight(Batch& batch, const std::map<std::size_t, float>& class_weight) {
  if (batch.y.size() != 1) {
    throw Error("class_weight is only supported for models with a single output (the batch has " +
                std::to_string(batch.y.size()) + " target arrays); weigh samples with sample_weight instead");
  }
  Array weights = class_weights_of(batch.y[0], class_weight);
  batch.sample_weight = batch.sample_weight ? multiply_leading(*batch.sample_weight, weights) : std::move(weights);
}

}  // namespace kiln
