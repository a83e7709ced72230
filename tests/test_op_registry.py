"""The op registry (``ember.ops._registry``): one declaration binds function, method, in-place
twin, top-level in-place function, ``out=`` and operators; ``unregister`` removes them all."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck
from ember.autograd.node import Op
from ember.ops import _registry
from ember.ops._inplace import handle_out

NAME = "_registry_test_cube"  # a throwaway elementwise op


class _Cube(Op):
    save = (0,)

    def forward(ctx, x):
        return x * x * x

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x * x


def _cube(input, *, out=None):
    """x ** 3 elementwise (a test op)."""
    return handle_out(_Cube.apply(input), out)


@pytest.fixture
def cube():
    _registry.register(NAME, _cube, inplace=True, inplace_function=True)
    try:
        yield
    finally:
        _registry.unregister(NAME)


def test_one_declaration_binds_everything(cube):
    x = ember.tensor([1.0, -2.0, 3.0])
    want = np.array([1.0, -8.0, 27.0], dtype=np.float32)
    np.testing.assert_array_equal(getattr(ember, NAME)(x).numpy(), want)  # ember.X
    np.testing.assert_array_equal(getattr(x, NAME)().numpy(), want)  # Tensor.X
    out = ember.empty(3)
    r = getattr(ember, NAME)(x, out=out)  # out=
    assert r is out
    np.testing.assert_array_equal(out.numpy(), want)
    entry = _registry.REGISTRY[NAME]
    assert entry.out and entry.method and entry.inplace
    assert entry.module == __name__
    y = x.clone()
    v = y._version[0]
    assert getattr(y, NAME + "_")() is y  # Tensor.X_
    np.testing.assert_array_equal(y.numpy(), want)
    assert y._version[0] == v + 1
    z = x.clone()
    assert getattr(ember, NAME + "_")(z) is z  # torch.X_
    np.testing.assert_array_equal(z.numpy(), want)


def test_declared_op_is_differentiable(cube):
    x = ember.tensor([0.5, -1.5, 2.0], dtype=ember.float64, requires_grad=True)
    assert gradcheck(getattr(ember, NAME), (x,))
    getattr(x, NAME)().sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 3 * x.detach().numpy() ** 2)
    # the in-place twin on a non-leaf records like any other in-place op
    x.grad = None
    y = x * 1
    getattr(y, NAME + "_")()
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 3 * x.detach().numpy() ** 2)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        getattr(x, NAME + "_")()


def test_unregister_removes_every_binding():
    _registry.register(NAME, _cube, inplace=True, inplace_function=True)
    assert hasattr(ember, NAME) and hasattr(ember.Tensor, NAME + "_")
    _registry.unregister(NAME)
    for owner, attr in ((ember, NAME), (ember, NAME + "_"), (ember.Tensor, NAME),
                        (ember.Tensor, NAME + "_")):
        assert not hasattr(owner, attr), attr
    assert NAME not in _registry.REGISTRY


def test_decorator_form_and_options():
    @_registry.register(method=False, dunder=())
    def _registry_test_fn(input):
        """Identity (a test op)."""
        return input

    try:
        assert ember._registry_test_fn is _registry_test_fn
        assert not hasattr(ember.Tensor, "_registry_test_fn")
        assert not _registry.REGISTRY["_registry_test_fn"].out
        with pytest.raises(ValueError, match="already registered"):
            _registry.register("_registry_test_fn", _registry_test_fn)
    finally:
        _registry.unregister("_registry_test_fn")
    assert not hasattr(ember, "_registry_test_fn")


def test_registry_matches_the_bindings():
    """Every declaration is bound as it says, and names PyTorch binds are declared once."""
    entries = _registry.entries()
    assert len(entries) > 350
    for e in entries:
        if e.function is True:
            assert hasattr(ember, e.name), e.name
        if e.method:
            assert hasattr(ember.Tensor, e.name), e.name
        if e.inplace:
            assert callable(getattr(ember.Tensor, e.name + "_")), e.name
        if e.inplace_function:
            assert callable(getattr(ember, e.name + "_")), e.name
    names = {e.name for e in entries}
    for n in ("add", "sub", "mul", "div", "relu", "sum", "matmul", "where", "cat", "sort"):
        assert n in names
    # rsub is a function only, as in PyTorch; creation functions are not methods
    assert not hasattr(ember.Tensor, "rsub") and not hasattr(ember.Tensor, "zeros_like")


def test_operators_come_from_declarations():
    a = ember.tensor([1.0, 2.0])
    b = ember.tensor([3.0, 5.0])
    assert ember.Tensor.__add__ is _registry.REGISTRY["add"].fn
    c = a.clone()
    c += b
    c -= 1
    c *= 2
    c /= 4
    np.testing.assert_allclose(c.numpy(), ((a.numpy() + b.numpy() - 1) * 2) / 4)
    i = ember.tensor([7, 9])
    i //= 2
    i %= 3
    i **= 2
    i &= 3
    i |= 4
    i ^= 1
    np.testing.assert_array_equal(i.numpy(), ((((np.array([7, 9]) // 2) % 3) ** 2) & 3 | 4) ^ 1)


def test_parity_with_torch_for_inplace_twins():
    torch = pytest.importorskip("torch")
    for e in _registry.entries():
        if e.inplace and hasattr(torch.Tensor, e.name):
            assert hasattr(torch.Tensor, e.name + "_"), e.name
        if e.inplace_function:
            assert hasattr(torch, e.name + "_"), e.name


# ---- axis= / keepdims= from the declaration (numpy_names) ---------------------------------
def _colsum(input, dim=0, keepdim=False):
    """Sum along ``dim`` (a test reduction)."""
    return input.sum(dim, keepdim=keepdim)


def test_a_declared_reduction_takes_numpy_names():
    name = "_registry_test_colsum"
    _registry.register(name, _colsum)
    try:
        assert _registry.REGISTRY[name].numpy_names is True  # read from the signature
        x = ember.tensor([[1.0, 2.0], [3.0, 5.0]])
        f, m = getattr(ember, name), getattr(ember.Tensor, name)
        np.testing.assert_array_equal(f(x, axis=1).numpy(), [3.0, 8.0])
        np.testing.assert_array_equal(m(x, axis=0, keepdims=True).numpy(), [[4.0, 7.0]])
        with pytest.raises(TypeError, match="multiple values for argument 'dim'"):
            f(x, dim=0, axis=1)
    finally:
        _registry.unregister(name)
    assert not hasattr(ember, name) and not hasattr(ember.Tensor, name)


def test_numpy_names_read_from_signatures():
    e = _registry.REGISTRY
    assert e["sum"].numpy_names is True and e["cumsum"].numpy_names is True
    assert e["concatenate"].numpy_names is False  # takes axis= itself
    assert e["add"].numpy_names is False and e["flatten"].numpy_names is False
    assert e["unique"].numpy_names is False and e["unflatten"].numpy_names == "function"


_AXIS_CASES = {
    "sum": lambda T, a, i: T.sum(a, axis=0, keepdims=True),
    "Tensor.sum": lambda T, a, i: a.sum(axis=1, keepdims=True),
    "Tensor.max": lambda T, a, i: a.max(axis=0, keepdims=True)[0],
    "softmax": lambda T, a, i: T.softmax(a, axis=1),
    "cross": lambda T, a, i: T.cross(a[:, :3], a[:, 1:], axis=1),
    "index_add": lambda T, a, i: T.index_add(a, axis=0, index=T.tensor([0, 2]), source=a[:2]),
    "scatter": lambda T, a, i: T.scatter(a, axis=0, index=i, src=a),
    "Tensor.scatter_add": lambda T, a, i: a.scatter_add(axis=1, index=i, src=a),
    "take_along_dim": lambda T, a, i: T.take_along_dim(a, i, axis=1),
    "tensor_split": lambda T, a, i: T.tensor_split(a, 2, axis=1)[1],
    "repeat_interleave": lambda T, a, i: T.repeat_interleave(a, 2, axis=0),
    "unflatten": lambda T, a, i: T.unflatten(a, axis=1, sizes=(2, 2)),
    "Tensor.unflatten": lambda T, a, i: a.unflatten(axis=1, sizes=(2, 2)),
    "unique": lambda T, a, i: T.unique(a, axis=0),
    "Tensor.unique": lambda T, a, i: a.unique(axis=0),
    "flatten": lambda T, a, i: T.flatten(a, axis=0),
    "trapezoid": lambda T, a, i: T.trapezoid(a, axis=0),
    "cumulative_trapezoid": lambda T, a, i: T.cumulative_trapezoid(a, axis=1),
    "cosine_similarity": lambda T, a, i: T.cosine_similarity(a, a + 1, axis=0),
    "split_with_sizes": lambda T, a, i: T.split_with_sizes(a, [1, 2], axis=0)[1],
    "slice_scatter": lambda T, a, i: T.slice_scatter(a, a[:1], axis=0, start=0, end=1),
    "sum axis and dim": lambda T, a, i: T.sum(a, axis=0, dim=0),
}


@pytest.mark.parametrize("case", sorted(_AXIS_CASES))
def test_numpy_names_parity_with_torch(case):
    """Where PyTorch 2.13 takes axis=/keepdims= Ember does, with the same values; where it
    refuses them (torch.unique, Tensor.unflatten, torch.flatten) Ember raises its TypeError."""
    torch = pytest.importorskip("torch")
    a_np = np.arange(12, dtype=np.float64).reshape(3, 4) / 7 + 0.5
    i_np = np.array([[0, 1, 2, 0], [2, 2, 1, 0], [1, 0, 0, 2]])
    got = want = None
    try:
        want = _AXIS_CASES[case](torch, torch.tensor(a_np), torch.tensor(i_np))
    except TypeError:
        with pytest.raises(TypeError):
            _AXIS_CASES[case](ember, ember.tensor(a_np), ember.tensor(i_np))
        return
    got = _AXIS_CASES[case](ember, ember.tensor(a_np), ember.tensor(i_np))
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12, atol=1e-12)


_DECLARED_OPERATORS = {
    "__floordiv__": "floor_divide", "__mod__": "remainder", "__pow__": "pow",
    "__matmul__": "matmul", "__neg__": "neg", "__pos__": "positive", "__abs__": "abs",
    "__and__": "bitwise_and", "__or__": "bitwise_or", "__xor__": "bitwise_xor",
    "__lshift__": "bitwise_left_shift", "__rshift__": "bitwise_right_shift",
    "__lt__": "lt", "__le__": "le", "__gt__": "gt", "__ge__": "ge",
}


def test_plain_operators_are_the_declared_functions():
    for dunder, name in _DECLARED_OPERATORS.items():
        assert vars(ember.Tensor)[dunder] is _registry.REGISTRY[name].fn, dunder
        assert dunder in _registry.REGISTRY[name].dunder


def test_declared_operators_match_torch():
    torch = pytest.importorskip("torch")
    import operator as op
    f_np = np.array([[1.5, -2.0], [3.0, 4.25]])
    i_np = np.array([5, -6, 7])
    cases = [(op.floordiv, f_np, 1.5), (op.mod, f_np, 1.5), (op.pow, f_np, 2), (op.lt, f_np, 1.5),
             (op.le, f_np, 1.5), (op.gt, f_np, 1.5), (op.ge, f_np, 1.5), (op.and_, i_np, 3),
             (op.or_, i_np, 3), (op.xor, i_np, 3), (op.lshift, i_np, 2), (op.rshift, i_np, 1)]
    for fn, x, s in cases:
        got, want = fn(ember.tensor(x), s), fn(torch.tensor(x), s)
        assert str(got.dtype) == str(want.dtype), fn
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    for fn in (op.neg, op.pos, abs):
        np.testing.assert_array_equal(fn(ember.tensor(f_np)).numpy(), fn(torch.tensor(f_np)))
    np.testing.assert_array_equal((ember.tensor(f_np) @ ember.tensor(f_np)).numpy(),
                                  (torch.tensor(f_np) @ torch.tensor(f_np)).numpy())
    with pytest.raises(RuntimeError, match="bool tensor"):
        +ember.tensor([True])
