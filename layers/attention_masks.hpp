#pragma once
// The masks Keras 3's attention layers combine: a (batch, time) padding mask
// per input, 1 keeps a step and 0 is padding, merged into one keep-mask over
// (query step, key step) pairs.

#include <cstddef>
#include <string>

#include "graph/tensor.hpp"

namespace kiln {

// Throws ShapeError "<who>: the <input> mask must be (batch, time) = (B, T)
// for <input> <shape>, got <mask shape>" unless `mask` is (shape[0], shape[1]).
void check_sequence_mask(const std::string& who, const char* input, const Array& mask, const Shape& shape);

// The keep-mask of the (query i, key j) pairs of a batch:
//     query_mask[b, i] and value_mask[b, j] and extra[b, i, j]
// each factor optional (null). Shape (batch, T, S), or (batch, 1, S) when
// only key-side masks are given. `extra` is (batch or 1, T, S).
Array combine_attention_masks(std::size_t batch, std::size_t t, std::size_t s, const Array* query_mask,
                              const Array* value_mask, const Array* key_mask = nullptr,
                              const Array* extra = nullptr);

// Keras' use_causal_mask on an existing keep-mask: (batch or 1, T, S) with
// pairs j > i + offset cleared; `mask` null starts from all ones (1, T, S).
Array apply_causal(const Array* mask, std::size_t t, std::size_t s, std::size_t offset = 0);

}  // namespace kiln
