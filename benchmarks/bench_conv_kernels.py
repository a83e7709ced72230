"""Convolution kernels per shape, the measurement behind ``use_shift`` / ``use_winograd``.

Three array paths of ``ops/conv.py`` for the forward, input gradient and weight gradient:
``gemm`` (windowed im2col + GEMM, col2im), ``shift`` (padded-width slices, ``conv_shift.py``)
and ``wino`` (Winograd F(2x2, 3x3), ``conv_winograd.py``), with torch's forward and
forward+backward for scale. One thread each, thread CPU time, median of interleaved rounds.

    python benchmarks/bench_conv_kernels.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import torch, time_rounds  # noqa: E402

import numpy as np  # noqa: E402

from ember.ops import conv, conv_shift, conv_winograd  # noqa: E402

# (batch, cin, cout, size, kernel, pad)
SHAPES = [(16, 64, 64, 16, 3, 1), (64, 16, 32, 16, 3, 1), (64, 32, 32, 8, 3, 1),
          (64, 32, 64, 8, 3, 1), (64, 64, 64, 4, 3, 1), (64, 16, 16, 32, 3, 1),
          (64, 1, 16, 32, 3, 1), (64, 6, 16, 14, 5, 0), (16, 64, 128, 16, 1, 0),
          (32, 3, 32, 32, 3, 1), (32, 128, 128, 8, 3, 1)]
PATHS = {"gemm": (False, False), "shift": (True, False), "wino": (False, True)}


def kernels(x, w, g, geom, path):
    """forward, input gradient, weight gradient (from the forward's buffer) on one path."""
    def select():
        conv_shift.ENABLED, conv_winograd.ENABLED = PATHS[path]
    select()
    cols = conv.conv_forward(np, x, w, *geom)[1]

    def on_path(fn):
        def run():
            select()
            return fn()
        return run
    return [on_path(lambda: conv.conv_forward(np, x, w, *geom)),
            on_path(lambda: conv.conv_dx(np, g, w, x.shape, *geom)),
            on_path(lambda: conv.conv_dw(np, x, g, w.shape, *geom, cols=cols))]


def main(rounds=5):
    names = "/".join(PATHS)
    print(f"{'shape (N,Cin,Cout,S,k,p)':26s} {'fwd ' + names:>20s} {'dx ' + names:>20s} "
          f"{'dw ' + names:>20s} {'torch fwd/f+b':>14s}  ms")
    for n, cin, cout, s, k, p in SHAPES:
        rng = np.random.default_rng(0)
        x = rng.standard_normal((n, cin, s, s)).astype(np.float32)
        w = rng.standard_normal((cout, cin, k, k)).astype(np.float32)
        geom = ((1, 1), ((p, p), (p, p)), (1, 1), 1)
        so = s + 2 * p - k + 1
        g = rng.standard_normal((n, cout, so, so)).astype(np.float32)
        per_path = [kernels(x, w, g, geom, path) for path in PATHS]
        tx = torch.tensor(x, requires_grad=True)
        tw = torch.tensor(w, requires_grad=True)
        tg = torch.tensor(g)

        def torch_fwd():
            with torch.no_grad():
                torch.nn.functional.conv2d(tx, tw, padding=p)

        def torch_both():
            tx.grad = tw.grad = None
            torch.nn.functional.conv2d(tx, tw, padding=p).backward(tg)
        cells = []
        for which in range(3):
            times = time_rounds([fns[which] for fns in per_path], 2, rounds)
            cells.append("/".join(f"{np.median(t) * 1e3:.2f}" for t in times))
        tf, tfb = time_rounds([torch_fwd, torch_both], 2, rounds)
        conv_shift.ENABLED = conv_winograd.ENABLED = True
        print(f"{str((n, cin, cout, s, k, p)):26s} {cells[0]:>20s} {cells[1]:>20s} "
              f"{cells[2]:>20s} {np.median(tf) * 1e3:6.2f}/{np.median(tfb) * 1e3:.2f}",
              flush=True)


if __name__ == "__main__":
    main()
