"""Conv and recurrent training-step speed, Ember vs PyTorch (one thread each).

One step = forward + loss + backward + SGD update, same weights in both libraries:

* LeNet-5 (conv 1->6 5x5 pad 2, pool, conv 6->16 5x5, pool, 400-120-84-10), batch 64 of 1x28x28,
  cross-entropy;
* 1-layer LSTM (input 1, hidden 64), 50 steps, batch 32, linear head on the last output, MSE.

    python benchmarks/bench_nn_conv_rnn.py             # ratio table
    python benchmarks/bench_nn_conv_rnn.py --profile   # cProfile of Ember's steps
"""
import os
import sys

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

import ember  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_nn import _copy, _time_pair  # noqa: E402


def lenet(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def lenet_data(lib):
    rng = np.random.default_rng(0)
    return (lib.tensor(rng.standard_normal((64, 1, 28, 28)).astype(np.float32)),
            lib.tensor(rng.integers(0, 10, 64)))


def lstm_model(lib):
    class Seq(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = lib.nn.LSTM(1, 64)
            self.head = lib.nn.Linear(64, 1)

        def forward(self, x):
            out, _ = self.lstm(x)
            return self.head(out[-1])
    return Seq()


def lstm_data(lib):
    rng = np.random.default_rng(0)
    return (lib.tensor(rng.standard_normal((50, 32, 1)).astype(np.float32)),
            lib.tensor(rng.standard_normal((32, 1)).astype(np.float32)))


CASES = [("LeNet-5, 1x28x28, batch 64", lenet, lenet_data, "cross_entropy", 20),
         ("LSTM 1->64, 50 steps, batch 32", lstm_model, lstm_data, "mse_loss", 20)]


def make_step(lib, model, x, y, loss_name, lr=0.01):
    """forward + loss + backward + plain SGD (p -= lr * grad under no_grad)."""
    params = list(model.parameters())
    loss_fn = getattr(lib.nn.functional, loss_name)

    def step():
        for p in params:
            p.grad = None
        loss = loss_fn(model(x), y)
        loss.backward()
        with lib.no_grad():
            for p in params:
                p -= lr * p.grad
        return loss
    return step


def main():
    import torch
    torch.set_num_threads(1)
    ember.set_num_threads(1)
    print(f"{'case':36s} {'ember ms':>9s} {'torch ms':>9s} {'ratio':>6s}")
    for name, build, data, loss_name, reps in CASES:
        torch.manual_seed(0)
        tm, em = build(torch), build(ember)
        _copy(em, tm)
        es = make_step(ember, em, *data(ember), loss_name)
        ts = make_step(torch, tm, *data(torch), loss_name)
        le, lt = es().item(), ts().item()
        assert abs(le - lt) < 1e-4 * max(1.0, abs(lt)), (le, lt)
        if "--profile" in sys.argv:
            import cProfile
            import pstats
            pr = cProfile.Profile()
            pr.enable()
            for _ in range(reps):
                es()
            pr.disable()
            pstats.Stats(pr).sort_stats("tottime").print_stats(12)
        te, tt = _time_pair([es, ts], reps)
        print(f"{name:36s} {te * 1e3:9.3f} {tt * 1e3:9.3f} {te / tt:6.2f}x")


if __name__ == "__main__":
    main()
