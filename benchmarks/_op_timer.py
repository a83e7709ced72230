"""A per-op timer for Ember: the self time of every ``Op`` subclass's forward and backward.

Wraps the ``forward``/``backward`` of each op class while active; nested calls (a backward
that applies other ops) are charged to the innermost op, so the rows add up to the time
spent inside ops, and the remainder of a step is Python outside them.

    with OpTimer() as t:
        step()
    t.report(calls=1)
"""
import time
from collections import defaultdict

from ember.autograd.node import Op


def _subclasses(cls):
    out = []
    todo = [cls]
    while todo:
        c = todo.pop()
        for s in c.__subclasses__():
            out.append(s)
            todo.append(s)
    return out


class OpTimer:
    """Context manager collecting self time per (op class, 'fwd' | 'bwd')."""

    def __init__(self):
        self.self_time = defaultdict(float)
        self.count = defaultdict(int)
        self._stack = []
        self._patched = []

    def _wrap(self, cls, attr, fn):
        timer = self
        key = (cls.__name__, attr[:3].replace("for", "fwd").replace("bac", "bwd"))

        def timed(*args, **kwargs):
            timer._stack.append(0.0)
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                dt = time.perf_counter() - t0
                child = timer._stack.pop()
                timer.self_time[key] += dt - child
                timer.count[key] += 1
                if timer._stack:
                    timer._stack[-1] += dt
        return timed

    def __enter__(self):
        for cls in _subclasses(Op):
            for attr in ("forward", "backward"):
                fn = cls.__dict__.get(attr)
                if fn is not None:
                    self._patched.append((cls, attr, fn))
                    setattr(cls, attr, self._wrap(cls, attr, fn))
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.total = time.perf_counter() - self.t0
        for cls, attr, fn in self._patched:
            setattr(cls, attr, fn)
        self._patched = []

    def report(self, calls=1, top=15):
        """Print the top ops by self time per call, and the time outside ops."""
        rows = sorted(self.self_time.items(), key=lambda kv: -kv[1])
        inside = sum(self.self_time.values())
        per = 1e3 / calls
        print(f"per-op self time, ms per step (step total {self.total * per:.3f} ms)")
        for (name, kind), t in rows[:top]:
            print(f"  {name:18s} {kind}  {t * per:8.3f}  {100 * t / self.total:5.1f}%  "
                  f"x{self.count[(name, kind)] // calls}")
        print(f"  {'outside ops':22s} {(self.total - inside) * per:8.3f}  "
              f"{100 * (self.total - inside) / self.total:5.1f}%")
