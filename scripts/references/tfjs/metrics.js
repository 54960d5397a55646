// Keras 3's metrics streamed over three batches of different sizes with
// sample weights. TF.js's metrics are stateless per-batch functions, so
// the streaming state Keras keeps (weighted sums; confusion counts at
// thresholds) is written out here, as Keras 3 defines it, with TF.js ops
// computing each batch's values (tf.metrics.binaryAccuracy,
// meanAbsoluteError and meanSquaredError where they are Keras', Keras'
// formulas otherwise).
//
// Groups of batches: <group>/batch<b>/y_pred, y_true, sample_weight;
// results: <metric>/result, the metric's value after each batch (3,).
//   binary:      y_pred (n, 3) in [0, 1), y_true 0/1 (n, 3), weights (n)
//   categorical: y_pred (n, 6), y_true one-hot (n, 6), ids (n), weights (n)
//   regression:  y_pred, y_true (n, 3) in [-1, 1), weights (n)
'use strict';
const { tf, randomTensor, save, ready } = require('./common');

const ROWS = [4, 5, 3];

function batches(group, seed, make) {
  return ROWS.map((n, b) => make(n, seed + 10 * b));
}

// Keras' MeanMetricWrapper: sum(w v) / sum(w) over everything seen so far.
function streamedMean(groupBatches, values) {
  let total = 0;
  let weight = 0;
  return groupBatches.map((batch) => {
    const v = values(batch).dataSync();
    const w = batch.w.dataSync();
    v.forEach((x, i) => { total += w[i] * x; weight += w[i]; });
    return weight ? total / weight : 0;
  });
}

// Weighted confusion counts at each threshold, y_pred > threshold, each
// element of a row weighted by the row's weight; a nonzero y_true is positive.
function confusion(batch, thresholds, unit) {
  const p = batch.y_pred.arraySync();
  const t = batch.y_true.arraySync();
  const w = batch.w.dataSync();
  return thresholds.map((th) => {
    const c = { tp: 0, fp: 0, tn: 0, fn: 0 };
    p.forEach((row, i) => row.forEach((v, u) => {
      if (unit !== undefined && u !== unit) return;
      const predicted = v > th;
      const actual = t[i][u] !== 0;
      c[predicted ? (actual ? 'tp' : 'fp') : (actual ? 'fn' : 'tn')] += w[i];
    }));
    return c;
  });
}

function streamedConfusion(groupBatches, thresholds, result, unit) {
  const sums = thresholds.map(() => ({ tp: 0, fp: 0, tn: 0, fn: 0 }));
  return groupBatches.map((batch) => {
    confusion(batch, thresholds, unit).forEach((c, i) => {
      for (const k of ['tp', 'fp', 'tn', 'fn']) sums[i][k] += c[k];
    });
    return result(sums);
  });
}

const divideNoNan = (a, b) => (b !== 0 ? a / b : 0);

// keras.metrics.AUC's thresholds and result (keras/src/metrics/confusion_metrics.py).
function aucThresholds(n) {
  const inner = Array.from({ length: n - 2 }, (_, i) => (i + 1) / (n - 1));
  return [-1e-7, ...inner, 1 + 1e-7];
}

function aucResult(curve, summation) {
  return (s) => {
    const n = s.length;
    if (curve === 'PR' && summation === 'interpolation') {
      let area = 0;
      for (let i = 0; i + 1 < n; i++) {
        const dtp = s[i].tp - s[i + 1].tp;
        const pHere = s[i].tp + s[i].fp;
        const pNext = s[i + 1].tp + s[i + 1].fp;
        const slope = divideNoNan(dtp, Math.max(pHere - pNext, 0));
        const intercept = s[i + 1].tp - slope * pNext;
        const ratio = pHere > 0 && pNext > 0 ? divideNoNan(pHere, Math.max(pNext, 0)) : 1;
        area += divideNoNan(slope * (dtp + intercept * Math.log(ratio)), Math.max(s[i + 1].tp + s[i + 1].fn, 0));
      }
      return area;
    }
    const recall = s.map((c) => divideNoNan(c.tp, c.tp + c.fn));
    const x = curve === 'ROC' ? s.map((c) => divideNoNan(c.fp, c.fp + c.tn)) : recall;
    const y = curve === 'ROC' ? recall : s.map((c) => divideNoNan(c.tp, c.tp + c.fp));
    let area = 0;
    for (let i = 0; i + 1 < n; i++) {
      const h = summation === 'minoring' ? Math.min(y[i], y[i + 1])
        : summation === 'majoring' ? Math.max(y[i], y[i + 1]) : (y[i] + y[i + 1]) / 2;
      area += (x[i] - x[i + 1]) * h;
    }
    return area;
  };
}

// TensorFlow's in_top_k: fewer than k classes score strictly higher than the target.
function inTopK(yPred, ids, k) {
  const target = tf.gather(yPred, tf.cast(ids, 'int32'), 1, 1);
  return tf.cast(tf.less(tf.sum(tf.cast(tf.greater(yPred, tf.expandDims(target, -1)), 'float32'), -1), k), 'float32');
}

async function main() {
  await ready();
  const binary = batches('binary', 1, (n, s) => ({
    y_pred: randomTensor([n, 3], s, 0, 1), y_true: tf.floor(randomTensor([n, 3], s + 1, 0, 2)),
    w: randomTensor([n], s + 2, 0, 2) }));
  const categorical = batches('categorical', 100, (n, s) => {
    const ids = tf.floor(randomTensor([n], s + 1, 0, 6));
    // Rounded to tenths: ties with the target's score happen.
    const yPred = tf.div(tf.round(tf.mul(randomTensor([n, 6], s, 0, 1), 10)), 10);
    return { y_pred: yPred, ids, y_true: tf.cast(tf.oneHot(tf.cast(ids, 'int32'), 6), 'float32'),
      w: randomTensor([n], s + 2, 0, 2) };
  });
  const regression = batches('regression', 200, (n, s) => ({
    y_pred: randomTensor([n, 3], s), y_true: randomTensor([n, 3], s + 1), w: randomTensor([n], s + 2, 0, 2) }));

  const tensors = [];
  for (const [group, list] of [['binary', binary], ['categorical', categorical], ['regression', regression]]) {
    list.forEach((b, i) => {
      tensors.push([`${group}/batch${i}/y_pred`, b.y_pred], [`${group}/batch${i}/y_true`, b.y_true],
        [`${group}/batch${i}/sample_weight`, b.w]);
      if (b.ids) tensors.push([`${group}/batch${i}/ids`, b.ids]);
    });
  }
  const thresholdAccuracy = (th) => (b) => tf.mean(tf.cast(tf.equal(b.y_true, tf.cast(tf.greater(b.y_pred, th), 'float32')), 'float32'), -1);
  const results = {
    binary_accuracy: streamedMean(binary, (b) => tf.metrics.binaryAccuracy(b.y_true, b.y_pred)),
    binary_accuracy_07: streamedMean(binary, thresholdAccuracy(0.7)),
    precision: streamedConfusion(binary, [0.5], (s) => divideNoNan(s[0].tp, s[0].tp + s[0].fp)),
    recall: streamedConfusion(binary, [0.5], (s) => divideNoNan(s[0].tp, s[0].tp + s[0].fn)),
    precision_class1_03: streamedConfusion(binary, [0.3], (s) => divideNoNan(s[0].tp, s[0].tp + s[0].fp), 1),
    recall_class2_07: streamedConfusion(binary, [0.7], (s) => divideNoNan(s[0].tp, s[0].tp + s[0].fn), 2),
    auc: streamedConfusion(binary, aucThresholds(200), aucResult('ROC', 'interpolation')),
    auc_pr: streamedConfusion(binary, aucThresholds(200), aucResult('PR', 'interpolation')),
    auc_minoring_50: streamedConfusion(binary, aucThresholds(50), aucResult('ROC', 'minoring')),
    auc_pr_majoring: streamedConfusion(binary, aucThresholds(200), aucResult('PR', 'majoring')),
    top_2_categorical_accuracy: streamedMean(categorical, (b) => inTopK(b.y_pred, b.ids, 2)),
    top_k_categorical_accuracy: streamedMean(categorical, (b) => inTopK(b.y_pred, b.ids, 5)),
    mean_absolute_error: streamedMean(regression, (b) => tf.metrics.meanAbsoluteError(b.y_true, b.y_pred)),
    mean_squared_error: streamedMean(regression, (b) => tf.metrics.meanSquaredError(b.y_true, b.y_pred)),
  };
  for (const [name, values] of Object.entries(results)) tensors.push([`${name}/result`, tf.tensor(values)]);
  save('metrics', tensors);
}

main();
