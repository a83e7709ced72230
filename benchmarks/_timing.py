"""Shared benchmark setup: one thread for every library, the optional torch, and two timers.

Import it before NumPy in each script: on these 2-vCPU machines a second BLAS thread makes
small work 10-100x slower, so every library is pinned to one thread.
"""
import os
import time

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import ember  # noqa: E402

try:
    import torch  # noqa: E402
    torch.set_num_threads(1)
except ImportError:  # pragma: no cover
    torch = None

ember.set_num_threads(1)


def best(fn, repeat=5, number=1):
    """Best wall time of ``number`` calls, over ``repeat`` runs (seconds per call)."""
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return min(times)


def time_pair(fns, reps, rounds=9):
    """Best CPU time per call of each function (thread CPU time: less sensitive to other
    processes on a busy machine), alternating the functions so load changes hit all alike."""
    result = [float("inf")] * len(fns)
    for fn in fns:
        fn()
    for _ in range(rounds):
        for k, fn in enumerate(fns):
            t0 = time.thread_time()
            for _ in range(reps):
                fn()
            result[k] = min(result[k], (time.thread_time() - t0) / reps)
    return result


def time_rounds(fns, reps, rounds=7):
    """Per-round thread CPU time per call of each function, the functions interleaved within
    every round (after one warm-up call each): a list of ``rounds`` times per function, for
    medians and per-round ratios."""
    result = [[] for _ in fns]
    for fn in fns:
        fn()
    for _ in range(rounds):
        for k, fn in enumerate(fns):
            t0 = time.thread_time()
            for _ in range(reps):
                fn()
            result[k].append((time.thread_time() - t0) / reps)
    return result
