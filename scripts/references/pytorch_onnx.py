#!/usr/bin/env python3
"""ONNX files written by PyTorch 1.13's torch.onnx.export, for kiln's import
tests (tests/test_onnx_import.cpp). For each model: <name>.onnx and
<name>.json holding the inputs, PyTorch's outputs, and the gradients of
loss = sum(outputs[0] * probe) with respect to a few initializers, all
computed by PyTorch in float32. Run with Debian's python3-torch and
python3-onnx:  /usr/bin/python3 scripts/references/pytorch_onnx.py
"""
import json
import os

import onnx
import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "golden", "onnx")


class Seq2Seq(torch.nn.Module):
    """Embedding, GRU encoder, LSTM decoder from (h, zeros), Linear, softmax."""

    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Embedding(11, 5)
        self.enc = torch.nn.GRU(5, 6, batch_first=True)
        self.dec = torch.nn.LSTM(5, 6, batch_first=True)
        self.out = torch.nn.Linear(6, 11)

    def forward(self, src, tgt):
        _, h = self.enc(self.emb(src))
        y, _ = self.dec(self.emb(tgt), (h, torch.zeros_like(h)))
        return torch.softmax(self.out(y), -1)


class BiGRUClassifier(torch.nn.Module):
    """Bidirectional GRU on float features (time-major), Linear on the final states, log-softmax."""

    def __init__(self):
        super().__init__()
        self.gru = torch.nn.GRU(4, 5, bidirectional=True)
        self.fc = torch.nn.Linear(10, 3)

    def forward(self, x):
        seq, h = self.gru(x)
        last = torch.cat([h[0], h[1]], dim=-1)
        return torch.log_softmax(self.fc(last), -1), seq


class StackedLSTM(torch.nn.Module):
    """Two-layer LSTM with given initial states, then Linear + ReLU per step."""

    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(3, 4, num_layers=2, batch_first=True)
        self.fc = torch.nn.Linear(4, 2)

    def forward(self, x, h0, c0):
        y, (h, c) = self.lstm(x, (h0, c0))
        return torch.relu(self.fc(y)), h, c


def tensor_json(t):
    t = t.detach().to(torch.float32)
    return {"shape": list(t.shape), "data": [float(v) for v in t.flatten()]}


def export(name, model, inputs, input_names, output_names, dynamic_axes, grad_names):
    torch.manual_seed(1)
    path = os.path.join(OUT, name + ".onnx")
    torch.onnx.export(model, inputs, path, input_names=input_names, output_names=output_names,
                      dynamic_axes=dynamic_axes, opset_version=17)
    onnx.checker.check_model(onnx.load(path), full_check=True)
    outputs = model(*inputs)
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    probe = torch.rand(outputs[0].shape)
    (outputs[0] * probe).sum().backward()
    params = dict(model.named_parameters())
    record = {
        "inputs": {n: tensor_json(t) for n, t in zip(input_names, inputs)},
        "outputs": {n: tensor_json(t) for n, t in zip(output_names, outputs)},
        "probe": tensor_json(probe),
        # Initializers PyTorch exports under the parameter's own name and layout.
        "gradients": {n: tensor_json(params[n].grad) for n in grad_names},
    }
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(record, f)
    print("wrote", path)


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    s2s = Seq2Seq().eval()
    export("seq2seq_gru_lstm", s2s,
           (torch.randint(1, 11, (2, 4)), torch.randint(1, 11, (2, 3))), ["src", "tgt"], ["probs"],
           {"src": {0: "batch", 1: "src_time"}, "tgt": {0: "batch", 1: "tgt_time"},
            "probs": {0: "batch", 1: "tgt_time"}},
           ["emb.weight", "out.bias"])
    torch.manual_seed(0)
    bigru = BiGRUClassifier().eval()
    export("bidirectional_gru", bigru, (torch.randn(5, 3, 4),), ["x"], ["log_probs", "sequence"],
           {"x": {0: "time", 1: "batch"}, "log_probs": {0: "batch"}, "sequence": {0: "time", 1: "batch"}},
           ["fc.weight", "fc.bias"])
    torch.manual_seed(0)
    stacked = StackedLSTM().eval()
    export("stacked_lstm", stacked, (torch.randn(2, 5, 3), torch.randn(2, 2, 4), torch.randn(2, 2, 4)),
           ["x", "h0", "c0"], ["y", "h", "c"],
           {"x": {0: "batch", 1: "time"}, "h0": {1: "batch"}, "c0": {1: "batch"}, "y": {0: "batch", 1: "time"}},
           ["fc.bias"])


if __name__ == "__main__":
    main()
