"""Random index keys (ints, slices, None, ..., int/bool tensors, lists) vs PyTorch: get and set."""
import random
import warnings

import pytest

import ember
from core_parity import check_same, compare

SHAPE = (3, 4, 5)


def _key(r, m):
    parts, dim, used_ellipsis = [], 0, False
    for _ in range(r.randint(1, 4)):
        c = r.randrange(9)
        size = SHAPE[dim] if dim < 3 else 1
        if c == 0 and dim < 3:
            parts.append(r.randrange(-size, size))
            dim += 1
        elif c == 1 and dim < 3:
            parts.append(slice(r.randrange(-size - 1, size + 1),
                               r.choice([None, r.randrange(-size, size + 2)]),
                               r.choice([None, 1, 2, 3])))
            dim += 1
        elif c == 2:
            parts.append(None)
        elif c == 3 and not used_ellipsis:
            parts.append(Ellipsis)
            used_ellipsis, dim = True, 3
        elif c == 4 and dim < 3:
            parts.append(m.tensor([r.randrange(-size, size) for _ in range(r.randint(0, 3))],
                                  dtype=m.int64))
            dim += 1
        elif c == 5 and dim < 3:
            parts.append(m.tensor([r.random() < 0.5 for _ in range(size)]))
            dim += 1
        elif c == 6 and dim < 3:
            parts.append([r.randrange(-size, size) for _ in range(r.randint(1, 3))])
            dim += 1
        elif c == 7 and dim < 3:
            parts.append(m.tensor(r.randrange(-size, size)))
            dim += 1
        elif c == 8 and dim < 2:
            parts.append(m.tensor([[r.random() < 0.5 for _ in range(SHAPE[dim + 1])]
                                   for _ in range(SHAPE[dim])]))
            dim += 2
    return tuple(parts) if len(parts) != 1 or r.random() < 0.5 else parts[0]


def _run(m, trial):
    r = random.Random(trial)
    x = m.arange(60.0).reshape(SHAPE)
    key = _key(r, m)
    try:
        y = x[key]
        out = [y.clone(), tuple(y.shape)]
    except Exception as e:
        out = [type(e).__name__]
    try:
        x2 = m.arange(60.0).reshape(SHAPE)
        v = r.choice([-1.0, None])
        if v is None:
            v = m.arange(float(out[1][-1] if len(out) > 1 and out[1] else 1)) * -1
        x2[key] = v
        out.append(x2)
    except Exception as e:
        out.append(type(e).__name__)
    return out


@pytest.mark.parametrize("chunk", range(6))
def test_random_index_keys(chunk, torch_mod):
    failures = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for trial in range(chunk * 250, chunk * 250 + 250):
            try:
                check_same(_run(ember, trial), _run(torch_mod, trial))
            except AssertionError as e:
                failures.append(f"trial {trial} key {_key(random.Random(trial), torch_mod)}: {e}")
    assert not failures, "\n".join(failures[:10])


INDEX_OPS = ["index_add", "index_copy", "index_fill", "scatter_add", "scatter_reduce", "gather",
             "index_select", "index_put", "take_along_dim", "masked_scatter"]


def _index_op_case(trial):
    r = random.Random(trial)
    shape = (r.randint(1, 4), r.randint(1, 4))
    dim = r.randint(-2, 1)
    return (r, shape, dim, r.choice(INDEX_OPS), r.choice(["float32", "float64", "int64", "int32"]),
            r.choice(["sum", "prod", "mean", "amax", "amin"]), r.random() < 0.5)


def _index_op(m, trial):
    import numpy as np
    r, shape, dim, op, dt, red, include_self = _index_op_case(trial)
    g = np.random.default_rng(trial)
    n = shape[dim % 2]
    x = m.tensor(g.integers(-5, 6, shape).astype(np.float64)).to(getattr(m, dt))
    if op in ("index_add", "index_copy"):
        idx = g.integers(0, n, r.randint(1, 5)) if op == "index_add" else \
            g.permutation(n)[:r.randint(1, n)]
        src_shape = list(shape)
        src_shape[dim % 2] = len(idx)
        src = m.ones(src_shape, dtype=x.dtype) * 2
        return x.index_add(dim, m.tensor(idx), src, alpha=3) if op == "index_add" else \
            x.index_copy(dim, m.tensor(idx), src)
    if op == "index_fill":
        return x.index_fill(dim, m.tensor(g.integers(0, n, 2)), -1)
    if op == "index_select":
        return x.index_select(dim, m.tensor(g.integers(0, n, 3)))
    if op == "index_put":
        i0, i1 = m.tensor(g.integers(0, shape[0], 3)), m.tensor(g.integers(0, shape[1], 3))
        return x.index_put((i0, i1), m.tensor([1.0, 2.0, 3.0]).to(x.dtype), accumulate=True)
    if op == "masked_scatter":
        src = m.arange(float(shape[0] * shape[1])).to(x.dtype).reshape(shape)
        return x.masked_scatter(m.tensor(g.random(shape) < 0.5), src)
    ishape = (r.randint(1, shape[0]), r.randint(1, shape[1]))
    idx = m.tensor(g.integers(0, n, ishape))
    src = m.tensor(g.integers(-3, 4, ishape).astype(np.float64)).to(x.dtype)
    if op == "scatter_add":
        return x.scatter_add(dim, idx, src)
    if op == "gather":
        return x.gather(dim, idx)
    if op == "take_along_dim":
        return x.take_along_dim(idx, dim)
    return x.scatter_reduce(dim, idx, src, red, include_self=include_self)


def test_random_index_ops(torch_mod):
    """index_add/copy/fill/select/put, gather/scatter(_add/_reduce), take_along_dim, masked_scatter
    with random shapes, dims, dtypes and indices."""
    failures = []
    for trial in range(800):
        try:
            compare(lambda m: _index_op(m, trial), torch_mod, rtol=1e-5, atol=1e-5)
        except AssertionError as e:
            failures.append(f"trial {trial} {_index_op_case(trial)[1:]}: {e}")
    assert not failures, "\n".join(failures[:10])
