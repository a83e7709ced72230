"""Convolution kernels per shape: the windowed im2col path vs the padded-width (shifted-slice)
path of ``ops/conv_shift.py``, forward / input gradient / weight gradient, with torch's
forward and forward+backward for scale (one thread each, thread CPU time, median of rounds).

This is the measurement behind ``conv_shift.use_shift``'s rule.

    python benchmarks/bench_conv_kernels.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import torch, time_rounds  # noqa: E402

import numpy as np  # noqa: E402

from ember.ops import conv, conv_shift  # noqa: E402

# (batch, cin, cout, size, kernel, pad)
SHAPES = [(16, 64, 64, 16, 3, 1), (64, 16, 32, 16, 3, 1), (64, 32, 32, 8, 3, 1),
          (64, 32, 64, 8, 3, 1), (64, 64, 64, 4, 3, 1), (64, 16, 16, 32, 3, 1),
          (64, 1, 16, 32, 3, 1), (64, 6, 16, 14, 5, 0), (16, 64, 128, 16, 1, 0),
          (32, 3, 32, 32, 3, 1)]


def kernels(x, w, g, geom, shift):
    """forward, input gradient, weight gradient (from the forward's buffer) on one path."""
    conv_shift.ENABLED = shift
    cols = conv.conv_forward(np, x, w, *geom)[1]

    def on_path(fn):
        def run():
            conv_shift.ENABLED = shift
            return fn()
        return run
    return [on_path(lambda: conv.conv_forward(np, x, w, *geom)),
            on_path(lambda: conv.conv_dx(np, g, w, x.shape, *geom)),
            on_path(lambda: conv.conv_dw(np, x, g, w.shape, *geom, cols=cols))]


def main(rounds=5):
    print(f"{'shape (N,Cin,Cout,S,k,p)':26s} {'fwd old/new':>14s} {'dx old/new':>14s} "
          f"{'dw old/new':>14s} {'torch fwd / f+b':>16s}  ms")
    for n, cin, cout, s, k, p in SHAPES:
        rng = np.random.default_rng(0)
        x = rng.standard_normal((n, cin, s, s)).astype(np.float32)
        w = rng.standard_normal((cout, cin, k, k)).astype(np.float32)
        geom = ((1, 1), ((p, p), (p, p)), (1, 1), 1)
        so = s + 2 * p - k + 1
        g = rng.standard_normal((n, cout, so, so)).astype(np.float32)
        old = kernels(x, w, g, geom, False)
        new = kernels(x, w, g, geom, True)
        tx = torch.tensor(x, requires_grad=True)
        tw = torch.tensor(w, requires_grad=True)
        tg = torch.tensor(g)

        def torch_fwd():
            with torch.no_grad():
                torch.nn.functional.conv2d(tx, tw, padding=p)

        def torch_both():
            tx.grad = tw.grad = None
            torch.nn.functional.conv2d(tx, tw, padding=p).backward(tg)
        res = []
        for a, b in zip(old, new):
            ta, tb = time_rounds([a, b], 2, rounds)
            res.append((np.median(ta), np.median(tb)))
        tf, tfb = time_rounds([torch_fwd, torch_both], 2, rounds)
        conv_shift.ENABLED = True
        cells = " ".join(f"{a * 1e3:6.2f}/{b * 1e3:<6.2f}" for a, b in res)
        print(f"{str((n, cin, cout, s, k, p)):26s} {cells} {np.median(tf) * 1e3:7.2f}/"
              f"{np.median(tfb) * 1e3:<7.2f}", flush=True)


if __name__ == "__main__":
    main()
