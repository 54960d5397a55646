#pragma once
// Element-wise activations and transcendental functions, with Keras 3's
// names, options and formulas (keras.activations). softmax and
// log_softmax are in ops/softmax.hpp; layers take any of these by name
// (layers/activation.hpp).
//
// At a kink the gradient is the one-sided value TensorFlow uses: relu and
// relu6 pass nothing at 0 (and relu6 nothing at 6), leaky_relu and elu the
// left slope at 0, hard_sigmoid nothing at -3 and 3.

#include "graph/tensor.hpp"

namespace kiln {

Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor relu(const Tensor& x);
Tensor exp(const Tensor& x);  // Keras' "exponential"
Tensor log(const Tensor& x);  // natural log; log(0) = -inf as in IEEE

// x for x > 0, alpha (exp(x) - 1) otherwise.
Tensor elu(const Tensor& x, float alpha = 1.0f);

// scale * elu(x, alpha) with Keras' constants alpha = 1.67326324...,
// scale = 1.05070098... (Klambauer et al., 2017).
Tensor selu(const Tensor& x);

// log(1 + exp(x)), computed as max(x, 0) + log1p(exp(-|x|)) so that no
// exp overflows.
Tensor softplus(const Tensor& x);

// x / (1 + |x|).
Tensor softsign(const Tensor& x);

// x sigmoid(x), Keras' "silu" and "swish".
Tensor silu(const Tensor& x);
inline Tensor swish(const Tensor& x) { return silu(x); }

// x P(X <= x) for X ~ N(0, 1): 0.5 x (1 + erf(x / sqrt(2))), Keras'
// default. With approximate, the tanh form 0.5 x (1 + tanh(sqrt(2 / pi)
// (x + 0.044715 x^3))).
Tensor gelu(const Tensor& x, bool approximate = false);

// min(max(x, 0), 6).
Tensor relu6(const Tensor& x);

// Keras 3's formula, relu6(x + 3) / 6: 0 for x <= -3, 1 for x >= 3, x / 6
// + 0.5 between. (Keras 2 and TF.js use 0.2 x + 0.5 clipped to [0, 1].)
Tensor hard_sigmoid(const Tensor& x);

// x hard_sigmoid(x), Keras' "hard_silu" and "hard_swish".
Tensor hard_silu(const Tensor& x);
inline Tensor hard_swish(const Tensor& x) { return hard_silu(x); }

// x for x > 0, negative_slope x otherwise; Keras 3's default slope is 0.2.
Tensor leaky_relu(const Tensor& x, float negative_slope = 0.2f);

// x tanh(softplus(x)) (Misra, 2019).
Tensor mish(const Tensor& x);

// The error function, 2 / sqrt(pi) * integral of exp(-t^2) from 0 to x
// (ONNX's Erf, which exports of gelu use).
Tensor erf(const Tensor& x);

}  // namespace kiln
