// The merge layers as Keras computes them, without masks: Add, Average,
// Multiply, Maximum and Minimum on two and three inputs and on inputs of
// different ranks (the lower-ranked one gains axes after the batch axis),
// and Dot over every axes form with and without normalize. TF.js has no
// Subtract, and its merge masks follow Keras 2 (see
// scripts/references/README.md): the mask cases are Keras 3's own tests.
'use strict';
const { tf, randomTensor, save, ready } = require('./common');

const CASES = [
  { name: 'add_2', make: () => tf.layers.add({}), inputs: [[2, 3, 4], [2, 3, 4]] },
  { name: 'add_3', make: () => tf.layers.add({}), inputs: [[2, 3, 4], [2, 3, 4], [2, 3, 4]] },
  { name: 'add_ranks', make: () => tf.layers.add({}), inputs: [[2, 3, 4], [2, 4]] },
  { name: 'average_3', make: () => tf.layers.average({}), inputs: [[2, 3, 4], [2, 3, 4], [2, 3, 4]] },
  { name: 'multiply_2', make: () => tf.layers.multiply({}), inputs: [[2, 5], [2, 5]] },
  { name: 'multiply_broadcast', make: () => tf.layers.multiply({}), inputs: [[2, 3, 4], [2, 1, 4]] },
  { name: 'maximum_3', make: () => tf.layers.maximum({}), inputs: [[2, 3, 4], [2, 3, 4], [2, 3, 4]] },
  { name: 'minimum_2', make: () => tf.layers.minimum({}), inputs: [[2, 3, 4], [2, 3, 4]] },
  { name: 'dot_2d', make: () => tf.layers.dot({ axes: -1 }), inputs: [[2, 5], [2, 5]] },
  { name: 'dot_3d_last', make: () => tf.layers.dot({ axes: [2, 2] }), inputs: [[2, 3, 4], [2, 5, 4]] },
  { name: 'dot_3d_12', make: () => tf.layers.dot({ axes: [1, 2] }), inputs: [[2, 3, 4], [2, 5, 3]] },
  { name: 'dot_3d_1', make: () => tf.layers.dot({ axes: 1 }), inputs: [[2, 3, 4], [2, 3, 5]] },
  { name: 'dot_2d_3d', make: () => tf.layers.dot({ axes: [1, 2] }), inputs: [[2, 4], [2, 3, 4]] },
  { name: 'dot_normalize', make: () => tf.layers.dot({ axes: -1, normalize: true }), inputs: [[2, 3, 4], [2, 5, 4]] },
];

// The layer's Keras config from a model calling it on inputs of these shapes.
function mergeConfig(layer, shapes) {
  const inputs = shapes.map((s) => tf.input({ shape: s.slice(1) }));
  const model = tf.model({ inputs, outputs: layer.apply(inputs) });
  return model.toJSON(null, false).config.layers.find((l) => l.config.name === layer.name).config;
}

async function main() {
  await ready();
  const tensors = [];
  const configs = {};
  CASES.forEach((c, i) => {
    const layer = c.make();
    const xs = c.inputs.map((shape, k) => randomTensor(shape, 500 + 10 * i + k));
    xs.forEach((x, k) => tensors.push([`${c.name}/x${k}`, x]));
    tensors.push([`${c.name}/y`, layer.apply(xs)]);
    configs[c.name] = mergeConfig(layer, c.inputs);
  });
  save('merge', tensors, configs);
}

main();
