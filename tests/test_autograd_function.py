"""Custom autograd.Function: forward/backward, ctx features, setup_context, multiple outputs."""
import numpy as np
import pytest

import ember
from ember.autograd import Function
from ember.autograd.function import once_differentiable
from ember.testing import assert_close


def _x(values=(0.0, 1.0)):
    return ember.tensor(list(values), dtype=ember.float64, requires_grad=True)


def _exp_function(base):
    """exp as a custom Function subclassing ``base`` (Ember's or torch's Function)."""
    class Exp(base):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y
    return Exp


Exp = _exp_function(Function)


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 3 * x ** 2 * g


def test_apply_records_node_and_backward_runs():
    x = _x()
    y = Exp.apply(x)
    assert y.requires_grad and not y.is_leaf
    assert y.grad_fn.name() == "ExpBackward"
    y.sum().backward()
    assert_close(x.grad, x.detach().exp())


def test_gradcheck_and_double_backward_through_custom_function():
    x = ember.tensor([0.3, -0.7, 1.1], dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(Cube.apply, (x,))
    assert ember.autograd.gradgradcheck(Cube.apply, (x,))
    (g,) = ember.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
    (gg,) = ember.autograd.grad(g.sum(), x)
    assert_close(gg, 6 * x.detach())


def test_no_record_without_grad_or_in_no_grad():
    assert not Exp.apply(ember.ones(2)).requires_grad
    with ember.no_grad():
        assert not Exp.apply(_x()).requires_grad


def test_multiple_outputs_non_differentiable_and_needs_input_grad():
    seen = {}

    class Split(Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.k = k
            idx = x.argmax()
            ctx.mark_non_differentiable(idx)
            return x * k, x * 2, idx

        @staticmethod
        def backward(ctx, g1, g2, gi):
            seen["needs"] = ctx.needs_input_grad
            seen["g2"] = g2
            return g1 * ctx.k + g2 * 2, None

    x = _x()
    a, b, i = Split.apply(x, 3.0)
    assert a.grad_fn is b.grad_fn and b.output_nr == 1
    assert not i.requires_grad and i.dtype is ember.int64
    a.sum().backward()
    assert seen["needs"] == (True, False)
    assert_close(seen["g2"], ember.zeros(2, dtype=ember.float64))  # materialized
    assert_close(x.grad, ember.full((2,), 3.0, dtype=ember.float64))


def test_set_materialize_grads_false_passes_none():
    seen = {}

    class Two(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 1, x * 2

        @staticmethod
        def backward(ctx, g1, g2):
            seen["g2"] = g2
            return g1

    x = _x()
    p, _ = Two.apply(x)
    p.sum().backward()
    assert seen["g2"] is None
    assert_close(x.grad, ember.ones(2, dtype=ember.float64))


def test_once_differentiable():
    class Sq(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 2

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = _x((1.0, 2.0))
    (g,) = ember.autograd.grad(Sq.apply(x).sum(), x, create_graph=True)
    assert_close(g, 2 * x.detach())
    assert not g.requires_grad


def test_setup_context_style():
    class MulFn(Function):
        @staticmethod
        def forward(x, w):
            return x * w

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(*inputs)

        @staticmethod
        def backward(ctx, g):
            x, w = ctx.saved_tensors
            return g * w, g * x

    x, w = _x((1.0, 2.0)), _x((3.0, 4.0))
    MulFn.apply(x, w).sum().backward()
    assert_close(x.grad, w.detach())
    assert_close(w.grad, x.detach())


def test_input_returned_as_is_becomes_new_tensor():
    class Ident(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 5

    x = _x()
    r = Ident.apply(x)
    assert r is not x and r.grad_fn.name() == "IdentBackward"
    r.sum().backward()
    assert_close(x.grad, ember.full((2,), 5.0, dtype=ember.float64))


def test_mark_dirty_in_place_forward():
    class Double(Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = _x()
    h = x * 1
    r = Double.apply(h)
    assert r is h and r.grad_fn.name() == "DoubleBackward"
    r.sum().backward()
    assert_close(x.grad, ember.full((2,), 2.0, dtype=ember.float64))


def test_wrong_number_and_shape_of_gradients_raise():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g, g

    class BadShape(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return ember.ones(5, dtype=ember.float64)

    with pytest.raises(RuntimeError, match=r"incorrect number of gradients \(expected 1, got 2\)"):
        Bad.apply(_x()).sum().backward()
    with pytest.raises(RuntimeError, match=r"invalid gradient at index 0 - got \[5\] but expected "
                                           r"shape compatible with \[2\]"):
        BadShape.apply(_x()).sum().backward()


def test_saved_tensor_modified_in_place_raises():
    x = _x()
    h = x * 1
    y = Cube.apply(h)
    h.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_custom_function_matches_torch(torch_mod):
    TExp = _exp_function(torch_mod.autograd.Function)
    v = np.array([0.1, -0.4, 0.9])
    xe = ember.tensor(v, requires_grad=True)
    xt = torch_mod.tensor(v, requires_grad=True)
    (Exp.apply(xe) * xe).sum().backward()
    (TExp.apply(xt) * xt).sum().backward()
    assert_close(xe.grad, xt.grad)
