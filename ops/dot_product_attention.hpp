#pragma once
// Multi-head scaled dot-product attention with its masks, fused into one op:
// scores, masking, softmax, dropout and the weighted sum of values run head
// by head on the (batch, time, heads, width) layout the projections produce,
// so no permuted copy of q, k or v is made and only the probabilities are
// kept for backward.

#include <cstddef>
#include <random>

#include "graph/tensor.hpp"

namespace kiln {

struct DotProductAttentionOptions {
  // For rank-3 inputs (B, T, heads * d): the number of heads (the same
  // memory as (B, T, heads, d), so projections need no reshape).
  std::size_t heads = 0;
  float scale = 1.0f;  // scores = scale * q . k (Keras' MultiHeadAttention: 1 / sqrt(key_dim))
  // Which keys each query may see, 1 keeps and 0 hides: shape (B or 1, T or 1,
  // S), the same for every head. Null: every key.
  const Array* mask = nullptr;
  // Keras' use_causal_mask: query i sees keys j <= i + causal_offset (the
  // offset is the position of the first query when decoding step by step).
  bool causal = false;
  std::size_t causal_offset = 0;
  // Dropout on the probabilities (inverted, as Keras' Dropout), drawn from
  // `rng`, which must then be set.
  float dropout = 0.0f;
  std::mt19937_64* rng = nullptr;
  // If set, receives the probabilities (B, heads, T, S) before dropout (a
  // copy, carrying no gradient): Keras' return_attention_scores.
  Array* weights = nullptr;
};

// q (B, T, H, d), k (B, S, H, d), v (B, S, H, dv) -> (B, T, H, dv), or the
// same as rank 3, (B, T, H * d) ... -> (B, T, H * dv), with options.heads = H:
//     p[b, h, i, :] = softmax over kept j of scale * q[b, i, h] . k[b, j, h]
//     out[b, i, h]  = sum_j p[b, h, i, j] v[b, j, h]
// Hidden keys get probability 0; a query that sees no key at all spreads
// its probability evenly over every key, which is what Keras' -1e9 bias
// gives in float32. Throws ShapeError naming the shapes when ranks, batch,
// heads, widths, key/value lengths or the mask disagree.
Tensor dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v,
                             const DotProductAttentionOptions& options = {});

// Self-attention on one projection that packs q, k and v side by side:
// qkv (B, T, 3 * H * d) is [q | k | v] along its last axis (one GEMM of x by
// the three kernels side by side), -> (B, T, H * d), reading each part in
// place and writing their gradients into one buffer. options.heads = H.
// Throws ShapeError unless the last axis is 3 * H * d.
Tensor dot_product_self_attention(const Tensor& qkv, const DotProductAttentionOptions& options);

}  // namespace kiln
