// Dense as Keras computes it: inputs of rank 2 to 4 (the kernel applies to the
// last axis), with and without bias, and Keras' config for each case.
'use strict';
const { tf, randomTensor, kerasConfig, save, ready } = require('./common');

const CASES = [
  { name: 'relu_2d', input: [4, 5], args: { units: 3, activation: 'relu' } },
  { name: 'tanh_3d', input: [2, 3, 5], args: { units: 4, activation: 'tanh' } },
  { name: 'linear_no_bias_3d', input: [2, 3, 5], args: { units: 2, useBias: false } },
  { name: 'relu_4d', input: [2, 3, 2, 5], args: { units: 3, activation: 'relu' } },
];

async function main() {
  await ready();
  const tensors = [];
  const configs = {};
  CASES.forEach((c, i) => {
    const layer = tf.layers.dense({ ...c.args, name: c.name });
    const x = randomTensor(c.input, 100 + i);
    layer.apply(x);  // builds the weights
    // Weights drawn here, not by Keras' initializers, so they are not all zero.
    const weights = layer.getWeights().map((w, k) => randomTensor(w.shape, 200 + 10 * i + k, -0.5, 0.5));
    layer.setWeights(weights);
    tensors.push([`${c.name}/x`, x]);
    weights.forEach((w, k) => tensors.push([`${c.name}/weight_${k}`, w]));
    tensors.push([`${c.name}/y`, layer.apply(x)]);
    configs[c.name] = kerasConfig(layer, c.input.slice(1));
  });
  save('dense', tensors, configs);
}

main();
