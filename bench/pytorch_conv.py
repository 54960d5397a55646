#!/usr/bin/python3
"""The convolution steps of kiln-bench conv in PyTorch (Debian's python3-torch):
forward, then backward to the input, kernel and bias, at the same shapes
(channels first, PyTorch's layout), medians over 30 runs after 3 warm-ups.

    torch_conv_case=<name> ms_fwd_bwd=<median> p10=<...> p90=<...> threads=<intra-op>

    /usr/bin/python3 bench/pytorch_conv.py [--threads N]
"""
import argparse
import statistics
import time

import torch
import torch.nn.functional as F

CASES = [
    # name, input (channels first), kernel (out, in, taps...), padding
    ("conv1d_b32_t128_c64_k5_f64_same", (32, 64, 128), (64, 64, 5)),
    ("conv2d_b32_28x28_c16_k3_f32_same", (32, 16, 28, 28), (32, 16, 3, 3)),
]


def run_case(name, input_shape, kernel_shape):
    x = (torch.rand(input_shape) * 0.06 - 0.03).requires_grad_(True)
    w = (torch.rand(kernel_shape) * 0.12 - 0.06).requires_grad_(True)
    b = (torch.rand(kernel_shape[0]) * 0.6 - 0.3).requires_grad_(True)
    conv = F.conv1d if len(input_shape) == 3 else F.conv2d

    def step():
        y = conv(x, w, b, padding="same")
        y.backward(seed)
        x.grad = w.grad = b.grad = None

    with torch.no_grad():
        seed = torch.rand(conv(x, w, b, padding="same").shape) * 0.006 - 0.003
    for _ in range(3):
        step()
    samples = []
    for _ in range(30):
        start = time.perf_counter()
        step()
        samples.append(time.perf_counter() - start)
    samples.sort()
    at = lambda q: samples[int(q * (len(samples) - 1))] * 1e3
    print(f"torch_conv_case={name} ms_fwd_bwd={statistics.median(samples) * 1e3:.3f} p10={at(0.1):.3f} "
          f"p90={at(0.9):.3f} threads={torch.get_num_threads()}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1, help="PyTorch intra-op threads (default 1)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    for case in CASES:
        run_case(*case)


if __name__ == "__main__":
    main()
