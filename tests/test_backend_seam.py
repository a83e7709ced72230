"""The backend seam (ember._backend): ops never name NumPy, one bump_version, the unrecorded
in-place kernels, random streams and host helpers."""
import io
import pathlib
import re
import tokenize

import numpy as np
import pytest

import ember
from ember import _backend as B
from ember._backend import inplace, rng

SRC = pathlib.Path(ember.__file__).parent


def _names(path):
    """Bare NAME tokens of a Python file: comments, strings and attributes (``dtype.np``)
    never count."""
    toks = list(tokenize.generate_tokens(io.StringIO(path.read_text()).readline))
    return [(t.start[0], t.string) for prev, t in zip([None] + toks, toks)
            if t.type == tokenize.NAME and not (prev is not None and prev.string == ".")]


def test_ops_never_name_numpy():
    offenders = [f"{p.relative_to(SRC)}:{line}: {name}"
                 for p in sorted((SRC / "ops").rglob("*.py"))
                 for line, name in _names(p) if name in ("np", "numpy")]
    assert not offenders, "ops must reach the array library through ctx.xp / t._backend() or " \
                          "ember._backend:\n" + "\n".join(offenders)


def test_scanner_catches_a_bare_numpy_use(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import numpy as np\n# np.zeros in a comment is fine\nx = np.zeros(3).np\n")
    assert [n for _, n in _names(bad) if n in ("np", "numpy")] == ["numpy", "np", "np"]


def test_version_counter_bumped_only_by_bump_version():
    pattern = re.compile(r"_version\[0\]\s*\+=")
    hits = [f"{p.relative_to(SRC)}:{i}" for p in SRC.rglob("*.py")
            for i, line in enumerate(p.read_text().splitlines(), 1) if pattern.search(line)]
    assert len(hits) == 1 and hits[0].startswith(str(pathlib.Path("_backend", "inplace.py"))), \
        "bump versions with ember._backend.bump_version, not by hand: " + ", ".join(hits)


def test_bump_version_is_shared_with_views():
    t = ember.zeros(4)
    v = t[1:]
    B.bump_version(v)
    assert t._version_counter == v._version_counter == 1


@pytest.mark.parametrize("name,op", [("add", np.add), ("subtract", np.subtract),
                                     ("multiply", np.multiply), ("divide", np.divide)])
@pytest.mark.parametrize("dtype", [ember.float32, ember.float64, ember.complex64])
def test_binary_ufunc_kernel_writes_in_place(name, op, dtype):
    a = ember.tensor([[1.5, -2.0, 3.0], [4.0, 0.5, -6.0]], dtype=dtype)
    b = ember.tensor([2.0, -4.0, 0.25], dtype=dtype)
    expected = op(a.numpy().copy(), b.numpy())
    storage = a._data
    assert inplace.binary_ufunc_(a, name, b)
    assert a._data is storage and a._version_counter == 1
    np.testing.assert_allclose(a.numpy(), expected, rtol=1e-6)
    assert inplace.binary_ufunc_(a, name, 3)
    np.testing.assert_allclose(a.numpy(), op(expected, 3), rtol=1e-6)


@pytest.mark.parametrize("make_args", [
    lambda: (ember.ones(3, dtype=ember.float16), 2.0),                 # half: float32 opmath
    lambda: (ember.ones(3, dtype=ember.int64), 2),                     # integer tensor
    lambda: (ember.ones(3), ember.ones(3, dtype=ember.float64)),       # mixed dtypes
    lambda: (ember.ones(1).expand(3), 1.0),                            # overlapping memory
    lambda: (ember.ones(3), ember.ones(2, 3)),                         # does not broadcast in
    lambda: (ember.ones(3), True),                                     # bool promotes apart
])
def test_binary_ufunc_kernel_declines_general_cases(make_args):
    t, other = make_args()
    before = t.numpy().copy()
    assert inplace.binary_ufunc_(t, "add", other) is False
    assert t._version_counter == 0
    np.testing.assert_array_equal(t.numpy(), before)


def test_add_method_results_match_torch_rules_on_both_paths():
    a = ember.tensor([1.0, 2.0, 3.0])
    a.add_(ember.tensor([1.0, 1.0, 1.0])).mul_(2).div_(4).sub_(0.5)
    np.testing.assert_allclose(a.numpy(), [0.5, 1.0, 1.5])
    h = ember.tensor([1.0, 2.0], dtype=ember.float16)
    h.add_(ember.tensor([1.0, 1.0], dtype=ember.float16))
    assert h.dtype is ember.float16 and h.tolist() == [2.0, 3.0]


def test_optimizer_kernels_update_in_place_and_bump():
    ws = inplace.Workspace()
    t = ember.tensor([1.0, 2.0])
    inplace.addcmul_(t, ember.tensor([1.0, 2.0]), ember.tensor([3.0, 4.0]), 0.5, ws)
    np.testing.assert_allclose(t.numpy(), [1.0 + 1.5, 2.0 + 4.0])
    inplace.lerp_(t, ember.tensor([0.0, 0.0]), 0.25, ws)
    np.testing.assert_allclose(t.numpy(), [2.5 * 0.75, 6.0 * 0.75])
    assert t._version_counter == 2


def test_rng_streams_reproduce_and_restore():
    s1, s2 = rng.new_stream(7), rng.new_stream(7)
    np.testing.assert_array_equal(s1.random(5), s2.random(5))
    state = rng.stream_state(7, s1)
    x = s1.random(3)
    assert rng.restore_stream(s1, state.tobytes()) == 7
    np.testing.assert_array_equal(s1.random(3), x)
    assert 0 <= rng.entropy_seed() < 2 ** 64


def test_rng_kernels_validate_like_torch():
    s = rng.new_stream(0)
    with pytest.raises(RuntimeError, match="p_in >= 0"):
        rng.bernoulli_draw(s, (3,), p=1.5)
    with pytest.raises(RuntimeError, match="inf"):
        rng.multinomial_draw(s, np.array([0.5, -1.0]), 1, False)
    with pytest.raises(RuntimeError, match="n_sample > prob_dist"):
        rng.multinomial_draw(s, np.array([0.5, 0.5]), 3, False)
    draws = rng.multinomial_draw(s, np.array([[0.0, 1.0, 0.0]] * 4), 2, True)
    assert draws.dtype == np.int64 and draws.shape == (4, 2) and (draws == 1).all()
    perm = rng.multinomial_draw(s, np.array([1.0, 1.0, 1.0]), 3, False)
    assert sorted(perm.tolist()) == [0, 1, 2]


def test_host_helpers():
    a = np.arange(6.0).reshape(2, 3)
    assert B.to_host(a) is a and B.is_host_array(a) and B.is_array(a)
    assert B.broadcast_shapes((2, 1), (3,)) == (2, 3)
    with pytest.raises(ValueError):
        B.broadcast_shapes((2,), (3,))
    assert B.int_max(np.dtype(np.int8)) == 127
    row = np.broadcast_to(np.arange(3.0), (1, 3))  # read-only, no overlap
    w = B.make_writable(row[0])
    w[0] = 9.0
    assert w.flags.writeable


def test_special_functions_match_math():
    import math
    from ember._backend import special
    x = np.array([0.1, 0.5, 2.0, 7.5])
    np.testing.assert_allclose(special.erf(np, x), [math.erf(v) for v in x], rtol=1e-12)
    np.testing.assert_allclose(special.lgamma(np, x), [math.lgamma(v) for v in x], rtol=1e-12)
    np.testing.assert_allclose(special.erfc(np, x), [math.erfc(v) for v in x], rtol=1e-14)
