#!/usr/bin/python3
"""Writes the golden reference tensors the tests read (tests/golden/).

Computed independently of kiln: PyTorch autograd in float64 on the formulas
below, rounded to float32, stored as safetensors with Keras' weight layout
and names. The GRU is also checked against torch.nn.GRU. tests/golden/README.md
says what every tensor is. Inputs and weights come from a seeded generator,
so a rerun writes the same files.

    /usr/bin/python3 scripts/make_golden.py [OUT_DIR]      (default tests/golden)

(/usr/bin/python3: Debian's interpreter, the one python3-torch installs into.)

Needs Debian's python3-torch (scripts/install-deps.sh --golden installs it).
"""
import json
import os
import struct
import sys

import torch

torch.set_default_dtype(torch.float64)
SOURCE = "PyTorch float64, rounded to float32"


def write_safetensors(path, tensors):
    """tensors: list of (name, tensor), written in this order (by data offset)."""
    header, blobs, offset = {"__metadata__": {"source": SOURCE}}, [], 0
    for name, t in tensors:
        data = t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned, as safetensors writes it
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


class Draw:
    """Seeded random tensors, float64, with gradients where asked."""

    def __init__(self, seed):
        self.g = torch.Generator().manual_seed(seed)

    def uniform(self, *shape, scale=1.0, grad=True):
        t = (torch.rand(*shape, generator=self.g) * 2 - 1) * scale
        return t.requires_grad_(grad)

    def glorot(self, fan_in, fan_out):
        return self.uniform(fan_in, fan_out, scale=(6.0 / (fan_in + fan_out)) ** 0.5)

    def ids(self, *shape, low, high):
        return torch.randint(low, high, shape, generator=self.g)


def gru(x, h, kernel, recurrent_kernel, bias):
    """Keras GRU, reset_after=True, gates z, r, h along the last axis."""
    H = h.shape[1]
    sequence = []
    for t in range(x.shape[1]):
        xp = x[:, t] @ kernel + bias[0]
        hp = h @ recurrent_kernel + bias[1]
        z = torch.sigmoid(xp[:, :H] + hp[:, :H])
        r = torch.sigmoid(xp[:, H:2 * H] + hp[:, H:2 * H])
        n = torch.tanh(xp[:, 2 * H:] + r * hp[:, 2 * H:])
        h = z * h + (1 - z) * n
        sequence.append(h)
    return torch.stack(sequence, 1), h


def check_against_torch_gru(x, h0, kernel, recurrent_kernel, bias, sequence):
    """torch.nn.GRU is the same cell with gates in order r, z, n and (out, in) weights."""
    H = h0.shape[1]
    rzn = lambda w: torch.cat([w[..., H:2 * H], w[..., :H], w[..., 2 * H:]], -1)
    cell = torch.nn.GRU(x.shape[2], H, batch_first=True)
    with torch.no_grad():
        cell.weight_ih_l0.copy_(rzn(kernel).T)
        cell.weight_hh_l0.copy_(rzn(recurrent_kernel).T)
        cell.bias_ih_l0.copy_(rzn(bias[0]))
        cell.bias_hh_l0.copy_(rzn(bias[1]))
        out, _ = cell(x, h0.unsqueeze(0))
    err = (out - sequence).abs().max().item()
    assert err < 1e-12, f"the GRU formulas differ from torch.nn.GRU by {err}"


def bahdanau(encoder_out, decoder_out, W_a, U_a, V_a):
    # e[b,i,j] = V_a . tanh(encoder_out[b,j] W_a + decoder_out[b,i] U_a)
    hidden = torch.tanh((encoder_out @ W_a).unsqueeze(1) + (decoder_out @ U_a).unsqueeze(2))
    weights = torch.softmax((hidden @ V_a).squeeze(-1), dim=-1)
    return weights @ encoder_out, weights


def grads(loss, named):
    values = torch.autograd.grad(loss, [t for _, t in named])
    return [("grad/" + name, g) for (name, _), g in zip(named, values)]


def make_gru(out):
    d = Draw(13)
    x, h0 = d.uniform(3, 5, 4), d.uniform(3, 6)
    kernel, recurrent_kernel, bias = d.glorot(4, 18), d.glorot(6, 18), d.uniform(2, 18, scale=0.5)
    seq_cot, state_cot = d.uniform(3, 5, 6, grad=False), d.uniform(3, 6, grad=False)
    sequence, state = gru(x, h0, kernel, recurrent_kernel, bias)
    check_against_torch_gru(x, h0, kernel, recurrent_kernel, bias, sequence)
    loss = (sequence * seq_cot).sum() + (state * state_cot).sum()
    inputs = [("x", x), ("initial_state", h0), ("kernel", kernel), ("recurrent_kernel", recurrent_kernel),
              ("bias", bias)]
    write_safetensors(os.path.join(out, "gru.safetensors"),
                      inputs + [("sequence", sequence), ("state", state), ("seq_cotangent", seq_cot),
                                ("state_cotangent", state_cot)] + grads(loss, inputs))


def make_bahdanau(out):
    d = Draw(17)
    encoder_out, decoder_out = d.uniform(3, 5, 6), d.uniform(3, 4, 7)
    W_a, U_a, V_a = d.glorot(6, 6), d.glorot(7, 6), d.glorot(6, 1)
    context_cot, weights_cot = d.uniform(3, 4, 6, grad=False), d.uniform(3, 4, 5, grad=False)
    context, weights = bahdanau(encoder_out, decoder_out, W_a, U_a, V_a)
    loss = (context * context_cot).sum() + (weights * weights_cot).sum()
    inputs = [("encoder_out", encoder_out), ("decoder_out", decoder_out), ("W_a", W_a), ("U_a", U_a), ("V_a", V_a)]
    write_safetensors(os.path.join(out, "bahdanau.safetensors"),
                      inputs + [("context", context), ("weights", weights), ("context_cotangent", context_cot),
                                ("weights_cotangent", weights_cot)] + grads(loss, inputs))


def seed_batch(d, batch=8, te=20, td=19, en_vocab=229, fr_vocab=343, source_padding=6):
    """One-hot English pre-padded with token 0, French post-padded (padding trained on, as in the seed)."""
    source = d.ids(batch, te, low=1, high=en_vocab)
    source[:, :source_padding] = 0
    target = d.ids(batch, td + 1, low=1, high=fr_vocab)
    for b in range(batch):
        target[b, 8 + b:] = 0  # sentences of 8 to 15 words, then padding
    one_hot = lambda ids, n: torch.nn.functional.one_hot(ids, n).to(torch.float64)
    return one_hot(source, en_vocab), one_hot(target[:, :-1], fr_vocab), one_hot(target[:, 1:], fr_vocab)


def keras_adam_step(w, g, lr=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-7, t=1):
    """Keras' Adam from zero slots: epsilon is added to the uncorrected sqrt(v)."""
    m, v = (1 - beta_1) * g, (1 - beta_2) * g * g
    lr_t = lr * (1 - beta_2 ** t) ** 0.5 / (1 - beta_1 ** t)
    return w - lr_t * m / (v.sqrt() + epsilon)


def make_seed_step(out):
    d = Draw(29)
    H, en_vocab, fr_vocab = 96, 229, 343
    encoder_inputs, decoder_inputs, decoder_targets = seed_batch(d)
    weights = [
        ("encoder_gru/kernel", d.glorot(en_vocab, 3 * H)),
        ("encoder_gru/recurrent_kernel", d.glorot(H, 3 * H)),
        ("encoder_gru/bias", d.uniform(2, 3 * H, scale=0.1)),
        ("decoder_gru/kernel", d.glorot(fr_vocab, 3 * H)),
        ("decoder_gru/recurrent_kernel", d.glorot(H, 3 * H)),
        ("decoder_gru/bias", d.uniform(2, 3 * H, scale=0.1)),
        ("attention_layer/W_a", d.glorot(H, H)),
        ("attention_layer/U_a", d.glorot(H, H)),
        ("attention_layer/V_a", d.glorot(H, 1)),
        ("softmax_layer/kernel", d.glorot(2 * H, fr_vocab)),
        ("softmax_layer/bias", d.uniform(fr_vocab, scale=0.1)),
    ]
    w = dict(weights)
    encoder_seq, encoder_state = gru(encoder_inputs, torch.zeros(8, H), *[w["encoder_gru/" + k] for k in
                                                                           ("kernel", "recurrent_kernel", "bias")])
    decoder_seq, _ = gru(decoder_inputs, encoder_state, *[w["decoder_gru/" + k] for k in
                                                          ("kernel", "recurrent_kernel", "bias")])
    context, attention = bahdanau(encoder_seq, decoder_seq, *[w["attention_layer/" + k] for k in ("W_a", "U_a", "V_a")])
    logits = torch.cat([decoder_seq, context], -1) @ w["softmax_layer/kernel"] + w["softmax_layer/bias"]
    probs = torch.softmax(logits, -1)
    # Keras categorical cross-entropy on probabilities: clipped to [1e-7, 1 - 1e-7], mean over batch and time.
    loss = -(decoder_targets * probs.clamp(1e-7, 1 - 1e-7).log()).sum(-1).mean()
    gradients = grads(loss, weights)
    after = [("after_adam/" + name, keras_adam_step(t.detach(), g)) for (name, t), (_, g) in zip(weights, gradients)]
    write_safetensors(os.path.join(out, "seed_step.safetensors"),
                      [("encoder_inputs", encoder_inputs), ("decoder_inputs", decoder_inputs),
                       ("decoder_targets", decoder_targets), ("loss", loss.reshape(1)),
                       ("attention_weights", attention)] + weights + gradients + after)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "golden")
    os.makedirs(out, exist_ok=True)
    make_gru(out)
    make_bahdanau(out)
    make_seed_step(out)
    print(f"wrote gru, bahdanau and seed_step .safetensors to {os.path.normpath(out)}")


if __name__ == "__main__":
    main()
