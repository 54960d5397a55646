#include "layers/attention_masks.hpp"

#include <algorithm>

#include "graph/error.hpp"

namespace kiln {

void check_sequence_mask(const std::string& who, const char* input, const Array& mask, const Shape& shape) {
  if (mask.dimension() != 2 || mask.shape()[0] != shape[0] || mask.shape()[1] != shape[1]) {
    throw ShapeError(who + ": the " + input + " mask must be (batch, time) = (" + std::to_string(shape[0]) + ", " +
                     std::to_string(shape[1]) + ") for " + input + " " + to_string(shape) + ", got " +
                     to_string(Shape(mask.shape().begin(), mask.shape().end())));
  }
}

Array combine_attention_masks(std::size_t batch, std::size_t t, std::size_t s, const Array* query_mask,
                              const Array* value_mask, const Array* key_mask, const Array* extra) {
  const bool per_query = query_mask || extra;
  const std::size_t rows = per_query ? t : 1;
  Array keep = Array::from_shape({batch, rows, s});
  const std::size_t extra_batch = extra ? extra->shape()[0] : 0;
  for (std::size_t b = 0; b < batch; ++b) {
    for (std::size_t i = 0; i < rows; ++i) {
      float* row = keep.data() + (b * rows + i) * s;
      const bool query_kept = !query_mask || query_mask->data()[b * t + i] != 0.0f;
      const float* extra_row = extra ? extra->data() + ((extra_batch == 1 ? 0 : b) * t + i) * s : nullptr;
      for (std::size_t j = 0; j < s; ++j) {
        const bool kept = query_kept && (!value_mask || value_mask->data()[b * s + j] != 0.0f) &&
                          (!key_mask || key_mask->data()[b * s + j] != 0.0f) && (!extra_row || extra_row[j] != 0.0f);
        row[j] = kept ? 1.0f : 0.0f;
      }
    }
  }
  return keep;
}

Array apply_causal(const Array* mask, std::size_t t, std::size_t s, std::size_t offset) {
  const std::size_t batch = mask ? mask->shape()[0] : 1;
  Array keep = Array::from_shape({batch, t, s});
  const std::size_t rows = mask ? mask->shape()[1] : t;
  for (std::size_t b = 0; b < batch; ++b) {
    for (std::size_t i = 0; i < t; ++i) {
      const float* from = mask ? mask->data() + (b * rows + (rows == 1 ? 0 : i)) * s : nullptr;
      float* row = keep.data() + (b * t + i) * s;
      for (std::size_t j = 0; j < s; ++j) row[j] = (j <= i + offset && (!from || from[j] != 0.0f)) ? 1.0f : 0.0f;
    }
  }
  return keep;
}

}  // namespace kiln
