// Keras 3's losses with their options and reductions. Per-position values
// come from TF.js's own losses where they compute what Keras 3 does
// (tf.metrics.binaryCrossentropy, categoricalCrossentropy, meanAbsoluteError,
// meanSquaredError, cosineProximity; tf.losses.sigmoidCrossEntropy and
// softmaxCrossEntropy with their labelSmoothing, huberLoss), and from
// Keras 3's formula written with TF.js ops otherwise (kl_divergence,
// sparse_categorical_crossentropy with ignore_class). Keras 3's reduction
// (keras/src/losses/loss.py) is written out below. (TF.js's
// softmaxCrossEntropy divides labelSmoothing by shape[1], the class count
// only for 2-D labels, so categorical label smoothing is applied here with
// Keras' formula, y (1 - s) + s / classes.)
//
// Per case: <case>/y_pred, y_true, sample_weight (when the case has one),
// loss (the scalar) and dy_pred, the gradient of the loss with respect to
// y_pred. The case's options are in the metadata under config/<case>.
'use strict';
const { tf, randomTensor, save, ready } = require('./common');

const NONE = tf.Reduction.NONE;

// Keras' reduce_weighted_values: sum(w l) / N (sum_over_batch_size) or
// sum(w l) / sum(w) (mean_with_sample_weight); the plain mean without w.
function reduce(values, w, reduction) {
  if (!w) return tf.mean(values);
  const total = tf.sum(tf.mul(values, w));
  return reduction === 'mean_with_sample_weight' ? tf.div(total, tf.sum(w)) : tf.div(total, values.size);
}

const binary = (shape, seed) => tf.floor(randomTensor(shape, seed, 0, 2));
const probabilities = (shape, seed) => tf.softmax(randomTensor(shape, seed, -2, 2));
const oneHot = (labels, classes) => tf.cast(tf.oneHot(tf.cast(labels, 'int32'), classes), 'float32');
const smoothBinary = (y, s) => tf.add(tf.mul(y, 1 - s), 0.5 * s);
const smoothCategorical = (y, s) => tf.add(tf.mul(y, 1 - s), s / y.shape[y.shape.length - 1]);

// Keras 3's sparse_categorical_crossentropy(ignore_class=c) on logits, and
// the mask it attaches: ignored positions get label 0, zero logits, a loss
// of 0, and no share of N (apply_mask scales the mask by total / valid).
function sparseIgnoring(labels, logits, ignore, w, reduction) {
  const valid = tf.cast(tf.notEqual(labels, ignore), 'float32');
  const safeLabels = tf.mul(labels, valid);
  const maskedLogits = tf.mul(logits, tf.expandDims(valid, -1));
  const classes = logits.shape[logits.shape.length - 1];
  const res = tf.where(tf.cast(valid, 'bool'),
    tf.losses.softmaxCrossEntropy(oneHot(safeLabels, classes), maskedLogits, undefined, 0, NONE),
    tf.zerosLike(valid));
  let weight = valid;
  if (reduction !== 'mean_with_sample_weight') weight = tf.mul(valid, tf.div(valid.size, tf.sum(valid)));
  if (w) weight = tf.mul(weight, w);
  return reduce(res, weight, reduction);
}

const CASES = [
  { name: 'bce_probs', y_pred: () => randomTensor([4, 3], 1, 0.05, 0.95), y_true: () => binary([4, 3], 2),
    loss: (yt, yp) => reduce(tf.metrics.binaryCrossentropy(yt, yp)), config: {} },
  { name: 'bce_logits_smoothing_weighted', y_pred: () => randomTensor([3, 4, 2], 3, -3, 3),
    y_true: () => binary([3, 4, 2], 4), w: () => randomTensor([3, 4], 5, 0, 2),
    loss: (yt, yp, w) => reduce(tf.mean(tf.losses.sigmoidCrossEntropy(yt, yp, undefined, 0.2, NONE), -1), w),
    config: { from_logits: true, label_smoothing: 0.2 } },
  { name: 'bce_probs_smoothing_masked', y_pred: () => randomTensor([4, 2], 6, 0.05, 0.95), y_true: () => binary([4, 2], 7),
    w: () => tf.tensor([1, 0, 1, 1]),
    loss: (yt, yp, w) => reduce(tf.metrics.binaryCrossentropy(smoothBinary(yt, 0.1), yp), w, 'mean_with_sample_weight'),
    config: { label_smoothing: 0.1, reduction: 'mean_with_sample_weight' } },
  { name: 'cce_probs_smoothing', y_pred: () => probabilities([4, 5], 8), y_true: () => oneHot(tf.tensor([0, 3, 4, 1]), 5),
    loss: (yt, yp) => reduce(tf.metrics.categoricalCrossentropy(smoothCategorical(yt, 0.1), yp)),
    config: { label_smoothing: 0.1 } },
  { name: 'cce_logits_smoothing_weighted', y_pred: () => randomTensor([2, 3, 5], 9, -3, 3),
    y_true: () => oneHot(tf.tensor([[0, 2, 4], [1, 1, 3]]), 5), w: () => randomTensor([2, 3], 10, 0, 2),
    loss: (yt, yp, w) => reduce(tf.losses.softmaxCrossEntropy(smoothCategorical(yt, 0.2), yp, undefined, 0, NONE), w),
    config: { from_logits: true, label_smoothing: 0.2 } },
  { name: 'scce_logits_ignore_weighted', y_pred: () => randomTensor([2, 4, 5], 11, -3, 3),
    y_true: () => tf.tensor([[0, -1, 4, 2], [-1, -1, 3, 1]]), w: () => randomTensor([2, 4], 12, 0, 2),
    loss: (yt, yp, w) => sparseIgnoring(yt, yp, -1, w),
    config: { from_logits: true, ignore_class: -1 } },
  { name: 'scce_logits_ignore_masked_mean', y_pred: () => randomTensor([2, 4, 5], 13, -3, 3),
    y_true: () => tf.tensor([[0, 255, 4, 2], [255, 1, 3, 1]]), w: () => tf.tensor([[1, 1, 0, 1], [1, 1, 1, 0]]),
    loss: (yt, yp, w) => sparseIgnoring(yt, yp, 255, w, 'mean_with_sample_weight'),
    config: { from_logits: true, ignore_class: 255, reduction: 'mean_with_sample_weight' } },
  { name: 'scce_probs', y_pred: () => probabilities([5, 4], 14), y_true: () => tf.tensor([3, 0, 1, 1, 2]),
    loss: (yt, yp) => reduce(tf.metrics.categoricalCrossentropy(oneHot(yt, 4), yp)), config: {} },
  { name: 'mae_weighted', y_pred: () => randomTensor([3, 4], 15), y_true: () => randomTensor([3, 4], 16),
    w: () => tf.tensor([0.5, 2, 1]), loss: (yt, yp, w) => reduce(tf.metrics.meanAbsoluteError(yt, yp), w), config: {} },
  { name: 'mse_masked', y_pred: () => randomTensor([2, 3, 4], 17), y_true: () => randomTensor([2, 3, 4], 18),
    w: () => tf.tensor([[1, 1, 0], [1, 0, 0]]),
    loss: (yt, yp, w) => reduce(tf.metrics.meanSquaredError(yt, yp), w, 'mean_with_sample_weight'),
    config: { reduction: 'mean_with_sample_weight' } },
  // Errors in [-2, 2) straddle delta on both sides.
  { name: 'huber_delta', y_pred: () => randomTensor([4, 3], 19, -1, 1), y_true: () => randomTensor([4, 3], 20, -1, 1),
    w: () => tf.tensor([1, 0.5, 2, 1]),
    loss: (yt, yp, w) => reduce(tf.mean(tf.losses.huberLoss(yt, yp, undefined, 0.7, NONE), -1), w),
    config: { delta: 0.7 } },
  { name: 'huber_default', y_pred: () => randomTensor([4, 3], 21, -2, 2), y_true: () => randomTensor([4, 3], 22, -1, 1),
    loss: (yt, yp) => reduce(tf.mean(tf.losses.huberLoss(yt, yp, undefined, 1.0, NONE), -1)), config: {} },
  // Keras 3: sum(t log(t / p)) with t and p clipped to [1e-7, 1].
  { name: 'kld', y_pred: () => probabilities([4, 5], 23), y_true: () => probabilities([4, 5], 24),
    loss: (yt, yp) => {
      const t = tf.clipByValue(yt, 1e-7, 1);
      const p = tf.clipByValue(yp, 1e-7, 1);
      return reduce(tf.sum(tf.mul(t, tf.log(tf.div(t, p))), -1));
    }, config: {} },
  { name: 'cosine_last', y_pred: () => randomTensor([4, 3], 25), y_true: () => randomTensor([4, 3], 26),
    loss: (yt, yp) => reduce(tf.metrics.cosineProximity(yt, yp)), config: {} },
  // axis 1 of (2, 3, 4): cosineProximity works on the last axis, so the
  // feature axis is moved there first.
  { name: 'cosine_axis1_weighted', y_pred: () => randomTensor([2, 3, 4], 27), y_true: () => randomTensor([2, 3, 4], 28),
    w: () => randomTensor([2, 4], 29, 0, 2),
    loss: (yt, yp, w) => reduce(tf.metrics.cosineProximity(tf.transpose(yt, [0, 2, 1]), tf.transpose(yp, [0, 2, 1])), w),
    config: { axis: 1 } },
];

async function main() {
  await ready();
  const tensors = [];
  const configs = {};
  for (const c of CASES) {
    const yPred = c.y_pred();
    const yTrue = c.y_true();
    const w = c.w ? c.w() : undefined;
    const f = (yp) => c.loss(yTrue, yp, w);
    tensors.push([`${c.name}/y_pred`, yPred], [`${c.name}/y_true`, yTrue]);
    if (w) tensors.push([`${c.name}/sample_weight`, w]);
    tensors.push([`${c.name}/loss`, f(yPred)], [`${c.name}/dy_pred`, tf.grad(f)(yPred)]);
    configs[c.name] = c.config;
  }
  save('losses', tensors, configs);
}

main();
