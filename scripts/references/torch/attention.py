#!/usr/bin/python3
"""Keras 3's Attention, AdditiveAttention and MultiHeadAttention written out
in PyTorch from Keras' source (keras/src/layers/attention/attention.py,
additive_attention.py, multi_head_attention.py), with weights in Keras'
get_weights() order and shapes; MultiHeadAttention is also checked against
torch.nn.MultiheadAttention with the weights mapped. Writes
tests/golden/torch/attention.safetensors.

    /usr/bin/python3 scripts/references/torch/attention.py
"""
import torch

from common import Draw, keep_mask, masked_softmax, mha, write_safetensors

tensors, configs = [], {}


def put(case, name, t):
    tensors.append((case + "/" + name, t))


def attention(q, v, k, mode, scale, csw, q_mask, v_mask, causal):
    """Keras' Attention.call (scores, score mask, softmax, weighted sum, query mask)."""
    if mode == "dot":
        scores = q @ k.transpose(1, 2)
        if scale is not None:
            scores = scores * scale
    elif mode == "concat":
        s = 1.0 if scale is None else scale
        scores = csw * torch.tanh(s * (q.unsqueeze(-2) + k.unsqueeze(-3))).sum(-1)
    else:  # additive: sum(scale * tanh(q + k))
        s = 1.0 if scale is None else scale
        scores = (s * torch.tanh(q.unsqueeze(-2) + k.unsqueeze(-3))).sum(-1)
    keep = None
    if v_mask is not None:
        keep = v_mask.unsqueeze(1).expand(-1, q.shape[1], -1)
    if causal:
        tri = torch.tril(torch.ones(q.shape[1], k.shape[1]))
        keep = tri.expand(q.shape[0], -1, -1) if keep is None else keep * tri
    weights = masked_softmax(scores, keep)
    out = weights @ v
    if q_mask is not None:
        out = out * q_mask.unsqueeze(-1)
    return out, weights


def attention_cases():
    d = Draw(17)
    cases = [
        # name, class, config, q, v, key shape or None, q mask, v mask, causal
        ("dot_plain", "Attention", {"use_scale": False, "score_mode": "dot", "dropout": 0.0}, (2, 3, 4), (2, 5, 4),
         None, None, None, False),
        ("dot_scale_key_masks", "Attention", {"use_scale": True, "score_mode": "dot", "dropout": 0.0}, (2, 3, 4),
         (2, 5, 6), (2, 5, 4), keep_mask([1, 1, 0], [1, 1, 1]), keep_mask([1, 1, 1, 0, 0], [1, 1, 1, 1, 1]), False),
        ("concat_causal", "Attention", {"use_scale": True, "score_mode": "concat", "dropout": 0.0}, (2, 4, 3),
         (2, 4, 3), None, None, keep_mask([1, 1, 1, 0], [1, 0, 1, 1]), True),
        ("additive_scale_masks", "AdditiveAttention", {"use_scale": True, "dropout": 0.0}, (2, 3, 4), (2, 5, 4), None,
         keep_mask([1, 0, 1], [1, 1, 1]), keep_mask([1, 1, 0, 0, 1], [1, 1, 1, 1, 0]), False),
        ("additive_plain", "AdditiveAttention", {"use_scale": False, "dropout": 0.0}, (2, 3, 5), (2, 4, 5),
         (2, 4, 5), None, None, False),
    ]
    for name, cls, cfg, qs, vs, ks, q_mask, v_mask, causal in cases:
        q, v = d.uniform(*qs), d.uniform(*vs)
        k = d.uniform(*ks) if ks else v
        weights = []
        scale = csw = None
        if cls == "Attention":
            if cfg["use_scale"]:
                scale = torch.tensor(0.5 + d.uniform(1).item())
                weights.append(scale)
            if cfg["score_mode"] == "concat":
                csw = torch.tensor(0.5 + d.uniform(1).item())
                weights.append(csw)
            mode = cfg["score_mode"]
        else:
            if cfg["use_scale"]:
                scale = d.uniform(qs[-1])
                weights.append(scale)
            mode = "additive"
        out, w = attention(q, v, k, mode, scale, csw, q_mask, v_mask, causal)
        put(name, "query", q)
        put(name, "value", v)
        if ks:
            put(name, "key", k)
        if q_mask is not None:
            put(name, "query_mask", q_mask)
        if v_mask is not None:
            put(name, "value_mask", v_mask)
        for i, t in enumerate(weights):
            put(name, "weight_%d" % i, t)
        put(name, "output", out)
        put(name, "scores", w)
        config = {"name": name, "trainable": True, "dtype": "float32", **cfg}
        if causal:
            config["use_causal_mask"] = True  # Keras' call argument (kiln fixes it in the config)
        config["return_attention_scores"] = True
        configs[name] = config


def check_against_torch(query, w, heads, key_dim, out):
    """torch.nn.MultiheadAttention on the same weights (self-attention,
    heads * key_dim == width): in_proj rows are [Wq; Wk; Wv] as (out, in)."""
    E = query.shape[-1]
    qk, qb, kk, kb, vk, vb, ok, ob = w
    ref = torch.nn.MultiheadAttention(E, heads, batch_first=True)
    with torch.no_grad():
        ref.in_proj_weight.copy_(torch.cat([m.reshape(E, E).T for m in (qk, kk, vk)]))
        ref.in_proj_bias.copy_(torch.cat([b.reshape(E) for b in (qb, kb, vb)]))
        ref.out_proj.weight.copy_(ok.reshape(E, E).T)
        ref.out_proj.bias.copy_(ob)
        theirs, _ = ref(query, query, query, need_weights=False)
    assert torch.allclose(theirs, out, atol=1e-12), (theirs - out).abs().max()


def mha_cases():
    d = Draw(29)
    cases = [
        # name, heads, key_dim, value_dim, use_bias, output_shape, q, v, k, masks (q, v, k), attention mask, causal
        ("self_plain", 2, 3, None, True, None, (2, 4, 6), None, None, (None, None, None), None, False),
        ("cross_masks", 2, 3, 2, True, [5], (2, 3, 6), (2, 5, 4), (2, 5, 3),
         (keep_mask([1, 1, 0], [1, 1, 1]), keep_mask([1, 1, 1, 0, 0], [1, 1, 1, 1, 1]),
          keep_mask([1, 1, 1, 1, 1], [1, 0, 1, 1, 1])), "random", False),
        ("self_causal_no_bias", 3, 2, None, False, None, (2, 5, 4), None, None,
         (keep_mask([1, 1, 1, 1, 0], [1, 1, 1, 1, 1]), keep_mask([1, 1, 1, 1, 0], [1, 1, 1, 1, 1]), None), None, True),
    ]
    for name, heads, key_dim, value_dim, use_bias, output_shape, qs, vs, ks, (q_mask, v_mask, k_mask), am, causal in cases:
        vd = value_dim or key_dim
        query = d.uniform(*qs)
        value = d.uniform(*vs) if vs else query
        key = d.uniform(*ks) if ks else value
        out_dims = output_shape or [qs[-1]]
        shapes = [(qs[-1], heads, key_dim), (heads, key_dim), (key.shape[-1], heads, key_dim), (heads, key_dim),
                  (value.shape[-1], heads, vd), (heads, vd), (heads, vd, *out_dims), tuple(out_dims)]
        w = [d.uniform(*s, lo=-0.6, hi=0.6) if (use_bias or i % 2 == 0) else None for i, s in enumerate(shapes)]
        attention_mask = None
        if am == "random":
            attention_mask = (d.uniform(qs[0], qs[1], value.shape[1]) > -0.6).to(torch.float64)
            attention_mask[:, :, 0] = 1.0  # every query keeps a key
        out, probs = mha(query, value, key, w, heads, key_dim, vd, q_mask, v_mask, k_mask, attention_mask, causal)
        if name == "self_plain":
            check_against_torch(query, w, heads, key_dim, out)
        put(name, "query", query)
        if vs:
            put(name, "value", value)
        if ks:
            put(name, "key", key)
        for label, m in (("query_mask", q_mask), ("value_mask", v_mask), ("key_mask", k_mask),
                         ("attention_mask", attention_mask)):
            if m is not None:
                put(name, label, m)
        for i, t in enumerate(x for x in w if x is not None):
            put(name, "weight_%d" % i, t)
        put(name, "output", out)
        put(name, "scores", probs)
        configs[name] = {
            "name": name, "trainable": True, "dtype": "float32", "num_heads": heads, "key_dim": key_dim,
            "value_dim": vd, "dropout": 0.0, "use_bias": use_bias, "output_shape": output_shape,
            "attention_axes": None, "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform",
                                                           "config": {"seed": None}, "registered_name": None},
            "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {},
                                 "registered_name": None},
            "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
            "kernel_constraint": None, "bias_constraint": None, "seed": None,
            "return_attention_scores": True, **({"use_causal_mask": True} if causal else {})}


attention_cases()
mha_cases()
write_safetensors("attention", tensors, configs)
