// BatchNormalization as Keras computes it, in inference (moving statistics)
// and in training (batch statistics, then the moving statistics updated as
// moving * momentum + batch * (1 - momentum), with the biased batch
// variance, as Keras 3's ops.moments gives). Weights in get_weights() order:
// gamma, beta, moving_mean, moving_variance (without gamma for scale=false,
// without beta for center=false). Masked batch statistics are Keras 3's
// (TF.js ignores masks): scripts/references/torch/layers.py.
'use strict';
const { tf, randomTensor, kerasConfig, save, ready } = require('./common');

const CASES = [
  { name: 'bn_2d', args: { momentum: 0.8 }, input: [6, 3] },
  { name: 'bn_4d', args: {}, input: [2, 3, 2, 4] },
  // TF.js cannot train without gamma and beta (it reads them regardless):
  // inference only here, training in scripts/references/torch/layers.py.
  { name: 'bn_no_center_scale', args: { center: false, scale: false, momentum: 0.5 }, input: [5, 3, 2], inferenceOnly: true },
];

async function main() {
  await ready();
  const tensors = [];
  const configs = {};
  CASES.forEach((c, i) => {
    const layer = tf.layers.batchNormalization({ ...c.args, name: c.name });
    const x = randomTensor(c.input, 700 + i, -2, 3);
    layer.apply(x);  // builds the weights
    // Drawn here so that no statistic is trivial; variances positive.
    const weights = layer.getWeights().map((w, k) => {
      const isVariance = k === layer.getWeights().length - 1;
      return randomTensor(w.shape, 800 + 10 * i + k, isVariance ? 0.5 : -1, isVariance ? 2 : 1);
    });
    layer.setWeights(weights);
    tensors.push([`${c.name}/x`, x]);
    weights.forEach((w, k) => tensors.push([`${c.name}/weight_${k}`, w]));
    tensors.push([`${c.name}/y_inference`, layer.apply(x, { training: false })]);
    if (!c.inferenceOnly) {
      tensors.push([`${c.name}/y_training`, layer.apply(x, { training: true })]);
      layer.getWeights().forEach((w, k) => tensors.push([`${c.name}/updated_${k}`, w]));
    }
    configs[c.name] = kerasConfig(layer, c.input.slice(1));
  });
  save('batch_norm', tensors, configs);
}

main();
