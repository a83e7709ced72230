"""In-place ops and views under autograd: version counters, errors, CopySlices (vs torch)."""
import numpy as np
import pytest

import ember
from ember.testing import assert_close

rng = np.random.default_rng(0)
A = rng.standard_normal((3, 4))
W = rng.standard_normal(4)
Y = rng.standard_normal(2)
V3 = rng.standard_normal(3)


def _mk(mod, arr, rg=True):
    return mod.tensor(np.array(arr), requires_grad=rg)


# Each case builds a graph with an in-place write into a tensor or a view and returns the grads.
def c_setitem_row(m):
    a, y = _mk(m, A), _mk(m, W)
    x = a * 1
    x[0] = y
    (x * x).sum().backward()
    return a.grad, y.grad


def c_column_mul(m):
    a = _mk(m, A)
    x = a * 2
    x[:, 1].mul_(2)
    (x * x).sum().backward()
    return (a.grad,)


def c_flat_view_add(m):
    a, w = _mk(m, A), _mk(m, Y)
    x = a.sin()
    x.view(-1)[2:4].add_(w)
    (x ** 2).sum().backward()
    return a.grad, w.grad


def c_mask_setitem_tensor_value(m):
    a, v = _mk(m, A), _mk(m, V3)
    x = a * 1
    x[m.tensor(A > 0)] = v.sum() * 2
    (x * x).sum().backward()
    return a.grad, v.grad


def c_mask_setitem_scalar(m):
    a = _mk(m, A)
    x = a.sin()
    x[x > 0] = 0.5
    (x * 3).sum().backward()
    return (a.grad,)


def c_transposed_view_then_use_base(m):
    a = _mk(m, A)
    x = a.clone()
    x.t()[0].add_(1)
    u = x.exp()
    (u * x).sum().backward()
    return (a.grad,)


def c_read_slice_write_slice(m):
    a = _mk(m, A)
    x = a.clone()
    x[:, 1:3] = x[:, 0:2] * 2
    (x * x).sum().backward()
    return (a.grad,)


def c_write_into_zeros(m):
    a, w = _mk(m, A), _mk(m, W)
    x = m.zeros(3, 4, dtype=m.float64)
    x[1] = w * a[0]
    (x ** 2).sum().backward()
    return a.grad, w.grad


def c_view_used_after_base_inplace(m):
    a = _mk(m, A)
    x = a * 1
    v = x[0]
    x.mul_(2)
    (v * v).sum().backward()
    return (a.grad,)


def c_scalar_element(m):
    a = _mk(m, A)
    x = a * 1
    x[0, 1] = 5.0
    (x * x).sum().backward()
    return (a.grad,)


def c_index_tensor_setitem(m):
    a = _mk(m, A)
    x = a * 1
    idx = m.tensor([0, 2])
    x[idx] = x[idx] * 3
    (x * x).sum().backward()
    return (a.grad,)


def c_non_contiguous_base(m):
    a = _mk(m, A)
    x = a.t().contiguous().t() * 1
    x[:, 1].mul_(2)
    (x * x).sum().backward()
    return (a.grad,)


def c_view_of_view(m):
    a = _mk(m, A)
    x = (a * 1).t()
    x[1].mul_(3)
    (x * x).sum().backward()
    return (a.grad,)


def c_inplace_chain_non_leaf(m):
    a = _mk(m, A)
    x = a * 1
    x.sin_().mul_(2.0).add_(1)
    x.exp_()
    x.sum().backward()
    return (a.grad,)


def c_copy_into_view(m):
    a, y = _mk(m, A), _mk(m, Y)
    x = a.clone()
    x[1, ::2].copy_(y.exp())
    x.pow(2).sum().backward()
    return a.grad, y.grad


def c_fill_and_zero(m):
    a = _mk(m, A)
    x = a * 1
    x[0].fill_(2.0)
    x[:, 3].zero_()
    (x * x).sum().backward()
    return (a.grad,)


def c_masked_fill_inplace(m):
    a = _mk(m, A)
    x = a.exp()
    y = x * 1
    y.masked_fill_(m.tensor(A > 0.5), 0.0)
    (y * x).sum().backward()
    return (a.grad,)


CASES = [c_setitem_row, c_column_mul, c_flat_view_add, c_mask_setitem_tensor_value,
         c_mask_setitem_scalar, c_transposed_view_then_use_base, c_read_slice_write_slice,
         c_write_into_zeros, c_view_used_after_base_inplace, c_scalar_element,
         c_index_tensor_setitem, c_non_contiguous_base, c_view_of_view, c_inplace_chain_non_leaf,
         c_copy_into_view, c_fill_and_zero, c_masked_fill_inplace]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__[2:])
def test_inplace_grads_match_torch(case, torch_mod):
    got, want = case(ember), case(torch_mod)
    for g, w in zip(got, want):
        assert_close(g, w)


# ---- version counters and errors ----------------------------------------------------------------
def test_version_counter_shared_by_views_and_detach():
    x = ember.zeros(3, 4)
    v, d = x[1], x.detach()
    assert x._version_counter == 0
    v.add_(1)
    assert x._version_counter == v._version_counter == d._version_counter == 1
    x.mul_(2)
    d.zero_()
    assert v._version_counter == 3
    assert x.data._version_counter == 0  # .data does not share it


def test_modified_saved_tensor_error_matches_torch(torch_mod):
    msgs = []
    for m in (ember, torch_mod):
        a = _mk(m, W)
        b = a.exp()
        b.mul_(2)
        with pytest.raises(RuntimeError) as err:
            b.sum().backward()
        msgs.append(str(err.value))
    head = ("one of the variables needed for gradient computation has been modified by an inplace "
            "operation: [torch.DoubleTensor [4]], which is output 0 of Exp, is at version 1; "
            "expected version 0 instead.")
    assert msgs[1].startswith(head)
    assert msgs[0].startswith(head)
    assert "ExpBackward0" in msgs[0]  # ours also names the op that saved it


def test_modified_saved_input_names_current_op():
    a = ember.tensor(W, requires_grad=True)
    h = a * 1
    z = h * h
    h.add_(1)
    with pytest.raises(RuntimeError, match=r"\[torch.DoubleTensor \[4\]\], which is output 0 of "
                                           r"Add, is at version 1; expected version 0 instead. "
                                           r"It was saved for backward by MulBackward0"):
        z.sum().backward()


def test_modified_leaf_saved_tensor():
    w = ember.tensor(W, requires_grad=True)
    z = w * (w * 1)
    with ember.no_grad():
        w.add_(1)
    with pytest.raises(RuntimeError, match=r"\[torch.DoubleTensor \[4\]\] is at version 1; "
                                           r"expected version 0 instead"):
        z.sum().backward()


def test_inplace_on_leaf_requiring_grad_raises():
    w = ember.ones(3, requires_grad=True)
    for f in (lambda: w.add_(1), lambda: w.mul_(2), lambda: w.exp_(), lambda: w.copy_(w * 2),
              lambda: w.zero_()):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used "
                                               "in an in-place operation."):
            f()
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        w[0:2].add_(1)
    with ember.no_grad():
        w.add_(1)
        w[0] = 7.0
    assert w.requires_grad and w.is_leaf
    assert w.tolist() == [7.0, 2.0, 2.0]


def test_inplace_on_non_leaf_rebases_history():
    a = ember.tensor(W, requires_grad=True)
    x = a * 2
    first = x.grad_fn
    x.exp_()
    assert x.grad_fn is not first and x.grad_fn.name() == "ExpBackward0"
    assert x.grad_fn.next_functions[0][0] is first
    x.sum().backward()
    assert_close(a.grad, 2 * (2 * a.detach()).exp())


def test_write_into_view_installs_copy_slices_on_base():
    a = ember.tensor(A, requires_grad=True)
    x = a * 1
    y = ember.tensor(W, requires_grad=True)
    x[2] = y
    assert x.grad_fn.name() == "CopySlices"
    x.sum().backward()
    assert_close(y.grad, ember.ones(4, dtype=ember.float64))
    expected = np.ones((3, 4))
    expected[2] = 0
    assert_close(a.grad, ember.tensor(expected))


def test_no_grad_setitem_keeps_plain_tensor():
    x = ember.zeros(3)
    x[1] = 2.0
    assert not x.requires_grad and x.tolist() == [0.0, 2.0, 0.0]


def test_gradcheck_through_setitem():
    def f(a, v):
        x = a * 1
        x[:, 1:3] = v.exp()
        x[0].mul_(x[1].clone())
        return x
    a = ember.tensor(A, requires_grad=True)
    v = ember.tensor(rng.standard_normal((3, 2)), requires_grad=True)
    assert ember.autograd.gradcheck(f, (a, v))
    assert ember.autograd.gradgradcheck(f, (a, v))


# ---- every in-place method on a non-leaf and on a view, vs torch ------------------------------
P = np.abs(rng.standard_normal((3, 4))) + 0.5
INPLACE = [
    ("exp_", lambda x, w: x.exp_()), ("sin_", lambda x, w: x.sin_()),
    ("sigmoid_", lambda x, w: x.sigmoid_()), ("tanh_", lambda x, w: x.tanh_()),
    ("sqrt_", lambda x, w: x.sqrt_()), ("log_", lambda x, w: x.log_()),
    ("neg_", lambda x, w: x.neg_()), ("reciprocal_", lambda x, w: x.reciprocal_()),
    ("mul_tensor", lambda x, w: x.mul_(w)), ("add_alpha", lambda x, w: x.add_(w, alpha=2)),
    ("sub_", lambda x, w: x.sub_(w)), ("div_", lambda x, w: x.div_(w)),
    ("pow_scalar", lambda x, w: x.pow_(2)), ("pow_tensor", lambda x, w: x.pow_(w)),
    ("clamp_", lambda x, w: x.clamp_(0.6, 1.2)), ("addcmul_", lambda x, w: x.addcmul_(w, w)),
    ("addcdiv_", lambda x, w: x.addcdiv_(w, w + 1, value=0.5)),
    ("lerp_", lambda x, w: x.lerp_(w, 0.3)), ("copy_", lambda x, w: x.copy_(w * 2)),
    ("fill_", lambda x, w: x.fill_(1.5)), ("zero_", lambda x, w: x.zero_()),
    ("masked_fill_", lambda x, w: x.masked_fill_(w > 1.0, 0.0)),
    ("cumsum_", lambda x, w: x.cumsum_(1)), ("tril_", lambda x, w: x.tril_()),
    ("index_add_", lambda x, w: x.index_add_(0, x.new_tensor([2, 0]).long(), w[:2])),
    ("scatter_", lambda x, w: x.scatter_(1, x.new_tensor([[1], [0], [3]]).long(), w[:, :1])),
]


@pytest.mark.parametrize("where", ["whole", "view"])
@pytest.mark.parametrize("name,op", INPLACE, ids=[n for n, _ in INPLACE])
def test_inplace_methods_match_torch(name, op, where, torch_mod):
    if where == "view" and name in ("index_add_", "scatter_"):
        pytest.skip("the row's indices are for the whole tensor")
    res = []
    for m in (ember, torch_mod):
        a, w = _mk(m, P), _mk(m, P[::-1].copy())
        x = a * 1.0
        target = x if where == "whole" else x[1:]
        op(target, w if where == "whole" else w[1:])
        (x * x).sum().backward()
        res.append((a.grad, w.grad))
    for e, t in zip(*res):
        if t is None or e is None:  # no gradient reached it: torch may give explicit zeros
            other = t if e is None else e
            assert other is None or not other.abs().sum().item()
        else:
            assert_close(e, t)
