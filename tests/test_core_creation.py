"""Parity with PyTorch for dtypes, promotion, tensor creation, random ops and conversions."""
import numpy as np
import pytest

import ember
from core_parity import compare, cases

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
          "float64", "complex64"]


@pytest.mark.parametrize("name", DTYPES)
def test_dtype_objects(name, torch_mod):
    e, t = getattr(ember, name), getattr(torch_mod, name)
    assert repr(e) == repr(t) and str(e) == str(t)
    assert e.is_floating_point == t.is_floating_point
    assert e.is_complex == t.is_complex
    assert e.itemsize == t.itemsize
    assert e.is_signed == t.is_signed
    assert ember.zeros(2, dtype=e).dtype is e
    assert ember.zeros(2, dtype=e).element_size() == t.itemsize


def test_dtype_aliases(torch_mod):
    for alias in ["half", "float", "double", "short", "int", "long", "cfloat", "cdouble"]:
        assert str(getattr(ember, alias)) == str(getattr(torch_mod, alias))


@pytest.mark.parametrize("a", DTYPES)
@pytest.mark.parametrize("b", DTYPES)
def test_promote_types(a, b, torch_mod):
    expect = torch_mod.promote_types(getattr(torch_mod, a), getattr(torch_mod, b))
    assert str(ember.promote_types(getattr(ember, a), getattr(ember, b))) == str(expect)


RESULT_TYPE = {
    "int-float-scalar": lambda m: m.result_type(m.tensor([1, 2]), 2.5),
    "f32-float-scalar": lambda m: m.result_type(m.tensor([1.0]), 2.5),
    "f16-int-scalar": lambda m: m.result_type(m.tensor([1.0], dtype=m.float16), 2),
    "u8-int-scalar": lambda m: m.result_type(m.tensor([1], dtype=m.uint8), 1000),
    "bool-bool": lambda m: m.result_type(m.tensor([True]), True),
    "bool-int": lambda m: m.result_type(m.tensor([True]), 1),
    "bool-float": lambda m: m.result_type(m.tensor([True]), 1.0),
    "i32-0d-i64": lambda m: m.result_type(m.tensor([1], dtype=m.int32), m.tensor(1)),
    "i32-0d-f64": lambda m: m.result_type(m.tensor([1], dtype=m.int32), m.tensor(1.0, dtype=m.float64)),
    "0d-0d": lambda m: m.result_type(m.tensor(1, dtype=m.int8), m.tensor(1.0, dtype=m.float64)),
    "f32-complex-scalar": lambda m: m.result_type(m.tensor([1.0]), 1j),
    "f64-complex-scalar": lambda m: m.result_type(m.tensor([1.0], dtype=m.float64), 1j),
    "int-complex-scalar": lambda m: m.result_type(m.tensor([1]), 1j),
    "scalar-scalar": lambda m: m.result_type(2, 2.5),
}


@pytest.mark.parametrize("fn", **cases(RESULT_TYPE))
def test_result_type(fn, torch_mod):
    compare(fn, torch_mod)


def test_default_dtype(torch_mod):
    try:
        for name in ("float64", "float16", "bfloat16", "float32"):
            ember.set_default_dtype(getattr(ember, name))
            torch_mod.set_default_dtype(getattr(torch_mod, name))
            for fn in (lambda m: m.tensor([1.5]), lambda m: m.zeros(2), lambda m: m.arange(3.0),
                       lambda m: m.tensor([1]) / 2,
                       lambda m: m.linspace(0, 1, 3), lambda m: m.get_default_dtype(),
                       lambda m: m.tensor([1, 2]) * 0.5, lambda m: m.rand(2).dtype):
                compare(fn, torch_mod, rtol=1e-2, atol=1e-3)
        with pytest.raises(TypeError):
            ember.set_default_dtype(ember.int64)
        ember.set_default_dtype(ember.float64)
        assert ember.tensor(1j).dtype is ember.complex128
        assert ember.tensor([1.5]).dtype is ember.float64
    finally:
        ember.set_default_dtype(ember.float32)
        torch_mod.set_default_dtype(torch_mod.float32)


def _noinit(fn):
    """Shape/dtype/requires_grad of an uninitialised tensor (values are arbitrary)."""
    def g(m):
        t = fn(m)
        return (tuple(t.shape), str(t.dtype), t.requires_grad)
    return g


CREATE = {
    "tensor-int": lambda m: m.tensor([1, 2, 3]),
    "tensor-float": lambda m: m.tensor([[1.0, 2.0], [3.0, 4.5]]),
    "tensor-mixed": lambda m: m.tensor([1, 2.5, True]),
    "tensor-bool": lambda m: m.tensor([True, False]),
    "tensor-complex": lambda m: m.tensor([1 + 2j, 3]),
    "tensor-0d": lambda m: m.tensor(3.5),
    "tensor-empty": lambda m: m.tensor([]),
    "tensor-empty-2d": lambda m: m.tensor([[], []]),
    "tensor-dtype": lambda m: m.tensor([1, 2], dtype=m.float64),
    "tensor-float-to-int": lambda m: m.tensor([1.7, -2.7], dtype=m.int32),
    "tensor-rg": lambda m: m.tensor([1.0, 2.0], requires_grad=True),
    "tensor-rg-int": lambda m: m.tensor([1, 2], requires_grad=True),
    "tensor-device": lambda m: m.tensor([1.0], device="cpu"),
    "tensor-np-f64": lambda m: m.tensor(np.arange(3.0)),
    "tensor-np-i32": lambda m: m.tensor(np.arange(3, dtype=np.int32)),
    "tensor-np-scalar": lambda m: m.tensor(np.float64(2.5)),
    "tensor-list-of-0d": lambda m: m.tensor([m.tensor(1.0), m.tensor(2.0)]),
    "tensor-list-of-tensors-error": lambda m: m.tensor([m.tensor([1.0, 2.0]), m.tensor([2.0, 3.0])]),
    "tensor-ragged": lambda m: m.tensor([[1, 2], [3]]),
    "tensor-bad": lambda m: m.tensor("abc"),
    "tensor-bf16": lambda m: m.tensor([1.5, 2.25], dtype=m.bfloat16),
    "tensor-f16": lambda m: m.tensor([1.5, 65504.0], dtype=m.float16),
    "tensor-int-overflow-u8": lambda m: m.tensor([255, 0], dtype=m.uint8),
    "legacy-Tensor-shape": _noinit(lambda m: m.Tensor(5, 3)),
    "legacy-Tensor-data": lambda m: m.Tensor([[1, 2], [3, 4]]),
    "legacy-Tensor-empty": lambda m: m.Tensor(),
    "legacy-FloatTensor": lambda m: m.FloatTensor([1, 2]),
    "legacy-FloatTensor-shape": _noinit(lambda m: m.FloatTensor(2, 3)),
    "legacy-LongTensor": lambda m: m.LongTensor([1, 2]),
    "legacy-DoubleTensor": lambda m: m.DoubleTensor([1, 2]),
    "legacy-IntTensor": lambda m: m.IntTensor([1, 2]),
    "legacy-ByteTensor": lambda m: m.ByteTensor([1, 2]),
    "legacy-BoolTensor": lambda m: m.BoolTensor([1, 0]),
    "legacy-Tensor-float": lambda m: m.Tensor(2.5),
    "zeros": lambda m: m.zeros(2, 3),
    "zeros-tuple": lambda m: m.zeros((2, 3), dtype=m.int64),
    "zeros-list": lambda m: m.zeros([2]),
    "zeros-empty-shape": lambda m: m.zeros(()),
    "zeros-neg": lambda m: m.zeros(-1),
    "zeros-size": lambda m: m.zeros(m.Size([2, 1])),
    "ones": lambda m: m.ones(3, dtype=m.bool),
    "ones-rg": lambda m: m.ones(2, requires_grad=True),
    "full": lambda m: m.full((2, 2), 7),
    "full-float": lambda m: m.full((2, 2), 7.5),
    "full-bool": lambda m: m.full((2,), True),
    "full-dtype": lambda m: m.full((2,), 3, dtype=m.float16),
    "full-tensor-value": lambda m: m.full((2,), m.tensor(3.0)),
    "empty": _noinit(lambda m: m.empty(2, 3)),
    "empty-dtype": _noinit(lambda m: m.empty((4,), dtype=m.int8)),
    "eye": lambda m: m.eye(3),
    "eye-rect": lambda m: m.eye(2, 4, dtype=m.int32),
    "eye-0": lambda m: m.eye(0),
    "arange-int": lambda m: m.arange(5),
    "arange-start-stop": lambda m: m.arange(2, 7),
    "arange-step": lambda m: m.arange(0, 1, 0.1),
    "arange-float": lambda m: m.arange(5.0),
    "arange-neg-step": lambda m: m.arange(5, 0, -2),
    "arange-dtype": lambda m: m.arange(4, dtype=m.float64),
    "arange-empty": lambda m: m.arange(0),
    "arange-0d-tensor": lambda m: m.arange(m.tensor(3)),
    "arange-bad-step": lambda m: m.arange(0, 5, -1),
    "arange-zero-step": lambda m: m.arange(0, 5, 0),
    "range": lambda m: m.range(0, 4),
    "linspace": lambda m: m.linspace(0, 1, 5),
    "linspace-int": lambda m: m.linspace(0, 10, 5, dtype=m.int64),
    "linspace-1": lambda m: m.linspace(2, 3, 1),
    "linspace-0": lambda m: m.linspace(2, 3, 0),
    "linspace-neg": lambda m: m.linspace(0, 1, -1),
    "logspace": lambda m: m.logspace(0, 2, 3),
    "logspace-base": lambda m: m.logspace(0, 3, 4, base=2),
    "zeros_like": lambda m: m.zeros_like(m.ones(2, 3, dtype=m.int32)),
    "ones_like-dtype": lambda m: m.ones_like(m.ones(2), dtype=m.float64),
    "full_like": lambda m: m.full_like(m.ones(2, dtype=m.int64), 2.7),
    "empty_like": _noinit(lambda m: m.empty_like(m.ones(2, 3, dtype=m.float16))),
    "zeros_like-noncontig": lambda m: m.zeros_like(m.ones(2, 3).t()).stride(),
    "scalar_tensor": lambda m: m.scalar_tensor(3),
    "atleast_2d": lambda m: (m.atleast_2d(m.tensor(1.0)), m.atleast_2d(m.arange(3))),
    "atleast_3d": lambda m: m.atleast_3d(m.ones(2, 2)),
    "as_tensor-list": lambda m: m.as_tensor([1, 2], dtype=m.float32),
    "as_tensor-np": lambda m: m.as_tensor(np.arange(3)),
    "new_zeros": lambda m: m.ones(2, dtype=m.int32).new_zeros(3, 2),
    "new_ones": lambda m: m.ones(2, dtype=m.int32).new_ones((2,)),
    "new_full": lambda m: m.ones(2, dtype=m.float64).new_full((2,), 3),
    "new_tensor": lambda m: m.ones(2, dtype=m.float64).new_tensor([1, 2]),
    "new_empty": _noinit(lambda m: m.ones(2, dtype=m.int16).new_empty(3)),
    "complex": lambda m: m.complex(m.tensor([1.0, 2.0]), m.tensor([3.0, 4.0])),
    "polar": lambda m: m.polar(m.tensor([1.0, 2.0]), m.tensor([0.0, 1.0])),
}


@pytest.mark.parametrize("fn", **cases(CREATE))
def test_creation(fn, torch_mod):
    compare(fn, torch_mod, rtol=1e-6, atol=1e-6)


def _meta(fn):
    def g(m):
        t = fn(m)
        return tuple(t.shape), str(t.dtype), t.requires_grad
    return g


RANDOM = {
    "rand": lambda m: m.rand(2, 3),
    "rand-tuple": lambda m: m.rand((2, 3), dtype=m.float64),
    "randn": lambda m: m.randn(4),
    "randn-rg": lambda m: m.randn(2, requires_grad=True),
    "randint": lambda m: m.randint(0, 10, (3, 3)),
    "randint-high": lambda m: m.randint(5, (4,)),
    "randint-dtype": lambda m: m.randint(0, 5, (4,), dtype=m.int32),
    "randperm": lambda m: m.randperm(6),
    "normal-tensors": lambda m: m.normal(m.zeros(3), m.ones(3)),
    "normal-scalars": lambda m: m.normal(0.0, 1.0, size=(2, 2)),
    "normal-mean-tensor": lambda m: m.normal(m.zeros(3, dtype=m.float64), 2.0),
    "bernoulli": lambda m: m.bernoulli(m.full((3, 4), 0.5)),
    "bernoulli-p": lambda m: m.bernoulli(m.zeros(3), 0.5),
    "multinomial": lambda m: m.multinomial(m.tensor([0.1, 0.5, 0.4]), 2),
    "multinomial-2d": lambda m: m.multinomial(m.ones(2, 5), 3, replacement=True),
    "rand_like": lambda m: m.rand_like(m.ones(2, dtype=m.float64)),
    "randn_like": lambda m: m.randn_like(m.ones(2, 2)),
    "randint_like": lambda m: m.randint_like(m.ones(2, 2), 3),
    "uniform_": lambda m: m.empty(3).uniform_(2, 3),
    "normal_": lambda m: m.empty(3).normal_(0, 2),
    "exponential_": lambda m: m.empty(3).exponential_(),
    "random_": lambda m: m.empty(3).random_(0, 5),
    "random_-int": lambda m: m.empty(3, dtype=m.int64).random_(5),
    "bernoulli_": lambda m: m.empty(3).bernoulli_(0.3),
    "geometric_": lambda m: m.empty(3).geometric_(0.3),
    "log_normal_": lambda m: m.empty(3).log_normal_(),
    "cauchy_": lambda m: m.empty(3).cauchy_(),
}


@pytest.mark.parametrize("fn", **cases(RANDOM))
def test_random_meta(fn, torch_mod):
    compare(_meta(fn), torch_mod)


def test_random_ranges():
    ember.manual_seed(3)
    u = ember.rand(10000)
    assert 0 <= u.min().item() and u.max().item() < 1 and abs(u.mean().item() - 0.5) < 0.02
    n = ember.randn(10000, dtype=ember.float64)
    assert abs(n.mean().item()) < 0.05 and abs(n.std().item() - 1) < 0.05
    r = ember.randint(3, 7, (1000,))
    assert r.dtype is ember.int64 and r.min().item() == 3 and r.max().item() == 6
    p = ember.randperm(50)
    assert sorted(p.tolist()) == list(range(50)) and p.dtype is ember.int64
    x = ember.empty(5000).uniform_(-2, -1)
    assert -2 <= x.min().item() and x.max().item() < -1
    x = ember.empty(5000, dtype=ember.float64).normal_(3, 0.5)
    assert abs(x.mean().item() - 3) < 0.05 and abs(x.std().item() - 0.5) < 0.05
    e = ember.empty(5000).exponential_(2.0)
    assert e.min().item() >= 0 and abs(e.mean().item() - 0.5) < 0.05
    b = ember.bernoulli(ember.full((5000,), 0.3))
    assert set(b.tolist()) <= {0.0, 1.0} and abs(b.mean().item() - 0.3) < 0.03
    m = ember.multinomial(ember.tensor([0.0, 1.0, 0.0]), 4, replacement=True)
    assert m.tolist() == [1, 1, 1, 1]
    m = ember.multinomial(ember.tensor([0.2, 0.3, 0.5]), 3)
    assert sorted(m.tolist()) == [0, 1, 2]
    with pytest.raises(RuntimeError):
        ember.multinomial(ember.tensor([0.2, 0.8]), 3)
    g = ember.normal(ember.full((5000,), 10.0), 0.1)
    assert abs(g.mean().item() - 10) < 0.01
    ri = ember.empty(1000, dtype=ember.int64).random_(2, 4)
    assert set(ri.tolist()) == {2, 3}


def test_manual_seed_and_generator():
    ember.manual_seed(7)
    a = ember.rand(5), ember.randn(3), ember.randint(0, 9, (4,)), ember.randperm(5)
    ember.manual_seed(7)
    b = ember.rand(5), ember.randn(3), ember.randint(0, 9, (4,)), ember.randperm(5)
    for x, y in zip(a, b):
        assert ember.equal(x, y)
    state = ember.get_rng_state()
    c = ember.rand(4)
    ember.set_rng_state(state)
    assert ember.equal(c, ember.rand(4))
    g = ember.Generator().manual_seed(11)
    assert isinstance(g, ember.Generator)
    x = ember.rand(3, generator=g)
    st = g.get_state()
    y = ember.randn(3, generator=g)
    g.set_state(st)
    assert ember.equal(y, ember.randn(3, generator=g))
    g2 = ember.Generator()
    g2.manual_seed(11)
    assert ember.equal(x, ember.rand(3, generator=g2))
    assert g.initial_seed() == 11
    assert not ember.equal(ember.rand(8), ember.rand(8))


def test_from_numpy_and_numpy_share_memory():
    a = np.arange(6.0).reshape(2, 3)
    t = ember.from_numpy(a)
    assert t.dtype is ember.float64 and t.shape == (2, 3)
    a[0, 0] = 42
    assert t[0, 0].item() == 42
    t[1, 2] = -1
    assert a[1, 2] == -1
    n = t.numpy()
    n[0, 1] = 7
    assert t[0, 1].item() == 7
    assert np.shares_memory(t.numpy(), a)
    c = ember.as_tensor(a)
    c[0, 0] = 5
    assert a[0, 0] == 5
    d = ember.as_tensor(a, dtype=ember.float32)
    d[0, 0] = 9
    assert a[0, 0] == 5
    tt = ember.tensor(a)
    tt[0, 0] = 1
    assert a[0, 0] == 5
    x = ember.ones(3)
    assert ember.as_tensor(x) is x
    with pytest.raises(TypeError):
        ember.from_numpy(np.array(["a"]))
    with pytest.raises(RuntimeError):
        ember.ones(2, requires_grad=True).numpy()
    f = ember.ones(2, requires_grad=True)
    assert f.detach().numpy().tolist() == [1.0, 1.0]


CONVERT = {
    "tolist": lambda m: m.tensor([[1, 2], [3, 4]]).tolist(),
    "tolist-float": lambda m: m.tensor([1.5, 2.0]).tolist(),
    "tolist-0d": lambda m: m.tensor(2.5).tolist(),
    "tolist-bool": lambda m: m.tensor([True, False]).tolist(),
    "tolist-f16": lambda m: m.tensor([1.5], dtype=m.float16).tolist(),
    "tolist-bf16": lambda m: m.tensor([1.5], dtype=m.bfloat16).tolist(),
    "item-float": lambda m: m.tensor([2.5]).item(),
    "item-int": lambda m: m.tensor([[3]]).item(),
    "item-bool": lambda m: m.tensor(True).item(),
    "item-f16": lambda m: m.tensor(1.5, dtype=m.float16).item(),
    "item-error": lambda m: m.tensor([1, 2]).item(),
    "float": lambda m: float(m.tensor([2.5])),
    "int": lambda m: int(m.tensor(2.7)),
    "float-error": lambda m: float(m.tensor([1.0, 2.0])),
    "bool-single": lambda m: bool(m.tensor([0.0])),
    "bool-multi": lambda m: bool(m.tensor([1.0, 2.0])),
    "bool-empty": lambda m: bool(m.tensor([])),
    "index": lambda m: [10, 20, 30][m.tensor(1)],
    "index-float-error": lambda m: [10, 20, 30][m.tensor(1.0)],
    "index-multi-error": lambda m: [10, 20, 30][m.tensor([1, 2])],
    "range-index": lambda m: list(range(m.tensor(3))),
    "to-dtype": lambda m: m.tensor([1.7, -1.7]).to(m.int64),
    "to-device": lambda m: m.tensor([1.0]).to("cpu"),
    "to-device-dtype": lambda m: m.tensor([1.0]).to("cpu", m.float64),
    "to-kw": lambda m: m.tensor([1.0]).to(dtype=m.float16, device=m.device("cpu")),
    "to-other": lambda m: m.tensor([1.5]).to(m.tensor([1], dtype=m.int32)),
    "to-same-is-self": lambda m: (lambda t: t.to(m.float32) is t)(m.ones(2)),
    "to-copy": lambda m: (lambda t: t.to(m.float32, copy=True) is t)(m.ones(2)),
    "cpu-is-self": lambda m: (lambda t: t.cpu() is t)(m.ones(2)),
    "float-method": lambda m: m.tensor([1, 2]).float(),
    "double": lambda m: m.tensor([1, 2]).double(),
    "half": lambda m: m.tensor([1, 2]).half(),
    "bfloat16": lambda m: m.tensor([1.3, 2]).bfloat16(),
    "long": lambda m: m.tensor([1.9, -2.9]).long(),
    "int-method": lambda m: m.tensor([1.9, -2.9]).int(),
    "bool-method": lambda m: m.tensor([0.0, 2.0]).bool(),
    "byte": lambda m: m.tensor([1.0, 2.0]).byte(),
    "type-name": lambda m: (m.ones(1).type(), m.ones(1, dtype=m.int64).type(),
                            m.ones(1, dtype=m.bool).type()),
    "type-convert": lambda m: m.ones(2).type(m.int32),
    "type-str": lambda m: m.ones(2).type("torch.DoubleTensor"),
    "type_as": lambda m: m.ones(2).type_as(m.tensor([1])),
    "device-attr": lambda m: (str(m.ones(1).device), m.ones(1).is_cuda, m.ones(1).get_device()),
    "device-obj": lambda m: (repr(m.device("cpu")), str(m.device("cuda", 1)), m.device("cpu") == "cpu",
                             repr(m.device("cuda:0")), m.device("cpu").type),
    "device-bad": lambda m: m.device("gpu"),
    "cuda-available": lambda m: m.cuda.is_available(),
    "rg-int-error": lambda m: m.ones(2, dtype=m.int64).requires_grad_(),
    "complex-float": lambda m: complex(m.tensor(1.5)),
}


@pytest.mark.parametrize("fn", **cases(CONVERT))
def test_conversions(fn, torch_mod):
    compare(fn, torch_mod)


def test_threads():
    n = ember.get_num_threads()
    assert isinstance(n, int) and n >= 1
    ember.set_num_threads(1)
    assert ember.get_num_threads() == 1
    ember.set_num_threads(n)
    assert ember.get_num_threads() == n


def _shape_dtype(fn):
    """Shapes/dtypes/requires_grad of random results (values differ between libraries)."""
    def g(m):
        r = fn(m)
        if isinstance(r, (tuple, list)):
            return [(tuple(t.shape), str(t.dtype)) for t in r]
        if hasattr(r, "shape"):
            return (tuple(r.shape), str(r.dtype), r.requires_grad)
        return type(r).__name__
    return g


RANDOM_API = {
 "rand-gen": lambda m: m.rand(2, 3, generator=m.Generator().manual_seed(1)),
 "randn-size-kw": lambda m: m.randn(size=(2,)),
 "rand-empty": lambda m: m.rand(0),
 "rand-0d": lambda m: m.rand(()),
 "randint-dtype": lambda m: m.randint(3, 10, (2,), dtype=m.int16),
 "randint-float-dtype": lambda m: m.randint(3, 10, (2,), dtype=m.float32),
 "randint-size-kw": lambda m: m.randint(0, 5, size=(3,)),
 "randint-bad": lambda m: m.randint(5, 2, (3,)),
 "randint-no-size": lambda m: m.randint(5),
 "randperm-dtype": lambda m: m.randperm(5, dtype=m.int32),
 "randperm-0": lambda m: m.randperm(0),
 "normal-kw": lambda m: m.normal(mean=m.zeros(3), std=m.ones(3)),
 "normal-mean-float-std-tensor": lambda m: m.normal(0.5, m.ones(2, 2)),
 "normal-bad-std": lambda m: m.normal(m.zeros(2), -1.0),
 "normal-size-dtype": lambda m: m.normal(0.0, 1.0, (3,), dtype=m.float64),
 "bernoulli-p-tensor-f64": lambda m: m.bernoulli(m.full((3,), 0.5, dtype=m.float64)),
 "bernoulli-bad": lambda m: m.bernoulli(m.full((3,), 1.5)),
 "bernoulli_-tensor": lambda m: m.zeros(3).bernoulli_(m.full((3,), 0.5)),
 "multinomial-neg": lambda m: m.multinomial(m.tensor([-0.1, 1.0]), 1),
 "multinomial-zero": lambda m: m.multinomial(m.tensor([0.0, 0.0]), 1),
 "multinomial-f64": lambda m: m.multinomial(m.tensor([0.1, 0.9], dtype=m.float64), 2),
 "uniform_-int": lambda m: m.zeros(3, dtype=m.int64).uniform_(),
 "normal_-int": lambda m: m.zeros(3, dtype=m.int64).normal_(),
 "random_-float-default": lambda m: m.zeros(3).random_(),
 "random_-bool": lambda m: m.zeros(3, dtype=m.bool).random_(),
 "random_-to": lambda m: m.zeros(3).random_(10),
 "exponential_-int": lambda m: m.zeros(3, dtype=m.int64).exponential_(),
 "manual_seed-returns": lambda m: m.manual_seed(3),
 "initial_seed": lambda m: (m.manual_seed(5), m.initial_seed())[1],
 "rand_like-int": lambda m: m.rand_like(m.zeros(2, dtype=m.int64)),
 "randn_like-dtype": lambda m: m.randn_like(m.zeros(2), dtype=m.float64),
 "randint_like-lowhigh": lambda m: m.randint_like(m.zeros(2), 3, 5),

 "poisson": lambda m: m.poisson(m.ones(3)),
 "rand-rg": lambda m: m.rand(2, requires_grad=True),
 "rand-int-dtype": lambda m: m.rand(2, dtype=m.int64),
 "randn-int-dtype": lambda m: m.randn(2, dtype=m.int64),
 "randn-complex": lambda m: m.randn(2, dtype=m.complex64),
 "Generator-device": lambda m: m.Generator("cpu").device,
}


@pytest.mark.parametrize("name", list(RANDOM_API))
def test_random_api(name, torch_mod):
    fn = RANDOM_API[name]
    compare(fn if name == "initial_seed" else _shape_dtype(fn), torch_mod)


@pytest.mark.parametrize("name", DTYPES)
def test_finfo_iinfo(name, torch_mod):
    e, t = getattr(ember, name), getattr(torch_mod, name)
    if t.is_floating_point or t.is_complex:
        fe, ft = ember.finfo(e), torch_mod.finfo(t)
        assert repr(fe) == repr(ft)
        for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
            assert getattr(fe, attr) == getattr(ft, attr), attr
        with pytest.raises(TypeError):
            ember.iinfo(e)
    elif name != "bool":
        ie, it = ember.iinfo(e), torch_mod.iinfo(t)
        assert repr(ie) == repr(it)
        assert (ie.bits, ie.max, ie.min, ie.dtype) == (it.bits, it.max, it.min, it.dtype)
        with pytest.raises(TypeError):
            ember.finfo(e)
    for other in DTYPES:
        assert ember.can_cast(e, getattr(ember, other)) == \
            torch_mod.can_cast(t, getattr(torch_mod, other)), (name, other)
    assert repr(ember.finfo()) == repr(torch_mod.finfo())


def test_deterministic_flag_and_default_tensor_type():
    assert ember.are_deterministic_algorithms_enabled() is False
    ember.use_deterministic_algorithms(True)
    assert ember.are_deterministic_algorithms_enabled() is True
    ember.use_deterministic_algorithms(False)
    try:
        ember.set_default_tensor_type(ember.DoubleTensor)
        assert ember.get_default_dtype() is ember.float64
        ember.set_default_tensor_type("torch.FloatTensor")
        assert ember.tensor([1.0]).dtype is ember.float32
        with pytest.raises(TypeError):
            ember.set_default_tensor_type("torch.Nope")
    finally:
        ember.set_default_dtype(ember.float32)


FACTORY_DTYPES = [None, "bool", "uint8", "int32", "int64", "float16", "bfloat16", "float32",
                  "float64", "complex64"]


def _shape_of(t):
    return tuple(t.shape), str(t.dtype), t.requires_grad


FACTORIES = {
    "zeros": lambda m, kw: m.zeros(2, 3, **kw),
    "ones": lambda m, kw: m.ones((2,), **kw),
    "full-int": lambda m, kw: m.full((2,), 3, **kw),
    "full-float": lambda m, kw: m.full((2,), 2.5, **kw),
    "full-bool": lambda m, kw: m.full((2,), True, **kw),
    "empty": lambda m, kw: _shape_of(m.empty(2, **kw)),
    "eye": lambda m, kw: m.eye(2, 3, **kw),
    "arange": lambda m, kw: m.arange(5, **kw),
    "arange-float-step": lambda m, kw: m.arange(0, 2, 0.5, **kw),
    "linspace": lambda m, kw: m.linspace(0, 4, 5, **kw),
    "logspace": lambda m, kw: m.logspace(0, 2, 3, **kw),
    "tensor-int": lambda m, kw: m.tensor([1, 2], **kw),
    "tensor-float": lambda m, kw: m.tensor([1.5, -2.5], **kw),
    "zeros_like": lambda m, kw: m.zeros_like(m.ones(2, dtype=m.int32), **kw),
    "full_like": lambda m, kw: m.full_like(m.ones(2), 7, **kw),
    "rand": lambda m, kw: _shape_of(m.rand(2, **kw)),
    "randn": lambda m, kw: _shape_of(m.randn(2, **kw)),
    "randint": lambda m, kw: _shape_of(m.randint(0, 5, (2,), **kw)),
    "randperm": lambda m, kw: _shape_of(m.randperm(3, **kw)),
    "scalar_tensor": lambda m, kw: m.scalar_tensor(3, **kw),
}


@pytest.mark.parametrize("dtype", FACTORY_DTYPES)
@pytest.mark.parametrize("requires_grad", [False, True])
def test_factory_dtype_matrix(dtype, requires_grad, torch_mod):
    """Every factory with every dtype (and requires_grad): PyTorch's result or error type."""
    failures = []
    for name, make in FACTORIES.items():
        def fn(m, make=make):
            kw = {"dtype": getattr(m, dtype)} if dtype else {}
            if requires_grad:
                kw["requires_grad"] = True
            return make(m, kw)
        try:
            compare(fn, torch_mod, rtol=1e-2, atol=1e-2)
        except AssertionError as e:
            failures.append(f"{name}: {e}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int32", "int64", "float16", "float64"])
def test_factory_out_takes_out_dtype(dtype, torch_mod):
    for fn in (lambda m, o: m.ones(2, out=o), lambda m, o: m.zeros(2, out=o),
               lambda m, o: m.arange(2, out=o), lambda m, o: m.full((2,), 3, out=o)):
        compare(lambda m: fn(m, m.empty(2, dtype=getattr(m, dtype))), torch_mod)
