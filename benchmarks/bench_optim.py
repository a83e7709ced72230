"""Optimizer step time for a 1M-parameter model, Ember vs PyTorch (one thread each).

    python benchmarks/bench_optim.py
"""
import time

import numpy as np

import ember

SHAPES = [(1000, 784), (1000,), (200, 1000), (200,), (10, 200), (10,)]  # ~0.99M params
CASES = [("SGD", dict(lr=0.01, momentum=0.9)), ("Adam", dict(lr=1e-3)),
         ("AdamW", dict(lr=1e-3)), ("RMSprop", dict(lr=1e-3))]


def _setup(lib, name, kwargs):
    rng = np.random.default_rng(0)
    params = [lib.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True)
              for s in SHAPES]
    for p in params:
        p.grad = lib.tensor(rng.standard_normal(p.shape).astype(np.float32))
    return getattr(lib.optim, name)(params, **kwargs)


def _time(opt, reps=30):
    opt.step()
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(reps):
            opt.step()
        best = min(best, (time.perf_counter() - t0) / reps)
    return best


def main():
    ember.set_num_threads(1)
    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:
        torch = None
    n = sum(int(np.prod(s)) for s in SHAPES)
    print(f"optimizer step, {n / 1e6:.2f}M float32 parameters, 1 thread")
    print(f"{'optimizer':<12}{'ember ms':>10}{'torch ms':>10}{'ratio':>8}")
    for name, kwargs in CASES:
        e = _time(_setup(ember, name, kwargs)) * 1e3
        t = _time(_setup(torch, name, kwargs)) * 1e3 if torch else float("nan")
        print(f"{name:<12}{e:>10.3f}{t:>10.3f}{e / t:>8.2f}")


if __name__ == "__main__":
    main()
