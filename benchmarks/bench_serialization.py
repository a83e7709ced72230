"""ember.save / ember.load vs torch.save / torch.load (one thread each).

Rows: a 100 MB state_dict (25 x 1000x1000 float32) saved to a path (ember.save also fsyncs
and renames a temp file into place; torch.save does neither), saved into an already open
file (no fsync/rename on either side: the difference between the two save rows is the
crash-safety share), loaded (read and mmap), and 5,000 small 8x8 tensors saved and loaded.

    python benchmarks/bench_serialization.py [folder] [reps]
"""
import os
import sys
import tempfile
import time

import numpy as np

import ember


def _best(fn, reps):
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _to_file(save, sd, path):
    def run():
        with open(path, "wb") as fh:
            save(sd, fh)
    return run


def main():
    ember.set_num_threads(1)
    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:
        torch = None
    folder = sys.argv[1] if len(sys.argv) > 1 else tempfile.gettempdir()
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    rng = np.random.default_rng(0)
    big = {f"layer{i}.weight": rng.standard_normal((1000, 1000)).astype(np.float32)
           for i in range(25)}  # 25 x 4 MB = 100 MB
    small = {f"m{i}.weight": rng.standard_normal((8, 8)).astype(np.float32)
             for i in range(5000)}
    ep, tp = os.path.join(folder, "bench_e.pt"), os.path.join(folder, "bench_t.pt")
    es, ts = os.path.join(folder, "bench_es.pt"), os.path.join(folder, "bench_ts.pt")
    ebig = {k: ember.tensor(v) for k, v in big.items()}
    esmall = {k: ember.tensor(v) for k, v in small.items()}
    rows = [("save 100MB", lambda: ember.save(ebig, ep)),
            ("save 100MB f", _to_file(ember.save, ebig, ep)),
            ("load 100MB", lambda: ember.load(ep)),
            ("load mmap", lambda: ember.load(ep, mmap=True)),
            ("save 5k small", lambda: ember.save(esmall, es)),
            ("load 5k small", lambda: ember.load(es))]
    trows = [None] * len(rows)
    if torch is not None:
        tbig = {k: torch.from_numpy(v) for k, v in big.items()}
        tsmall = {k: torch.from_numpy(v) for k, v in small.items()}
        trows = [lambda: torch.save(tbig, tp), _to_file(torch.save, tbig, tp),
                 lambda: torch.load(tp), lambda: torch.load(tp, mmap=True),
                 lambda: torch.save(tsmall, ts), lambda: torch.load(ts)]
    print(f"best of {reps}, seconds ('f': into an open file, no fsync/rename)")
    print(f"{'op':<15}{'ember':>9}{'torch':>9}{'ratio':>8}")
    try:
        for (name, efn), tfn in zip(rows, trows):
            efn()
            if tfn is not None:
                tfn()
            e = _best(efn, reps)
            t = _best(tfn, reps) if tfn is not None else float("nan")
            print(f"{name:<15}{e:>9.3f}{t:>9.3f}{e / t:>8.2f}")
    finally:
        for p in (ep, tp, es, ts):
            if os.path.exists(p):
                os.unlink(p)


if __name__ == "__main__":
    main()
