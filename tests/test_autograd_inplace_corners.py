"""In-place autograd corner cases against PyTorch: copy_ over history, multi-output views."""
import pytest

import ember
from ember.testing import assert_close


def _both(torch, fn):
    return fn(ember), fn(torch)


def _close(e, t):
    assert_close(e, ember.tensor(t.detach().numpy()))


@pytest.mark.parametrize("shape_src", [(3,), (2, 3)])
def test_copy_over_history_gives_zeros_to_old_history(torch_mod, shape_src):
    def run(L):
        w = L.ones(2, 3, requires_grad=True)
        s = L.full(shape_src, 2., dtype=L.float64, requires_grad=True)
        y = w * 2
        y.copy_(s)
        (y * y).sum().backward()
        return w.grad, s.grad
    (ew, es), (tw, ts) = _both(torch_mod, run)
    assert ew is not None and tw is not None
    _close(ew, tw)
    _close(es, ts)
    assert es.dtype == ember.float64


def test_copy_into_view_over_history(torch_mod):
    def run(L):
        w = L.ones(3, requires_grad=True)
        s = L.full((2,), 2., requires_grad=True)
        y = w * 3
        y[:2].copy_(s)
        (y * y).sum().backward()
        return w.grad, s.grad
    (ew, es), (tw, ts) = _both(torch_mod, run)
    _close(ew, tw)
    _close(es, ts)


def test_copy_gradcheck():
    def fn(w, s):
        y = w.sin()
        y.copy_(s * 2)
        return y * w
    w = ember.randn(2, 3, dtype=ember.float64, requires_grad=True)
    s = ember.randn(3, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(fn, (w, s))


SPLITS = {
    "split": lambda t: t.split(2),
    "split_sizes": lambda t: t.split([1, 3]),
    "chunk": lambda t: t.chunk(2),
    "unbind": lambda t: t.unbind(),
}


def _message(fn):
    with pytest.raises(RuntimeError) as info:
        fn()
    return str(info.value)


@pytest.mark.parametrize("kind", sorted(SPLITS))
@pytest.mark.parametrize("which", [0, 1])
def test_inplace_on_multi_output_view_raises(torch_mod, kind, which):
    def run(L):
        x = L.arange(4., requires_grad=True) * 1
        parts = SPLITS[kind](x)
        return _message(lambda: parts[which].mul_(2))
    e, t = _both(torch_mod, run)
    assert e == t


@pytest.mark.parametrize("kind", ["split", "unbind"])
def test_multi_output_view_used_after_base_write_raises(torch_mod, kind):
    def run(L):
        x = L.arange(4., requires_grad=True) * 1
        parts = SPLITS[kind](x)
        x.add_(1)
        return _message(lambda: parts[1] * 2)
    e, t = _both(torch_mod, run)
    assert e == t


def test_multi_output_views_allowed_without_grad(torch_mod):
    def run(L):
        x = L.arange(4.)
        a, b = x.split(2)
        a.mul_(3)
        y = L.arange(4., requires_grad=True) * 1
        with L.no_grad():
            y.split(2)[0].mul_(2)
        return x, y
    (ex, ey), (tx, ty) = _both(torch_mod, run)
    _close(ex, tx)
    _close(ey, ty)


def test_tensor_split_outputs_stay_writable(torch_mod):
    def run(L):
        w = L.arange(4., requires_grad=True)
        x = w * 1
        parts = x.tensor_split(2)
        parts[1].mul_(3)
        x.sum().backward()
        return w.grad
    e, t = _both(torch_mod, run)
    _close(e, t)
