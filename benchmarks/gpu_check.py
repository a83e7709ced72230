"""Ember on a real GPU: the op tables on CuPy against cpu results, and training-step timings
against PyTorch CUDA.

    python benchmarks/gpu_check.py            # tables + timings
    python benchmarks/gpu_check.py --tables   # tables only
    python benchmarks/gpu_check.py --standin  # the same run on ember.testing's stand-in (no GPU)

Without CuPy or a visible GPU it prints why and exits 0 (nothing was checked). The tables are
the ones the test suite drives (tests/test_core_math.py, tests/test_autograd_ops_table.py,
tests/test_core_grad.py, tests/test_cuda_standin.py's MISC), compared with
``ember.testing.device_check``: every result must be on cuda and match cpu (float32 rtol 1e-4).
Timings alternate Ember and PyTorch, synchronising the device after each step, and report the
median of the repeats.
"""
import argparse
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "src"))
sys.path.insert(0, os.path.join(ROOT, "tests"))

import numpy as np  # noqa: E402


def _gpu_or_reason(standin):
    if standin:
        os.environ["EMBER_STANDIN_CUDA"] = "1"
        return None
    try:
        import cupy
    except ImportError as exc:
        return f"CuPy is not installed ({exc}); pip install -e '.[gpu]' on a machine with a GPU"
    try:
        n = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # no driver / no device
        return f"CuPy sees no GPU ({type(exc).__name__}: {exc})"
    return None if n > 0 else "CuPy sees no GPU (device count 0)"


def run_tables():
    """Every table row on cuda against cpu; returns (passed, failures)."""
    import pytest  # noqa: F401  (the table modules use pytest.param)
    import test_core_math as cm
    import test_autograd_ops_table as ot
    import test_core_grad as cg
    import test_cuda_standin as cs
    from ember.testing.device_check import compare_on_device, compare_grads_on_device
    cases = []
    for table in ("TABLE", "BTABLE", "PTABLE", "INPLACE"):
        cases += [(f"{table}:{k}", lambda f=f: compare_on_device(f, "cuda", rtol=1e-4, atol=1e-5))
                  for k, f in getattr(cm, table).items()]
    cases += [(f"OPERATORS:{e}", lambda e=e: compare_on_device(cm._op(e), "cuda", rtol=1e-4,
                                                               atol=1e-5))
              for e in cm.OPERATORS]
    cases += [(f"MISC:{k}", lambda f=f: compare_on_device(f, "cuda", rtol=1e-4, atol=1e-5,
                                                          must_succeed=True))
              for k, f in cs.MISC.items()]
    for r in ot.ROWS:
        fn, specs, _ = r.values

        def grad_case(fn=fn, specs=specs, rid=r.id):
            rng = np.random.default_rng(sum(map(ord, rid)) % 1000)
            compare_grads_on_device(fn, [ot._array(s, rng) for s in specs], "cuda",
                                    rtol=1e-6, atol=1e-8)
        cases.append((f"GRAD:{r.id}", grad_case))
    for name, (fn, makers, *_) in cg.GRAD.items():
        consts = {c: getattr(cg, c) for c in ("IDX", "IDX_U", "MASK")}

        def core_case(fn=fn, makers=makers, consts=consts):
            def place(dev):
                for c, t in consts.items():
                    setattr(cg, c, t.to(dev))
            try:
                compare_grads_on_device(lambda m, *xs: fn(*xs),
                                        [mk(3, 4).detach().numpy() for mk in makers], "cuda",
                                        setup=place)
            finally:
                for c, t in consts.items():
                    setattr(cg, c, t)
        cases.append((f"CORE_GRAD:{name}", core_case))
    passed, failures = 0, []
    for name, case in cases:
        try:
            case()
            passed += 1
        except Exception as exc:  # report every failing row, keep going
            failures.append((name, f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"))
    return passed, failures


def _time(step, sync, repeats, warmup=3):
    for _ in range(warmup):
        step()
    sync()
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        step()
        sync()
        out.append(time.perf_counter() - t0)
    return out


def _models(m, kind):
    nn = m.nn
    if kind == "conv":
        net = nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
                            nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
                            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))
        shape, target = (64, 3, 32, 32), (64,)
    else:
        class LSTMNet(nn.Module):
            def __init__(self):
                super().__init__()
                self.lstm = nn.LSTM(64, 128, num_layers=2, batch_first=True)
                self.head = nn.Linear(128, 10)

            def forward(self, x):
                return self.head(self.lstm(x)[0][:, -1])
        net = LSTMNet()
        shape, target = (32, 50, 64), (32,)
    return net, shape, target


def run_timings(repeats):
    """Median ms per training step (forward, backward, Adam) for Ember and PyTorch on cuda."""
    import ember
    try:
        import torch
        have_torch = torch.cuda.is_available()
    except ImportError:
        torch, have_torch = None, False
    rows = []
    for kind in ("conv", "lstm"):
        steps = {}
        for name, m in (("ember", ember), ("torch", torch)):
            if name == "torch" and not have_torch:
                continue
            m.manual_seed(0)
            net, shape, tshape = _models(m, kind)
            net = net.to("cuda")
            opt = m.optim.Adam(net.parameters(), lr=1e-3)
            x = m.randn(*shape, device="cuda")
            y = m.randint(0, 10, tshape, device="cuda")

            def step(net=net, opt=opt, x=x, y=y, m=m):
                opt.zero_grad()
                m.nn.functional.cross_entropy(net(x), y).backward()
                opt.step()
            steps[name] = (step, m.cuda.synchronize)
        times = {k: [] for k in steps}
        for _ in range(repeats):  # alternate the frameworks, one step each round
            for k, (step, sync) in steps.items():
                times[k] += _time(step, sync, 1, warmup=1 if times[k] else 3)
        med = {k: statistics.median(v) * 1e3 for k, v in times.items()}
        rows.append((kind, med))
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tables", action="store_true", help="only the op tables")
    ap.add_argument("--standin", action="store_true",
                    help="run on ember.testing's CuPy stand-in instead of a GPU")
    ap.add_argument("--repeats", type=int, default=10)
    args = ap.parse_args(argv)
    reason = _gpu_or_reason(args.standin)
    if reason:
        print(f"SKIPPED: no GPU check was run: {reason}")
        return 0
    import warnings
    import ember
    warnings.simplefilter("ignore", RuntimeWarning)  # the tables' division-by-zero rows on cpu
    print(f"device: {ember.cuda.get_device_name()}  (ember {ember.__version__})")
    ember.cuda.reset_peak_memory_stats()  # installs the peak tracker before any work
    passed, failures = run_tables()
    print(f"op tables on cuda vs cpu: {passed} passed, {len(failures)} failed")
    for name, msg in failures:
        print(f"  FAIL {name}: {msg}")
    if not args.tables:
        ember.cuda.reset_peak_memory_stats()
        for kind, med in run_timings(args.repeats):
            line = ", ".join(f"{k} {v:.2f} ms" for k, v in med.items())
            ratio = f"  (ember/torch {med['ember'] / med['torch']:.1f}x)" if "torch" in med else \
                "  (no PyTorch CUDA to compare)"
            print(f"{kind} training step: {line}{ratio}")
        print(f"peak cuda memory (ember): {ember.cuda.max_memory_allocated() / 2**20:.1f} MiB")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
