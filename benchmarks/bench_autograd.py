"""Autograd overhead on tiny tensors, Ember vs PyTorch (one thread each).

A chain of 10 ops on 3x3 tensors that require grad (9 elementwise ops + sum), then
backward: almost all of the time is per-op bookkeeping, not arithmetic.

    python benchmarks/bench_autograd.py            # ratio table
    python benchmarks/bench_autograd.py --profile  # cProfile of Ember's loop

Where Ember's time goes (cProfile, Nov 2026): the engine loop in ``run_backward`` (~1 us per
node), building Tensor objects (``_wrap``: every forward result, every gradient), ``Op.apply``
+ ``_record`` (~0.5-0.7 us per recorded op after spelling out the 1- and 2-input cases), and
the backward rules' own op calls (each rule is 1-3 Ember ops). Measured with thread CPU time,
alternating the two libraries, because the machine is shared.
"""
import sys

from _timing import time_pair

import numpy as np

import ember


def chain(x, w):
    y = x * w
    y = y + x
    y = y.sin()
    y = y * 2.0
    y = y - w
    y = y.exp()
    y = y / (w + 3.0)
    y = y.tanh()
    return y.sum()


def step(x, w):
    x.grad = None
    w.grad = None
    chain(x, w).backward()


def deep(x, n=1000):
    y = x
    for _ in range(n):
        y = y * 1.0001
    y.sum().backward()


def _time_pair(fns, reps):
    return time_pair(fns, reps, rounds=15)


def _inputs(lib):
    rng = np.random.default_rng(0)
    return (lib.tensor(rng.standard_normal((3, 3)).astype(np.float32), requires_grad=True),
            lib.tensor(rng.standard_normal((3, 3)).astype(np.float32), requires_grad=True))


def main():
    ember.set_num_threads(1)
    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:
        torch = None
    if "--profile" in sys.argv:
        import cProfile
        import pstats
        x, w = _inputs(ember)
        cProfile.runctx("for _ in range(3000): step(x, w)", globals(), locals(), "/tmp/ag.prof")
        pstats.Stats("/tmp/ag.prof").sort_stats("tottime").print_stats(25)
        return
    print("autograd overhead, 3x3 float32, 1 thread")
    print(f"{'case':<36}{'ember us':>10}{'torch us':>10}{'ratio':>8}")
    cases = [("10-op chain fwd+bwd", lambda x, w: (lambda: step(x, w)), 200),
             ("1000-op chain fwd+bwd (per op)", lambda x, w: (lambda: deep(x)), 2)]
    for name, make, reps in cases:
        fns = [make(*_inputs(ember))] + ([make(*_inputs(torch))] if torch else [])
        e, t = (_time_pair(fns, reps) + [float("nan")])[:2]
        scale = 1e6 / (1000 if "per op" in name else 1)
        print(f"{name:<36}{e * scale:>10.2f}{t * scale:>10.2f}{e / t:>8.2f}")


if __name__ == "__main__":
    main()
