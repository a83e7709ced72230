"""nn training-step speed, Ember vs PyTorch (one thread each).

Each case builds the same model in both libraries (torch's weights copied into Ember), then
times one training step: forward + cross_entropy + backward + SGD update. Cases are rows of
``CASES``; add a model by appending a ``Case``.

    python benchmarks/bench_nn.py              # ratio table
    python benchmarks/bench_nn.py --profile    # cProfile of Ember's step for each case
"""
import sys

from _timing import time_pair  # pins one thread for every library first

import numpy as np  # noqa: E402

import ember  # noqa: E402


class Case:
    """A benchmark row: ``build(lib)`` -> model, ``data(lib)`` -> (input, target)."""

    def __init__(self, name, build, data, reps=20, lr=0.01):
        self.name, self.build, self.data, self.reps, self.lr = name, build, data, reps, lr


def _mlp(sizes):
    def build(lib):
        layers = []
        for i in range(len(sizes) - 1):
            layers.append(lib.nn.Linear(sizes[i], sizes[i + 1]))
            if i < len(sizes) - 2:
                layers.append(lib.nn.ReLU())
        return lib.nn.Sequential(*layers)
    return build


def _classification_data(batch, in_shape, classes):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch,) + tuple(in_shape)).astype(np.float32)
    y = rng.integers(0, classes, size=batch)

    def data(lib):
        return lib.tensor(x), lib.tensor(y)
    return data


def _text_classifier(lib):
    """Embedding -> LayerNorm -> GELU MLP -> mean over tokens -> Linear (a tiny text model)."""
    nn = lib.nn

    class TextNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(1000, 64, padding_idx=0)
            self.norm = nn.LayerNorm(64)
            self.mlp = nn.Sequential(nn.Linear(64, 256), nn.GELU(), nn.Dropout(0.0),
                                     nn.Linear(256, 64))
            self.head = nn.Linear(64, 10)

        def forward(self, tokens):
            h = self.norm(self.emb(tokens))
            h = h + self.mlp(h)
            return self.head(h.mean(1))
    return TextNet()


def _token_data(batch, seq, vocab, classes):
    rng = np.random.default_rng(0)
    x = rng.integers(0, vocab, size=(batch, seq))
    y = rng.integers(0, classes, size=batch)

    def data(lib):
        return lib.tensor(x), lib.tensor(y)
    return data


CASES = [
    Case("MLP 64-128-10, batch 64", _mlp([64, 128, 10]), _classification_data(64, (64,), 10),
         reps=200),
    Case("MLP 784-512-512-10, batch 128", _mlp([784, 512, 512, 10]),
         _classification_data(128, (784,), 10), reps=20),
    Case("Embedding+LayerNorm+GELU text MLP, 64x32", _text_classifier,
         _token_data(64, 32, 1000, 10), reps=20),
]


def make_step(lib, model, x, y, lr):
    """One training step written by hand: p -= lr * p.grad under no_grad."""
    params = list(model.parameters())
    F = lib.nn.functional

    def step():
        for p in params:
            p.grad = None
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        with lib.no_grad():
            for p in params:
                p -= lr * p.grad
        return loss
    return step


def _copy(em, tm):
    em.load_state_dict({k: ember.tensor(v.detach().numpy().copy())
                        for k, v in tm.state_dict().items()})


_time_pair = time_pair


def main():
    import torch
    torch.set_num_threads(1)
    ember.set_num_threads(1)
    print(f"{'case':44s} {'ember ms':>9s} {'torch ms':>9s} {'ratio':>6s}")
    for case in CASES:
        torch.manual_seed(0)
        tm = case.build(torch)
        em = case.build(ember)
        _copy(em, tm)
        ex, ey = case.data(ember)
        tx, ty = case.data(torch)
        es = make_step(ember, em, ex, ey, case.lr)
        ts = make_step(torch, tm, tx, ty, case.lr)
        le, lt = es().item(), ts().item()          # same weights -> same first loss
        assert abs(le - lt) < 1e-4 * max(1.0, abs(lt)), (le, lt)
        if "--profile" in sys.argv:
            import cProfile
            import pstats
            pr = cProfile.Profile()
            pr.enable()
            for _ in range(case.reps):
                es()
            pr.disable()
            pstats.Stats(pr).sort_stats("tottime").print_stats(15)
        te, tt = _time_pair([es, ts], case.reps)
        print(f"{case.name:44s} {te * 1e3:9.3f} {tt * 1e3:9.3f} {te / tt:6.2f}x")


if __name__ == "__main__":
    main()
