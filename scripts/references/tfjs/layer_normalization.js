// LayerNormalization as Keras computes it: the default (last axis, epsilon
// 1e-3, gamma and beta), without centre or scale, another epsilon, and two
// trailing axes normalised together; Keras' config for each case.
'use strict';
const { tf, randomTensor, kerasConfig, save, ready } = require('./common');

const CASES = [
  { name: 'default_3d', input: [2, 3, 5], args: {} },
  { name: 'no_center_2d', input: [4, 6], args: { center: false, epsilon: 1e-5 } },
  { name: 'no_scale_3d', input: [2, 4, 3], args: { scale: false } },
  { name: 'two_axes_3d', input: [2, 3, 4], args: { axis: [1, 2] } },
];

async function main() {
  await ready();
  const tensors = [];
  const configs = {};
  CASES.forEach((c, i) => {
    const layer = tf.layers.layerNormalization({ ...c.args, name: c.name });
    // Inputs with an offset and spread per row, so the moments matter.
    const x = randomTensor(c.input, 300 + i, -2, 3);
    layer.apply(x);  // builds the weights
    const weights = layer.getWeights().map((w, k) => randomTensor(w.shape, 400 + 10 * i + k, 0.5, 1.5));
    layer.setWeights(weights);
    tensors.push([`${c.name}/x`, x]);
    weights.forEach((w, k) => tensors.push([`${c.name}/weight_${k}`, w]));
    tensors.push([`${c.name}/y`, layer.apply(x)]);
    configs[c.name] = kerasConfig(layer, c.input.slice(1));
  });
  save('layer_normalization', tensors, configs);
}

main();
