"""Tensor.put_/put/ember.put and index_put_/index_put/ember.index_put: values and errors
against torch, gradients (gradcheck, gradgradcheck) and autograd through the in-place forms."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck


def _cases(m):
    t = m.tensor
    return {
        "put_": lambda: t([[1., 2], [3, 4]]).put_(t([0, 3]), t([9., 8])),
        "put_neg": lambda: t([[1., 2], [3, 4]]).put_(t([-1, -4]), t([9., 7])),
        "put_acc": lambda: t([[1., 2], [3, 4]]).put_(t([0, 0, 3]), t([1., 1, 1]),
                                                     accumulate=True),
        "put_shapes": lambda: t([1., 2, 3]).put_(t([[0], [2]]), t([5., 6])),
        "put": lambda: t([[1., 2], [3, 4]]).put(t([1]), t([7.])),
        "put_fn": lambda: m.put(t([1., 2]), t([1]), t([7.]), accumulate=True),
        "put_int": lambda: t([1, 2]).put_(t([0]), t([7])),
        "put_0d": lambda: t(3.).put_(t([0]), t([7.])),
        "put_empty": lambda: t([1., 2]).put_(t([], dtype=m.int64), t([])),
        "put_oob": lambda: t([1., 2]).put_(t([5]), t([7.])),
        "put_oobneg": lambda: t([1., 2]).put_(t([-3]), t([7.])),
        "put_numel": lambda: t([1., 2]).put_(t([0, 1]), t([7.])),
        "put_dtype": lambda: t([1., 2]).put_(t([0]), t([7.], dtype=m.float64)),
        "put_intidx": lambda: t([1., 2]).put_(t([0], dtype=m.int32), t([7.])),
        "put_scalar_src": lambda: t([1., 2]).put(t([0]), 5.),
        "ip": lambda: t([[1., 2], [3, 4]]).index_put_((t([0, 1]), t([1, 0])), t([9., 8])),
        "ip_acc": lambda: t([1., 2, 3]).index_put_((t([0, 0]),), t([1., 1]), accumulate=True),
        "ip_bcast": lambda: t([[1., 2], [3, 4]]).index_put_((t([0]),), t(5.)),
        "ip_bool": lambda: t([1., 2, 3]).index_put_((t([True, False, True]),), t([7., 8])),
        "ip_list": lambda: t([1., 2]).index_put_([t([0])], t([7.])),
        "ip_int32": lambda: t([1., 2]).index_put_((t([1], dtype=m.int32),), t([7.])),
        "ip_fn": lambda: m.index_put(t([1., 2]), (t([1]),), t([7.])),
        "ip_fn_": lambda: m.index_put_(t([1., 2]), (t([1]),), t([7.])),
        "ip_rows": lambda: t([[1., 2], [3, 4], [5, 6]]).index_put((t([2, 0]),), t([[0., 1]])),
        "ip_dtype": lambda: t([1., 2]).index_put_((t([0]),), t([7.], dtype=m.float64)),
        "ip_tensor": lambda: t([1., 2]).index_put_(t([0]), t([7.])),
        "ip_float_idx": lambda: t([1., 2]).index_put_((t([0.]),), t([7.])),
        "ip_none": lambda: t([[1., 2], [3, 4]]).index_put_((None, t([1])), t([7.])),
        "ip_scalar": lambda: t([1., 2]).index_put_((t([0]),), 5.),
        "ip_oob": lambda: t([1., 2]).index_put_((t([3]),), t([7.])),
    }


@pytest.mark.parametrize("name", sorted(_cases(ember)))
def test_values_and_errors_match_torch(name, torch_mod):
    try:
        want = _cases(torch_mod)[name]()
    except Exception as exc:  # noqa: BLE001  (the type torch raises is the spec)
        with pytest.raises(type(exc)):
            _cases(ember)[name]()
        return
    got = _cases(ember)[name]()
    assert got.tolist() == want.tolist()
    assert str(got.dtype) == str(want.dtype)


def test_put_in_place_returns_self_and_bumps_version():
    x = ember.zeros(2, 3)
    v = x._version[0]
    assert x.put_(ember.tensor([4]), ember.tensor([1.0])) is x
    assert x._version[0] > v and x.tolist() == [[0, 0, 0], [0, 1, 0]]
    view = x[1]
    x.put_(ember.tensor([3]), ember.tensor([5.0]))
    assert view.tolist() == [5.0, 1.0, 0.0]


@pytest.mark.parametrize("accumulate", [False, True])
def test_put_gradients(accumulate):
    idx = ember.tensor([4, 0, -1])
    x = ember.tensor(np.random.default_rng(0).standard_normal((2, 3)), requires_grad=True)
    s = ember.tensor([0.5, -1.0, 2.0], dtype=ember.float64, requires_grad=True)
    fn = lambda a, b: a.put(idx, b, accumulate=accumulate) ** 2  # noqa: E731
    assert gradcheck(fn, (x, s))
    assert gradgradcheck(fn, (x, s))
    assert x.put(idx, s).grad_fn.name() == "PutBackward0"


@pytest.mark.parametrize("accumulate", [False, True])
def test_index_put_gradients(accumulate):
    rows, cols = ember.tensor([0, 2, 0]), ember.tensor([1, 1, 1])
    x = ember.tensor(np.random.default_rng(1).standard_normal((3, 2)), requires_grad=True)
    v = ember.tensor([0.5, -1.0, 2.0], dtype=ember.float64, requires_grad=True)
    fn = lambda a, b: a.index_put((rows, cols), b, accumulate=accumulate).sin()  # noqa: E731
    if accumulate:
        assert gradcheck(fn, (x, v))
        assert gradgradcheck(fn, (x, v))
    else:  # duplicate positions: check with distinct ones (torch leaves the winner undefined)
        r2 = ember.tensor([0, 2])
        fn2 = lambda a, b: a.index_put((r2,), b).sin()  # noqa: E731
        b = ember.tensor([[0.5, 1.0]], dtype=ember.float64, requires_grad=True)
        assert gradcheck(fn2, (x, b))  # b broadcasts to both rows: its gradient is summed
        assert gradgradcheck(fn2, (x, b))


def test_gradients_match_torch(torch_mod):
    xs = np.arange(6.0).reshape(2, 3) / 7
    for acc in (False, True):
        e_x = ember.tensor(xs, requires_grad=True)
        e_s = ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True)
        (e_x.put(ember.tensor([5, 1]), e_s, accumulate=acc) ** 3).sum().backward()
        t_x = torch_mod.tensor(xs, requires_grad=True)
        t_s = torch_mod.tensor([1.0, 2.0], dtype=torch_mod.float64, requires_grad=True)
        (t_x.put(torch_mod.tensor([5, 1]), t_s, accumulate=acc) ** 3).sum().backward()
        np.testing.assert_allclose(e_x.grad.numpy(), t_x.grad.numpy())
        np.testing.assert_allclose(e_s.grad.numpy(), t_s.grad.numpy())
        # the in-place forms on a non-leaf, through autograd
        e_y = ember.tensor(xs, requires_grad=True) * 1
        e_y.index_put_((ember.tensor([1]), ember.tensor([2])), e_s[:1], accumulate=acc)
        t_y = torch_mod.tensor(xs, requires_grad=True) * 1
        t_y.index_put_((torch_mod.tensor([1]), torch_mod.tensor([2])), t_s[:1], accumulate=acc)
        assert e_y.grad_fn.name() == t_y.grad_fn.name()
        np.testing.assert_allclose(e_y.detach().numpy(), t_y.detach().numpy())


def test_put_in_place_on_leaf_requiring_grad_raises():
    x = ember.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x.put_(ember.tensor([0]), ember.tensor([1.0]))
