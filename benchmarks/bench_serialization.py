"""ember.save / ember.load of a 100 MB state_dict vs torch.save / torch.load (one thread each).

    python benchmarks/bench_serialization.py [folder]
"""
import os
import sys
import tempfile
import time

import numpy as np

import ember


def _best(fn, reps=3):
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    ember.set_num_threads(1)
    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:
        torch = None
    folder = sys.argv[1] if len(sys.argv) > 1 else tempfile.gettempdir()
    rng = np.random.default_rng(0)
    arrays = {f"layer{i}.weight": rng.standard_normal((1000, 1000)).astype(np.float32)
              for i in range(25)}  # 25 x 4 MB = 100 MB
    esd = {k: ember.tensor(v) for k, v in arrays.items()}
    epath, tpath = os.path.join(folder, "bench_e.pt"), os.path.join(folder, "bench_t.pt")
    print("100 MB state_dict (25 x 1000x1000 float32), best of 3, seconds")
    print(f"{'op':<14}{'ember':>9}{'torch':>9}{'ratio':>8}")
    rows = [("save", lambda: ember.save(esd, epath)), ("load", lambda: ember.load(epath)),
            ("load mmap", lambda: ember.load(epath, mmap=True))]
    trows = [None, None, None]
    if torch is not None:
        tsd = {k: torch.from_numpy(v) for k, v in arrays.items()}
        trows = [lambda: torch.save(tsd, tpath), lambda: torch.load(tpath),
                 lambda: torch.load(tpath, mmap=True)]
    try:
        for (name, efn), tfn in zip(rows, trows):
            if tfn is not None:
                tfn()
            e = _best(efn)
            t = _best(tfn) if tfn is not None else float("nan")
            print(f"{name:<14}{e:>9.3f}{t:>9.3f}{e / t:>8.2f}")
        print("(ember.save also fsyncs and renames into place; torch.save does neither)")
    finally:
        for p in (epath, tpath):
            if os.path.exists(p):
                os.unlink(p)


if __name__ == "__main__":
    main()
