"""The fast kernels of issue 15, each against the generic path it replaces, finite differences
in float64, and PyTorch when installed: Winograd and padded-width convolutions, one-pass batch
norm, max pooling over non-overlapping windows, and eval-mode conv + batch-norm folding."""
import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn
from ember.autograd import gradcheck, gradgradcheck
from ember.ops import conv, conv_shift, conv_winograd, pooling
from ember.testing import assert_close


@pytest.fixture
def generic_conv():
    """Run the body with the Winograd and padded-width kernels switched off."""
    def switch(on):
        conv_shift.ENABLED = conv_winograd.ENABLED = on
    yield switch
    switch(True)


def _conv_arrays(generic_conv, x, w, g, geom, fast):
    generic_conv(fast)
    y, cols = conv.conv_forward(np, x, w, *geom)
    dx = conv.conv_dx(np, g, w, x.shape, *geom)
    dw = conv.conv_dw(np, x, g, w.shape, *geom, cols=cols)
    dw_fresh = conv.conv_dw(np, x, g, w.shape, *geom)
    return y, dx, dw, dw_fresh, cols


# (N, Cin, Cout, H, W, kernel, pad (lo, hi) per dim, dilation): Winograd for the forward and
# weight gradient (Cin >= 32), Winograd input gradient (Cout >= 32), padded-width input
# gradient (wide, or 1x1), odd sizes (partial tiles), asymmetric padding, dilation
CONV_CASES = [
    (2, 32, 16, 7, 6, 3, ((1, 1), (1, 1)), 1),
    (3, 40, 33, 9, 9, 3, ((0, 2), (1, 0)), 1),
    (1, 32, 32, 4, 5, 3, ((0, 0), (0, 0)), 1),
    (2, 3, 32, 5, 17, 3, ((2, 2), (1, 1)), 1),
    (2, 4, 5, 6, 18, 3, ((1, 1), (1, 1)), 2),
    (2, 6, 7, 5, 5, 1, ((0, 0), (0, 0)), 1),
    (1, 5, 4, 9, 16, 5, ((2, 1), (0, 2)), 1),
]


@pytest.mark.parametrize("case", CONV_CASES)
def test_fast_conv_matches_generic_path(generic_conv, case):
    n, cin, cout, h, wd, k, pad, d = case
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, cin, h, wd))
    w = rng.standard_normal((cout, cin, k, k))
    geom = ((1, 1), pad, (d, d), 1)
    ho = h + pad[0][0] + pad[0][1] - d * (k - 1)
    wo = wd + pad[1][0] + pad[1][1] - d * (k - 1)
    g = rng.standard_normal((n, cout, ho, wo))
    ref = _conv_arrays(generic_conv, x, w, g, geom, False)
    got = _conv_arrays(generic_conv, x, w, g, geom, True)
    for a, b in zip(ref[:4], got[:4]):
        assert a.shape == b.shape
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-12 * np.abs(a).max())


def test_kernel_choice_follows_the_rules():
    geom3 = ((1, 1), ((1, 1), (1, 1)), (1, 1), 1)
    f32 = np.dtype(np.float32)
    assert conv_winograd.use_winograd((2, 32, 8, 8), (16, 32, 3, 3), *geom3, f32)
    assert not conv_winograd.use_winograd((2, 16, 8, 8), (16, 16, 3, 3), *geom3, f32)
    assert not conv_winograd.use_winograd((2, 32, 8, 8), (16, 32, 3, 3), (2, 2),
                                          ((1, 1), (1, 1)), (1, 1), 1, f32)
    assert not conv_winograd.use_winograd((2, 32, 8, 8), (16, 32, 3, 3), *geom3,
                                          np.dtype(np.float16))
    assert conv_shift.use_shift((2, 3, 16, 16), (4, 3, 3, 3), *geom3)
    assert not conv_shift.use_shift((2, 3, 8, 8), (4, 3, 3, 3), *geom3)
    x = np.zeros((2, 32, 6, 6), np.float32)
    _, cols = conv.conv_forward(np, x, np.zeros((16, 32, 3, 3), np.float32), *geom3)
    assert isinstance(cols, conv_winograd.WinoCols)


@pytest.mark.parametrize("dtype,tol", [(np.float32, 2e-6), (np.float64, 1e-14)])
def test_winograd_rounding_is_that_of_a_direct_sum(generic_conv, dtype, tol):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 64, 12, 12))
    w = rng.standard_normal((64, 64, 3, 3))
    geom = ((1, 1), ((1, 1), (1, 1)), (1, 1), 1)
    generic_conv(False)
    exact = conv.conv_forward(np, x, w, *geom)[0]
    generic_conv(True)
    y = conv.conv_forward(np, x.astype(dtype), w.astype(dtype), *geom)[0]
    assert y.dtype == dtype
    assert np.abs(y - exact).max() / np.abs(exact).max() < tol


def _directional_grad_check(f, inputs, k, rng, eps=1e-6):
    """d/dt u . f(.., a_k + t v, ..) at t = 0 by central differences vs autograd's <grad_k, v>
    (a finite-difference check for inputs too large to perturb one element at a time)."""
    out = f(*inputs)
    u = rng.standard_normal(out.shape)
    (out * ember.tensor(u)).sum().backward()
    v = rng.standard_normal(inputs[k].shape)
    with ember.no_grad():
        def at(t):
            args = list(inputs)
            args[k] = inputs[k] + t * ember.tensor(v)
            return float((f(*args) * ember.tensor(u)).sum())
        numeric = (at(eps) - at(-eps)) / (2 * eps)
    analytic = float((inputs[k].grad * ember.tensor(v)).sum())
    assert abs(numeric - analytic) <= 1e-6 * max(1.0, abs(analytic))


@pytest.mark.parametrize("shape,wshape,padding,dilation", [
    ((1, 32, 3, 4), (16, 32, 3, 3), 1, 1),    # Winograd forward, weight gradient
    ((1, 2, 3, 16), (32, 2, 3, 3), 1, 1),     # Winograd input gradient, padded-width
    ((2, 2, 2, 17), (3, 2, 1, 1), 0, 1),      # padded-width 1x1
    ((1, 2, 4, 18), (2, 2, 3, 3), 2, 2),      # padded-width, dilated
])
def test_fast_conv_gradcheck(shape, wshape, padding, dilation):
    rng = np.random.default_rng(2)
    xa, wa = rng.standard_normal(shape), rng.standard_normal(wshape) * 0.3
    w_const = ember.tensor(wa)
    assert gradcheck(lambda x: F.conv2d(x, w_const, padding=padding, dilation=dilation),
                     (ember.tensor(xa, requires_grad=True),))
    x = ember.tensor(xa, requires_grad=True)
    w = ember.tensor(wa, requires_grad=True)
    for k in (0, 1):
        x.grad = w.grad = None
        _directional_grad_check(lambda x, w: F.conv2d(x, w, padding=padding, dilation=dilation),
                                (x, w), k, rng)


def test_winograd_double_backward():
    rng = np.random.default_rng(3)
    x = ember.tensor(rng.standard_normal((1, 32, 2, 2)), requires_grad=True)
    w = ember.tensor(rng.standard_normal((16, 32, 3, 3)) * 0.2)
    assert gradgradcheck(lambda x: F.conv2d(x, w, padding=1), (x,))


def test_fast_conv_parity_with_torch(torch_mod):
    rng = np.random.default_rng(4)
    for cin, cout, size in ((32, 16, 8), (3, 32, 16), (64, 64, 5)):
        xa = rng.standard_normal((2, cin, size, size)).astype(np.float32)
        wa = (rng.standard_normal((cout, cin, 3, 3)) * 0.1).astype(np.float32)
        ga = rng.standard_normal((2, cout, size, size)).astype(np.float32)
        x, w = ember.tensor(xa, requires_grad=True), ember.tensor(wa, requires_grad=True)
        tx = torch_mod.tensor(xa, requires_grad=True)
        tw = torch_mod.tensor(wa, requires_grad=True)
        F.conv2d(x, w, padding=1).backward(ember.tensor(ga))
        torch_mod.nn.functional.conv2d(tx, tw, padding=1).backward(torch_mod.tensor(ga))
        assert_close(F.conv2d(x, w, padding=1), torch_mod.nn.functional.conv2d(tx, tw, padding=1),
                     rtol=1e-5, atol=1e-5)
        assert_close(x.grad, tx.grad, rtol=1e-5, atol=1e-5)
        assert_close(w.grad, tw.grad, rtol=1e-5, atol=2e-5)


def test_conv_transpose_through_the_fast_input_gradient(torch_mod, generic_conv):
    rng = np.random.default_rng(12)
    xa = rng.standard_normal((2, 32, 5, 6)).astype(np.float32)
    wa = (rng.standard_normal((32, 16, 3, 3)) * 0.1).astype(np.float32)
    for padding in (0, 1, 2):
        want = torch_mod.nn.functional.conv_transpose2d(torch_mod.tensor(xa), torch_mod.tensor(wa),
                                                        padding=padding)
        got = F.conv_transpose2d(ember.tensor(xa), ember.tensor(wa), padding=padding)
        assert_close(got, want, rtol=1e-5, atol=1e-5)
        generic_conv(False)
        assert_close(F.conv_transpose2d(ember.tensor(xa), ember.tensor(wa), padding=padding),
                     got, rtol=1e-5, atol=1e-5)
        generic_conv(True)


# ---- batch norm ----------------------------------------------------------------------------
def _batch_norm_reference(x, w, b, g, eps):
    """Forward and input/weight/bias gradients of training-mode batch norm, in float64 NumPy."""
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    m = x.size // x.shape[1]
    mean = x.mean(axes, keepdims=True)
    var = x.var(axes, keepdims=True)
    xhat = (x - mean) / np.sqrt(var + eps)
    y = xhat * w.reshape(shape) + b.reshape(shape)
    gb = g.sum(axes)
    gw = (g * xhat).sum(axes)
    gx = w.reshape(shape) / np.sqrt(var + eps) * (
        g - gb.reshape(shape) / m - xhat * gw.reshape(shape) / m)
    return y, gx, gw, gb


@pytest.mark.parametrize("shape", [(8, 3), (4, 5, 7), (3, 4, 5, 6), (2, 3, 2, 3, 4)])
def test_batch_norm_matches_reference(shape):
    rng = np.random.default_rng(5)
    xa = rng.standard_normal(shape) * 3 + 1
    wa, ba = rng.standard_normal(shape[1]), rng.standard_normal(shape[1])
    ga = rng.standard_normal(shape)
    x = ember.tensor(xa, requires_grad=True)
    w, b = ember.tensor(wa, requires_grad=True), ember.tensor(ba, requires_grad=True)
    rm, rv = ember.zeros(shape[1], dtype=ember.float64), ember.ones(shape[1], dtype=ember.float64)
    y = F.batch_norm(x, rm, rv, w, b, training=True, momentum=0.5, eps=1e-3)
    y.backward(ember.tensor(ga))
    ry, rgx, rgw, rgb = _batch_norm_reference(xa, wa, ba, ga, 1e-3)
    for got, want in ((y, ry), (x.grad, rgx), (w.grad, rgw), (b.grad, rgb)):
        np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-10, atol=1e-10)
    axes = (0,) + tuple(range(2, len(shape)))
    m = xa.size // shape[1]
    np.testing.assert_allclose(rm.numpy(), 0.5 * xa.mean(axes), rtol=1e-12)
    np.testing.assert_allclose(rv.numpy(), 0.5 + 0.5 * xa.var(axes) * m / (m - 1), rtol=1e-12)


def test_batch_norm_gradcheck_and_noncontiguous_input():
    rng = np.random.default_rng(6)
    base = ember.tensor(rng.standard_normal((5, 4, 3, 2)), requires_grad=True)
    w = ember.tensor(rng.standard_normal(3), requires_grad=True)
    b = ember.tensor(rng.standard_normal(3), requires_grad=True)

    def f(base, w, b):  # a permuted (non-contiguous) input with 3 channels
        return F.batch_norm(base.permute(0, 2, 1, 3), None, None, w, b, training=True)
    assert gradcheck(f, (base, w, b))
    assert gradgradcheck(f, (base, w, b))


def test_batch_norm_parity_with_torch(torch_mod):
    rng = np.random.default_rng(7)
    xa = rng.standard_normal((6, 4, 5, 5)).astype(np.float32)
    ga = rng.standard_normal(xa.shape).astype(np.float32)
    e, t = nn.BatchNorm2d(4), torch_mod.nn.BatchNorm2d(4)
    x, tx = ember.tensor(xa, requires_grad=True), torch_mod.tensor(xa, requires_grad=True)
    y, ty = e(x), t(tx)
    y.backward(ember.tensor(ga))
    ty.backward(torch_mod.tensor(ga))
    assert_close(y, ty, rtol=1e-5, atol=1e-5)
    assert_close(x.grad, tx.grad, rtol=1e-4, atol=1e-5)
    assert_close(e.weight.grad, t.weight.grad, rtol=1e-4, atol=1e-4)
    assert_close(e.running_var, t.running_var, rtol=1e-5, atol=1e-6)


# ---- max pooling over non-overlapping windows ----------------------------------------------
def _generic_pool(x, k, osz):
    flat, best = pooling.window_argmax(np, x, k, k, (0,) * len(k), (1,) * len(k), osz)
    return flat, best


@pytest.mark.parametrize("shape,k", [((2, 3, 8, 8), (2, 2)), ((2, 3, 9, 7), (2, 3)),
                                     ((1, 2, 10), (3,)), ((1, 2, 4, 6, 5), (2, 3, 2)),
                                     ((2, 2, 6, 6), (1, 1))])
def test_tiled_max_pool_matches_window_search(shape, k):
    rng = np.random.default_rng(8)
    x = rng.integers(-3, 3, shape).astype(np.float64)  # many ties: the first maximum wins
    osz = tuple(s // kk for s, kk in zip(shape[2:], k))
    flat, best, am = pooling.tiled_argmax(np, x, k, osz)
    rflat, rbest = _generic_pool(x, k, osz)
    np.testing.assert_array_equal(flat, rflat)
    np.testing.assert_array_equal(best, rbest)
    xi = x.astype(np.int32)
    np.testing.assert_array_equal(pooling.tiled_argmax(np, xi, k, osz)[0], rflat)


def test_tiled_max_pool_nan_and_inf_follow_the_generic_rule():
    x = np.array([[[[1.0, np.nan, np.nan, 2.0], [np.nan, 3.0, -np.inf, -np.inf],
                    [-np.inf, -np.inf, 5.0, 5.0], [-np.inf, -np.inf, np.inf, 0.0]]]])
    flat, best, am = pooling.tiled_argmax(np, x, (2, 2), (2, 2))
    rflat, rbest = _generic_pool(x, (2, 2), (2, 2))
    np.testing.assert_array_equal(flat, rflat)
    np.testing.assert_array_equal(best, rbest)
    np.testing.assert_array_equal(am.reshape(-1), [2, 0, 0, 2])


def test_tiled_max_pool_backward_and_gradcheck():
    rng = np.random.default_rng(9)
    xa = rng.standard_normal((2, 3, 7, 9))  # floor mode leaves a remainder row and column
    x = ember.tensor(xa, requires_grad=True)
    out, idx = F.max_pool2d_with_indices(x, 3)
    ga = rng.standard_normal(out.shape)
    out.backward(ember.tensor(ga))
    want = np.zeros(xa.shape)
    planes = want.reshape(6, -1)
    np.put_along_axis(planes, idx.numpy().reshape(6, -1), ga.reshape(6, -1), axis=1)
    np.testing.assert_array_equal(x.grad.numpy(), want)
    assert gradcheck(lambda x: F.max_pool2d(x, 2), (ember.tensor(xa, requires_grad=True),))
    assert gradgradcheck(lambda x: F.max_pool2d(x, 2), (ember.tensor(xa, requires_grad=True),))


@pytest.mark.parametrize("kernel,stride,padding", [(2, None, 0), (3, 2, 1), (2, 3, 0)])
def test_max_pool_values_only_path(kernel, stride, padding):
    rng = np.random.default_rng(13)
    xa = rng.integers(-3, 3, (2, 3, 9, 8)).astype(np.float32)
    xa[0, 0, 0, 0] = np.nan
    want, _ = F.max_pool2d_with_indices(ember.tensor(xa), kernel, stride, padding)
    got = F.max_pool2d(ember.tensor(xa), kernel, stride, padding)  # no grad: values only
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    x = ember.tensor(xa, requires_grad=True)
    with ember.no_grad():
        assert F.max_pool2d(x, kernel, stride, padding).grad_fn is None
    assert F.max_pool2d(x, kernel, stride, padding).grad_fn is not None
    np.testing.assert_array_equal(F.max_pool1d(ember.tensor(xa[0]), kernel, stride, padding),
                                  F.max_pool1d_with_indices(ember.tensor(xa[0]), kernel, stride,
                                                            padding)[0])


def test_tiled_max_pool_parity_with_torch(torch_mod):
    rng = np.random.default_rng(10)
    xa = rng.integers(-2, 3, (4, 3, 10, 12)).astype(np.float32)
    ga = rng.standard_normal((4, 3, 5, 6)).astype(np.float32)
    x, tx = ember.tensor(xa, requires_grad=True), torch_mod.tensor(xa, requires_grad=True)
    y, i = F.max_pool2d(x, 2, return_indices=True)
    ty, ti = torch_mod.nn.functional.max_pool2d(tx, 2, return_indices=True)
    y.backward(ember.tensor(ga))
    ty.backward(torch_mod.tensor(ga))
    assert_close(y, ty)
    np.testing.assert_array_equal(i.numpy(), ti.numpy())
    assert_close(x.grad, tx.grad)


# ---- eval-mode conv + batch-norm folding -----------------------------------------------------
def test_fuse_conv_bn_eval_matches_conv_then_bn(torch_mod):
    torch_mod.manual_seed(0)
    tconv, tbn = torch_mod.nn.Conv2d(3, 5, 3, padding=1, bias=False), torch_mod.nn.BatchNorm2d(5)
    with torch_mod.no_grad():
        tbn.running_mean.uniform_(-1, 1)
        tbn.running_var.uniform_(0.5, 2)
        tbn.weight.uniform_(0.5, 1.5)
        tbn.bias.uniform_(-1, 1)
    econv, ebn = nn.Conv2d(3, 5, 3, padding=1, bias=False), nn.BatchNorm2d(5)
    econv.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tconv.state_dict().items()})
    ebn.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tbn.state_dict().items()})
    econv.eval(), ebn.eval(), tconv.eval(), tbn.eval()
    fused = nn.utils.fusion.fuse_conv_bn_eval(econv, ebn)
    tfused = torch_mod.nn.utils.fusion.fuse_conv_bn_eval(tconv, tbn)
    xa = np.random.default_rng(11).standard_normal((2, 3, 6, 6)).astype(np.float32)
    with ember.no_grad():
        assert_close(fused(ember.tensor(xa)), ebn(econv(ember.tensor(xa))), rtol=1e-5, atol=1e-5)
    assert_close(fused.weight, tfused.weight, rtol=1e-6, atol=1e-6)
    assert_close(fused.bias, tfused.bias, rtol=1e-6, atol=1e-6)
    assert fused.bias is not None and econv.bias is None  # the original is left alone
    econv.train()
    with pytest.raises(AssertionError, match="Fusion only for eval"):
        nn.utils.fusion.fuse_conv_bn_eval(econv, ebn)
