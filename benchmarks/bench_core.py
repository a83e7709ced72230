"""Core op speed: Ember vs NumPy vs PyTorch, one thread each.

Small-op overhead (``a + b`` on 3x3), large elementwise ops on 4M floats, and matmul
throughput. Prints times and the ratios Ember/PyTorch and Ember/NumPy.

    python benchmarks/bench_core.py
"""
import time

from _timing import best, torch  # noqa: F401  (pins one thread first)

import numpy as np  # noqa: E402

import ember  # noqa: E402


def best_interleaved(fns, repeat=9, number=1):
    """Best times of several functions, measured in turns so machine noise hits all alike."""
    for f in fns:
        if f is not None:
            f()
    times = [[] for _ in fns]
    for _ in range(repeat):
        for k, f in enumerate(fns):
            if f is None:
                continue
            t0 = time.perf_counter()
            for _ in range(number):
                f()
            times[k].append((time.perf_counter() - t0) / number)
    return [min(t) if t else None for t in times]


def row(name, t_ember, t_numpy, t_torch):
    r_t = f"{t_ember / t_torch:6.2f}x" if t_torch else "   n/a"
    r_n = f"{t_ember / t_numpy:6.2f}x" if t_numpy else "   n/a"
    tt = f"{t_torch * 1e6:10.1f}" if t_torch else "       n/a"
    print(f"{name:<28}{t_ember * 1e6:10.1f}{t_numpy * 1e6:10.1f}{tt}   {r_t}   {r_n}")


def small_add():
    na, nb = np.random.rand(3, 3).astype(np.float32), np.random.rand(3, 3).astype(np.float32)
    ea, eb = ember.from_numpy(na), ember.from_numpy(nb)
    n = 10_000

    def loop(a, b):
        def f():
            for _ in range(n):
                a + b
        return f
    te, tn, tt = best_interleaved([loop(ea, eb), loop(na, nb),
                                   loop(torch.from_numpy(na), torch.from_numpy(nb)) if torch
                                   else None])
    te, tn, tt = te / n, tn / n, (tt / n if tt else None)
    row("a + b (3x3) per op", te, tn, tt)


def large_elementwise():
    n = 4 * 1024 * 1024
    na = np.random.rand(n).astype(np.float32)
    nb = np.random.rand(n).astype(np.float32) + 0.5
    ea, eb = ember.from_numpy(na), ember.from_numpy(nb)
    ta, tb = (torch.from_numpy(na), torch.from_numpy(nb)) if torch else (None, None)
    cases = [
        ("add 4M", lambda a, b: a + b, np.add),
        ("mul 4M", lambda a, b: a * b, np.multiply),
        ("div 4M", lambda a, b: a / b, np.divide),
        ("exp 4M", lambda a, b: a.exp(), lambda a, b: np.exp(a)),
        ("tanh 4M", lambda a, b: a.tanh(), lambda a, b: np.tanh(a)),
        ("sum 4M", lambda a, b: a.sum(), lambda a, b: a.sum()),
        ("relu 4M", lambda a, b: a.relu(), lambda a, b: np.maximum(a, 0)),
        ("a.add_(b) 4M", lambda a, b: a.add_(b), lambda a, b: np.add(a, b, out=a)),
    ]
    for name, fn, nfn in cases:
        te, tn, tt = best_interleaved([lambda: fn(ea, eb), lambda: nfn(na, nb),
                                       (lambda: fn(ta, tb)) if torch else None])
        row(name, te, tn, tt)


def matmul():
    for n in (512, 1024):
        na = np.random.rand(n, n).astype(np.float32)
        nb = np.random.rand(n, n).astype(np.float32)
        ea, eb = ember.from_numpy(na), ember.from_numpy(nb)
        ta, tb = (torch.from_numpy(na), torch.from_numpy(nb)) if torch else (None, None)
        te, tn, tt = best_interleaved([lambda: ea @ eb, lambda: na @ nb,
                                       (lambda: ta @ tb) if torch else None], repeat=5)
        row(f"matmul {n}x{n}", te, tn, tt)
        print(f"{'':<28}GFLOP/s: ember {2 * n ** 3 / te / 1e9:.1f}, numpy {2 * n ** 3 / tn / 1e9:.1f}"
              + (f", torch {2 * n ** 3 / tt / 1e9:.1f}" if tt else ""))


if __name__ == "__main__":
    print(f"{'case':<28}{'ember us':>10}{'numpy us':>10}{'torch us':>10}   {'E/torch':>7}   {'E/numpy':>7}")
    small_add()
    large_elementwise()
    matmul()
