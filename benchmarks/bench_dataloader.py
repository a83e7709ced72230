"""DataLoader throughput, Ember vs PyTorch: one epoch over a TensorDataset of 60,000 28x28 float
images with int64 labels, batch 64, shuffled, num_workers 0 and 2 ('fork'), one thread each.
Prints samples/s and the speed ratio ember/torch (>1 means Ember is faster).

    python benchmarks/bench_dataloader.py [--epochs N]
"""
import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import ember  # noqa: E402


def _epoch_rate(lib, images, labels, workers, epochs):
    ds = lib.utils.data.TensorDataset(images, labels)
    kw = dict(multiprocessing_context="fork", persistent_workers=False) if workers else {}
    dl = lib.utils.data.DataLoader(ds, batch_size=64, shuffle=True, num_workers=workers, **kw)
    best = 0.0
    for _ in range(epochs):
        n = 0
        t = time.perf_counter()
        for x, y in dl:
            n += x.shape[0]
        best = max(best, n / (time.perf_counter() - t))
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=2)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    imgs = rng.random((60000, 28, 28), dtype=np.float32)
    labels = rng.integers(0, 10, 60000)
    ember.set_num_threads(1)
    e_imgs, e_labels = ember.from_numpy(imgs.copy()), ember.from_numpy(labels.copy())
    try:
        import torch
        torch.set_num_threads(1)
        t_imgs, t_labels = torch.from_numpy(imgs.copy()), torch.from_numpy(labels.copy())
    except ImportError:
        torch = None
    print(f"{'num_workers':>11} {'ember samples/s':>16} {'torch samples/s':>16} {'ember/torch':>12}")
    for workers in (0, 2):
        e = _epoch_rate(ember, e_imgs, e_labels, workers, args.epochs)
        if torch is not None:
            t = _epoch_rate(torch, t_imgs, t_labels, workers, args.epochs)
            print(f"{workers:>11} {e:>16,.0f} {t:>16,.0f} {e / t:>12.2f}")
        else:
            print(f"{workers:>11} {e:>16,.0f} {'-':>16} {'-':>12}")


if __name__ == "__main__":
    main()
