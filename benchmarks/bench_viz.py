"""ember.utils.tensorboard.SummaryWriter vs torch.utils.tensorboard.SummaryWriter, and ember.viz.

Writer rows: CPU time per call on the calling thread (both hand events to the same tensorboard
EventFileWriter thread) for add_scalar, add_histogram of 100k values (TensorFlow buckets),
add_image of a 3x64x64 float image, add_images of 64 1x28x28 images and add_graph of a LeNet
(Ember traces through autograd.tracing; PyTorch through torch.jit.trace). Drawing rows: to_dot
and make_dot of a LeNet's backward graph and of a 10,000-node chain (no PyTorch counterpart).

    python benchmarks/bench_viz.py
"""
import tempfile

import _timing  # noqa: F401  (one thread for every library; import before NumPy)
import numpy as np

import ember
from _timing import best, time_pair, torch
from ember import viz
from ember.utils.tensorboard import SummaryWriter


def lenet(nn):
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                         nn.Linear(84, 10))


def writer_rows(folder):
    rng = np.random.default_rng(0)
    hist = rng.normal(size=100_000).astype(np.float32)
    img = rng.random((3, 64, 64)).astype(np.float32)
    imgs = rng.random((64, 1, 28, 28)).astype(np.float32)
    x = rng.normal(size=(2, 1, 28, 28)).astype(np.float32)
    ours = SummaryWriter(f"{folder}/ember", max_queue=1000)
    e_model, e = lenet(ember.nn), ember.from_numpy
    cases = [("add_scalar", lambda w, t: w.add_scalar("loss", t(np.array(0.5, np.float32)), 1), 2000),
             ("add_histogram 100k", lambda w, t: w.add_histogram("h", t(hist), 1), 5),
             ("add_image 3x64x64", lambda w, t: w.add_image("i", t(img), 1), 50),
             ("add_images 64x1x28x28", lambda w, t: w.add_images("b", t(imgs), 1), 20)]
    if torch is not None:
        from torch.utils.tensorboard import SummaryWriter as TorchWriter
        theirs = TorchWriter(f"{folder}/torch", max_queue=1000)
        t_model = lenet(torch.nn)
    print(f"{'writer call':<26}{'ember ms':>10}{'torch ms':>10}{'ratio':>8}")
    for name, fn, reps in cases:
        fns = [lambda: fn(ours, e)]
        if torch is not None:
            fns.append(lambda: fn(theirs, torch.from_numpy))
        times = time_pair(fns, reps, rounds=5)
        row(name, times)
    fns = [lambda: ours.add_graph(e_model, e(x))]
    if torch is not None:
        fns.append(lambda: theirs.add_graph(t_model, torch.from_numpy(x)))
    row("add_graph LeNet", time_pair(fns, 3, rounds=3))
    ours.close()
    if torch is not None:
        theirs.close()


def row(name, times):
    ours = times[0] * 1e3
    if len(times) > 1:
        print(f"{name:<26}{ours:>10.3f}{times[1] * 1e3:>10.3f}{ours / (times[1] * 1e3):>8.2f}")
    else:
        print(f"{name:<26}{ours:>10.3f}{'-':>10}{'-':>8}")


def drawing_rows():
    model = lenet(ember.nn)
    out = model(ember.randn(2, 1, 28, 28)).sum()
    params = dict(model.named_parameters())
    chain = ember.randn(3, requires_grad=True)
    for _ in range(10_000):
        chain = chain * 1.0001
    print(f"\n{'ember.viz call':<34}{'ms':>10}")
    print(f"{'to_dot LeNet (show_saved)':<34}{best(lambda: viz.to_dot(out, params, show_saved=True)) * 1e3:>10.3f}")
    print(f"{'to_dot 10,000-node chain':<34}{best(lambda: viz.to_dot(chain), repeat=3) * 1e3:>10.3f}")
    try:
        import graphviz  # noqa: F401
    except ImportError:
        return
    print(f"{'make_dot LeNet':<34}{best(lambda: viz.make_dot(out, params)) * 1e3:>10.3f}")
    print(f"{'make_dot 10,000-node chain':<34}{best(lambda: viz.make_dot(chain), repeat=3) * 1e3:>10.3f}")


def main():
    with tempfile.TemporaryDirectory() as folder:
        writer_rows(folder)
    drawing_rows()


if __name__ == "__main__":
    main()
