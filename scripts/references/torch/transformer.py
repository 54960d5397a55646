#!/usr/bin/python3
"""keras_hub's TransformerEncoder and TransformerDecoder written out in
PyTorch from keras_hub's source (transformer_encoder.py,
transformer_decoder.py, transformer_layer_utils.py) on Keras 3's
MultiHeadAttention and LayerNormalization, weights in keras_hub's
get_weights() order; both checked against torch.nn.TransformerEncoderLayer /
TransformerDecoderLayer with the weights mapped (at unpadded query steps:
Keras also masks padded queries, whose rows torch leaves unmasked). Writes
tests/golden/torch/transformer.safetensors.

    /usr/bin/python3 scripts/references/torch/transformer.py
"""
import torch

from common import Draw, keep_mask, mha, write_safetensors

tensors, configs = [], {}
d = Draw(53)
EPS = 1e-5


def put(case, name, t):
    tensors.append((case + "/" + name, t))


def layer_norm(x, gamma, beta):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + EPS) * gamma + beta


def attention_weights(dim, heads):
    kd = dim // heads
    shapes = [(dim, heads, kd), (heads, kd)] * 3 + [(heads, kd, dim), (dim,)]
    return [d.uniform(*s, lo=-0.5, hi=0.5) for s in shapes]


def norm_weights(dim):
    return [d.uniform(dim, lo=0.7, hi=1.3), d.uniform(dim, lo=-0.2, hi=0.2)]


def dense_weights(n_in, n_out):
    return [d.uniform(n_in, n_out, lo=-0.4, hi=0.4), d.uniform(n_out, lo=-0.1, hi=0.1)]


def feedforward(x, inter, out):
    return torch.relu(x @ inter[0] + inter[1]) @ out[0] + out[1]


def to_torch_attention(module, w):
    E = w[0].shape[0]
    with torch.no_grad():
        module.in_proj_weight.copy_(torch.cat([w[i].reshape(E, E).T for i in (0, 2, 4)]))
        module.in_proj_bias.copy_(torch.cat([w[i].reshape(E) for i in (1, 3, 5)]))
        module.out_proj.weight.copy_(w[6].reshape(E, E).T)
        module.out_proj.bias.copy_(w[7])


def to_torch_norm(module, w):
    with torch.no_grad():
        module.weight.copy_(w[0])
        module.bias.copy_(w[1])


def to_torch_linear(module, w):
    with torch.no_grad():
        module.weight.copy_(w[0].T)
        module.bias.copy_(w[1])


def base_config(name, heads, intermediate):
    return {"name": name, "trainable": True, "dtype": "float32", "intermediate_dim": intermediate,
            "num_heads": heads, "dropout": 0.0, "activation": "relu", "layer_norm_epsilon": EPS,
            "kernel_initializer": "glorot_uniform", "bias_initializer": "zeros", "normalize_first": False}


def encoder_case():
    name, B, T, D, H, F = "encoder", 2, 5, 8, 2, 12
    x = d.uniform(B, T, D)
    mask = keep_mask([1, 1, 1, 1, 1], [1, 1, 1, 0, 0])
    sa, sa_ln, ff_ln, inter, out = attention_weights(D, H), norm_weights(D), norm_weights(D), dense_weights(D, F), dense_weights(F, D)
    attended, probs = mha(x, x, x, sa, H, D // H, D // H, mask, mask, None, None, False)
    y = layer_norm(x + attended, *sa_ln)
    y = layer_norm(y + feedforward(y, inter, out), *ff_ln)

    ref = torch.nn.TransformerEncoderLayer(D, H, F, dropout=0.0, layer_norm_eps=EPS, batch_first=True)
    to_torch_attention(ref.self_attn, sa)
    to_torch_norm(ref.norm1, sa_ln)
    to_torch_norm(ref.norm2, ff_ln)
    to_torch_linear(ref.linear1, inter)
    to_torch_linear(ref.linear2, out)
    ref.eval()
    with torch.no_grad():
        theirs = ref(x, src_key_padding_mask=mask == 0)
    kept = mask.bool()
    assert torch.allclose(theirs[kept], y[kept], atol=1e-10), (theirs[kept] - y[kept]).abs().max()

    put(name, "x", x)
    put(name, "mask", mask)
    for i, t in enumerate(sa + sa_ln + ff_ln + inter + out):
        put(name, "weight_%d" % i, t)
    put(name, "y", y)
    put(name, "scores", probs)
    configs[name] = {**base_config(name, H, F), "return_attention_scores": True}


def decoder_case():
    name, B, T, S, D, H, F = "decoder", 2, 4, 5, 8, 2, 6
    x, enc = d.uniform(B, T, D), d.uniform(B, S, D)
    dmask = keep_mask([1, 1, 1, 1], [1, 1, 1, 0])
    emask = keep_mask([1, 1, 1, 1, 1], [1, 1, 0, 0, 0])
    sa, sa_ln, ca, ca_ln = attention_weights(D, H), norm_weights(D), attention_weights(D, H), norm_weights(D)
    inter, out, ff_ln = dense_weights(D, F), dense_weights(F, D), norm_weights(D)
    attended, _ = mha(x, x, x, sa, H, D // H, D // H, dmask, dmask, None, None, True)
    y = layer_norm(x + attended, *sa_ln)
    crossed, probs = mha(y, enc, enc, ca, H, D // H, D // H, dmask, emask, None, None, False)
    y = layer_norm(y + crossed, *ca_ln)
    y = layer_norm(y + feedforward(y, inter, out), *ff_ln)

    ref = torch.nn.TransformerDecoderLayer(D, H, F, dropout=0.0, layer_norm_eps=EPS, batch_first=True)
    to_torch_attention(ref.self_attn, sa)
    to_torch_attention(ref.multihead_attn, ca)
    to_torch_norm(ref.norm1, sa_ln)
    to_torch_norm(ref.norm2, ca_ln)
    to_torch_norm(ref.norm3, ff_ln)
    to_torch_linear(ref.linear1, inter)
    to_torch_linear(ref.linear2, out)
    ref.eval()
    causal = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
    with torch.no_grad():
        theirs = ref(x, enc, tgt_mask=causal, tgt_key_padding_mask=dmask == 0, memory_key_padding_mask=emask == 0)
    kept = dmask.bool()
    assert torch.allclose(theirs[kept], y[kept], atol=1e-10), (theirs[kept] - y[kept]).abs().max()

    put(name, "x", x)
    put(name, "encoder", enc)
    put(name, "decoder_mask", dmask)
    put(name, "encoder_mask", emask)
    for i, t in enumerate(sa + sa_ln + ca + ca_ln + inter + out + ff_ln):
        put(name, "weight_%d" % i, t)
    put(name, "y", y)
    put(name, "scores", probs)
    configs[name] = {**base_config(name, H, F), "return_attention_scores": True}


encoder_case()
decoder_case()
write_safetensors("transformer", tensors, configs)
