// The recurrent layers and cells as Keras computes them: SimpleRNN and the
// generic RNN wrapper around SimpleRNNCell, GRUCell (TF.js has only
// reset_after=false) and LSTMCell, with return_sequences, return_state,
// go_backwards, initial states and masks, and Keras' config for each case.
// Per case: x, weight_<k> in get_weights() order, initial state h<k> when
// given, mask when given, outputs y<k>, cotangents r<k> and dx, the gradient
// of sum_k sum(y<k> * r<k>) with respect to x.
//
// TF.js's cells default to recurrent_activation hard_sigmoid, which TF.js
// computes as Keras 2 did (slope 0.2, Keras 3's is 1/6): the cases ask for
// sigmoid, Keras 3's default.
//
// TF.js outputs the previous state h at a masked step where Keras 3 outputs
// the previous output (zeros before the first unmasked step); the two agree
// when the masked rows start from zero states, so the masked cases do.
'use strict';
const { tf, randomTensor, kerasConfig, save, ready } = require('./common');

const B = 3, T = 5, D = 4, H = 3;
// Row 0 skips steps 1 and 3, row 1 runs every step, row 2 starts masked.
const MASK = [[1, 0, 1, 0, 1], [1, 1, 1, 1, 1], [0, 0, 1, 1, 0]];

const cells = {
  simple: (args = {}) => tf.layers.simpleRNNCell({ units: H, ...args }),
  gru: (args = {}) => tf.layers.gruCell({ units: H, recurrentActivation: 'sigmoid', resetAfter: false, ...args }),
  lstm: (args = {}) => tf.layers.lstmCell({ units: H, recurrentActivation: 'sigmoid', ...args }),
};
const states = { simple: 1, gru: 1, lstm: 2 };

const CASES = [
  { name: 'simple_rnn', states: 1, make: (n) => tf.layers.simpleRNN({ units: H, returnSequences: true, name: n }) },
  {
    name: 'simple_rnn_state_backwards', states: 1, initial: true,
    make: (n) => tf.layers.simpleRNN({ units: H, returnState: true, goBackwards: true, name: n }),
  },
  {
    name: 'simple_rnn_relu_no_bias', states: 1,
    make: (n) => tf.layers.simpleRNN({ units: H, activation: 'relu', useBias: false, returnSequences: true, name: n }),
  },
  {
    name: 'simple_rnn_elu', states: 1,
    make: (n) => tf.layers.simpleRNN({ units: H, activation: 'elu', returnState: true, name: n }),
  },
  {
    name: 'simple_rnn_mask', states: 1, mask: true,
    make: (n) => tf.layers.simpleRNN({ units: H, returnSequences: true, returnState: true, name: n }),
  },
];
for (const kind of ['simple', 'gru', 'lstm']) {
  const S = states[kind];
  CASES.push(
    { name: `rnn_${kind}`, states: S, make: (n) => tf.layers.rnn({ cell: cells[kind](), returnSequences: true, name: n }) },
    {
      name: `rnn_${kind}_state_backwards`, states: S, initial: true,
      make: (n) => tf.layers.rnn({ cell: cells[kind](), returnState: true, goBackwards: true, name: n }),
    },
    {
      name: `rnn_${kind}_mask`, states: S, mask: true,
      make: (n) => tf.layers.rnn({ cell: cells[kind](), returnSequences: true, returnState: true, name: n }),
    },
    {
      name: `rnn_${kind}_mask_backwards`, states: S, mask: true,
      make: (n) => tf.layers.rnn({ cell: cells[kind](), goBackwards: true, name: n }),
    },
  );
}
CASES.push({
  name: 'rnn_gru_relu_no_bias', states: 1,
  make: (n) => tf.layers.rnn({ cell: cells.gru({ activation: 'relu', useBias: false }), returnSequences: true, name: n }),
});

async function main() {
  await ready();
  const tensors = [];
  const configs = {};
  CASES.forEach((c, i) => {
    const layer = c.make(c.name);
    configs[c.name] = kerasConfig(layer, [T, D]);  // builds the weights
    // Weights drawn here, not by Keras' initializers, so they are not all zero.
    const weights = layer.getWeights().map((w, k) => randomTensor(w.shape, 1500 + 10 * i + k, -0.6, 0.6));
    layer.setWeights(weights);
    const x = randomTensor([B, T, D], 1400 + i);
    const kwargs = {};
    tensors.push([`${c.name}/x`, x]);
    weights.forEach((w, k) => tensors.push([`${c.name}/weight_${k}`, w]));
    if (c.initial) {
      kwargs.initialState = [];
      for (let k = 0; k < c.states; ++k) {
        const h = randomTensor([B, H], 1700 + 10 * i + k, -0.5, 0.5);
        kwargs.initialState.push(h);
        tensors.push([`${c.name}/h${k}`, h]);
      }
    }
    if (c.mask) {
      kwargs.mask = tf.tensor2d(MASK);
      tensors.push([`${c.name}/mask`, kwargs.mask]);
    }
    const run = (input) => {
      const out = layer.apply(input, kwargs);
      return Array.isArray(out) ? out : [out];
    };
    const ys = run(x);
    const rs = ys.map((y, k) => randomTensor(y.shape, 1800 + 10 * i + k));
    ys.forEach((y, k) => tensors.push([`${c.name}/y${k}`, y]));
    rs.forEach((r, k) => tensors.push([`${c.name}/r${k}`, r]));
    const loss = (input) => run(input).reduce((acc, y, k) => acc.add(tf.sum(tf.mul(y, rs[k]))), tf.scalar(0));
    tensors.push([`${c.name}/dx`, tf.grad(loss)(x)]);
  });
  save('recurrent', tensors, configs);
}

main();
