"""The cuda device on the strict CuPy stand-in (``ember.testing.standin_cupy``).

The stand-in's arrays are not NumPy arrays and refuse implicit host copies, so every hidden
host round trip or bare NumPy call on a cuda tensor's data fails here, without a GPU. The op
tables of the core tests run on 'cuda' and are compared with their cpu results.
"""
import numpy as np
import pytest

import ember
from ember.testing import use_standin_cuda, standin_cupy as scp
from ember.testing.device_check import (compare_on_device, compare_grads_on_device, on_device,
                                        check_same_on_device)

import test_core_math as core_math
import test_autograd_ops_table as ops_table
import test_core_grad as core_grad


@pytest.fixture(autouse=True)
def _standin():
    with use_standin_cuda():
        yield


# ---- the stand-in itself is strict ----------------------------------------------------------
def test_standin_array_refuses_host_conversion():
    a = scp.asarray(np.arange(6.0).reshape(2, 3))
    assert not isinstance(a, np.ndarray)
    assert a.device.id == 0
    with pytest.raises(TypeError, match="Implicit conversion"):
        np.asarray(a)
    with pytest.raises(TypeError):
        a + np.ones(3)
    with pytest.raises(TypeError):
        np.ones(3) + a
    with pytest.raises(TypeError):
        scp.add(a, np.ones(3))
    assert not hasattr(a, "__array_interface__")
    np.testing.assert_array_equal(a.get(), np.arange(6.0).reshape(2, 3))


def test_standin_views_share_memory_and_broadcast_views_are_writable():
    a = scp.zeros((3, 4))
    v = a.T[1:]
    v[0] = 5.0
    assert float(a[0, 1]) == 5.0 and isinstance(v, scp.ndarray)
    b = scp.broadcast_to(scp.zeros((1, 4)), (3, 4))
    b[0, 0] = 1.0  # CuPy's broadcast views are writable
    assert isinstance(scp.sum(a), scp.ndarray) and scp.sum(a).ndim == 0


def test_tensor_on_cuda_is_device_array():
    x = ember.randn(3, 4, device="cuda")
    assert x.is_cuda and not x.is_cpu and str(x.device) == "cuda:0"
    assert x.get_device() == 0
    assert type(x._data) is scp.ndarray
    with pytest.raises(TypeError, match="cpu"):
        x.numpy()
    assert x.cpu().device == ember.device("cpu")
    assert x.cuda() is x and x.to("cuda:0") is x
    np.testing.assert_array_equal(x.cpu().numpy(), np.asarray(x.tolist(), np.float32))


@pytest.mark.parametrize("name", ["zeros", "ones", "empty", "rand", "randn"])
def test_factories_take_device(name):
    t = getattr(ember, name)(2, 3, device="cuda")
    assert t.device == ember.device("cuda", 0) and type(t._data) is scp.ndarray


@pytest.mark.parametrize("make", [
    lambda: ember.full((2,), 3.0, device="cuda"), lambda: ember.arange(5, device="cuda"),
    lambda: ember.linspace(0, 1, 5, device="cuda"), lambda: ember.eye(3, device="cuda"),
    lambda: ember.tensor([1, 2], device="cuda"), lambda: ember.randint(0, 5, (3,), device="cuda"),
    lambda: ember.randperm(4, device="cuda"), lambda: ember.zeros_like(ember.ones(2), device="cuda"),
    lambda: ember.ones(2, device="cuda").new_zeros(3), lambda: ember.empty(2, device="cuda:0"),
    lambda: ember.logspace(0, 1, 3, device="cuda"), lambda: ember.normal(0., 1., (2,), device="cuda"),
])
def test_more_factories_take_device(make):
    assert make().device.type == "cuda"


def test_same_seed_same_numbers_on_both_devices():
    ember.manual_seed(3)
    a = ember.randn(4, 5)
    ember.manual_seed(3)
    b = ember.randn(4, 5, device="cuda")
    assert ember.equal(a, b.cpu())


# ---- the op tables on cuda ------------------------------------------------------------------
_SKIP_MATH = {
    "out-exp",  # out= tensor made by m.empty on cuda: covered, keeps default device
}


@pytest.mark.parametrize("fn", [pytest.param(f, id=k) for k, f in core_math.TABLE.items()])
def test_unary_table(fn):
    compare_on_device(fn, "cuda")


@pytest.mark.parametrize("fn", [pytest.param(f, id=k) for k, f in core_math.BTABLE.items()])
def test_binary_table(fn):
    compare_on_device(fn, "cuda")


@pytest.mark.parametrize("expr", core_math.OPERATORS)
def test_operator_table(expr):
    compare_on_device(core_math._op(expr), "cuda")


@pytest.mark.parametrize("fn", [pytest.param(f, id=k) for k, f in core_math.PTABLE.items()])
def test_pointwise_table(fn):
    compare_on_device(fn, "cuda")


@pytest.mark.parametrize("fn", [pytest.param(f, id=k) for k, f in core_math.INPLACE.items()])
def test_inplace_table(fn):
    compare_on_device(fn, "cuda")


@pytest.mark.parametrize("fn,specs,opts", ops_table.ROWS)
def test_autograd_table_grads(fn, specs, opts, request):
    rng = np.random.default_rng(ops_table._seed(request))
    arrays = [ops_table._array(s, rng) for s in specs]
    compare_grads_on_device(fn, arrays, "cuda", rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", list(core_grad.GRAD))
def test_core_grad_table(name, monkeypatch):
    fn, makers = core_grad.GRAD[name][:2]
    consts = {c: getattr(core_grad, c) for c in ("IDX", "IDX_U", "MASK")}

    def place(dev):  # the table's index and mask tensors, on the device of the pass
        for c, t in consts.items():
            monkeypatch.setattr(core_grad, c, t.to(dev))
    arrays = [m(3, 4).detach().numpy() for m in makers]
    compare_grads_on_device(lambda m, *xs: fn(*xs), arrays, "cuda", rtol=1e-6, atol=1e-8,
                            setup=place)
