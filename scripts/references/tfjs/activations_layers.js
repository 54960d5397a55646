// The activation layers as Keras computes them: ReLU (max_value), LeakyReLU
// (TF.js writes Keras 2's `alpha`, which kiln must read), Softmax over one
// axis, over several, and with the mask its call takes (masked positions get
// zero probability). ReLU's negative_slope and threshold are Keras 3 options
// TF.js lacks, and TF.js's softmax runs on the last axis only (one axis
// elsewhere, e.g. axis=1): scripts/references/torch/layers.py has those.
'use strict';
const { tf, randomTensor, kerasConfig, save, ready } = require('./common');

const CASES = [
  { name: 'relu', make: () => tf.layers.reLU({}), input: [3, 4] },
  { name: 'relu_max_value', make: () => tf.layers.reLU({ maxValue: 0.5 }), input: [3, 4] },
  { name: 'leaky_relu_default', make: () => tf.layers.leakyReLU({}), input: [3, 4] },
  { name: 'leaky_relu_alpha', make: () => tf.layers.leakyReLU({ alpha: 0.1 }), input: [2, 3, 4] },
  { name: 'softmax_last', make: () => tf.layers.softmax({ axis: -1 }), input: [2, 3, 5] },
  { name: 'softmax_axes', make: () => tf.layers.softmax({ axis: [1, 2] }), input: [2, 3, 5] },
  // A mask of the input's shape, and one that broadcasts over the query axis
  // (an attention-score mask over keys): 1 keeps, 0 masks.
  { name: 'softmax_mask', make: () => tf.layers.softmax({ axis: -1 }), input: [2, 3, 5], mask: [2, 3, 5] },
  { name: 'softmax_mask_broadcast', make: () => tf.layers.softmax({ axis: -1 }), input: [2, 3, 5], mask: [2, 1, 5] },
];

// 0/1 entries from a seeded draw, every row along the last axis keeping one.
function keepMask(shape, seed) {
  const draw = randomTensor(shape, seed).dataSync();
  const last = shape[shape.length - 1];
  const values = Array.from(draw, (v, i) => (i % last === 0 || v > 0 ? 1 : 0));
  return tf.tensor(values, shape, 'float32');
}

async function main() {
  await ready();
  const tensors = [];
  const configs = {};
  CASES.forEach((c, i) => {
    const layer = c.make();
    const x = randomTensor(c.input, 300 + i, -3, 3);
    tensors.push([`${c.name}/x`, x]);
    if (c.mask) {
      const mask = keepMask(c.mask, 400 + i);
      tensors.push([`${c.name}/mask`, mask]);
      tensors.push([`${c.name}/y`, layer.apply(x, { mask })]);
    } else {
      tensors.push([`${c.name}/y`, layer.apply(x)]);
    }
    configs[c.name] = kerasConfig(layer, c.input.slice(1));
  });
  save('activations_layers', tensors, configs);
}

main();
