"""The small top-level torch names (aliases, *_copy, *_scatter, switches), ChannelShuffle,
torch.backends flags, and the AttributeError for a name Ember leaves out."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck

torch = pytest.importorskip("torch")


def _pair(shape, seed=0, dtype=np.float64):
    a = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return ember.tensor(a), torch.tensor(a)


def _same(e, t, **kw):
    if isinstance(t, (tuple, list)):
        assert isinstance(e, (tuple, list)) and len(e) == len(t)
        for a, b in zip(e, t):
            _same(a, b, **kw)
        return
    assert tuple(e.shape) == tuple(t.shape)
    assert str(e.dtype) == str(t.dtype)
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), **kw)


COPY_CASES = [
    ("view_copy", (2, 6), ((3, 4),)), ("t_copy", (3, 4), ()),
    ("transpose_copy", (2, 3, 4), (0, 2)), ("permute_copy", (2, 3, 4), ((2, 0, 1),)),
    ("squeeze_copy", (2, 1, 3), (1,)), ("unsqueeze_copy", (2, 3), (1,)),
    ("expand_copy", (3, 1), ((3, 4),)), ("narrow_copy", (5, 3), (0, 1, 3)),
    ("select_copy", (4, 3), (1, 2)), ("diagonal_copy", (4, 4), (1,)),
    ("unfold_copy", (7, 2), (0, 3, 2)), ("split_copy", (5, 2), (2,)),
    ("split_with_sizes_copy", (5, 2), ([2, 3],)), ("unbind_copy", (3, 2), (1,)),
    ("alias_copy", (2, 3), ()), ("detach_copy", (2, 3), ()),
    ("as_strided_copy", (4, 4), ((2, 2), (4, 1), 1)), ("slice_copy", (6, 3), (0, 1, 5, 2)),
    ("view_as_real_copy", None, ()),
]


@pytest.mark.parametrize("name,shape,args", COPY_CASES, ids=[c[0] for c in COPY_CASES])
def test_copy_variants_match_torch(name, shape, args):
    if shape is None:
        e, t = ember.tensor([1 + 2j, 3 - 1j]), torch.tensor([1 + 2j, 3 - 1j])
    else:
        e, t = _pair(shape)
    got, want = getattr(ember, name)(e, *args), getattr(torch, name)(t, *args)
    _same(got, want)
    first = got[0] if isinstance(got, (tuple, list)) else got
    if first.numel():  # a fresh tensor: writing to it leaves the input alone
        before = e.clone()
        first.view(-1)[0] = 123.0 if not first.is_complex() else 0
        _same(e, torch.tensor(before.numpy()))


def test_copy_variants_are_differentiable():
    x = ember.tensor(np.random.default_rng(1).standard_normal((3, 4)), requires_grad=True)
    assert gradcheck(lambda a: ember.transpose_copy(a, 0, 1) * 2, (x,))
    assert gradcheck(lambda a: ember.slice_copy(a, 1, 0, 3), (x,))


SCATTER_CASES = [
    ("select_scatter", (4, 3), (3,), (0, 2)), ("select_scatter", (4, 3), (4,), (1, -1)),
    ("slice_scatter", (6, 3), (2, 3), (0, 1, 5, 2)), ("slice_scatter", (4, 6), (4, 3), (1, 3)),
    ("diagonal_scatter", (4, 4), (3,), (1,)), ("diagonal_scatter", (3, 4, 4), (3, 4), (0, 1, 2)),
]


@pytest.mark.parametrize("name,shape,src_shape,args", SCATTER_CASES)
def test_scatter_variants_match_torch_and_gradcheck(name, shape, src_shape, args):
    e, t = _pair(shape, 2)
    es, ts = _pair(src_shape, 3)
    _same(getattr(ember, name)(e, es, *args), getattr(torch, name)(t, ts, *args))
    e.requires_grad_(True)
    es.requires_grad_(True)
    assert gradcheck(lambda a, b: getattr(ember, name)(a, b, *args), (e, es))


def test_scatter_shape_mismatch_raises():
    with pytest.raises(RuntimeError, match=r"src size = \[2\], slice size = \[3\]"):
        ember.select_scatter(ember.zeros(4, 3), ember.zeros(2), 0, 0)


FUNCTIONAL = [
    ("selu", (3, 4), ()), ("celu", (3, 4), (0.7,)), ("threshold", (3, 4), (0.1, -2.0)),
    ("hardshrink", (3, 4), (0.3,)), ("pdist", (4, 3), ()),
    ("layer_norm", (2, 3, 4), ((4,),)), ("group_norm", (2, 6, 3), (3,)),
    ("constant_pad_nd", (2, 3), ((1, 2), 0.5)), ("channel_shuffle", (2, 6, 2), (3,)),
    ("native_channel_shuffle", (2, 6, 2), (2,)), ("detach", (2, 2), ()),
]


@pytest.mark.parametrize("name,shape,args", FUNCTIONAL, ids=[f[0] for f in FUNCTIONAL])
def test_functional_aliases_match_torch(name, shape, args):
    e, t = _pair(shape, 4)
    _same(getattr(ember, name)(e, *args), getattr(torch, name)(t, *args), rtol=1e-10)


def test_two_input_aliases_match_torch():
    (e1, t1), (e2, t2) = _pair((3, 4), 5), _pair((3, 4), 6)
    _same(ember.pairwise_distance(e1, e2), torch.pairwise_distance(t1, t2))
    _same(ember.cosine_similarity(e1, e2), torch.cosine_similarity(t1, t2))
    w_e, w_t = _pair((2, 4, 4), 7)
    _same(ember.bilinear(e1, e2, w_e), torch.bilinear(t1, t2, w_t))
    p_e, p_t = _pair((1,), 8)
    _same(ember.prelu(e1, p_e), torch.prelu(t1, p_t))
    _same(ember.row_stack([e1, e2]), torch.row_stack([t1, t2]))
    m = [_pair(s, 9 + i) for i, s in enumerate([(2, 3), (3, 4), (4, 2)])]
    _same(ember.chain_matmul(*[a for a, _ in m]), torch.chain_matmul(*[b for _, b in m]))
    _same(ember.split_with_sizes(e1, [1, 2]), torch.split_with_sizes(t1, [1, 2]))
    _same(ember.unsafe_chunk(e1, 2, 1), torch.unsafe_chunk(t1, 2, 1))
    _same(ember.unsafe_split(e1, 2), torch.unsafe_split(t1, 2))
    assert ember.dropout(e1, 0.5, False) is not None
    _same(ember.dropout(e1, 0.5, False), torch.dropout(t1, 0.5, False))
    _same(ember.alpha_dropout(e1, 0.5, False), torch.alpha_dropout(t1, 0.5, False))


def test_channel_shuffle_module_gradcheck_and_errors():
    x = ember.tensor(np.arange(12.0).reshape(1, 6, 2), requires_grad=True)
    mod = ember.nn.ChannelShuffle(3)
    _same(mod(x), torch.nn.ChannelShuffle(3)(torch.arange(12.0, dtype=torch.float64)
                                            .reshape(1, 6, 2)))
    assert repr(mod) == repr(torch.nn.ChannelShuffle(3)) == "ChannelShuffle(groups=3)"
    assert gradcheck(lambda a: ember.nn.functional.channel_shuffle(a, 2), (x,))
    with pytest.raises(RuntimeError, match="Got 6 channels and 4 groups"):
        ember.channel_shuffle(x, 4)
    with pytest.raises(RuntimeError, match="expects input with > 2 dims"):
        ember.channel_shuffle(ember.zeros(4), 2)


def test_unravel_index_and_lu_match_torch():
    idx = [5, -1, 0, 3]
    _same(ember.unravel_index(ember.tensor(idx), (2, 3)),
          torch.unravel_index(torch.tensor(idx), (2, 3)))
    _same(ember.unravel_index(ember.tensor(7), (2, 2, 2)),
          torch.unravel_index(torch.tensor(7), (2, 2, 2)))
    with pytest.raises(TypeError, match="integer dtype"):
        ember.unravel_index(ember.tensor([1.0]), (2, 3))
    e, t = _pair((3, 3), 11)
    _same(ember.lu(e), torch.lu(t))
    _same(ember.lu(e, get_infos=True)[2], torch.lu(t, get_infos=True)[2])
    assert ember.functional.unravel_index is ember.unravel_index


def test_switches_and_predicates():
    model = ember.nn.Linear(2, 2)
    assert ember.compile(model) is model
    assert ember.compile(mode="max-autotune")(ember.relu) is ember.relu
    assert ember.get_float32_matmul_precision() == torch.get_float32_matmul_precision()
    ember.set_float32_matmul_precision("high")
    try:
        assert ember.get_float32_matmul_precision() == "high"
    finally:
        ember.set_float32_matmul_precision("highest")
    with pytest.raises(RuntimeError, match="Invalid precision"):
        ember.set_float32_matmul_precision("fast")
    ember.set_warn_always(True)
    assert ember.is_warn_always_enabled()
    ember.set_warn_always(False)
    assert not ember.is_warn_always_enabled()
    assert not ember.is_anomaly_enabled()
    ember.set_anomaly_enabled(True)
    try:
        assert ember.is_anomaly_enabled() and ember.is_anomaly_check_nan_enabled()
    finally:
        ember.set_anomaly_enabled(False)
    assert not ember.is_deterministic_algorithms_warn_only_enabled()
    for dt in ("bool", "uint8", "int8", "int64", "float32"):
        assert ember.is_signed(ember.zeros(1, dtype=getattr(ember, dt))) == \
            torch.is_signed(torch.zeros(1, dtype=getattr(torch, dt)))
    assert ember.get_device(ember.zeros(1)) == torch.get_device(torch.zeros(1)) == -1
    with ember.inference_mode():
        t = ember.zeros(1)
    assert ember.is_inference(t) == t.is_inference()
    assert ember.UntypedStorage is ember.storage.UntypedStorage
    with pytest.raises(RuntimeError, match="deprecated"):
        ember.autograd.variable(1)
    lin = ember.nn.Linear(2, 3)
    x = ember.ones(4, 2)
    assert ember.equal(ember.nn.parallel.data_parallel(lin, x), lin(x))


def test_backends_flags_match_torch_cpu():
    import ember.backends.cudnn as cudnn
    assert cudnn.benchmark is torch.backends.cudnn.benchmark is False
    assert cudnn.deterministic is torch.backends.cudnn.deterministic
    assert cudnn.is_available() is False
    assert ember.backends.mps.is_available() is False and ember.backends.mps.is_built() is False
    assert ember.backends.cuda.matmul.allow_tf32 is torch.backends.cuda.matmul.allow_tf32
    ember.backends.cudnn.benchmark = True   # scripts set it; it changes nothing
    ember.backends.cudnn.benchmark = False


@pytest.mark.parametrize("module,name", [
    ("ember", "fft"), ("ember", "vmap"), ("ember.nn", "LazyConv2d"),
    ("ember.nn.functional", "scaled_mm"), ("ember.optim", "SparseAdam"),
    ("ember.utils.data", "IterDataPipe"), ("ember.linalg", "ldl_factor"),
    ("ember.autograd", "NestedIOFunction"), ("ember.cuda", "CUDAGraph"),
    ("ember.optim.lr_scheduler", "NoSuchScheduler"), ("ember.nn.init", "nope_"),
    ("ember.testing", "make_tensor"),
])
def test_missing_name_raises_attribute_error_pointing_to_docs(module, name):
    import importlib
    mod = importlib.import_module(module)
    assert not hasattr(mod, name)
    assert getattr(mod, name, "default") == "default"
    with pytest.raises(AttributeError) as info:
        getattr(mod, name)
    msg = str(info.value)
    assert f"module {module!r} has no attribute {name!r}" in msg
    assert f"torch{module[5:]}.{name}" in msg and "docs/unsupported.md" in msg
    assert info.value.name == name and info.value.obj is mod


def test_present_names_and_dunders_unaffected():
    assert hasattr(ember, "tensor") and hasattr(ember.nn, "Linear")
    with pytest.raises(AttributeError) as info:
        ember.__wrapped__  # noqa: B018
    assert "unsupported" not in str(info.value)
    from ember import nn  # noqa: F401
    with pytest.raises(ImportError):
        from ember import fft  # noqa: F401


@pytest.mark.parametrize("name", ["hann_window", "hamming_window", "blackman_window",
                                  "bartlett_window", "kaiser_window"])
@pytest.mark.parametrize("length", [0, 1, 2, 7, 16])
@pytest.mark.parametrize("periodic", [True, False])
def test_windows_match_torch(name, length, periodic):
    _same(getattr(ember, name)(length, periodic), getattr(torch, name)(length, periodic),
          atol=1e-6)
    _same(getattr(ember, name)(length, periodic, dtype=ember.float64),
          getattr(torch, name)(length, periodic, dtype=torch.float64), atol=1e-12)


def test_window_errors():
    with pytest.raises(RuntimeError, match="floating point"):
        ember.hann_window(4, dtype=ember.int64)


def test_isin_matches_torch():
    a, b = [1, 2, 3, 2, 7], [2, 7, 9]
    for invert in (False, True):
        _same(ember.isin(ember.tensor(a), ember.tensor(b), invert=invert),
              torch.isin(torch.tensor(a), torch.tensor(b), invert=invert))
    _same(ember.isin(ember.tensor([1.0, 2.0]), 2.0), torch.isin(torch.tensor([1.0, 2.0]), 2.0))
    _same(ember.isin(3, ember.tensor([[3, 4]])), torch.isin(3, torch.tensor([[3, 4]])))


def test_trapezoid_family_matches_torch_and_gradcheck():
    (ey, ty), (ex, tx) = _pair((3, 5), 12), _pair((5,), 13)
    ex2, tx2 = _pair((3, 5), 14)
    for fn in ("trapezoid", "trapz", "cumulative_trapezoid"):
        f, g = getattr(ember, fn), getattr(torch, fn)
        _same(f(ey), g(ty))
        _same(f(ey, dx=0.5), g(ty, dx=0.5))
        _same(f(ey, ex), g(ty, tx))
        _same(f(ey, ex2), g(ty, tx2))
        _same(f(ey, dim=0), g(ty, dim=0))
    _same(ember.trapezoid(ember.tensor([1, 2, 4])), torch.trapezoid(torch.tensor([1, 2, 4])))
    with pytest.raises(RuntimeError, match="one `x` value for each sample point"):
        ember.trapezoid(ey, ember.zeros(4, dtype=ember.float64))
    ey.requires_grad_(True)
    ex.requires_grad_(True)
    assert gradcheck(lambda y, x: ember.trapezoid(y, x), (ey, ex))
    assert gradcheck(lambda y, x: ember.cumulative_trapezoid(y, x), (ey, ex))


def test_version_module():
    assert ember.version.__version__ == ember.__version__
    assert ember.version.cuda is None and ember.version.hip is None
    assert ember.version.debug is torch.version.debug
