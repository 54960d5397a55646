#pragma once
// The keep-mask of causal (autoregressive) attention, as Keras builds it
// for use_causal_mask=True (MultiHeadAttention._compute_causal_mask,
// Attention._calculate_score_mask): query step i may attend to value steps
// j <= i only.

#include <cstddef>

#include "graph/tensor.hpp"

namespace kiln {

// (query_length, value_length): 1 where j <= i (the lower triangle with
// the diagonal), 0 above it. Keras counts from the top-left corner, so with
// more value steps than query steps the extra right-hand columns are
// masked for every query. A constant: it needs no gradient.
Tensor causal_mask(std::size_t query_length, std::size_t value_length);

// The same mask repeated for each of `batch` entries: (batch, query_length,
// value_length), the shape an attention's score mask has.
Tensor causal_mask(std::size_t batch, std::size_t query_length, std::size_t value_length);

}  // namespace kiln
