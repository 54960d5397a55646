#!/usr/bin/python3
"""Keras 3's layer formulas where TensorFlow.js cannot serve as the reference.

Written out from Keras 3's source (keras/src/...), computed in float64 with
PyTorch and rounded to float32, into tests/golden/torch/layers.safetensors;
each case's Keras 3 config (as Keras 3's get_config() writes it) is stored
in the metadata under "config/<case>", as the TF.js scripts do. Where and why
TF.js is not used:

- ReLU's negative_slope and threshold: TF.js's ReLU has max_value only.
  Keras 3 (activations.relu, ReLU.static_call):
      y = clip(x * [x > threshold], 0, max_value) - negative_slope * relu(threshold - x)
  (without a threshold x * [x > 0] is relu(x); with negative_slope alone, leaky_relu).
- Softmax along an axis other than the last: TF.js's softmax op refuses it.
- BatchNormalization in training with a mask: TF.js ignores masks. Keras 3
  (BatchNormalization._moments) with w the mask expanded on the last axis,
  sums over every axis but the normalized one, and Keras' backend epsilon 1e-7:
      mean = sum(w x) / (sum(w) + 1e-7)
      var  = sum(w (w x - mean)^2) / (sum(w) + 1e-7)
  then y = gamma (x - mean) / sqrt(var + epsilon) + beta and
  moving = moving * momentum + batch * (1 - momentum).
- BatchNormalization in training without gamma and beta: TF.js reads them
  regardless and fails.
- BatchNormalization along an axis other than the last (axis=1 of a 3-D
  input): TF.js 4.22 gives other numbers than the formula, in inference and
  in training (its batchNorm op misapplies the reshaped statistics).

    /usr/bin/python3 scripts/references/torch/layers.py

(Debian's python3-torch; a rerun writes the same bytes.)
"""
import json
import os

import torch

from common import write_safetensors_file

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "tests", "golden", "torch", "layers.safetensors")
DTYPE = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}


def uniform(generator, shape, lo=-1.0, hi=1.0):
    return torch.rand(*shape, generator=generator) * (hi - lo) + lo


def keras_relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    if negative_slope != 0.0 and max_value is None and threshold == 0.0:
        return torch.where(x > 0, x, negative_slope * x)
    negative_part = torch.relu(threshold - x)
    y = x * (x > threshold).to(x.dtype) if threshold != 0.0 else torch.relu(x)
    if max_value is not None:
        y = torch.clamp(y, 0.0, max_value)
    return y - negative_slope * negative_part


def keras_masked_moments(x, mask):
    """BatchNormalization._moments with a mask, axis=-1."""
    w = mask.unsqueeze(-1)
    axes = list(range(x.dim() - 1))
    weighted = w * x
    count = w.sum(dim=axes, keepdim=True)
    mean = weighted.sum(dim=axes, keepdim=True) / (count + 1e-7)
    var = (w * (weighted - mean) ** 2).sum(dim=axes, keepdim=True) / (count + 1e-7)
    return mean.squeeze(), var.squeeze()


def batch_norm_config(name, momentum, epsilon, center=True, scale=True):
    return {"name": name, "trainable": True, "dtype": DTYPE, "axis": -1, "momentum": momentum, "epsilon": epsilon,
            "center": center, "scale": scale,
            "beta_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {},
                                 "registered_name": None},
            "gamma_initializer": {"module": "keras.initializers", "class_name": "Ones", "config": {},
                                  "registered_name": None},
            "moving_mean_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {},
                                        "registered_name": None},
            "moving_variance_initializer": {"module": "keras.initializers", "class_name": "Ones", "config": {},
                                            "registered_name": None},
            "beta_regularizer": None, "gamma_regularizer": None, "beta_constraint": None, "gamma_constraint": None,
            "synchronized": False}


def main():
    g = torch.Generator().manual_seed(15)
    tensors, metadata = [], {"source": "PyTorch %s, float64 rounded to float32, Keras 3 formulas" % torch.__version__}

    relu_cases = [
        ("relu_negative_slope", {"negative_slope": 0.1}),
        ("relu_threshold", {"threshold": 0.5}),
        ("relu_all", {"max_value": 1.5, "negative_slope": 0.2, "threshold": 0.3}),
        ("relu_max6_slope", {"max_value": 6.0, "negative_slope": 0.05}),
    ]
    for name, options in relu_cases:
        x = uniform(g, (3, 4, 5), -8.0, 8.0)
        tensors += [(name + "/x", x), (name + "/y", keras_relu(x, **options))]
        config = {"name": name, "trainable": True, "dtype": DTYPE, "max_value": None, "negative_slope": 0.0,
                  "threshold": 0.0}
        config.update(options)
        metadata["config/" + name] = json.dumps(config)

    x = uniform(g, (2, 3, 5), -3.0, 3.0)
    tensors += [("softmax_axis1/x", x), ("softmax_axis1/y", torch.softmax(x, dim=1))]
    metadata["config/softmax_axis1"] = json.dumps({"name": "softmax_axis1", "trainable": True, "dtype": DTYPE,
                                                   "axis": 1})

    # Masked training: (2, 4, 3) with steps 2, 3 of sequence 0 and step 3 of
    # sequence 1 padded (their values must not count).
    x = uniform(g, (2, 4, 3), -2.0, 3.0)
    mask = torch.tensor([[1.0, 1.0, 0.0, 0.0], [1.0, 1.0, 1.0, 0.0]])
    gamma, beta = uniform(g, (3,)), uniform(g, (3,))
    moving_mean, moving_variance = uniform(g, (3,)), uniform(g, (3,), 0.5, 2.0)
    momentum, epsilon = 0.8, 1e-3
    mean, var = keras_masked_moments(x, mask)
    y = gamma * (x - mean) / torch.sqrt(var + epsilon) + beta
    tensors += [("bn_masked/x", x), ("bn_masked/mask", mask), ("bn_masked/weight_0", gamma),
                ("bn_masked/weight_1", beta), ("bn_masked/weight_2", moving_mean),
                ("bn_masked/weight_3", moving_variance), ("bn_masked/y_training", y),
                ("bn_masked/updated_2", moving_mean * momentum + mean * (1 - momentum)),
                ("bn_masked/updated_3", moving_variance * momentum + var * (1 - momentum))]
    metadata["config/bn_masked"] = json.dumps(batch_norm_config("bn_masked", momentum, epsilon))

    # Training without gamma and beta, no mask: the plain biased moments.
    x = uniform(g, (5, 3, 2), -2.0, 3.0)
    moving_mean, moving_variance = uniform(g, (2,)), uniform(g, (2,), 0.5, 2.0)
    momentum, epsilon = 0.5, 1e-3
    mean, var = x.mean(dim=(0, 1)), x.var(dim=(0, 1), unbiased=False)
    tensors += [("bn_plain_training/x", x), ("bn_plain_training/weight_0", moving_mean),
                ("bn_plain_training/weight_1", moving_variance),
                ("bn_plain_training/y_training", (x - mean) / torch.sqrt(var + epsilon)),
                ("bn_plain_training/updated_0", moving_mean * momentum + mean * (1 - momentum)),
                ("bn_plain_training/updated_1", moving_variance * momentum + var * (1 - momentum))]
    metadata["config/bn_plain_training"] = json.dumps(
        batch_norm_config("bn_plain_training", momentum, epsilon, center=False, scale=False))

    # axis=1 of (batch, channels, steps): statistics over axes 0 and 2.
    x = uniform(g, (2, 3, 4), -2.0, 3.0)
    gamma, beta = uniform(g, (3,)), uniform(g, (3,))
    moving_mean, moving_variance = uniform(g, (3,)), uniform(g, (3,), 0.5, 2.0)
    momentum, epsilon = 0.9, 0.01
    channel = lambda v: v.reshape(1, 3, 1)
    mean, var = x.mean(dim=(0, 2)), x.var(dim=(0, 2), unbiased=False)
    normalize = lambda m, v: channel(gamma) * (x - channel(m)) / torch.sqrt(channel(v) + epsilon) + channel(beta)
    tensors += [("bn_axis1/x", x), ("bn_axis1/weight_0", gamma), ("bn_axis1/weight_1", beta),
                ("bn_axis1/weight_2", moving_mean), ("bn_axis1/weight_3", moving_variance),
                ("bn_axis1/y_inference", normalize(moving_mean, moving_variance)),
                ("bn_axis1/y_training", normalize(mean, var)),
                ("bn_axis1/updated_2", moving_mean * momentum + mean * (1 - momentum)),
                ("bn_axis1/updated_3", moving_variance * momentum + var * (1 - momentum))]
    config = batch_norm_config("bn_axis1", momentum, epsilon)
    config["axis"] = 1
    metadata["config/bn_axis1"] = json.dumps(config)

    write_safetensors_file(OUT, tensors, metadata)


if __name__ == "__main__":
    main()
