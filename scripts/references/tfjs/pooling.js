// Pooling as Keras computes it (channels_last): max and average pooling in
// 1-D and 2-D with valid and same padding (same averages over the part of
// the window inside the input), global pooling, ZeroPadding2D and nearest
// UpSampling2D. Each case stores x, y, a seeded cotangent r and dx, the
// gradient of sum(y * r), and the layer's Keras config.
'use strict';
const { tf, randomTensor, kerasConfig, save, ready } = require('./common');

const CASES = [
  { name: 'max1d_valid', kind: 'maxPooling1d', input: [2, 7, 3], args: { poolSize: 2 } },
  { name: 'max1d_same_stride1', kind: 'maxPooling1d', input: [2, 5, 2], args: { poolSize: 3, strides: 1, padding: 'same' } },
  { name: 'avg1d_valid_stride1', kind: 'averagePooling1d', input: [2, 6, 3], args: { poolSize: 3, strides: 1 } },
  { name: 'avg1d_same', kind: 'averagePooling1d', input: [2, 7, 2], args: { poolSize: 3, strides: 2, padding: 'same' } },
  { name: 'max2d_valid', kind: 'maxPooling2d', input: [2, 5, 6, 3], args: { poolSize: 2 } },
  { name: 'max2d_same', kind: 'maxPooling2d', input: [1, 5, 5, 2], args: { poolSize: [3, 2], strides: [2, 2], padding: 'same' } },
  { name: 'avg2d_valid', kind: 'averagePooling2d', input: [2, 4, 6, 2], args: { poolSize: [2, 3], strides: [1, 2] } },
  { name: 'avg2d_same', kind: 'averagePooling2d', input: [1, 5, 4, 3], args: { poolSize: 3, strides: 2, padding: 'same' } },
  { name: 'global_max1d', kind: 'globalMaxPooling1d', input: [2, 5, 3], args: {} },
  { name: 'global_avg1d', kind: 'globalAveragePooling1d', input: [2, 5, 3], args: {} },
  { name: 'global_max2d', kind: 'globalMaxPooling2d', input: [2, 3, 4, 3], args: {} },
  { name: 'global_avg2d', kind: 'globalAveragePooling2d', input: [2, 3, 4, 3], args: {} },
  { name: 'zero_padding2d', kind: 'zeroPadding2d', input: [2, 3, 2, 2], args: { padding: [[1, 2], [0, 1]] } },
  { name: 'up_sampling2d', kind: 'upSampling2d', input: [2, 2, 3, 2], args: { size: [2, 3] } },
];

async function main() {
  await ready();
  const tensors = [];
  const configs = {};
  CASES.forEach((c, i) => {
    const layer = tf.layers[c.kind]({ ...c.args, name: c.name });
    const x = randomTensor(c.input, 400 + i);
    const y = layer.apply(x);
    const r = randomTensor(y.shape, 500 + i);
    const dx = tf.grad((input) => tf.sum(tf.mul(layer.apply(input), r)))(x);
    tensors.push([`${c.name}/x`, x], [`${c.name}/y`, y], [`${c.name}/r`, r], [`${c.name}/dx`, dx]);
    configs[c.name] = kerasConfig(layer, c.input.slice(1));
  });
  save('pooling', tensors, configs);
}

main();
