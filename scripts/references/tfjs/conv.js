// Conv1D and Conv2D as Keras computes them (channels_last): valid and same
// padding, strides, dilation, with and without bias, and Keras' config for
// each case. Besides the output y, each case stores the gradients of
// sum(y * r) for a seeded cotangent r: dx for the input, dweight_<k> for the
// weights in get_weights() order. (Causal Conv1D is not in TF.js: see
// scripts/references/torch/conv_causal.py.) TF.js has no gradient for a
// dilated convolution: those cases store y only (the PyTorch cases cover
// dilated gradients).
'use strict';
const { tf, randomTensor, kerasConfig, save, ready } = require('./common');

const CASES = [
  { name: 'conv1d_valid', kind: 'conv1d', input: [2, 7, 3], args: { filters: 4, kernelSize: 3 } },
  { name: 'conv1d_same_stride2', kind: 'conv1d', input: [2, 8, 3],
    args: { filters: 2, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu' } },
  { name: 'conv1d_same_dilated', kind: 'conv1d', input: [1, 9, 2],
    args: { filters: 3, kernelSize: 3, dilationRate: 2, padding: 'same', useBias: false } },
  { name: 'conv1d_valid_stride3', kind: 'conv1d', input: [2, 10, 2],
    args: { filters: 2, kernelSize: 2, strides: 3, activation: 'tanh' } },
  { name: 'conv2d_valid', kind: 'conv2d', input: [2, 5, 6, 3], args: { filters: 4, kernelSize: 3 } },
  { name: 'conv2d_same_stride2', kind: 'conv2d', input: [2, 7, 6, 2],
    args: { filters: 3, kernelSize: [3, 2], strides: [2, 2], padding: 'same', activation: 'relu' } },
  { name: 'conv2d_same_dilated', kind: 'conv2d', input: [1, 7, 7, 2],
    args: { filters: 2, kernelSize: 3, dilationRate: [2, 1], padding: 'same', useBias: false } },
  { name: 'conv2d_valid_1x1', kind: 'conv2d', input: [2, 3, 4, 5], args: { filters: 3, kernelSize: 1 } },
];

async function main() {
  await ready();
  const tensors = [];
  const configs = {};
  CASES.forEach((c, i) => {
    const layer = tf.layers[c.kind]({ ...c.args, name: c.name });
    const x = randomTensor(c.input, 100 + i);
    const y0 = layer.apply(x);  // builds the weights
    // Weights drawn here, not by Keras' initializers, so the bias is not zero.
    const weights = layer.getWeights().map((w, k) => randomTensor(w.shape, 200 + 10 * i + k, -0.5, 0.5));
    layer.setWeights(weights);
    const y = layer.apply(x);
    tensors.push([`${c.name}/x`, x]);
    weights.forEach((w, k) => tensors.push([`${c.name}/weight_${k}`, w]));
    tensors.push([`${c.name}/y`, y]);
    configs[c.name] = kerasConfig(layer, c.input.slice(1));
    if (c.args.dilationRate) return;
    const r = randomTensor(y0.shape, 300 + i);
    const loss = (input) => tf.sum(tf.mul(layer.apply(input), r));
    const dx = tf.grad(loss)(x);
    const { grads } = tf.variableGrads(() => loss(x), layer.trainableWeights.map((w) => w.read()));
    tensors.push([`${c.name}/r`, r], [`${c.name}/dx`, dx]);
    layer.trainableWeights.forEach((w, k) => tensors.push([`${c.name}/dweight_${k}`, grads[w.read().name]]));
  });
  save('conv', tensors, configs);
}

main();
