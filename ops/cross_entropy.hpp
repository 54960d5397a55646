#pragma once
// Cross-entropy losses over the last (class) axis, reduced to a scalar.
//
// Every loss here is a weighted mean over positions: with ce[i] the
// cross-entropy of position i (one row of classes),
//     loss = sum_i mask[i] * ce[i] / sum_i mask[i]
// and, with no mask, the plain mean over all positions, as Keras'
// categorical_crossentropy with the default "sum_over_batch_size" reduction.
// The mask has the logits' shape without the class axis (batch, time for
// (batch, time, classes) logits) and holds per-position weights: 0 marks
// padding. A mask summing to 0 gives a loss of 0 and a zero gradient.
//
// Shape mismatches throw ShapeError naming the op and both shapes.

#include "graph/tensor.hpp"

namespace kiln {

// Categorical cross-entropy from logits (..., C), fused with log_softmax:
// ce = -sum_c t_c * log_softmax(x)_c. Stable for logits of any size (1e4 is
// fine). target_probs has the logits' shape: one-hot rows or probabilities.
Tensor softmax_cross_entropy(const Tensor& logits, const Array& target_probs,
                             const Array* mask = nullptr);

// As softmax_cross_entropy with one-hot targets given by class ids: labels
// are integers stored as floats, shaped as the logits without the class
// axis. Throws kiln::Error for a label that is not an integer in [0, C).
Tensor sparse_softmax_cross_entropy(const Tensor& logits, const Array& labels,
                                    const Array* mask = nullptr);

// Keras' categorical_crossentropy on probabilities (from_logits=False), as
// its backends compute it: each row is rescaled to sum to 1 (q = p /
// sum(p)), clipped to [1e-7, 1 - 1e-7], and ce = -sum_c t_c * log(q_c).
// The gradient is that of the rescaling composed with -t / q, where q was
// not clipped (0 where it was, bounds included). On a softmax output the
// rescaling changes no value, and the gradient it adds (the same for every
// class of a row) vanishes through the softmax.
// Prefer softmax_cross_entropy on logits: it is exact where this one clips.
Tensor categorical_cross_entropy(const Tensor& probs, const Array& target_probs,
                                 const Array* mask = nullptr);

}  // namespace kiln
