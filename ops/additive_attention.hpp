#pragma once
// The score of additive (Bahdanau) attention for every pair of decoder and
// encoder steps, fused into one op: composing it from broadcast add, tanh and
// matmul materialises the (B, Td, Te, E) hidden tensor three times forward
// and three times backward; this op writes it once and reads it once.

#include "graph/tensor.hpp"

namespace kiln {

// keys (B, Te, E), queries (B, Td, E), v (E, 1) -> scores (B, Td, Te):
//     scores[b, i, j] = sum_k v[k] tanh(queries[b, i, k] + keys[b, j, k])
// In Bahdanau attention keys = encoder_out W_a and queries = decoder_out U_a.
// Throws ShapeError naming the op and the shapes when the ranks, batch sizes
// or widths disagree.
Tensor additive_attention_scores(const Tensor& keys, const Tensor& queries, const Tensor& v);

}  // namespace kiln
