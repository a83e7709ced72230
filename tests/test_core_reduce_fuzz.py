"""Random reductions (dims, keepdim, empty and non-contiguous inputs) vs PyTorch."""
import random
import warnings

import numpy as np
import pytest

from core_parity import compare

OPS = ["sum", "mean", "prod", "amax", "amin", "std", "var", "logsumexp", "all", "any",
       "count_nonzero", "nansum", "max", "min", "argmax", "argmin", "cumsum", "cumprod",
       "softmax", "log_softmax"]
ONE_DIM = ("cumsum", "cumprod", "softmax", "log_softmax", "argmax", "argmin", "max", "min")


def _case(trial):
    """A random (op, shape, args, kwargs, non-contiguous?) for one trial."""
    r = random.Random(trial)
    nd = r.randint(0, 4)
    shape = tuple(r.randint(0 if r.random() < 0.1 else 1, 4) for _ in range(nd))
    op = r.choice(OPS)
    kw = {}
    if op in ONE_DIM:
        dim = r.randint(-nd, nd - 1) if nd else r.choice([0, -1])
        optional = op in ("argmax", "argmin", "max", "min")
        args = (dim,) if not optional or r.random() < 0.7 else ()
        if optional and args and r.random() < 0.5:
            kw["keepdim"] = True
    else:
        dims = tuple(sorted(set(d % nd for d in r.sample(range(-nd, nd), r.randint(0, nd))))) \
            if nd else ()
        if op == "logsumexp" and not dims:
            dims = (0,) if nd else ()
        if not dims and op != "logsumexp" and r.random() < 0.5:
            args = ()
        else:
            args = (dims[0] if len(dims) == 1 and r.random() < 0.5 else dims,)
        if args and op != "count_nonzero" and r.random() < 0.5:
            kw["keepdim"] = True
        if op in ("all", "any", "prod") and args and isinstance(args[0], tuple) \
                and len(args[0]) != 1:
            args = (args[0][0],) if args[0] else ()
        if op == "prod" and args and isinstance(args[0], tuple):
            args = ()
    return op, shape, args, kw, r.random() < 0.4 and nd >= 2


def _run(trials, torch):
    failures = []
    for trial in trials:
        op, shape, args, kw, noncontig = _case(trial)
        data = np.random.default_rng(trial).standard_normal(shape).astype(np.float32)

        def fn(m):
            x = m.tensor(data)
            if noncontig:
                x = x.transpose(0, -1).contiguous().transpose(0, -1)
            if op in ("all", "any"):
                x = x > 0
            return getattr(x, op)(*args, **kw)
        try:
            compare(fn, torch, rtol=1e-4, atol=1e-5)
        except Exception as e:
            failures.append(f"{trial} {op}{shape} {args} {kw}: {type(e).__name__}: {e}")
    return failures


@pytest.mark.parametrize("chunk", range(5))
def test_random_reductions(chunk, torch_mod):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        failures = _run(range(chunk * 300, chunk * 300 + 300), torch_mod)
    assert not failures, "\n".join(failures[:10])
