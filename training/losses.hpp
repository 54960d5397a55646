#pragma once
// Keras 3's losses over Tensors: each returns a differentiable scalar
// Tensor.
//
// Argument order. kiln's loss functions, and LossFunction (what
// compile(loss=...) holds), take the prediction first, as kiln's ops do:
//     loss(y_pred, y_true, sample_weight)
// Keras' order, loss(y_true, y_pred), is the one a Keras user's own loss
// is written in: keras_loss() below wraps such a function (it returns one
// value per position, Keras applies sample weights and the reduction),
// into a LossFunction:
//     model->compile({.loss = keras_loss([](const Tensor& y_true, const Tensor& y_pred) {
//                       return mean(square(y_pred - y_true), -1);   // Keras' mean_squared_error
//                     })});
//
// Every loss first computes one value per position, l[i]: y_pred's shape
// without its last (class or feature) axis, (batch) for (batch, classes),
// (batch, time) for (batch, time, classes) (cosine_similarity: without
// its `axis`). sample_weight, when given, has exactly that shape: a weight
// per sample or per time step. A padding mask (1 for a real step, 0 for
// padding) is such a weight.
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
// Probabilities are clipped to [1e-7, 1 - 1e-7] (Keras' epsilon) where a
// logarithm needs it; with from_logits the cross-entropies work on logits
// exactly, without clipping (prefer it). Unlike Keras' TensorFlow backend,
// kiln cannot see the logits behind a sigmoid or softmax output, so
// from_logits=false always works on the probabilities given.
//
// Shape mismatches throw kiln::ShapeError naming the loss and the shapes.

#include <functional>
#include <optional>
#include <string>

#include "graph/error.hpp"
#include "graph/tensor.hpp"
#include "io/options_config.hpp"

namespace kiln {

enum class Reduction {
  sum_over_batch_size,
  mean_with_sample_weight,
};

// The options of Keras' loss classes; each loss reads the ones it has and
// loss_by_name rejects the others.
// A reduction in a config: its name.
namespace config {
template <>
struct Value<Reduction> {
  static json write(Reduction r) {
    return r == Reduction::mean_with_sample_weight ? "mean_with_sample_weight" : "sum_over_batch_size";
  }
  static Reduction read(const json& j, const std::string& where) {
    if (j == "sum_over_batch_size") return Reduction::sum_over_batch_size;
    if (j == "mean_with_sample_weight") return Reduction::mean_with_sample_weight;
    throw FormatError(where + " must be \"sum_over_batch_size\" or \"mean_with_sample_weight\", got " + j.dump());
  }
};
}  // namespace config

struct LossOptions {
  bool from_logits = false;  // the cross-entropies
  Reduction reduction = Reduction::sum_over_batch_size;
  // binary and categorical cross-entropy: targets become
  // y (1 - s) + s / 2 (binary) or y (1 - s) + s / classes (categorical).
  float label_smoothing = 0.0f;
  // sparse categorical cross-entropy: positions whose label is this class
  // count for nothing, neither in the sum nor in the number of positions
  // N that sum_over_batch_size divides by (Keras' ignore_class: -1 or
  // 255 for the "void" class of a segmentation map).
  std::optional<int> ignore_class = std::nullopt;
  float delta = 1.0f;  // huber: where the loss turns from quadratic to linear
  int axis = -1;       // cosine_similarity: the feature axis
  // Their config keys (a saved model's compile_config, models/compile_config.hpp).
  static constexpr auto fields() {
    return std::tuple{config::field("from_logits", &LossOptions::from_logits),
                      config::field("reduction", &LossOptions::reduction),
                      config::field("label_smoothing", &LossOptions::label_smoothing),
                      config::field("ignore_class", &LossOptions::ignore_class),
                      config::field("delta", &LossOptions::delta), config::field("axis", &LossOptions::axis)};
  }
};

// categorical_crossentropy: l = -sum_c y_true_c log(p_c) over one-hot (or
// probability) rows; y_true has y_pred's shape. With from_logits, y_pred
// holds logits and the loss is computed from log_softmax (exact and stable;
// prefer it). Otherwise y_pred holds probabilities, rescaled to sum to 1
// along the class axis and clipped to [1e-7, 1 - 1e-7] as Keras does
// (ops/cross_entropy.hpp).
// Options: from_logits, label_smoothing, reduction.
Tensor categorical_crossentropy(const Tensor& y_pred, const Array& y_true, const Array* sample_weight,
                                const LossOptions& options);
Tensor categorical_crossentropy(const Tensor& y_pred, const Array& y_true, const Array* sample_weight = nullptr,
                                bool from_logits = false,
                                Reduction reduction = Reduction::sum_over_batch_size);

// sparse_categorical_crossentropy: as categorical_crossentropy with class
// ids for y_true (integers stored as floats), shaped as y_pred without its
// class axis, or with a trailing axis of 1 as Keras also accepts. A label
// that is not an integer in [0, classes) (other than ignore_class) throws
// kiln::Error. Options: from_logits, ignore_class, reduction (Keras' sparse
// loss has no label_smoothing).
Tensor sparse_categorical_crossentropy(const Tensor& y_pred, const Array& y_true, const Array* sample_weight,
                                       const LossOptions& options);
Tensor sparse_categorical_crossentropy(const Tensor& y_pred, const Array& y_true,
                                       const Array* sample_weight = nullptr, bool from_logits = false,
                                       Reduction reduction = Reduction::sum_over_batch_size);

// binary_crossentropy: l = mean over the last axis of the element-wise
// binary cross-entropy (ops/binary_cross_entropy.hpp); y_true (0/1 or
// probabilities) has y_pred's shape, one unit or several independent ones
// on the last axis. Options: from_logits, label_smoothing, reduction.
Tensor binary_crossentropy(const Tensor& y_pred, const Array& y_true, const Array* sample_weight = nullptr,
                           const LossOptions& options = {});

// mean_squared_error: l = mean over the last axis of (y_pred - y_true)^2;
// y_true has y_pred's shape (rank >= 1).
Tensor mean_squared_error(const Tensor& y_pred, const Array& y_true, const Array* sample_weight = nullptr,
                          Reduction reduction = Reduction::sum_over_batch_size);

// mean_absolute_error: l = mean over the last axis of |y_pred - y_true|.
Tensor mean_absolute_error(const Tensor& y_pred, const Array& y_true, const Array* sample_weight = nullptr,
                           Reduction reduction = Reduction::sum_over_batch_size);

// huber: with e = y_pred - y_true, the mean over the last axis of
// e^2 / 2 where |e| <= delta, delta |e| - delta^2 / 2 beyond. Options:
// delta (> 0, else kiln::Error), reduction.
Tensor huber(const Tensor& y_pred, const Array& y_true, const Array* sample_weight = nullptr,
             const LossOptions& options = {});

// kl_divergence: l = sum over the last axis of t log(t / p), with t and p
// (y_true and y_pred) clipped to [1e-7, 1] as Keras does.
Tensor kl_divergence(const Tensor& y_pred, const Array& y_true, const Array* sample_weight = nullptr,
                     Reduction reduction = Reduction::sum_over_batch_size);

// cosine_similarity: l = -sum over `axis` of normalize(y_true) *
// normalize(y_pred), normalize(x) = x / ||x|| (x * min(1 / ||x||, 1e7) as
// Keras, so a zero vector scores 0): -1 for vectors pointing alike, 1 for
// opposite ones. One value per position of y_pred's shape without `axis`,
// which sample_weight then has. Options: axis, reduction.
Tensor cosine_similarity(const Tensor& y_pred, const Array& y_true, const Array* sample_weight = nullptr,
                         const LossOptions& options = {});

// A loss with its options bound, as model.compile(loss=...) holds it:
// prediction first (kiln's order), the reduced scalar returned.
using LossFunction = std::function<Tensor(const Tensor& y_pred, const Array& y_true, const Array* sample_weight)>;

// A loss as Keras users write one, in Keras' order: (y_true, y_pred) ->
// one value per position (any shape: (batch), (batch, time), or a scalar).
using KerasLossFunction = std::function<Tensor(const Tensor& y_true, const Tensor& y_pred)>;

// Wraps a Keras-order loss as Keras' LossFunctionWrapper does: its values
// are weighted by sample_weight (same shape as the values, or the values
// with a trailing axis of 1; a scalar value is weighted by each weight) and
// reduced by `reduction`. ShapeError names both shapes otherwise.
LossFunction keras_loss(KerasLossFunction loss, Reduction reduction = Reduction::sum_over_batch_size);

// Keras 3's names, as keras.losses.get takes them: the function names
// ("binary_crossentropy", "categorical_crossentropy",
// "sparse_categorical_crossentropy", "mean_squared_error",
// "mean_absolute_error", "huber", "kl_divergence", "cosine_similarity"),
// the class names ("BinaryCrossentropy", "MeanSquaredError", "Huber",
// "KLDivergence", ...) and the aliases "bce", "BCE", "mse", "MSE", "mae",
// "MAE", "kld", "KLD". Throws kiln::Error for an unknown name (listing the
// known ones) or an option the loss does not have (from_logits with
// mean_squared_error, label_smoothing with a sparse or regression loss,
// ignore_class outside sparse_categorical_crossentropy, a delta other than
// 1 outside huber, an axis other than -1 outside cosine_similarity).
LossFunction loss_by_name(const std::string& name, LossOptions options = {});

// The function name a Keras loss name or alias stands for ("bce" ->
// "binary_crossentropy", "Huber" -> "huber"); the name itself when unknown.
std::string canonical_loss_name(const std::string& name);

}  // namespace kiln
