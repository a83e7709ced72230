"""Issue 15's workloads, Ember vs PyTorch side by side in one process (one thread each).

Every case builds the same model in both libraries (PyTorch's initial weights copied into
Ember's), checks that both compute the same loss / output, then times the two step functions
interleaved round by round (thread CPU time, after warm-up) and reports the median of the
per-round ratios, which is steadier than either library's own time on a shared machine.

* ``vgg-train``: Conv2d 3x3 pad 1 (no bias) + BatchNorm2d + ReLU blocks, 1->16->32->32->64
  channels on 1x32x32, MaxPool2d after blocks 1, 2 and 4, AdaptiveAvgPool2d(1), Dropout(0.25),
  Linear(64, 10); batch 64, cross-entropy, Adam with a cosine schedule (one step per call).
* ``vgg-eval``: the same net in eval mode under ``no_grad`` (inference forward only).
* ``lenet-train``: LeNet-5 on 1x28x28, batch 64, cross-entropy, SGD.
* ``resblock-train``: x + BN(conv(ReLU(BN(conv(x))))) then ReLU, 64 channels at 16x16,
  batch 16, MSE to a target, SGD.
* ``lstm-train`` / ``gru-train``: nn.LSTM / nn.GRU 1->64, T=50, B=32, linear head on the last
  output, MSE, SGD.
* ``chain10``: the 10-op chain on 3x3 tensors, ``((((a*b + c).tanh()*a - b).sigmoid()*c +
  a).relu()).sum().backward()``, gradients reset to None each call.
* ``lstmcell-loop``: nn.LSTMCell(16, 32), batch 4, 20 steps in a Python loop, MSE, SGD.
* ``dynamic-net``: one Linear(32, 32) + ReLU reused 1-4 times (a fixed pseudo-random sequence
  shared by both libraries), batch 16, MSE, SGD (the classic "dynamic graph" example).

    python benchmarks/bench_cnn_rnn.py                  # all cases, ratio table
    python benchmarks/bench_cnn_rnn.py vgg-train lstm   # cases whose name contains a word
    python benchmarks/bench_cnn_rnn.py --profile CASE   # cProfile + per-op timer of Ember
    python benchmarks/bench_cnn_rnn.py --rounds 15      # more rounds (default 7)
    EMBER_JIT=0 python benchmarks/bench_cnn_rnn.py lstm # LSTM without the numba kernels
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import torch, time_rounds  # noqa: E402  (pins one thread first)

import numpy as np  # noqa: E402

import ember  # noqa: E402


# ---- models -------------------------------------------------------------------------------
def vgg(lib):
    nn = lib.nn

    def block(cin, cout):
        return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]
    return nn.Sequential(*block(1, 16), nn.MaxPool2d(2), *block(16, 32), nn.MaxPool2d(2),
                         *block(32, 32), *block(32, 64), nn.MaxPool2d(2),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.25),
                         nn.Linear(64, 10))


def lenet(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def resblock(lib, c=64):
    nn = lib.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(c)
            self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(c)

        def forward(self, x):
            y = self.bn1(self.conv1(x)).relu()
            return (x + self.bn2(self.conv2(y))).relu()
    return Block()


def recurrent(kind):
    def build(lib):
        class Seq(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = getattr(lib.nn, kind)(1, 64)
                self.head = lib.nn.Linear(64, 1)

            def forward(self, x):
                out, _ = self.rnn(x)
                return self.head(out[-1])
        return Seq()
    return build


def lstmcell_loop(lib):
    class Loop(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.cell = lib.nn.LSTMCell(16, 32)
            self.head = lib.nn.Linear(32, 1)

        def forward(self, x):
            h = c = None
            for t in range(x.shape[0]):
                h, c = self.cell(x[t]) if h is None else self.cell(x[t], (h, c))
            return self.head(h)
    return Loop()


DYNAMIC_DEPTHS = [1 + (7 * i + 3) % 4 for i in range(64)]


def dynamic_net(lib):
    class Dynamic(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.inp = lib.nn.Linear(32, 32)
            self.mid = lib.nn.Linear(32, 32)
            self.out = lib.nn.Linear(32, 1)
            self.calls = 0

        def forward(self, x):
            h = self.inp(x).relu()
            depth = DYNAMIC_DEPTHS[self.calls % len(DYNAMIC_DEPTHS)]
            self.calls += 1
            for _ in range(depth):
                h = self.mid(h).relu()
            return self.out(h)
    return Dynamic()


# ---- data ---------------------------------------------------------------------------------
def _normal(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _labels(n, classes=10):
    return np.random.default_rng(1).integers(0, classes, n)


# ---- steps --------------------------------------------------------------------------------
def copy_weights(em, tm):
    """Load the torch module's parameters and buffers into the Ember module."""
    em.load_state_dict({k: ember.tensor(v.detach().numpy().copy())
                        for k, v in tm.state_dict().items()})


def train_step(lib, model, x, y, loss_name, optim="sgd", lr=0.01):
    """forward + loss + backward + optimizer step (SGD, or Adam with a cosine schedule)."""
    loss_fn = getattr(lib.nn.functional, loss_name)
    params = list(model.parameters())
    if optim == "adam":
        opt = lib.optim.Adam(params, lr=1e-3)
        sched = lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=1000)
    else:
        opt, sched = lib.optim.SGD(params, lr=lr), None

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        if sched is not None:
            sched.step()
        return loss
    return step


def eval_step(lib, model, x):
    model.eval()

    def step():
        with lib.no_grad():
            return model(x)
    return step


def chain_step(lib):
    rng = np.random.default_rng(0)
    a, b, c = (lib.tensor(rng.standard_normal((3, 3)).astype(np.float32), requires_grad=True)
               for _ in range(3))

    def step():
        a.grad = b.grad = c.grad = None
        s = ((((a * b + c).tanh() * a - b).sigmoid() * c + a).relu()).sum()
        s.backward()
        return s
    return step


def _case(build, xshape, target, loss, optim="sgd"):
    """A train-step case: ``target`` is 'labels' or a target shape."""
    def make(lib, tm=None):
        model = build(lib)
        if tm is not None:
            copy_weights(model, tm)
        x = lib.tensor(_normal(*xshape))
        y = lib.tensor(_labels(xshape[0]) if target == "labels" else _normal(*target, seed=2))
        return model, train_step(lib, model, x, y, loss, optim)
    return make


def _eval_case(build, xshape):
    def make(lib, tm=None):
        model = build(lib)
        if tm is not None:
            copy_weights(model, tm)
        return model, eval_step(lib, model, lib.tensor(_normal(*xshape)))
    return make


def _chain_case(lib, tm=None):
    return None, chain_step(lib)


# name -> (maker, calls per timing round)
CASES = {
    "vgg-train": (_case(vgg, (64, 1, 32, 32), "labels", "cross_entropy", "adam"), 2),
    "vgg-eval": (_eval_case(vgg, (64, 1, 32, 32)), 4),
    "lenet-train": (_case(lenet, (64, 1, 28, 28), "labels", "cross_entropy"), 4),
    "resblock-train": (_case(resblock, (16, 64, 16, 16), (16, 64, 16, 16), "mse_loss"), 2),
    "lstm-train": (_case(recurrent("LSTM"), (50, 32, 1), (32, 1), "mse_loss"), 3),
    "gru-train": (_case(recurrent("GRU"), (50, 32, 1), (32, 1), "mse_loss"), 3),
    "chain10": (_chain_case, 300),
    "lstmcell-loop": (_case(lstmcell_loop, (20, 4, 16), (4, 1), "mse_loss"), 20),
    "dynamic-net": (_case(dynamic_net, (16, 32), (16, 1), "mse_loss"), 100),
}


def build_pair(name):
    """(ember step, torch step) for a case, after checking one call of each agrees."""
    make, _ = CASES[name]
    torch.manual_seed(0)
    tm, ts = make(torch)
    em, es = make(ember, tm)
    if name.endswith("-train") or name in ("lstmcell-loop", "dynamic-net"):
        # dropout draws differ between libraries: compare the first loss in eval mode
        if tm is not None and any(isinstance(m, torch.nn.Dropout) for m in tm.modules()):
            tm.eval(), em.eval()
        le, lt = float(es().item()), float(ts().item())
        tm.train() if tm is not None else None
        em.train() if em is not None else None
    elif name == "chain10":
        le, lt = float(es().item()), float(ts().item())
    else:
        oe, ot = es().numpy(), ts().numpy()
        np.testing.assert_allclose(oe, ot, rtol=1e-4, atol=1e-5)
        le = lt = 0.0
    assert abs(le - lt) <= 1e-4 * max(1.0, abs(lt)), (name, le, lt)
    return es, ts


def jit_note():
    """Which path the LSTM recurrence's gate arithmetic takes (``ops/_jit_rnn.py``)."""
    from ember.ops import _jit_rnn
    if _jit_rnn.kernels(np) is not None:
        return "LSTM gate kernels: numba (the jit extra; EMBER_JIT=0 for the NumPy path)"
    return "LSTM gate kernels: NumPy (numba absent or EMBER_JIT=0)"


def run(names, rounds):
    print(f"one thread each; median over {rounds} interleaved rounds (thread CPU time)")
    print(jit_note())
    print(f"{'case':16s} {'ember ms':>9s} {'torch ms':>9s} {'ratio':>6s}  (min ratio)")
    results = {}
    for name in names:
        es, ts = build_pair(name)
        te, tt = time_rounds([es, ts], CASES[name][1], rounds)
        ratios = sorted(a / b for a, b in zip(te, tt))
        me, mt = float(np.median(te)), float(np.median(tt))
        med = float(np.median(ratios))
        results[name] = (me, mt, med)
        print(f"{name:16s} {me * 1e3:9.3f} {mt * 1e3:9.3f} {med:6.2f}x  ({ratios[0]:.2f}x)",
              flush=True)
    return results


def profile(name, calls=None):
    """cProfile of Ember's step, then the per-op table (self time of each op's forward and
    backward, the rest being Python outside ops: module calls, optimizer, engine)."""
    import cProfile
    import pstats
    from _op_timer import OpTimer
    es, _ = build_pair(name)
    calls = calls or CASES[name][1] * 3
    for _ in range(2):
        es()
    pr = cProfile.Profile()
    pr.enable()
    for _ in range(calls):
        es()
    pr.disable()
    pstats.Stats(pr).sort_stats("tottime").print_stats(18)
    with OpTimer() as timer:
        for _ in range(calls):
            es()
    timer.report(calls)


def main():
    args = sys.argv[1:]
    rounds = 7
    if "--rounds" in args:
        i = args.index("--rounds")
        rounds = int(args[i + 1])
        del args[i:i + 2]
    words = [a for a in args if a != "--profile"]
    names = [n for n in CASES if not words or any(w in n for w in words)]
    if "--profile" in args:
        print(jit_note())
        for name in names:
            print(f"===== {name}")
            profile(name)
        return
    run(names, rounds)


if __name__ == "__main__":
    main()
