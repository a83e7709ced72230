"""Persistent worker for the differential argument fuzz test.

``python argument_fuzz_worker.py torch|ember`` imports that library as ``T``, builds the case
list of ``argument_fuzz_cases.py``, then reads case indices (one per line) on stdin and answers
one JSON line per case on stdout: ``{"i": index, "r": "ok" | exception class name, "mro": [...],
"fp": result fingerprint, "msg": first line of the message}``. Each case runs under
``signal.alarm`` (answer ``"timeout"``); a case stuck in C code cannot be interrupted that way,
so the parent also watches the clock and restarts a worker that hangs or dies. The address
space is capped so that a huge allocation fails instead of taking the machine's memory.
"""
import builtins
import io
import json
import math
import os
import resource
import signal
import sys
import warnings

CASE_TIMEOUT_S = int(os.environ.get("FUZZ_CASE_TIMEOUT", "3"))
MEMORY_CAP = int(os.environ.get("FUZZ_MEMORY_CAP", str(6 << 30)))


class CaseTimeout(BaseException):
    """Raised by the alarm; a BaseException so that the case's own except clauses miss it."""


def _alarm(signum, frame):
    raise CaseTimeout()


def fingerprint(r, T, depth=0):
    """A short, library-independent description of a result: tensor shape and dtype, number
    types, container lengths, or the class name of other objects."""
    if depth > 3:
        return "..."
    if isinstance(r, T.Tensor):
        return ["T", list(r.shape), str(r.dtype).split(".")[-1]]
    if isinstance(r, bool):
        return ["bool", r]
    if isinstance(r, int):
        return ["int", r]
    if isinstance(r, float):
        return ["float", None if math.isnan(r) else round(r, 6)]
    if isinstance(r, (tuple, list)):
        return ["seq", [fingerprint(x, T, depth + 1) for x in r[:8]], len(r)]
    if r is None:
        return None
    if isinstance(r, str):
        return ["str", r[:40]]
    return ["obj", type(r).__name__]


def _reset(T):
    T.set_grad_enabled(True)
    T.set_default_dtype(T.float32)
    T.manual_seed(0)


def _warm(T):
    """Lazy imports a library makes on first use (torch's optimizers import torch._dynamo)
    happen here, not inside a case's alarm."""
    p = T.nn.Parameter(T.ones(1))
    opt = T.optim.Adam([p], lr=0.1)
    T.optim.lr_scheduler.StepLR(opt, 1)
    p.sum().backward()
    opt.step()
    list(T.utils.data.DataLoader(T.utils.data.TensorDataset(T.ones(2)), batch_size=1))
    T.nn.functional.interpolate(T.ones(1, 1, 2, 2), scale_factor=2.0)


def main():
    lib = sys.argv[1]
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    warnings.simplefilter("ignore")
    T = __import__(lib)
    T.set_num_threads(1) if hasattr(T, "set_num_threads") else None
    import argument_fuzz_cases as C
    cases = C.cases()
    _warm(T)
    out = sys.stdout
    sys.stdout = io.StringIO()  # cases that print must not break the protocol
    signal.signal(signal.SIGALRM, _alarm)
    out.write(json.dumps({"ready": len(cases)}) + "\n")
    out.flush()
    for line in sys.stdin:
        i = int(line)
        cid, fn = cases[i]
        rec = {"i": i, "id": cid}
        signal.alarm(CASE_TIMEOUT_S)
        try:
            try:
                res = fn(T)
                rec["r"] = "ok"
                rec["fp"] = fingerprint(res, T)
            finally:
                signal.alarm(0)
        except CaseTimeout:
            rec["r"] = "timeout"
        except BaseException as e:  # noqa: BLE001 - every class is data here
            if isinstance(e, (KeyboardInterrupt, SystemExit)):
                raise
            rec["r"] = type(e).__name__
            rec["mro"] = [c.__name__ for c in type(e).__mro__
                          if c.__module__ == "builtins" or c is type(e)]
            rec["base"] = next(c.__name__ for c in type(e).__mro__
                               if getattr(builtins, c.__name__, None) is c)
            rec["msg"] = str(e).split("\n")[0][:200]
        try:
            _reset(T)
        except BaseException as e:  # noqa: BLE001
            rec["reset_error"] = repr(e)[:200]
        sys.stdout = io.StringIO()
        out.write(json.dumps(rec) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
