"""Differential argument fuzz: generated bad calls of the public API run on PyTorch and Ember.

Cases come from ``argument_fuzz_cases.py`` (a valid call of each function, then one argument
at a time replaced by a bad value). Each library runs them in its own persistent worker
(``argument_fuzz_worker.py``), both at once; a case that hangs or kills its worker is recorded
and the worker restarted. Ember must agree with PyTorch on every case: the same exception class
or a subclass of it, no success where PyTorch raises, no error where PyTorch succeeds.

``python tests/test_argument_fuzz.py`` prints the counts and every disagreement.
"""
import collections
import json
import os
import select
import subprocess
import sys
import threading
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(HERE, "argument_fuzz_worker.py")
HANG_S = 8.0          # no answer for this long: the worker is stuck in C code; restart it
START_S = 90.0        # import + case generation

# Accepted differences, each with its reason. Keys are case ids; keep this short.
ALLOWED = {
}
sys.path.insert(0, HERE)
from argument_fuzz_known import KNOWN_OPEN, reason as open_reason  # noqa: E402


def _allowed_rule(a, b):
    """Accepted classes of difference, with the reason; None when the pair is not one."""
    if a["r"] == "AttributeError" and b["r"] == "TypeError" and \
            a.get("msg", "").startswith("'"):
        # PyTorch's Python-level functional code touches an attribute of a non-tensor argument
        # ('int' object has no attribute 'dim'); Ember's argument check names it (stricter)
        return "non-tensor argument: TypeError naming it"
    return None


def _spawn(lib):
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    import ember  # the workers import the same Ember as this process
    src = os.path.dirname(os.path.dirname(os.path.abspath(ember.__file__)))
    env["PYTHONPATH"] = os.pathsep.join([src] + [p for p in env.get("PYTHONPATH", "").split(
        os.pathsep) if p])
    p = subprocess.Popen([sys.executable, WORKER, lib], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
                         text=True, bufsize=1)
    line = _readline(p, START_S)
    if line is None:
        p.kill()
        p.wait(10)
        raise RuntimeError(f"{lib} fuzz worker did not start")
    return p, json.loads(line)["ready"]


def _readline(p, timeout):
    r, _, _ = select.select([p.stdout], [], [], timeout)
    if not r:
        return None
    line = p.stdout.readline()
    return line or None


def run_library(lib, n=None):
    """{index: record} for every case, run by one worker of ``lib`` (restarted as needed)."""
    results = {}
    todo = None
    while True:
        p, count = _spawn(lib)
        if todo is None:
            todo = list(range(count if n is None else min(n, count)))
        if not todo:
            p.kill()
            p.wait(10)
            return results
        p.stdin.write("".join(f"{i}\n" for i in todo))
        p.stdin.flush()
        p.stdin.close()
        k = 0
        while k < len(todo):
            line = _readline(p, HANG_S)
            if line is None:  # hung in C code or died: record it, restart after it
                alive = p.poll() is None
                results[todo[k]] = {"i": todo[k], "r": "hang" if alive else "crash"}
                k += 1
                break
            rec = json.loads(line)
            results[rec["i"]] = rec
            k += 1
        p.kill()
        p.wait(10)
        todo = todo[k:]
        if not todo:
            return results


def run_both(n=None):
    """Run torch and ember side by side; ([(id, torch rec, ember rec)], seconds)."""
    out = {}
    t0 = time.perf_counter()

    def go(lib):
        out[lib] = run_library(lib, n)
    threads = [threading.Thread(target=go, args=(lib,)) for lib in ("torch", "ember")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows = []
    for i in sorted(out["torch"]):
        a, b = out["torch"][i], out["ember"].get(i, {"r": "missing"})
        rows.append((a.get("id") or b.get("id") or str(i), a, b))
    return rows, time.perf_counter() - t0


def classify(a, b):
    """'agree' or the kind of disagreement between the torch record a and the ember one b."""
    ra, rb = a["r"], b["r"]
    if ra == "ok" and rb == "ok":
        return "agree" if a.get("fp") == b.get("fp") else "different_result"
    if ra == "ok":
        return "ember_refuses"
    if rb == "ok":
        return "ember_accepts"
    if ra in ("timeout", "hang", "crash") or rb in ("timeout", "hang", "crash"):
        return "agree" if ra == rb else "hang_or_crash"
    # torch's own classes (torch.OutOfMemoryError, _LinAlgError...) stand for their builtin base
    want = a.get("base", ra)
    return "agree" if want in b.get("mro", [rb]) else "different_class"


def summarize(rows):
    """(counts of each kind, unexpected disagreements, known-open cases that now agree)."""
    counts = collections.Counter()
    bad, fixed = [], []
    for cid, a, b in rows:
        kind = classify(a, b)
        if kind != "agree" and (cid in ALLOWED or _allowed_rule(a, b)):
            kind = "allowed"
        counts[kind] += 1
        if kind == "agree" and cid in KNOWN_OPEN:
            fixed.append(cid)
        elif kind not in ("agree", "allowed"):
            if open_reason(cid) is not None:
                counts["known_open"] += 1
            else:
                bad.append((kind, cid, a, b))
    counts["cases"] = len(rows)
    return counts, bad, fixed


def _describe(kind, cid, a, b):
    def one(r):
        if r["r"] == "ok":
            return f"ok {r.get('fp')}"
        return f"{r['r']}: {r.get('msg', '')[:90]}"
    return f"{kind:17s} {cid}\n    torch: {one(a)}\n    ember: {one(b)}"


@pytest.fixture(scope="module")
def fuzz():
    pytest.importorskip("torch")
    return run_both()


def test_cases_are_deterministic():
    sys.path.insert(0, HERE)
    import argument_fuzz_cases as C
    ids = [i for i, _ in C.cases()]
    assert len(ids) > 2000
    assert ids == [i for i, _ in C.cases()]


def test_valid_calls_run_on_both(fuzz):
    rows, _ = fuzz
    broken = [(cid, a["r"], b["r"]) for cid, a, b in rows
              if cid.endswith("/valid") and (a["r"] != "ok" or b["r"] != "ok")]
    assert not broken, broken


def test_ember_agrees_with_torch(fuzz):
    """Same class (or a subclass of torch's) on every case, apart from the listed open ones."""
    rows, secs = fuzz
    counts, bad, _ = summarize(rows)
    print(f"\nargument fuzz: {dict(counts)} in {secs:.1f} s")
    assert not bad, f"{len(bad)} disagreements:\n" + "\n".join(
        _describe(*x) for x in bad[:60])


def test_known_open_list_is_current(fuzz):
    """A case listed as open that now agrees must leave the list (it only shrinks)."""
    rows, _ = fuzz
    _, _, fixed = summarize(rows)
    assert not fixed, f"now agreeing, delete from argument_fuzz_known.py: {fixed}"
    ids = {cid for cid, _, _ in rows}
    assert not set(KNOWN_OPEN) - ids, "listed cases that no longer exist"


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else None
    rows, secs = run_both(n)
    counts, bad, fixed = summarize(rows)
    for x in bad:
        print(_describe(*x))
    for cid in fixed:
        print("now agrees (delete from argument_fuzz_known.py):", cid)
    print(json.dumps(dict(counts)), f"{secs:.1f} s")
