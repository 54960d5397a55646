#!/usr/bin/python3
"""keras_hub's PositionEmbedding, SinePositionEncoding and
TokenAndPositionEmbedding written out in PyTorch from keras_hub's source
(keras_hub/src/layers/modeling/position_embedding.py,
sine_position_encoding.py, token_and_position_embedding.py), weights in
keras_hub's get_weights() order. Writes tests/golden/torch/positions.safetensors.

    /usr/bin/python3 scripts/references/torch/positions.py
"""
import torch

from common import Draw, write_safetensors

tensors, configs = [], {}
d = Draw(41)


def put(case, name, t):
    tensors.append((case + "/" + name, t))


def sine_encoding(length, hidden, max_wavelength, start=0):
    """keras_hub's SinePositionEncoding.call, term by term."""
    positions = torch.arange(length, dtype=torch.float64) + start
    min_freq = 1.0 / max_wavelength
    timescales = torch.pow(torch.tensor(min_freq), 2 * (torch.arange(hidden) // 2).to(torch.float64) / hidden)
    angles = positions[:, None] * timescales[None, :]
    cos_mask = (torch.arange(hidden) % 2).to(torch.float64)
    return torch.sin(angles) * (1 - cos_mask) + torch.cos(angles) * cos_mask


BASE = {"trainable": True, "dtype": "float32"}

# PositionEmbedding: the first T rows of the table, broadcast over the batch.
x = d.uniform(2, 4, 3)
table = d.uniform(6, 3)
put("position_embedding", "x", x)
put("position_embedding", "weight_0", table)
put("position_embedding", "y", table[:4].expand(2, 4, 3))
configs["position_embedding"] = {"name": "position_embedding", **BASE, "sequence_length": 6,
                                 "hierarchical_alpha": 0.4, "initializer": "glorot_uniform"}

# SinePositionEncoding: even and odd widths, two wavelengths.
for name, shape, wavelength in (("sine_even", (2, 5, 6), 10000.0), ("sine_odd", (1, 7, 5), 100.0)):
    x = d.uniform(*shape)
    put(name, "x", x)
    put(name, "y", sine_encoding(shape[1], shape[2], wavelength).expand(*shape))
    configs[name] = {"name": name, **BASE, "max_wavelength": wavelength}
put("sine_start", "y", sine_encoding(3, 6, 10000.0, start=4))

# TokenAndPositionEmbedding with mask_zero: token rows plus position rows.
ids = torch.tensor([[3, 1, 6, 0], [2, 0, 0, 0]], dtype=torch.float64)
tokens = d.uniform(7, 3)
positions = d.uniform(5, 3)
put("token_and_position", "ids", ids)
put("token_and_position", "weight_0", tokens)
put("token_and_position", "weight_1", positions)
put("token_and_position", "y", tokens[ids.long()] + positions[:4])
put("token_and_position", "mask", (ids != 0).to(torch.float64))
configs["token_and_position"] = {"name": "token_and_position", **BASE, "vocabulary_size": 7, "sequence_length": 5,
                                 "embedding_dim": 3, "embeddings_initializer": "uniform", "tie_weights": True,
                                 "mask_zero": True}

# LayerNormalization(rms_scaling=True), Keras 3's ops.rms_normalization (TF.js has no rms_scaling).
x = d.uniform(2, 3, 5, lo=-2.0, hi=3.0)
gamma = d.uniform(5, lo=0.5, hi=1.5)
put("layer_norm_rms", "x", x)
put("layer_norm_rms", "weight_0", gamma)
put("layer_norm_rms", "y", x * torch.rsqrt((x * x).mean(-1, keepdim=True) + 1e-3) * gamma)
configs["layer_norm_rms"] = {"name": "layer_norm_rms", **BASE, "axis": -1, "epsilon": 0.001, "center": True,
                             "scale": True, "rms_scaling": True, "beta_initializer": "zeros",
                             "gamma_initializer": "ones", "beta_regularizer": None, "gamma_regularizer": None,
                             "beta_constraint": None, "gamma_constraint": None}

write_safetensors("positions", tensors, configs)
