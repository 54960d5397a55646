// The element-wise and shape ops users reach for in custom layers, values
// and gradients from TF.js's own ops (tf.sqrt, tf.pow, tf.maximum, tf.where,
// tf.cumsum, tf.matMul, ...). Per case: inputs x0, x1, ..., the result y,
// and for a differentiable op the gradient dx<k> of sum(y * r) for a random
// r with respect to input k.
//
// Two TF.js 4.22 gradient bugs are stepped around with TF.js's own ops:
// Maximum, Minimum and BatchMatMul do not sum a broadcast operand's
// gradient back to its shape, so those cases broadcast their operands
// first with tf.broadcastTo (whose gradient does); Cumsum's gradient is
// wrong along any axis but the last, so the cumsum over axis 1 is a cumsum
// over the last axis of the transposed tensor.
'use strict';
const { tf, randomTensor, save, ready } = require('./common');

// Small integers stored as floats: ties and equal entries on purpose.
function integers(shape, seed, lo, hi) {
  return tf.floor(randomTensor(shape, seed, lo, hi));
}

const CASES = [
  { name: 'sqrt', inputs: () => [randomTensor([3, 4], 1, 0.2, 3)], f: (x) => tf.sqrt(x) },
  { name: 'rsqrt', inputs: () => [randomTensor([3, 4], 2, 0.2, 3)], f: (x) => tf.rsqrt(x) },
  { name: 'square', inputs: () => [randomTensor([3, 4], 3, -2, 2)], f: (x) => tf.square(x) },
  { name: 'pow_scalar', inputs: () => [randomTensor([3, 4], 4, 0.2, 3)], f: (x) => tf.pow(x, 2.5) },
  { name: 'pow_cube', inputs: () => [randomTensor([3, 4], 5, -2, 2)], f: (x) => tf.pow(x, 3) },
  // Broadcast exponent; a base <= 0 gets TF's exponent gradient 0.
  { name: 'pow_tensor', inputs: () => [randomTensor([2, 3], 6, 0.2, 2), randomTensor([3], 7, -2, 2)],
    f: (a, b) => tf.pow(a, b) },
  { name: 'pow_negative_base', inputs: () => [randomTensor([2, 3], 8, -2, -0.2), tf.tensor([2, 3, -1])],
    f: (a, b) => tf.pow(a, b) },
  { name: 'abs', inputs: () => [randomTensor([3, 4], 9, -2, 2)], f: (x) => tf.abs(x) },
  { name: 'sign', inputs: () => [integers([3, 4], 10, -2, 3)], f: (x) => tf.sign(x), constant: true },
  { name: 'maximum', inputs: () => [randomTensor([2, 3, 4], 11), randomTensor([3, 1], 12)],
    f: (a, b) => tf.maximum(a, tf.broadcastTo(b, a.shape)) },
  { name: 'minimum', inputs: () => [randomTensor([2, 3, 4], 13), randomTensor([3, 1], 14)],
    f: (a, b) => tf.minimum(a, tf.broadcastTo(b, a.shape)) },
  // Equal entries: TF gives a tie's whole gradient to the first argument.
  { name: 'maximum_ties', inputs: () => [integers([3, 4], 15, -2, 2), integers([3, 4], 16, -2, 2)],
    f: (a, b) => tf.maximum(a, b) },
  { name: 'minimum_ties', inputs: () => [integers([3, 4], 17, -2, 2), integers([3, 4], 18, -2, 2)],
    f: (a, b) => tf.minimum(a, b) },
  { name: 'where', inputs: () => [integers([2, 1, 4], 19, 0, 2), randomTensor([2, 3, 4], 20), randomTensor([4], 21)],
    f: (c, a, b) => tf.where(tf.cast(c, 'bool'), a, b), wrt: [1, 2] },
  { name: 'cumsum_axis1', inputs: () => [randomTensor([2, 3, 4], 22)], f: (x) => tf.transpose(tf.cumsum(tf.transpose(x, [0, 2, 1]), 2), [0, 2, 1]) },
  { name: 'cumsum_last', inputs: () => [randomTensor([2, 3, 4], 23)], f: (x) => tf.cumsum(x, 2) },
  { name: 'argmax_axis1', inputs: () => [integers([3, 4, 5], 24, 0, 3)], f: (x) => tf.argMax(x, 1), constant: true },
  { name: 'argmin_axis2', inputs: () => [integers([3, 4, 5], 25, 0, 3)], f: (x) => tf.argMin(x, 2), constant: true },
  { name: 'argmax_axis0', inputs: () => [randomTensor([3, 4, 5], 26)], f: (x) => tf.argMax(x, 0), constant: true },
  { name: 'matmul_heads', inputs: () => [randomTensor([2, 3, 4, 5], 27), randomTensor([2, 3, 5, 2], 28)],
    f: (a, b) => tf.matMul(a, b) },
  { name: 'matmul_transpose_b', inputs: () => [randomTensor([2, 3, 4, 5], 29), randomTensor([2, 3, 6, 5], 30)],
    f: (a, b) => tf.matMul(a, b, false, true) },
  { name: 'matmul_transpose_a', inputs: () => [randomTensor([2, 5, 4], 31), randomTensor([2, 5, 3], 32)],
    f: (a, b) => tf.matMul(a, b, true, false) },
  { name: 'matmul_broadcast', inputs: () => [randomTensor([2, 1, 4, 5], 33), randomTensor([3, 5, 2], 34)],
    f: (a, b) => tf.matMul(tf.broadcastTo(a, [2, 3, 4, 5]), tf.broadcastTo(b, [2, 3, 5, 2])) },
];

const COMPARISONS = ['equal', 'notEqual', 'less', 'lessEqual', 'greater', 'greaterEqual'];
const snake = (name) => name.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());

async function main() {
  await ready();
  const tensors = [];
  CASES.forEach((c, i) => {
    const xs = c.inputs();
    xs.forEach((x, k) => tensors.push([`${c.name}/x${k}`, x]));
    const y = tf.cast(c.f(...xs), 'float32');
    tensors.push([`${c.name}/y`, y]);
    if (c.constant) return;
    const r = randomTensor(y.shape, 1000 + i);
    tensors.push([`${c.name}/r`, r]);
    const wrt = c.wrt || xs.map((_, k) => k);
    const grads = tf.grads((...vs) => {
      const args = xs.slice();
      wrt.forEach((k, j) => { args[k] = vs[j]; });
      return tf.sum(tf.mul(c.f(...args), r));
    })(wrt.map((k) => xs[k]));
    wrt.forEach((k, j) => tensors.push([`${c.name}/dx${k}`, grads[j]]));
  });
  // Comparisons broadcast (3, 4) against (4), with equal entries.
  const a = integers([3, 4], 40, -2, 2);
  const b = integers([4], 41, -2, 2);
  tensors.push(['compare/a', a], ['compare/b', b]);
  for (const op of COMPARISONS) tensors.push([`compare/${snake(op)}`, tf.cast(tf[op](a, b), 'float32')]);
  save('ops', tensors);
}

main();
