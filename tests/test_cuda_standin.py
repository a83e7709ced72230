"""The cuda device on the strict CuPy stand-in (``ember.testing.standin_cupy``): tensors, ops,
autograd and views.

The stand-in's arrays are not NumPy arrays and refuse implicit host copies, so every hidden
host round trip or bare NumPy call on a cuda tensor's data fails here, without a GPU. The
parity tables of the core tests run on 'cuda' and are compared with their cpu results (the
per-op table in ``test_cuda_standin_op_table.py``). nn,
optimizers, serialization, data and ``ember.cuda`` are in ``test_cuda_standin_nn.py``.
With ``EMBER_TEST_REAL_CUDA=1`` (``benchmarks/gpu_check.py`` sets it) the same tests run on
real CuPy instead, less the ones about the stand-in itself.
"""
import numpy as np
import pytest

import ember
from ember.testing import standin_cupy as scp
from ember.testing.device_check import compare_on_device

from cuda_standin_util import cuda_device, standin_only, device_array  # noqa: F401 (fixture)
import test_operators_promotion as operators
import test_core_views as core_views
import test_core_view_chains as view_chains

# ---- the stand-in itself is strict ----------------------------------------------------------
@standin_only
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
    with pytest.raises(TypeError):
        scp.multiply(a, [1.0, 2.0, 3.0])  # CuPy's ufuncs take no Python lists
    np.testing.assert_array_equal(a.get(), np.arange(6.0).reshape(2, 3))


@standin_only
def test_standin_views_share_memory_and_broadcast_views_are_writable():
    a = scp.zeros((3, 4))
    v = a.T[1:]
    v[0] = 5.0
    assert float(a[0, 1]) == 5.0 and isinstance(v, scp.ndarray)
    b = scp.broadcast_to(scp.zeros((1, 4)), (3, 4))
    b[0, 0] = 1.0  # CuPy's broadcast views are writable
    assert isinstance(scp.sum(a), scp.ndarray) and scp.sum(a).ndim == 0


def test_tensor_on_cuda_isdevice_array():
    x = ember.randn(3, 4, device="cuda")
    assert x.is_cuda and not x.is_cpu and str(x.device) == "cuda:0"
    assert x.get_device() == 0
    assert device_array(x._data)
    with pytest.raises(TypeError, match="cpu"):
        x.numpy()
    assert x.cpu().device == ember.device("cpu")
    assert x.cuda() is x and x.to("cuda:0") is x
    np.testing.assert_array_equal(x.cpu().numpy(), np.asarray(x.tolist(), np.float32))


@pytest.mark.parametrize("name", ["zeros", "ones", "empty", "rand", "randn"])
def test_factories_take_device(name):
    t = getattr(ember, name)(2, 3, device="cuda")
    assert t.device == ember.device("cuda", 0) and device_array(t._data)


@pytest.mark.parametrize("make", [
    lambda: ember.full((2,), 3.0, device="cuda"), lambda: ember.arange(5, device="cuda"),
    lambda: ember.linspace(0, 1, 5, device="cuda"), lambda: ember.eye(3, device="cuda"),
    lambda: ember.tensor([1, 2], device="cuda"), lambda: ember.randint(0, 5, (3,), device="cuda"),
    lambda: ember.randperm(4, device="cuda"),
    lambda: ember.zeros_like(ember.ones(2), device="cuda"),
    lambda: ember.ones(2, device="cuda").new_zeros(3), lambda: ember.empty(2, device="cuda:0"),
    lambda: ember.logspace(0, 1, 3, device="cuda"),
    lambda: ember.normal(0., 1., (2,), device="cuda"),
])
def test_more_factories_take_device(make):
    assert make().device.type == "cuda"


def test_same_seed_same_numbers_on_both_devices():
    ember.manual_seed(3)
    a = ember.randn(4, 5)
    ember.manual_seed(3)
    b = ember.randn(4, 5, device="cuda")
    assert ember.equal(a, b.cpu())


# ---- the op tables on cuda: the per-op table is tests/test_cuda_standin_op_table.py -----------
@pytest.mark.parametrize("expr", operators.OPERATORS)
def test_operator_table(expr):
    compare_on_device(operators._op(expr), "cuda")


def test_gradcheck_runs_on_cuda():
    x = ember.randn(3, 4, dtype=ember.float64, device="cuda", requires_grad=True)
    w = ember.randn(4, 2, dtype=ember.float64, device="cuda", requires_grad=True)
    assert ember.autograd.gradcheck(lambda a, b: (a @ b).tanh().sum(dim=0), (x, w))
    assert ember.autograd.gradgradcheck(lambda a, b: (a @ b).sin(), (x, w))


# ---- a wider sweep: indexing, sorting, selection, random, nn.functional -------------------
def _x(m):
    return m.tensor(np.random.default_rng(4).standard_normal((4, 5)).astype(np.float32))


MISC = {
    "bool-mask-index": lambda m: _x(m)[_x(m) > 0],
    "int-index": lambda m: _x(m)[m.tensor([3, 0, 0])],
    "index-2d": lambda m: _x(m)[m.tensor([0, 1]), m.tensor([4, 2])],
    "setitem-mask": lambda m: _x(m).masked_fill_(_x(m) < 0, 0.0),
    "index_put": lambda m: _x(m).index_put_((m.tensor([0, 0]),), m.ones(5), accumulate=True),
    "index_add": lambda m: _x(m).index_add(0, m.tensor([1, 1]), m.ones(2, 5)),
    "index_select": lambda m: _x(m).index_select(1, m.tensor([4, 0])),
    "scatter_reduce": lambda m: m.zeros(2, 5).scatter_reduce(0, m.tensor([[0, 1, 0, 1, 0]] * 4),
                                                           _x(m), "amax", include_self=False),
    "take_along_dim": lambda m: m.take_along_dim(_x(m), _x(m).argsort(1), 1),
    "nonzero": lambda m: (_x(m) > 0).nonzero(),
    "argwhere": lambda m: m.argwhere(_x(m) > 0.5),
    "sort": lambda m: _x(m).sort(1, descending=True),
    "argsort-stable": lambda m: m.tensor([3, 1, 3, 1, 2]).argsort(stable=True),
    "topk": lambda m: _x(m).topk(2, dim=1),
    "kthvalue": lambda m: _x(m).kthvalue(2, 1),
    "median": lambda m: _x(m).median(1),
    "mode": lambda m: m.tensor([[1, 2, 2, 3], [4, 4, 1, 1]]).mode(1),
    "cummax": lambda m: _x(m).cummax(1),
    "unique": lambda m: m.unique(m.tensor([3, 1, 3, 2, 1]), return_inverse=True,
                                 return_counts=True),
    "unique_consecutive": lambda m: m.unique_consecutive(m.tensor([1, 1, 2, 2, 1])),
    "bincount": lambda m: m.bincount(m.tensor([0, 2, 2, 5])),
    "histc": lambda m: m.histc(_x(m), bins=4, min=-2, max=2),
    "searchsorted": lambda m: m.searchsorted(m.tensor([1., 3., 5.]), m.tensor([2., 6.])),
    "bucketize": lambda m: m.bucketize(_x(m), m.tensor([-1., 0., 1.])),
    "argmax": lambda m: (_x(m).argmax(), _x(m).argmin(1), _x(m).max(0)),
    "all-any": lambda m: ((_x(m) > -5).all(), (_x(m) > 5).any(1)),
    "count_nonzero": lambda m: m.count_nonzero(_x(m) > 0, 1),
    "flip-roll": lambda m: (_x(m).flip(0), _x(m).roll(2, 1), _x(m).rot90()),
    "tril-triu": lambda m: (_x(m).tril(), _x(m).triu(1), m.tril_indices(3, 3)),
    "repeat_interleave": lambda m: m.tensor([1, 2]).repeat_interleave(m.tensor([2, 3])),
    "diag": lambda m: (m.diag(_x(m)[0]), _x(m).diagonal(), m.diag_embed(_x(m)[:2])),
    "cdist": lambda m: m.cdist(_x(m), _x(m) + 1),
    "kron-tensordot": lambda m: (m.kron(_x(m)[:2, :2], _x(m)[:2, :2]),
                                 m.tensordot(_x(m), _x(m), dims=([1], [1]))),
    "norms": lambda m: (m.linalg.norm(_x(m)), m.linalg.vector_norm(_x(m), 1, dim=1),
                        m.linalg.matrix_norm(_x(m))),
    "solve-cholesky": lambda m: (m.linalg.cholesky(_x(m) @ _x(m).T + m.eye(4)),
                                 m.linalg.solve(_x(m) @ _x(m).T + m.eye(4), _x(m))),
    "lstsq": lambda m: m.linalg.lstsq(_x(m).T, m.ones(5, 1)).solution,
    "lu": lambda m: m.linalg.lu_factor(_x(m)[:, :4]),
    "matrix_exp": lambda m: m.linalg.matrix_exp(_x(m)[:, :4] * 0.1),
    "one_hot": lambda m: m.nn.functional.one_hot(m.tensor([0, 2, 1]), 4),
    "pad": lambda m: (m.nn.functional.pad(_x(m), (1, 2), value=3.0),
                      m.nn.functional.pad(_x(m)[None], (1, 1), mode="reflect")),
    "interpolate": lambda m: (m.nn.functional.interpolate(_x(m)[None, None], scale_factor=2,
                                                          mode="bilinear", align_corners=False),
                              m.nn.functional.interpolate(_x(m)[None], size=7, mode="linear")),
    "grid_sample": lambda m: m.nn.functional.grid_sample(
        _x(m)[None, None], m.arange(20.).reshape(1, 2, 5, 2) * 0.1 - 0.9, align_corners=False),
    "unfold-fold": lambda m: m.nn.functional.fold(
        m.nn.functional.unfold(_x(m)[None, None], 2), (4, 5), 2),
    "pixel_shuffle": lambda m: m.nn.functional.pixel_shuffle(m.arange(16.).reshape(1, 4, 2, 2), 2),
    "normalize": lambda m: m.nn.functional.normalize(_x(m), dim=1),
    "cosine_similarity": lambda m: m.nn.functional.cosine_similarity(_x(m), _x(m) + 1),
    "embedding_bag": lambda m: m.nn.functional.embedding_bag(m.tensor([1, 2, 0, 3]), _x(m),
                                                             m.tensor([0, 2]), mode="mean"),
    "softmax-family": lambda m: (m.softmax(_x(m), 1), m.log_softmax(_x(m), 0),
                                 m.nn.functional.gumbel_softmax(_x(m), hard=True).sum()),
    "activations": lambda m: tuple(getattr(m.nn.functional, f)(_x(m)) for f in (
        "gelu", "silu", "mish", "elu", "selu", "softplus", "hardswish", "leaky_relu",
        "logsigmoid", "softsign", "tanhshrink", "relu6")),
    "dropout-train": lambda m: m.nn.functional.dropout(m.ones(4, 5), 0.5, training=True),
    "bernoulli": lambda m: m.bernoulli(m.full((3, 4), 0.5)),
    "multinomial": lambda m: m.multinomial(m.tensor([0.1, 0.5, 0.4]), 5, replacement=True),
    "rand_like": lambda m: (m.rand_like(_x(m)), m.randn_like(_x(m)), m.randint_like(_x(m), 5)),
    "normal_": lambda m: (m.empty(3).normal_(), m.empty(3).uniform_(-1, 1),
                          m.empty(3).exponential_(), m.empty(2, dtype=m.int64).random_(0, 9)),
    "clone-contiguous": lambda m: (_x(m).t().contiguous(), _x(m).t().clone()),
    "to-dtype": lambda m: (_x(m).half(), _x(m).double(), _x(m).long(), _x(m).bool(),
                           _x(m).to(m.bfloat16).float()),
    "complex": lambda m: (m.complex(_x(m), _x(m)).abs(), m.view_as_real(m.complex(_x(m), _x(m)))),
    "item-tolist": lambda m: (_x(m).sum().item(), _x(m)[0].tolist(), float(_x(m)[0, 0]),
                              int(m.tensor(3)), bool(m.tensor(True))),
    "equal-allclose": lambda m: (m.equal(_x(m), _x(m)), m.allclose(_x(m), _x(m) + 1e-9),
                                 m.isclose(_x(m), _x(m)).all()),
    "chunk-split": lambda m: (_x(m).chunk(2, 1), _x(m).split([1, 3], 0), _x(m).unbind(1)),
    "meshgrid": lambda m: m.meshgrid(m.arange(3), m.arange(2), indexing="ij"),
    "stack-cat": lambda m: (m.stack([_x(m), _x(m)]), m.cat([_x(m), _x(m)], 1),
                            m.hstack([_x(m), _x(m)]), m.vstack([_x(m), _x(m)])),
    "expand-write": lambda m: m.zeros(1, 5).expand(4, 5).clone().add_(_x(m)),
    "as_strided": lambda m: _x(m).as_strided((2, 2), (1, 2), 1),
    "unfold-view": lambda m: _x(m).unfold(1, 2, 1),
    "nan-reductions": lambda m: (m.nansum(m.tensor([1., float("nan")])),
                                 m.nanmean(m.tensor([1., float("nan"), 3.]))),
    "var-std": lambda m: (m.var_mean(_x(m), 1), m.std(_x(m), 0, correction=0)),
    "logcumsumexp": lambda m: m.logcumsumexp(_x(m), 1),
    "quantile": lambda m: m.quantile(_x(m), m.tensor([0.25, 0.5]), dim=1),
    "special": lambda m: (m.erf(_x(m)), m.erfinv(_x(m).tanh() * 0.9), m.lgamma(_x(m).abs() + 1),
                          m.digamma(_x(m).abs() + 1), m.polygamma(1, _x(m).abs() + 1)),
    "bitwise": lambda m: (m.tensor([5, 3]) & m.tensor([1, 2]), m.tensor([5]) << 2),
    "where-0d-scalar": lambda m: m.where(_x(m) > 0, _x(m), m.tensor(0.0)),
    "clamp-0d": lambda m: _x(m).clamp(min=m.tensor(-0.5)),
}


@pytest.mark.parametrize("fn", [pytest.param(f, id=k) for k, f in MISC.items()])
def test_misc_table(fn):
    compare_on_device(fn, "cuda", rtol=1e-5, atol=1e-5, must_succeed=True)


def test_tensor_from_list_of_cuda_scalars():
    parts = [ember.tensor(1.0, device="cuda"), ember.tensor(2.0, device="cuda")]
    t = ember.tensor(parts)
    assert t.is_cpu and t.tolist() == [1.0, 2.0]
    assert ember.tensor(parts, device="cuda").is_cuda
    assert ember.tensor([ember.tensor(3), ember.tensor(4)], device="cuda").tolist() == [3, 4]


def test_assert_close_checks_device():
    from ember.testing import assert_close
    with pytest.raises(AssertionError, match="device"):
        assert_close(ember.ones(2, device="cuda"), ember.ones(2))
    assert_close(ember.ones(2, device="cuda"), ember.ones(2), check_device=False)
    assert_close(ember.ones(2, device="cuda"), ember.ones(2, device="cuda"))


# ---- views and indexing on cuda: the core view tables ----------------------------------------
_VIEW_TABLES = {
    "ATTRS": lambda f: f,
    "VIEWS": core_views._view_case,
    "GET": lambda k: core_views._getitem(k),
    "SET": lambda kv: core_views._setitem(*kv),
    "IDXTAB": lambda f: f,
    "SHAPE_API": core_views._with_layout,
    "COMPLEX_VIEWS": core_views._with_layout,
}
_VIEW_CASES = [pytest.param(make(entry), id=f"{table}-{k}")
               for table, make in _VIEW_TABLES.items()
               for k, entry in getattr(core_views, table).items()]


@pytest.mark.parametrize("fn", _VIEW_CASES)
def test_view_and_index_tables(fn):
    compare_on_device(fn, "cuda")


def test_random_view_chains_on_cuda():
    import random
    for trial in range(150):
        gen = random.Random(10_000 + trial)
        seq = [gen.randrange(len(view_chains.OPS)) for _ in range(gen.randint(1, 5))]
        compare_on_device(lambda m: view_chains._run(m, seq, trial), "cuda")


def test_views_share_device_memory_and_version():
    base = ember.zeros(3, 4, device="cuda")
    v = base.t()[1:]
    v.add_(1.0)
    assert base._version is v._version and base[1].sum().item() == 3.0
    w = base.view(12)
    w[0] = 7.0
    assert base[0, 0].item() == 7.0
    assert device_array(v._data) and v.untyped_storage().data_ptr() == \
        base.untyped_storage().data_ptr()


def test_inplace_on_view_backward_on_cuda():
    for dev in ("cpu", "cuda"):
        x = ember.arange(12.0, device=dev).reshape(3, 4).requires_grad_()
        y = x * 2
        y[1].mul_(3)
        y.t()[0].zero_()
        y.sum().backward()
        if dev == "cpu":
            ref = x.grad
        else:
            assert x.grad.is_cuda and ember.equal(x.grad.cpu(), ref)


@standin_only
def test_standin_integer_index_is_a_view():
    a = scp.zeros((2, 3))
    v = a[1, 2]
    assert isinstance(v, scp.ndarray) and v.ndim == 0
    v[...] = 4.0
    w = a[..., 0, 1]
    w[...] = 2.0
    assert float(a[1, 2]) == 4.0 and float(a[0, 1]) == 2.0


# ---- every other parity table of the core and nn tests: ``fn(m)`` dicts, found by shape ------
_TABLE_MODULES = ["test_coreops_joining", "test_coreops_linalg", "test_coreops_reduce",
                  "test_coreops_sorting", "test_core_reduce", "test_core_creation",
                  "test_core_api", "test_number_bessel_statistics", "test_method_variants_aliases",
                  "test_return_types", "test_half_precision_math",
                  "test_nn_core_functional", "test_nn_conv_functional", "test_nn_core_losses",
                  "test_core_errors"]
# rows about the cpu device itself, or that hand a NumPy array to a cuda tensor
_DEVICE_SPECIFIC = {"MISC:numpy-dtype", "MISC:matmul-numpy", "MISC:Tensor-np",
                    "CREATE:tensor-device", "CONVERT:to-device", "CONVERT:to-device-dtype",
                    "CONVERT:to-kw", "CONVERT:cpu-is-self", "CONVERT:device-attr"}


def _fn_of_m_tables():
    import importlib
    import types
    out = []
    for name in _TABLE_MODULES:
        mod = importlib.import_module(name)
        for tname, table in list(vars(mod).items()):
            if not isinstance(table, dict) or not table or not all(
                    isinstance(f, types.FunctionType) and f.__code__.co_argcount == 1
                    and f.__code__.co_varnames[0] == "m" for f in table.values()):
                continue
            for key, fn in table.items():
                if f"{tname}:{key}" in _DEVICE_SPECIFIC or (tname == "CREATE" and
                                                           key.startswith("legacy-")):
                    continue  # legacy constructors (FloatTensor ...) always make cpu tensors
                out.append(pytest.param(fn, id=f"{name[5:]}-{tname}-{key}"))
    return out


_MORE_TABLES = _fn_of_m_tables()


def test_more_tables_were_found():
    assert len(_MORE_TABLES) > 600


@pytest.mark.parametrize("fn", _MORE_TABLES)
def test_more_tables(fn):
    compare_on_device(fn, "cuda", rtol=1e-5, atol=1e-5)


_FACTORY_ARGS = {
    "tensor": ([1.0],), "as_tensor": ([1.0],), "asarray": ([1.0],), "zeros": (2,), "ones": (2,),
    "empty": (2,), "full": ((2,), 1.0), "arange": (3,), "range": (0, 2), "linspace": (0, 1, 3),
    "logspace": (0, 1, 3), "eye": (2,), "rand": (2,), "randn": (2,), "randint": (0, 3, (2,)),
    "randperm": (3,), "normal": (0.0, 1.0, (2,)), "scalar_tensor": (1.0,),
    "tril_indices": (3, 3), "triu_indices": (3, 3), "empty_strided": ((2,), (1,)),
    "zeros_like": "like", "ones_like": "like", "empty_like": "like", "rand_like": "like",
    "randn_like": "like", "full_like": ("like", 2.0), "randint_like": ("like", 5),
}


@pytest.mark.parametrize("name", list(_FACTORY_ARGS))
def test_every_factory_takes_device(name):
    """PyTorch's factories with a ``device=`` argument (those Ember has) make cuda tensors."""
    spec = _FACTORY_ARGS[name]
    like = ember.ones(2, 3)
    args = (like,) if spec == "like" else tuple(like if a == "like" else a for a in spec)
    t = getattr(ember, name)(*args, device="cuda")
    assert t.is_cuda and device_array(t._data)


@standin_only
def test_standin_counts_host_reads():
    a = scp.ones((2,))
    before = scp.transfers["to_host"]
    a.get(), a.sum().item(), float(a[0]), bool(a[1])
    assert scp.transfers["to_host"] - before == 4
