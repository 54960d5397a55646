#pragma once
// Keras' losses over Tensors: each returns a differentiable scalar Tensor.
// Arguments come in the order kiln's ops use, prediction first:
// loss(y_pred, y_true, sample_weight).
//
// Every loss first computes one value per position, l[i]: y_pred's shape
// without its last (class or feature) axis, (batch) for (batch, classes),
// (batch, time) for (batch, time, classes). sample_weight, when given, has
// exactly that shape: a weight per sample or per time step. A padding mask
// (1 for a real step, 0 for padding) is such a weight.
//
// Reductions (Keras' names):
//   sum_over_batch_size (Keras' default):  sum_i w[i] l[i] / N, N = number
//       of positions. This is what Keras does with an explicit sample_weight:
//       weights scale the losses but the denominator stays N, so a padding
//       mask makes the loss smaller as padding grows.
//   mean_with_sample_weight:  sum_i w[i] l[i] / sum_i w[i] (0 when the
//       weights sum to 0): the masked mean, what Keras computes for a mask
//       that a Masking/Embedding(mask_zero) layer attaches to the output.
//       Use it for padding masks.
// Without sample_weight both are the plain mean over positions.
//
// Shape mismatches throw kiln::ShapeError naming the loss and the shapes.

#include <functional>
#include <string>

#include "graph/tensor.hpp"

namespace kiln {

enum class Reduction {
  sum_over_batch_size,
  mean_with_sample_weight,
};

// categorical_crossentropy: l = -sum_c y_true_c log(p_c) over one-hot (or
// probability) rows; y_true has y_pred's shape. With from_logits, y_pred
// holds logits and the loss is computed from log_softmax (exact and stable;
// prefer it). Otherwise y_pred holds probabilities, clipped to
// [1e-7, 1 - 1e-7] as Keras does (ops/cross_entropy.hpp; unlike Keras the
// rows are not renormalized to sum to 1, which a softmax output already does).
Tensor categorical_crossentropy(const Tensor& y_pred, const Array& y_true, const Array* sample_weight = nullptr,
                                bool from_logits = false,
                                Reduction reduction = Reduction::sum_over_batch_size);

// sparse_categorical_crossentropy: as categorical_crossentropy with class
// ids for y_true (integers stored as floats), shaped as y_pred without its
// class axis, or with a trailing axis of 1 as Keras also accepts. A label
// that is not an integer in [0, classes) throws kiln::Error.
Tensor sparse_categorical_crossentropy(const Tensor& y_pred, const Array& y_true,
                                       const Array* sample_weight = nullptr, bool from_logits = false,
                                       Reduction reduction = Reduction::sum_over_batch_size);

// mean_squared_error: l = mean over the last axis of (y_pred - y_true)^2;
// y_true has y_pred's shape (rank >= 1).
Tensor mean_squared_error(const Tensor& y_pred, const Array& y_true, const Array* sample_weight = nullptr,
                          Reduction reduction = Reduction::sum_over_batch_size);

// A loss with its options bound, as model.compile(loss=...) holds it.
using LossFunction = std::function<Tensor(const Tensor& y_pred, const Array& y_true, const Array* sample_weight)>;

struct LossOptions {
  bool from_logits = false;  // cross-entropies only
  Reduction reduction = Reduction::sum_over_batch_size;
};

// "categorical_crossentropy", "sparse_categorical_crossentropy",
// "mean_squared_error" (or "mse"). Throws kiln::Error for an unknown name
// (listing the known ones) or from_logits with mean_squared_error.
LossFunction loss_by_name(const std::string& name, LossOptions options = {});

}  // namespace kiln
