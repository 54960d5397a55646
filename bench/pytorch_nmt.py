#!/usr/bin/env python3
"""The seed NMT training step in PyTorch, for kiln-bench's same-run comparison.

The same model as kiln-bench nmt: one-hot (or embedded) inputs, GRU encoder
and decoder (PyTorch's GRU computes n = tanh(W_in x + b_in + r * (W_hn h +
b_hn)), the same as Keras' reset_after=True), Bahdanau attention over all
decoder steps at once, Dense softmax over the concatenation, categorical
cross-entropy, Adam. Prints one line per configuration:
    torch_config=<seed|large> ms_per_step=<median> threads=<omp>
With --config transformer, the Transformer translator of kiln-bench nmt
--config transformer instead: nn.Transformer (d_model 128, 2 encoder and 2
decoder layers, 4 heads, feed-forward 256, dropout 0.1, post-norm, batch
first) between token plus learned position embeddings and a Linear over the
French vocabulary, padding masked (key padding masks, causal decoder mask,
cross-entropy ignoring id 0), Adam:
    torch_config=transformer ms_per_step=<median> threads=<omp> cpu_ms_per_step=<median process CPU>
Run by bench/compare_pytorch.sh; needs Debian's python3-torch.
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Seq2Seq(nn.Module):
    def __init__(self, en_vocab, fr_vocab, hidden, embed):
        super().__init__()
        self.embed = embed
        if embed:
            self.en_embedding = nn.Embedding(en_vocab, embed)
            self.fr_embedding = nn.Embedding(fr_vocab, embed)
        self.encoder = nn.GRU(embed or en_vocab, hidden, batch_first=True)
        self.decoder = nn.GRU(embed or fr_vocab, hidden, batch_first=True)
        self.W_a = nn.Linear(hidden, hidden, bias=False)
        self.U_a = nn.Linear(hidden, hidden, bias=False)
        self.V_a = nn.Linear(hidden, 1, bias=False)
        self.out = nn.Linear(2 * hidden, fr_vocab)

    def forward(self, source, target_in):
        if self.embed:
            source, target_in = self.en_embedding(source), self.fr_embedding(target_in)
        encoder_out, state = self.encoder(source)
        decoder_out, _ = self.decoder(target_in, state)
        # e[b,i,j] = V . tanh(enc[b,j] W + dec[b,i] U), all decoder steps at once
        scores = self.V_a(torch.tanh(self.W_a(encoder_out).unsqueeze(1) + self.U_a(decoder_out).unsqueeze(2)))
        weights = torch.softmax(scores.squeeze(-1), dim=-1)
        context = torch.bmm(weights, encoder_out)
        return self.out(torch.cat([decoder_out, context], dim=-1))


def time_config(name, batch, hidden, embed, steps, en_time=20, fr_time=19, en_vocab=229, fr_vocab=343):
    torch.manual_seed(0)
    model = Seq2Seq(en_vocab, fr_vocab, hidden, embed)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    source = torch.randint(1, en_vocab, (batch, en_time))
    target_in = torch.randint(1, fr_vocab, (batch, fr_time))
    labels = torch.randint(1, fr_vocab, (batch, fr_time))
    if not embed:
        source = F.one_hot(source, en_vocab).float()
        target_in = F.one_hot(target_in, fr_vocab).float()
    samples = []
    for step in range(steps + 5):
        start = time.perf_counter()
        optimizer.zero_grad()
        logits = model(source, target_in)
        loss = F.cross_entropy(logits.reshape(-1, fr_vocab), labels.reshape(-1))
        loss.backward()
        optimizer.step()
        if step >= 5:
            samples.append(time.perf_counter() - start)
    print(f"torch_config={name} ms_per_step={statistics.median(samples) * 1e3:.2f} threads={torch.get_num_threads()}",
          flush=True)


class Translator(nn.Module):
    """nn.Transformer between token + position embeddings and the output Linear."""

    def __init__(self, en_vocab, fr_vocab, d_model, heads, layers, ff, dropout, en_time, fr_time):
        super().__init__()
        self.src_tokens, self.src_positions = nn.Embedding(en_vocab, d_model), nn.Embedding(en_time, d_model)
        self.tgt_tokens, self.tgt_positions = nn.Embedding(fr_vocab, d_model), nn.Embedding(fr_time, d_model)
        self.transformer = nn.Transformer(d_model, heads, layers, layers, ff, dropout, batch_first=True)
        self.out = nn.Linear(d_model, fr_vocab)

    def forward(self, source, target_in):
        s = self.src_tokens(source) + self.src_positions.weight[: source.shape[1]]
        t = self.tgt_tokens(target_in) + self.tgt_positions.weight[: target_in.shape[1]]
        causal = self.transformer.generate_square_subsequent_mask(target_in.shape[1])
        h = self.transformer(s, t, tgt_mask=causal, src_key_padding_mask=source == 0,
                             tgt_key_padding_mask=target_in == 0, memory_key_padding_mask=source == 0)
        return self.out(h)


def time_transformer(steps, batch=64, en_time=20, fr_time=19, en_vocab=229, fr_vocab=343):
    torch.manual_seed(0)
    model = Translator(en_vocab, fr_vocab, 128, 4, 2, 256, 0.1, en_time, fr_time)
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    source = torch.randint(1, en_vocab, (batch, en_time))
    target_in = torch.randint(1, fr_vocab, (batch, fr_time))
    labels = torch.randint(1, fr_vocab, (batch, fr_time))
    samples, cpu_samples = [], []
    for step in range(steps + 5):
        start, cpu_start = time.perf_counter(), time.process_time()
        optimizer.zero_grad()
        logits = model(source, target_in)
        loss = F.cross_entropy(logits.reshape(-1, fr_vocab), labels.reshape(-1), ignore_index=0)
        loss.backward()
        optimizer.step()
        if step >= 5:
            samples.append(time.perf_counter() - start)
            cpu_samples.append(time.process_time() - cpu_start)
    print(f"torch_config=transformer ms_per_step={statistics.median(samples) * 1e3:.2f} "
          f"threads={torch.get_num_threads()} cpu_ms_per_step={statistics.median(cpu_samples) * 1e3:.2f}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1, help="PyTorch intra-op threads (default 1: its best here)")
    parser.add_argument("--steps", type=int, default=50, help="timed steps after 5 warm-up steps (default 50)")
    parser.add_argument("--config", default="", help="transformer: time the Transformer translator only")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.config == "transformer":
        time_transformer(args.steps)
        return
    time_config("seed", 64, 96, 0, args.steps)
    time_config("large", 128, 256, 128, args.steps)


if __name__ == "__main__":
    main()
