"""Hogwild! training (PyTorch's mnist_hogwild pattern) on scikit-learn's 8x8 digits.

Several processes train ONE model whose parameters live in shared memory
(``model.share_memory()``): each runs its own optimizer and writes its updates in place, without
locks. With ``--compare`` the script first trains a fresh model in a single process for the same
wall-clock budget and prints both test accuracies. While the workers run, the parent process
measures the shared model's test accuracy a few times a second: the curve is saved as
mnist_hogwild.png (and logged to TensorBoard with ``--logdir``).

    python examples/mnist_hogwild.py [--num-processes 2] [--seconds 4] [--compare]
                                     [--start-method fork|spawn|forkserver] [--steps N]
                                     [--backend torch] [--out DIR] [--logdir DIR]
"""
import argparse
import os
import sys
import time

import _common

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _backend(name):
    if name == "torch":
        import torch
        return torch
    import ember
    return ember


def load_digits_split(torch, seed=0):
    """(x_train, y_train, x_test, y_test) tensors: 8x8 digits scaled to [0, 1], 80/20 split."""
    import numpy as np
    from sklearn.datasets import load_digits
    d = load_digits()
    x = (d.data / 16.0).astype(np.float32)
    y = d.target.astype(np.int64)
    perm = np.random.default_rng(seed).permutation(len(x))
    x, y = x[perm], y[perm]
    n = int(0.8 * len(x))
    t = torch.from_numpy
    return t(x[:n].copy()), t(y[:n].copy()), t(x[n:].copy()), t(y[n:].copy())


def make_model(torch):
    nn = torch.nn
    return nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))


def train(rank, backend, model, x, y, seconds, lr, seed, max_steps=None):
    """One Hogwild worker: SGD on random mini-batches until ``seconds`` have passed (or
    ``max_steps`` steps were taken)."""
    torch = _backend(backend)
    torch.set_num_threads(1)
    torch.manual_seed(seed + rank)
    F = torch.nn.functional
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=32,
                                         shuffle=True)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.5)
    deadline = time.monotonic() + seconds
    steps = 0
    max_steps = float("inf") if max_steps is None else max_steps
    while time.monotonic() < deadline and steps < max_steps:
        for xb, yb in loader:
            opt.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            opt.step()
            steps += 1
            if time.monotonic() >= deadline or steps >= max_steps:
                break
    return steps


def accuracy(torch, model, x, y):
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def hogwild(torch, backend, args, data):
    """Train a fresh shared model with ``args.num_processes`` processes; its test accuracy."""
    mp = torch.multiprocessing
    x, y, xt, yt = data
    torch.manual_seed(args.seed)
    model = make_model(torch)
    model.share_memory()
    ctx = mp.get_context(args.start_method)
    procs = [ctx.Process(target=train, args=(rank, backend, model, x, y, args.seconds, args.lr,
                                               args.seed, args.steps))
             for rank in range(args.num_processes)]
    for p in procs:
        p.start()
    start, curve = time.monotonic(), [(0.0, accuracy(torch, model, xt, yt))]
    interval = max(0.25, args.seconds / 20)
    while any(p.is_alive() for p in procs):  # the workers write the shared weights meanwhile
        time.sleep(interval)
        curve.append((time.monotonic() - start, accuracy(torch, model, xt, yt)))
    for p in procs:
        p.join()
    if any(p.exitcode != 0 for p in procs):
        raise RuntimeError(f"a Hogwild worker failed: exit codes {[p.exitcode for p in procs]}")
    curve.append((time.monotonic() - start, accuracy(torch, model, xt, yt)))
    return curve[-1][1], curve


def single(torch, backend, args, data):
    """Train a fresh model in this process for the same budget; its test accuracy."""
    x, y, xt, yt = data
    torch.manual_seed(args.seed)
    model = make_model(torch)
    train(0, backend, model, x, y, args.seconds, args.lr, args.seed, args.steps)
    return accuracy(torch, model, xt, yt)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--num-processes", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=4.0, help="training time per process")
    ap.add_argument("--steps", type=int, default=None,
                    help="stop each process after this many steps (default: time only)")
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--start-method", default="fork", choices=("fork", "spawn", "forkserver"))
    ap.add_argument("--compare", action="store_true", help="also train one process alone")
    ap.add_argument("--backend", default="ember", choices=("ember", "torch"))
    ap.add_argument("--out", default=_common.HERE, help="folder for the PNG plot")
    _common.add_logdir_arg(ap)
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    torch = _backend(args.backend)
    torch.set_num_threads(1)
    data = load_digits_split(torch)
    result = {}
    if args.compare:
        result["single"] = single(torch, args.backend, args, data)
        print(f"1 process, {args.seconds:g}s: test accuracy {result['single']:.4f}", flush=True)
    result["hogwild"], curve = hogwild(torch, args.backend, args, data)
    print(f"{args.num_processes} Hogwild processes, {args.seconds:g}s: test accuracy "
          f"{result['hogwild']:.4f}", flush=True)
    with _common.summary_writer(args) as writer:
        for k, (_, acc) in enumerate(curve):
            writer.add_scalar("hogwild/test_accuracy", acc, k)
        if "single" in result:
            writer.add_scalar("single/test_accuracy", result["single"], len(curve) - 1)
    result["plot"] = _common.plot_history(
        args, {f"test accuracy, {args.num_processes} Hogwild processes": curve}, "mnist_hogwild",
        xlabel="seconds")
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
