#!/usr/bin/python3
"""Keras 3 behaviours TF.js lacks, written out in PyTorch from Keras' source.

- Conv1D(padding="causal"): keras/src/layers/convolutional/conv1d.py pads
  the steps axis on the left by dilation_rate * (kernel_size - 1), then runs
  a "valid" convolution.
- Conv1D / Conv2D with groups: filters part g sees only input channels part
  g (Keras' BaseConv, TensorFlow's grouped convolution), PyTorch's groups;
  TF.js has no groups.
- GlobalAveragePooling1D with a mask: keras/src/layers/pooling/
  global_average_pooling1d.py sums where(mask, x, 0) over the steps and
  divides by the number of kept steps; keepdims keeps the steps axis.
- UpSampling2D(interpolation="bilinear"): keras/src/layers/reshaping/
  up_sampling2d.py resizes with ops.image.resize (half-pixel centres, no
  corner alignment), which is F.interpolate(mode="bilinear",
  align_corners=False) for an upsampling.
- UpSampling2D(interpolation="nearest") gradients: Keras repeats rows and
  columns (ops.repeat); TF.js 4.22's cpu gradient of its nearest resize is
  wrong past the first batch entry, so the gradient reference is here.
- AveragePooling with padding="same": TensorFlow's SAME average over the
  cells inside the input (zero padding, divided by the count of real
  cells); TF.js 4.22's gradient divides by the whole window instead, though
  its forward does not, so the gradient reference is here.

Writes tests/golden/torch/conv.safetensors in the layout of the TF.js
references (scripts/references/README.md): <case>/x, <case>/weight_<k> in
Keras' get_weights() order and shapes, <case>/y, a cotangent <case>/r and
the gradients of sum(y * r): <case>/dx, <case>/dweight_<k>; each case's
Keras 3 config as metadata "config/<case>". Float64, rounded to float32.

    /usr/bin/python3 scripts/references/torch/conv.py
"""
import json
import os

import torch
import torch.nn.functional as F

from common import write_safetensors_file

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "tests", "golden", "torch", "conv.safetensors")


def uniform(g, *shape, scale=1.0):
    return ((torch.rand(*shape, generator=g) * 2 - 1) * scale).requires_grad_(True)


DTYPE = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}


def initializer(class_name):
    config = {"seed": None} if class_name == "GlorotUniform" else {}
    return {"module": "keras.initializers", "class_name": class_name, "config": config, "registered_name": None}


def conv1d_config(name, filters, kernel_size, dilation, activation, use_bias, strides=1):
    """Conv1D.get_config() as Keras 3 writes it."""
    return {"name": name, "trainable": True, "dtype": DTYPE, "filters": filters, "kernel_size": [kernel_size],
            "strides": [strides], "padding": "causal", "data_format": "channels_last", "dilation_rate": [dilation],
            "groups": 1, "activation": activation, "use_bias": use_bias,
            "kernel_initializer": initializer("GlorotUniform"), "bias_initializer": initializer("Zeros"),
            "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
            "kernel_constraint": None, "bias_constraint": None}


ACTIVATIONS = {"linear": lambda y: y, "relu": torch.relu, "tanh": torch.tanh}


def causal_conv1d(x, kernel, bias, kernel_size, dilation, strides, activation):
    """Keras 3's Conv1D with padding="causal": x (batch, steps, in), kernel (k, in, out)."""
    padded = F.pad(x, (0, 0, dilation * (kernel_size - 1), 0))  # (left, right) of the steps axis
    y = F.conv1d(padded.transpose(1, 2), kernel.permute(2, 1, 0), stride=strides, dilation=dilation).transpose(1, 2)
    if bias is not None:
        y = y + bias
    return ACTIVATIONS[activation](y)


def causal_cases(g, tensors, configs):
    cases = [
        ("causal_k3", dict(batch=2, steps=6, inputs=3, filters=4, kernel_size=3, dilation=1, strides=1,
                           activation="linear", use_bias=True)),
        ("causal_dilated", dict(batch=2, steps=9, inputs=2, filters=3, kernel_size=2, dilation=3, strides=1,
                                activation="tanh", use_bias=True)),
        ("causal_stride2_no_bias", dict(batch=1, steps=7, inputs=2, filters=2, kernel_size=3, dilation=1,
                                        strides=2, activation="relu", use_bias=False)),
    ]
    for name, c in cases:
        x = uniform(g, c["batch"], c["steps"], c["inputs"])
        weights = [uniform(g, c["kernel_size"], c["inputs"], c["filters"], scale=0.5)]
        if c["use_bias"]:
            weights.append(uniform(g, c["filters"], scale=0.5))
        y = causal_conv1d(x, weights[0], weights[1] if c["use_bias"] else None, c["kernel_size"], c["dilation"],
                          c["strides"], c["activation"])
        r = uniform(g, *y.shape).detach()
        grads = torch.autograd.grad((y * r).sum(), [x] + weights)
        tensors += [(f"{name}/x", x)] + [(f"{name}/weight_{k}", w) for k, w in enumerate(weights)]
        tensors += [(f"{name}/y", y), (f"{name}/r", r), (f"{name}/dx", grads[0])]
        tensors += [(f"{name}/dweight_{k}", d) for k, d in enumerate(grads[1:])]
        configs[name] = conv1d_config(name, c["filters"], c["kernel_size"], c["dilation"], c["activation"],
                                      c["use_bias"], c["strides"])


def grouped_cases(g, tensors, configs):
    cases = [  # name, input shape (channels last), kernel_size, groups, filters, padding, class
        ("grouped_conv1d", (2, 6, 4), (3,), 2, 6, "same", "Conv1D"),
        ("grouped_conv2d", (2, 5, 4, 6), (3, 2), 3, 3, "valid", "Conv2D"),
    ]
    for name, shape, kernel_size, groups, filters, padding, class_name in cases:
        x = uniform(g, *shape)
        channels = shape[-1]
        kernel = uniform(g, *kernel_size, channels // groups, filters, scale=0.5)  # Keras' layout
        bias = uniform(g, filters, scale=0.5)
        # PyTorch's layout: (out, in / groups, taps...).
        weight = kernel.permute(2, 1, 0) if len(kernel_size) == 1 else kernel.permute(3, 2, 0, 1)
        conv = F.conv1d if len(kernel_size) == 1 else F.conv2d
        y = conv(x.movedim(-1, 1), weight, bias, padding=padding, groups=groups).movedim(1, -1)
        r = uniform(g, *y.shape).detach()
        grads = torch.autograd.grad((y * r).sum(), [x, kernel, bias])
        tensors += [(f"{name}/x", x), (f"{name}/weight_0", kernel), (f"{name}/weight_1", bias), (f"{name}/y", y),
                    (f"{name}/r", r), (f"{name}/dx", grads[0]), (f"{name}/dweight_0", grads[1]),
                    (f"{name}/dweight_1", grads[2])]
        rank = len(kernel_size)
        configs[name] = {"name": name, "trainable": True, "dtype": DTYPE, "filters": filters,
                         "kernel_size": list(kernel_size), "strides": [1] * rank, "padding": padding,
                         "data_format": "channels_last", "dilation_rate": [1] * rank, "groups": groups,
                         "activation": "linear", "use_bias": True,
                         "kernel_initializer": initializer("GlorotUniform"), "bias_initializer": initializer("Zeros"),
                         "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
                         "kernel_constraint": None, "bias_constraint": None}


def masked_average_cases(g, tensors, configs):
    mask = torch.tensor([[1, 1, 0, 1, 0], [1, 0, 0, 0, 0]], dtype=torch.float64)
    for name, keepdims in (("masked_avg1d", False), ("masked_avg1d_keepdims", True)):
        x = uniform(g, 2, 5, 3)
        kept = mask.unsqueeze(2).bool()
        y = torch.where(kept, x, torch.zeros(())).sum(1, keepdim=keepdims) / mask.unsqueeze(2).sum(1, keepdim=keepdims)
        r = uniform(g, *y.shape).detach()
        (dx,) = torch.autograd.grad((y * r).sum(), [x])
        tensors += [(f"{name}/x", x), (f"{name}/mask", mask), (f"{name}/y", y), (f"{name}/r", r), (f"{name}/dx", dx)]
        configs[name] = {"name": name, "trainable": True, "dtype": DTYPE, "data_format": "channels_last",
                         "keepdims": keepdims}


def upsampling_cases(g, tensors, configs):
    cases = (("bilinear_2x2", (2, 2), "bilinear"), ("bilinear_3x2", (3, 2), "bilinear"),
             ("nearest_2x3", (2, 3), "nearest"))
    for name, size, interpolation in cases:
        x = uniform(g, 2, 3, 4, 2)
        if interpolation == "bilinear":
            y = F.interpolate(x.permute(0, 3, 1, 2), scale_factor=size, mode="bilinear",
                              align_corners=False).permute(0, 2, 3, 1)
        else:
            y = x.repeat_interleave(size[0], dim=1).repeat_interleave(size[1], dim=2)
        r = uniform(g, *y.shape).detach()
        (dx,) = torch.autograd.grad((y * r).sum(), [x])
        tensors += [(f"{name}/x", x), (f"{name}/y", y), (f"{name}/r", r), (f"{name}/dx", dx)]
        configs[name] = {"name": name, "trainable": True, "dtype": DTYPE, "size": list(size),
                         "data_format": "channels_last", "interpolation": interpolation}


def same_padding(n, size, stride):
    """TensorFlow's SAME: (before, after) for n cells."""
    out = -(-n // stride)
    total = max((out - 1) * stride + size - n, 0)
    return total // 2, total - total // 2


def same_average_cases(g, tensors, configs):
    cases = (("avg1d_same", (2, 7, 2), (3,), (2,)), ("avg2d_same", (1, 5, 4, 3), (3, 3), (2, 2)))
    for name, shape, pool, strides in cases:
        x = uniform(g, *shape)
        spatial = len(pool)
        pads = [same_padding(shape[1 + a], pool[a], strides[a]) for a in range(spatial)]
        flat_pads = [p for pair in reversed(pads) for p in pair]  # F.pad: last axis first
        pool_sum = F.avg_pool1d if spatial == 1 else F.avg_pool2d
        channels_first = lambda t: t.movedim(-1, 1)
        sums = pool_sum(F.pad(channels_first(x), flat_pads), pool, strides)
        counts = pool_sum(F.pad(channels_first(torch.ones_like(x)), flat_pads), pool, strides)
        y = (sums / counts).movedim(1, -1)
        r = uniform(g, *y.shape).detach()
        (dx,) = torch.autograd.grad((y * r).sum(), [x])
        tensors += [(f"{name}/x", x), (f"{name}/y", y), (f"{name}/r", r), (f"{name}/dx", dx)]
        configs[name] = {"name": name, "trainable": True, "dtype": DTYPE, "pool_size": list(pool),
                         "padding": "same", "strides": list(strides), "data_format": "channels_last"}


def main():
    g = torch.Generator().manual_seed(15)
    tensors, configs = [], {}
    causal_cases(g, tensors, configs)
    masked_average_cases(g, tensors, configs)
    upsampling_cases(g, tensors, configs)
    same_average_cases(g, tensors, configs)
    grouped_cases(g, tensors, configs)
    metadata = {"source": f"PyTorch {torch.__version__} float64 from Keras 3's formulas, rounded to float32"}
    metadata.update({f"config/{name}": json.dumps(c) for name, c in configs.items()})
    write_safetensors_file(OUT, tensors, metadata)


if __name__ == "__main__":
    main()
