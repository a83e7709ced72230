"""Ember on a real GPU: the op tables on CuPy against cpu results, and training-step timings
against PyTorch CUDA.

    python benchmarks/gpu_check.py            # tables + timings
    python benchmarks/gpu_check.py --tables   # tables only
    python benchmarks/gpu_check.py --standin  # the same run on ember.testing's stand-in (no GPU)

Without CuPy or a visible GPU it prints why and exits 0 (nothing was checked). The tables are
tests/test_cuda_standin*.py run on real CuPy (``EMBER_TEST_REAL_CUDA=1``): the core, autograd,
view and nn parity tables of the test suite, each case on cuda against cpu through
``ember.testing.device_check`` (every result on cuda; float32 tolerances 10x the stand-in's).
Timings alternate Ember and PyTorch, synchronising the device after each step, and report the
median of the repeats.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "src"))



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


def run_tables(standin, timeout=1800):
    """tests/test_cuda_standin*.py (the op tables, nn layers, optimizers, serialization ... on
    cuda against cpu) in a pytest subprocess: on real CuPy unless ``standin``. Returns
    (return code, pytest's summary lines)."""
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"))
    if standin:
        env.pop("EMBER_TEST_REAL_CUDA", None)
    else:
        env.update(EMBER_TEST_REAL_CUDA="1", EMBER_DEVICE_CHECK_LOOSEN="10")
        env.pop("EMBER_STANDIN_CUDA", None)
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:warnings", "-p", "no:cacheprovider",
           "-rf", os.path.join(ROOT, "tests", "test_cuda_standin.py"),
           os.path.join(ROOT, "tests", "test_cuda_standin_op_table.py"),
           os.path.join(ROOT, "tests", "test_cuda_standin_nn.py")]
    try:
        out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=timeout)
    except subprocess.TimeoutExpired:
        return 124, [f"pytest did not finish within {timeout} s"]
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith(("FAILED", "ERROR")) or
             " passed" in ln or " failed" in ln or " error" in ln]
    return out.returncode, lines or out.stdout.splitlines()[-20:] + out.stderr.splitlines()[-20:]


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
    rc, lines = run_tables(args.standin)
    print("tests/test_cuda_standin*.py on " + ("the stand-in" if args.standin else "CuPy") + ":")
    for line in lines:
        print("  " + line)
    if not args.tables:
        ember.cuda.reset_peak_memory_stats()
        for kind, med in run_timings(args.repeats):
            line = ", ".join(f"{k} {v:.2f} ms" for k, v in med.items())
            ratio = f"  (ember/torch {med['ember'] / med['torch']:.1f}x)" if "torch" in med else \
                "  (no PyTorch CUDA to compare)"
            print(f"{kind} training step: {line}{ratio}")
        print(f"peak cuda memory (ember): {ember.cuda.max_memory_allocated() / 2**20:.1f} MiB")
    return 1 if rc else 0


if __name__ == "__main__":
    sys.exit(main())
