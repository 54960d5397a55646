"""What every PyTorch reference script shares: float64 math, seeded inputs,
and a safetensors writer with Keras configs in the metadata (the layout of
scripts/make_golden.py; tests read it with golden() / golden_config())."""
import json
import os
import struct

import torch

torch.set_default_dtype(torch.float64)
OUT_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "..", "tests", "golden", "torch")
SOURCE = "PyTorch %s float64 (Keras 3's formulas written out), rounded to float32" % torch.__version__


def write_safetensors(topic, tensors, configs):
    """tensors: list of (name, tensor) in order; configs: {case: Keras config dict}."""
    metadata = {"source": SOURCE}
    for case, config in configs.items():
        metadata["config/" + case] = json.dumps(config, separators=(",", ":"))
    write_safetensors_file(os.path.join(OUT_DIR, topic + ".safetensors"), tensors, metadata)


def write_safetensors_file(path, tensors, metadata):
    """tensors: list of (name, tensor) in order, written as float32; metadata: {str: str}."""
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, t in tensors:
        data = t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


class Draw:
    """Seeded random float64 tensors."""

    def __init__(self, seed):
        self.g = torch.Generator().manual_seed(seed)

    def uniform(self, *shape, lo=-1.0, hi=1.0):
        return torch.rand(*shape, generator=self.g) * (hi - lo) + lo

    def ids(self, *shape, low, high):
        return torch.randint(low, high, shape, generator=self.g).to(torch.float64)


def keep_mask(*rows):
    return torch.tensor(rows, dtype=torch.float64)


def masked_softmax(scores, keep):
    """Keras' masked softmax: scores of hidden pairs lowered by 1e9. A row whose
    every pair is hidden gets uniform weights, the float32 result of Keras'
    bias (float64 would keep the raw scores' softmax), so that is written."""
    if keep is None:
        return torch.softmax(scores, -1)
    return torch.softmax(torch.where(keep != 0, scores, torch.full_like(scores, -1e9)), -1)


def mha(query, value, key, w, heads, key_dim, value_dim, q_mask, v_mask, k_mask, attention_mask, causal):
    """Keras' MultiHeadAttention.call: projections as EinsumDense, the mask
    Keras' _compute_attention_mask builds, softmax over keys, output dense."""
    qk, qb, kk, kb, vk, vb, ok, ob = w
    q = torch.einsum("btd,dhk->bthk", query, qk) + (qb if qb is not None else 0)
    k = torch.einsum("bsd,dhk->bshk", key, kk) + (kb if kb is not None else 0)
    v = torch.einsum("bsd,dhk->bshk", value, vk) + (vb if vb is not None else 0)
    q = q / key_dim ** 0.5
    scores = torch.einsum("bshk,bthk->bhts", k, q)
    B, T, S = query.shape[0], query.shape[1], value.shape[1]
    keep = None
    for m in [None if q_mask is None else q_mask[:, :, None], None if v_mask is None else v_mask[:, None, :],
              None if k_mask is None else k_mask[:, None, :],
              torch.tril(torch.ones(1, T, S)) if causal else None, attention_mask]:
        if m is not None:
            keep = m if keep is None else keep * m
    if keep is not None:
        keep = keep.expand(B, T, S)[:, None]
    probs = masked_softmax(scores, keep)
    attended = torch.einsum("bhts,bshk->bthk", probs, v)
    out = torch.einsum("bthk,hkn->btn", attended, ok.reshape(ok.shape[0], ok.shape[1], -1))
    if ob is not None:
        out = out + ob.reshape(-1)
    return out.reshape(B, T, *ob.shape) if ob is not None and ob.dim() > 1 else out, probs
