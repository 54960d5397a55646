// What every TF.js reference script shares: tfjs on its pure-JS CPU backend,
// seeded inputs, and the output folder tests/golden/tfjs/.
'use strict';
const path = require('path');
const tf = require('@tensorflow/tfjs');
const { writeSafetensors, seededUniform } = require('../safetensors');

const OUT_DIR = path.join(__dirname, '..', '..', '..', 'tests', 'golden', 'tfjs');

// A tensor of the given shape, uniform in [lo, hi), reproducible from seed.
function randomTensor(shape, seed, lo = -1, hi = 1) {
  const next = seededUniform(seed, lo, hi);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from({ length: n }, next), shape, 'float32');
}

// A layer's Keras-format config (snake_case keys, as Python Keras writes
// them), read from the JSON of a model calling it on an input of
// `inputShape` (batch excluded).
function kerasConfig(layer, inputShape) {
  const input = tf.input({ shape: inputShape });
  const model = tf.model({ inputs: input, outputs: layer.apply(input) });
  const json = model.toJSON(null, false);
  return json.config.layers.find((l) => l.config.name === layer.name).config;
}

// Writes tests/golden/tfjs/<topic>.safetensors; every config is stored in
// the metadata under "config/<case>" as JSON text.
function save(topic, tensors, configs = {}) {
  const metadata = { source: `TensorFlow.js ${tf.version.tfjs} (cpu backend)` };
  for (const [name, config] of Object.entries(configs)) metadata[`config/${name}`] = JSON.stringify(config);
  writeSafetensors(path.join(OUT_DIR, `${topic}.safetensors`), tensors, metadata);
}

async function ready() {
  await tf.setBackend('cpu');
  await tf.ready();
}

module.exports = { tf, randomTensor, kerasConfig, save, ready };
