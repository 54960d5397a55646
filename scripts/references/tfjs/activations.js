// Keras' activations by name, values and gradients: tf.layers.activation
// where TF.js has the activation, otherwise Keras 3's formula written with
// TF.js ops (hard_sigmoid and hard_silu as Keras 3 defines them, relu6(x +
// 3) / 6; leaky_relu with Keras 3's default slope 0.2; exponential = exp).
// Per activation, as tfjs/ops.js names them: the input <name>/x0 (the same
// for all), y = act(x0), and the gradient dx0 of sum(y * r) for a random r.
'use strict';
const { tf, randomTensor, save, ready } = require('./common');

// Keras 3 name -> the same function in TF.js.
const layer = (name) => (x) => tf.layers.activation({ activation: name }).apply(x);
const kerasHardSigmoid = (x) => tf.div(tf.relu6(tf.add(x, 3)), 6);
const ACTIVATIONS = {
  linear: layer('linear'),
  relu: layer('relu'),
  tanh: layer('tanh'),
  sigmoid: layer('sigmoid'),
  softmax: layer('softmax'),
  log_softmax: layer('logSoftmax'),
  elu: layer('elu'),
  selu: layer('selu'),
  softplus: layer('softplus'),
  softsign: layer('softsign'),
  silu: layer('swish'),
  gelu: layer('gelu'),                 // exact, with erf: Keras' default
  gelu_approximate: layer('gelu_new'), // Keras' gelu(approximate=True)
  relu6: layer('relu6'),
  hard_sigmoid: kerasHardSigmoid,
  hard_silu: (x) => tf.mul(x, kerasHardSigmoid(x)),
  leaky_relu: (x) => tf.leakyRelu(x, 0.2),
  exponential: (x) => tf.exp(x),
  mish: layer('mish'),
};

// Inputs spread over [-7, 8), moved off the kinks (0, +-3, 6) by at least
// 0.05 so that finite differences in kiln's tests and these gradients agree.
function inputs(shape, seed) {
  const kinks = [-3, 0, 3, 6];
  const x = randomTensor(shape, seed, -7, 8).dataSync().map((v) => {
    for (const k of kinks) if (Math.abs(v - k) < 0.05) return k + (v < k ? -0.05 : 0.05);
    return v;
  });
  return tf.tensor(x, shape, 'float32');
}

async function main() {
  await ready();
  const x = inputs([4, 6], 11);
  const r = randomTensor([4, 6], 12);
  const tensors = [];
  for (const [name, f] of Object.entries(ACTIVATIONS)) {
    tensors.push([`${name}/x0`, x], [`${name}/y`, f(x)], [`${name}/r`, r]);
    tensors.push([`${name}/dx0`, tf.grad((v) => tf.sum(tf.mul(f(v), r)))(x)]);
  }
  save('activations', tensors);
}

main();
