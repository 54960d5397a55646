// The shape layers as Keras computes them: RepeatVector, Reshape (with the
// inferred axis, which TF.js writes as null where Keras 3 writes -1),
// Permute, and Masking (its zeroed output and its mask).
'use strict';
const { tf, randomTensor, kerasConfig, save, ready } = require('./common');

const CASES = [
  { name: 'repeat_vector', make: () => tf.layers.repeatVector({ n: 3 }), input: [2, 4] },
  { name: 'reshape', make: () => tf.layers.reshape({ targetShape: [4, 3] }), input: [2, 3, 4] },
  { name: 'reshape_inferred', make: () => tf.layers.reshape({ targetShape: [-1, 2] }), input: [2, 3, 4] },
  { name: 'reshape_flat', make: () => tf.layers.reshape({ targetShape: [12] }), input: [2, 3, 4] },
  { name: 'permute', make: () => tf.layers.permute({ dims: [2, 1] }), input: [2, 3, 4] },
  { name: 'permute_4d', make: () => tf.layers.permute({ dims: [3, 1, 2] }), input: [2, 2, 3, 4] },
];

// (2, 5, 3) steps, some entirely `value` (masked), some with only a few
// entries equal to it (kept).
function maskingInput(value) {
  const x = randomTensor([2, 5, 3], 650).arraySync();
  for (const [b, t] of [[0, 1], [0, 4], [1, 0]]) x[b][t] = [value, value, value];
  x[1][2][0] = value;
  x[1][3][1] = value;
  x[1][3][2] = value;
  return tf.tensor(x);
}

async function main() {
  await ready();
  const tensors = [];
  const configs = {};
  CASES.forEach((c, i) => {
    const layer = c.make();
    const x = randomTensor(c.input, 600 + i);
    tensors.push([`${c.name}/x`, x]);
    tensors.push([`${c.name}/y`, layer.apply(x)]);
    configs[c.name] = kerasConfig(layer, c.input.slice(1));
  });
  for (const [name, value] of [['masking', 0], ['masking_value', 0.5]]) {
    const layer = tf.layers.masking({ maskValue: value });
    const x = maskingInput(value);
    tensors.push([`${name}/x`, x]);
    tensors.push([`${name}/y`, layer.apply(x)]);
    tensors.push([`${name}/mask`, tf.cast(layer.computeMask(x), 'float32')]);
    configs[name] = kerasConfig(layer, [5, 3]);
  }
  save('reshape', tensors, configs);
}

main();
