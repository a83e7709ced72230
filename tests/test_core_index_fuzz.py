"""Random index keys (ints, slices, None, ..., int/bool tensors, lists) vs PyTorch: get and set."""
import random
import warnings

import pytest

import ember
from core_parity import check_same

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
