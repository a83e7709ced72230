"""F.conv*/pooling/pad/interpolate/pixel_shuffle/fold: values and gradients vs real PyTorch."""
import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.testing import assert_close


def _run(torch, name, shapes, args, kwargs, seed=0):
    """Call F.<name> in Ember and PyTorch on the same float64 data; compare outputs and grads."""
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s) if s is not None else None for s in shapes]
    e_in = [None if a is None else ember.tensor(a, requires_grad=True) for a in arrays]
    t_in = [None if a is None else torch.tensor(a, requires_grad=True) for a in arrays]
    tf = getattr(torch.nn.functional, name)
    ey = getattr(F, name)(*e_in, *args, **kwargs)
    ty = tf(*t_in, *args, **kwargs)
    if isinstance(ty, tuple):
        np.testing.assert_array_equal(ey[1].numpy(), ty[1].numpy())
        assert ey[1].dtype == ember.int64
        ey, ty = ey[0], ty[0]
    assert tuple(ey.shape) == tuple(ty.shape)
    assert_close(ey.detach(), ember.tensor(ty.detach().numpy()), atol=1e-10, rtol=1e-8)
    g = rng.standard_normal(tuple(ty.shape))
    ey.backward(ember.tensor(g))
    ty.backward(torch.tensor(g))
    for e, t in zip(e_in, t_in):
        if e is not None:
            assert_close(e.grad, ember.tensor(t.grad.numpy()), atol=1e-10, rtol=1e-8)


CONV_CASES = [
    ("conv1d", [(2, 3, 9), (4, 3, 3), (4,)], {}),
    ("conv1d", [(2, 4, 9), (6, 2, 2), None], dict(stride=2, padding=1, dilation=2, groups=2)),
    ("conv1d", [(3, 9), (4, 3, 3), (4,)], dict(padding="same")),
    ("conv1d", [(2, 3, 9), (4, 3, 4), (4,)], dict(padding="same", dilation=2)),
    ("conv2d", [(2, 3, 7, 8), (5, 3, 3, 2), (5,)], {}),
    ("conv2d", [(2, 4, 9, 8), (6, 2, 3, 2), (6,)],
     dict(stride=(2, 1), padding=(1, 2), dilation=(2, 1), groups=2)),
    ("conv2d", [(2, 3, 6, 6), (3, 1, 3, 3), (3,)], dict(groups=3, padding=1)),
    ("conv2d", [(2, 3, 6, 7), (4, 3, 2, 3), None], dict(padding="same")),
    ("conv2d", [(2, 3, 6, 7), (4, 3, 3, 3), (4,)], dict(padding="valid", stride=3)),
    ("conv2d", [(3, 6, 7), (4, 3, 3, 3), (4,)], {}),
    ("conv3d", [(1, 2, 5, 5, 5), (3, 2, 2, 3, 2), (3,)], dict(stride=2, padding=1)),
    ("conv_transpose1d", [(2, 3, 5), (3, 4, 3), (4,)], dict(stride=2, padding=1,
                                                            output_padding=1)),
    ("conv_transpose2d", [(2, 4, 4, 3), (4, 3, 3, 2), (6,)],
     dict(stride=(2, 1), padding=(1, 0), output_padding=(1, 0), groups=2, dilation=(1, 2))),
    ("conv_transpose2d", [(3, 4, 4), (3, 2, 2, 2), None], dict(stride=2)),
    ("conv_transpose3d", [(1, 2, 3, 3, 2), (2, 3, 2, 2, 2), (3,)], dict(stride=2)),
]


@pytest.mark.filterwarnings("ignore:Using padding=.same.")
@pytest.mark.parametrize("name,shapes,kw", CONV_CASES)
def test_conv_matches_torch(torch_mod, name, shapes, kw):
    _run(torch_mod, name, shapes, (), kw)


POOL_CASES = [
    ("max_pool2d", (2, 3, 7, 8), (3, 2, 1), dict(ceil_mode=True, return_indices=True)),
    ("max_pool2d", (2, 3, 7, 8), ((3, 2), (1, 2), (1, 1)), dict(dilation=(2, 1),
                                                                return_indices=True)),
    ("max_pool2d", (3, 8, 8), (2,), {}),
    ("max_pool2d", (2, 2, 6, 6), (3, 1, 1), {}),
    ("max_pool1d", (2, 3, 9), (3, 2, 1), dict(ceil_mode=True, return_indices=True)),
    ("max_pool3d", (2, 3, 5, 6, 4), (2,), dict(return_indices=True)),
    ("avg_pool2d", (2, 3, 7, 8), (3, 2, 1), dict(ceil_mode=True)),
    ("avg_pool2d", (2, 3, 7, 8), (3, 2, 1), dict(ceil_mode=True, count_include_pad=False)),
    ("avg_pool2d", (2, 3, 7, 8), (3, 2, 1), dict(count_include_pad=False)),
    ("avg_pool2d", (2, 3, 7, 8), (3, 2, 1), dict(divisor_override=5)),
    ("avg_pool2d", (3, 6, 6), (2,), {}),
    ("avg_pool1d", (2, 3, 7), (3, 2, 1), dict(ceil_mode=True)),
    ("avg_pool3d", (2, 3, 5, 6, 4), (2,), {}),
    ("adaptive_avg_pool2d", (2, 3, 7, 8), ((3, 4),), {}),
    ("adaptive_avg_pool2d", (2, 3, 8, 8), ((4, None),), {}),
    ("adaptive_avg_pool2d", (3, 8, 8), (1,), {}),
    ("adaptive_avg_pool1d", (2, 3, 7), (3,), {}),
    ("adaptive_avg_pool3d", (1, 2, 4, 5, 6), ((2, 3, 2),), {}),
    ("adaptive_max_pool2d", (2, 3, 7, 8), ((3, 5),), dict(return_indices=True)),
    ("adaptive_max_pool2d", (2, 3, 8, 8), (4,), {}),
    ("adaptive_max_pool1d", (2, 3, 7), (3,), dict(return_indices=True)),
    ("lp_pool2d", (2, 3, 6, 6), (2, 2), {}),
    ("lp_pool1d", (2, 3, 7), (2, 3), {}),
]


@pytest.mark.parametrize("name,shape,args,kw", POOL_CASES)
def test_pool_matches_torch(torch_mod, name, shape, args, kw):
    _run(torch_mod, name, [shape], args, kw)


def test_max_unpool_roundtrip(torch_mod):
    x = np.random.default_rng(1).standard_normal((2, 3, 5, 5))
    y, i = F.max_pool2d(ember.tensor(x, requires_grad=True), 2, return_indices=True)
    ty, ti = torch_mod.nn.functional.max_pool2d(torch_mod.tensor(x), 2, return_indices=True)
    u = F.max_unpool2d(y, i, 2, output_size=(5, 5))
    tu = torch_mod.nn.functional.max_unpool2d(ty, ti, 2, output_size=(5, 5))
    assert_close(u.detach(), ember.tensor(tu.numpy()))
    y1, i1 = F.max_pool1d(ember.tensor(x[0]), 2, return_indices=True)
    assert tuple(F.max_unpool1d(y1, i1, 2).shape) == (3, 5, 4)


def test_max_pool_nan_and_ties():
    x = ember.tensor([[[[1.0, 1.0], [0.0, float("nan")]]]])
    y, i = F.max_pool2d(x, 2, return_indices=True)
    assert np.isnan(y.item()) and i.item() == 3
    y, i = F.max_pool2d(ember.ones(1, 1, 2, 2), 2, return_indices=True)
    assert i.item() == 0


PAD_CASES = [
    ((2, 3, 5, 6), ((1, 2, 3, 0),), {}),
    ((2, 3, 5, 6), ((-1, 2, 3, -2),), dict(value=1.5)),
    ((4,), ((2, 1),), dict(value=-1.0)),
] + [(shape, (p,), dict(mode=m)) for m in ("reflect", "replicate", "circular")
     for shape, p in (((2, 3, 5, 6), (1, 2, 3, 0)), ((2, 5, 6), (4, 2)), ((5, 6), (1, 3)),
                      ((1, 2, 4, 5, 6), (1, 2, 3, 0, 1, 1)))]


@pytest.mark.parametrize("shape,args,kw", PAD_CASES)
def test_pad_matches_torch(torch_mod, shape, args, kw):
    _run(torch_mod, "pad", [shape], args, kw)


INTERP = [("nearest", None), ("nearest-exact", None), ("bilinear", False), ("bilinear", True),
          ("bicubic", False), ("bicubic", True), ("area", None)]


@pytest.mark.parametrize("mode,ac", INTERP)
@pytest.mark.parametrize("size,scale", [(None, 2), ((7, 3), None), (None, 1.7), (None, (0.5, 2))])
def test_interpolate_2d_matches_torch(torch_mod, mode, ac, size, scale):
    _run(torch_mod, "interpolate", [(2, 3, 5, 6)], (),
         dict(size=size, scale_factor=scale, mode=mode, align_corners=ac))


@pytest.mark.parametrize("shape,kw", [
    ((2, 3, 5), dict(scale_factor=2.5, mode="linear")),
    ((2, 3, 5), dict(size=3, mode="linear", align_corners=True)),
    ((2, 3, 5), dict(scale_factor=3, mode="nearest")),
    ((2, 3, 5, 4, 3), dict(size=(3, 7, 2), mode="trilinear", align_corners=True)),
    ((2, 3, 5, 4, 3), dict(scale_factor=2, mode="trilinear")),
    ((2, 3, 5, 4, 3), dict(size=(3, 7, 2), mode="nearest")),
])
def test_interpolate_1d_3d(torch_mod, shape, kw):
    _run(torch_mod, "interpolate", [shape], (), kw)


@pytest.mark.parametrize("name,shape,args,kw", [
    ("pixel_shuffle", (2, 12, 3, 4), (2,), {}),
    ("pixel_shuffle", (12, 3, 4), (2,), {}),
    ("pixel_unshuffle", (2, 3, 4, 6), (2,), {}),
    ("unfold", (2, 3, 6, 7), ((2, 3),), dict(dilation=(1, 2), padding=1, stride=(2, 1))),
    ("unfold", (3, 5, 5), (2,), {}),
    ("fold", (2, 12, 12), ((4, 5), 2), dict(stride=1)),
    ("fold", (12, 18), ((4, 5), 2), dict(stride=(2, 1), padding=(1, 1))),
])
def test_rearrange_matches_torch(torch_mod, name, shape, args, kw):
    _run(torch_mod, name, [shape], args, kw)


def test_float32_conv_close_to_torch(torch_mod):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 3, 10, 10)).astype(np.float32)
    w = rng.standard_normal((8, 3, 3, 3)).astype(np.float32)
    y = F.conv2d(ember.tensor(x), ember.tensor(w), padding=1)
    ty = torch_mod.nn.functional.conv2d(torch_mod.tensor(x), torch_mod.tensor(w), padding=1)
    assert y.dtype == ember.float32
    assert_close(y, ember.tensor(ty.numpy()), atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("align_corners", [False, True])
def test_affine_grid_matches_torch(torch_mod, align_corners):
    theta = np.random.default_rng(4).standard_normal((2, 2, 3))
    g = F.affine_grid(ember.tensor(theta), (2, 3, 5, 4), align_corners=align_corners)
    tg = torch_mod.nn.functional.affine_grid(torch_mod.tensor(theta), (2, 3, 5, 4),
                                             align_corners=align_corners)
    assert_close(g, ember.tensor(tg.numpy()))


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_matches_torch(torch_mod, mode, padding_mode, align_corners):
    rng = np.random.default_rng(5)
    grid = rng.uniform(-1.3, 1.3, (2, 4, 5, 2))
    x = rng.standard_normal((2, 3, 6, 7))
    ex, eg = ember.tensor(x, requires_grad=True), ember.tensor(grid, requires_grad=True)
    tx, tg = torch_mod.tensor(x, requires_grad=True), torch_mod.tensor(grid, requires_grad=True)
    kw = dict(mode=mode, padding_mode=padding_mode, align_corners=align_corners)
    e = F.grid_sample(ex, eg, **kw)
    t = torch_mod.nn.functional.grid_sample(tx, tg, **kw)
    assert_close(e.detach(), ember.tensor(t.detach().numpy()), atol=1e-10, rtol=1e-8)
    g = rng.standard_normal(tuple(t.shape))
    e.backward(ember.tensor(g))
    t.backward(torch_mod.tensor(g))
    assert_close(ex.grad, ember.tensor(tx.grad.numpy()), atol=1e-10, rtol=1e-8)
    assert_close(eg.grad, ember.tensor(tg.grad.numpy()), atol=1e-9, rtol=1e-7)


def test_top_level_aliases(torch_mod):
    x = np.random.default_rng(6).standard_normal((1, 4, 6))
    assert_close(ember.conv1d(ember.tensor(x), ember.ones(2, 4, 3, dtype=ember.float64)),
                 ember.tensor(torch_mod.conv1d(torch_mod.tensor(x),
                                               torch_mod.ones(2, 4, 3, dtype=torch_mod.float64))
                              .numpy()))
    v, i = ember.adaptive_max_pool1d(ember.tensor(x), 4)
    tv, ti = torch_mod.adaptive_max_pool1d(torch_mod.tensor(x), 4)
    assert_close(v, ember.tensor(tv.numpy()))
    np.testing.assert_array_equal(i.numpy(), ti.numpy())
    assert tuple(ember.pixel_shuffle(ember.zeros(1, 4, 2, 2), 2).shape) == (1, 1, 4, 4)
    assert tuple(ember.max_pool2d(ember.zeros(1, 1, 4, 4), 2).shape) == (1, 1, 2, 2)
