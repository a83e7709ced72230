"""nn.functional activations and basics vs real torch (values and gradients), and gradcheck."""
import math

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.autograd import gradcheck
from ember.testing import assert_close
from nn_core_util import rnd, pair, compare_forward_backward

X = rnd(4, 6, low=-4, high=4)
X[0, :5] = [0.0, -3.0, 3.0, 1.0, -1.0]      # the kinks

ACTIVATIONS = [
    ("relu", {}), ("relu6", {}), ("leaky_relu", {}), ("leaky_relu", {"negative_slope": 0.2}),
    ("elu", {}), ("elu", {"alpha": 0.5}), ("selu", {}), ("celu", {"alpha": 2.0}),
    ("gelu", {}), ("gelu", {"approximate": "tanh"}), ("silu", {}), ("mish", {}),
    ("sigmoid", {}), ("tanh", {}), ("hardtanh", {}), ("hardtanh", {"min_val": -2., "max_val": 1.}),
    ("hardsigmoid", {}), ("hardswish", {}), ("softplus", {}), ("softplus", {"beta": 2, "threshold": 3}),
    ("softsign", {}), ("softmax", {"dim": 1}), ("softmax", {"dim": 0}), ("log_softmax", {"dim": 1}),
    ("softmin", {"dim": 1}), ("threshold", {"threshold": 0.5, "value": -2.0}), ("glu", {}),
    ("glu", {"dim": 0}), ("tanhshrink", {}), ("softshrink", {}), ("softshrink", {"lambd": 1.0}),
    ("hardshrink", {}), ("logsigmoid", {}),
]


@pytest.mark.parametrize("name,kw", ACTIVATIONS, ids=[f"{n}{i}" for i, (n, _) in enumerate(ACTIVATIONS)])
def test_activation_matches_torch(torch_mod, name, kw):
    e, t = pair(torch_mod, X)
    eo = getattr(F, name)(e, **kw)
    to = getattr(torch_mod.nn.functional, name)(t, **kw)
    compare_forward_backward(eo, to, [e], [t])


@pytest.mark.parametrize("name,kw", ACTIVATIONS[:20], ids=[n for n, _ in ACTIVATIONS[:20]])
def test_activation_gradcheck(name, kw):
    x = ember.tensor(rnd(3, 4, low=-2.5, high=2.5).astype(np.float64) + 0.013, requires_grad=True)
    assert gradcheck(lambda a: getattr(F, name)(a, **kw), (x,))


@pytest.mark.parametrize("name", ["relu", "elu", "selu", "leaky_relu", "hardtanh", "relu6",
                                  "silu", "hardswish", "threshold"])
def test_inplace_variants(torch_mod, name):
    kw = {"threshold": 0.5, "value": 1.0} if name == "threshold" else {}
    e = ember.tensor(X.copy())
    t = torch_mod.tensor(X.copy())
    r = getattr(F, name)(e, inplace=True, **kw)
    getattr(torch_mod.nn.functional, name)(t, inplace=True, **kw)
    assert r is e
    assert_close(e, t)
    # through autograd: in-place on a non-leaf
    a, ta = pair(torch_mod, X)
    eo = getattr(F, name)(a * 1.0, inplace=True, **kw)
    to = getattr(torch_mod.nn.functional, name)(ta * 1.0, inplace=True, **kw)
    compare_forward_backward(eo, to, [a], [ta])


def test_inplace_on_leaf_raises():
    x = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        F.relu(x, inplace=True)


def test_prelu(torch_mod):
    x = rnd(2, 3, 4)
    for w in (np.array([0.25], np.float32), np.array([0.1, 0.2, 0.3], np.float32)):
        e, t = pair(torch_mod, x)
        ew, tw = pair(torch_mod, w)
        compare_forward_backward(F.prelu(e, ew), torch_mod.nn.functional.prelu(t, tw), [e, ew], [t, tw])
    with pytest.raises(RuntimeError, match="Mismatch of parameter numbers"):
        F.prelu(ember.ones(2, 3), ember.ones(2))


def test_glu_odd_raises():
    with pytest.raises(RuntimeError, match="Halving dimension must be even, but dimension 1 is size 5"):
        F.glu(ember.ones(2, 5))


def test_softmax_dtype_and_implicit_dim(torch_mod):
    e = ember.tensor(X)
    assert F.softmax(e, 1, dtype=ember.float64).dtype is ember.float64
    with pytest.warns(UserWarning, match="Implicit dimension"):
        y = F.softmax(e)
    assert_close(y, torch_mod.softmax(torch_mod.tensor(X), 1))


def test_linear_and_errors(torch_mod):
    x, tx = pair(torch_mod, rnd(2, 5, 3))
    w, tw = pair(torch_mod, rnd(4, 3))
    b, tb = pair(torch_mod, rnd(4))
    compare_forward_backward(F.linear(x, w, b), torch_mod.nn.functional.linear(tx, tw, tb),
                             [x, w, b], [tx, tw, tb])
    x1, tx1 = pair(torch_mod, rnd(3))
    compare_forward_backward(F.linear(x1, w), torch_mod.nn.functional.linear(tx1, tw), [x1], [tx1])
    for shape in [(2, 3), (3,), (2, 2, 3)]:
        with pytest.raises(RuntimeError) as ei:
            F.linear(ember.ones(*shape), ember.ones(5, 4))
        with pytest.raises(RuntimeError) as ti:
            torch_mod.nn.functional.linear(torch_mod.ones(*shape), torch_mod.ones(5, 4))
        assert str(ei.value) == str(ti.value)
    with pytest.raises(RuntimeError, match="same dtype"):
        F.linear(ember.ones(2, 3, dtype=ember.float64), ember.ones(5, 3))


def test_linear_gradcheck_and_double_backward():
    x = ember.randn(3, 4, dtype=ember.float64, requires_grad=True)
    w = ember.randn(2, 4, dtype=ember.float64, requires_grad=True)
    b = ember.randn(2, dtype=ember.float64, requires_grad=True)
    assert gradcheck(F.linear, (x, w, b))
    from ember.autograd import gradgradcheck
    assert gradgradcheck(lambda a, c: F.linear(a, c).tanh(), (x, w))


def test_bilinear(torch_mod):
    a, ta = pair(torch_mod, rnd(5, 3))
    b, tb = pair(torch_mod, rnd(5, 4))
    w, tw = pair(torch_mod, rnd(2, 3, 4))
    bias, tbias = pair(torch_mod, rnd(2))
    compare_forward_backward(F.bilinear(a, b, w, bias), torch_mod.nn.functional.bilinear(ta, tb, tw, tbias),
                             [a, b, w, bias], [ta, tb, tw, tbias])


def test_dropout_statistics_and_modes():
    x = ember.ones(200, 100)
    y = F.dropout(x, 0.3, training=True)
    kept = (y != 0).float().mean().item()
    assert abs(kept - 0.7) < 0.02
    assert_close(y[y != 0], ember.full(((y != 0).sum().item(),), 1 / 0.7))
    assert F.dropout(x, 0.3, training=False) is x
    assert (F.dropout(x, 1.0) == 0).all()
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"):
        F.dropout(x, 1.5)
    y2 = F.dropout2d(ember.ones(8, 50, 3, 3), 0.5)
    per_channel = y2.reshape(8, 50, 9)
    assert ((per_channel == per_channel[..., :1]).all())          # whole channels
    z = F.alpha_dropout(ember.randn(20000), 0.2, training=True)
    assert abs(z.mean().item()) < 0.05 and abs(z.std().item() - 1) < 0.05


def test_dropout_grad_uses_mask():
    x = ember.ones(50, 40, requires_grad=True)
    y = F.dropout(x, 0.5)
    y.sum().backward()
    assert_close(x.grad, (y != 0).float() * 2.0)


def test_embedding_functional(torch_mod):
    idx = np.array([[0, 2, 1], [2, 2, 4]])
    w, tw = pair(torch_mod, rnd(5, 3))
    eo = F.embedding(ember.tensor(idx), w, padding_idx=2)
    to = torch_mod.nn.functional.embedding(torch_mod.tensor(idx), tw, padding_idx=2)
    compare_forward_backward(eo, to, [w], [tw])
    with pytest.raises(IndexError, match="index out of range in self"):
        F.embedding(ember.tensor([7]), w)
    with pytest.raises(RuntimeError, match="'indices' to have one of the following scalar types"):
        F.embedding(ember.ones(2), w)


def test_embedding_max_norm_and_freq(torch_mod):
    idx = np.array([0, 2, 2, 1])
    w, tw = pair(torch_mod, rnd(4, 3) * 3, grad=False)
    w.requires_grad_(); tw.requires_grad_()
    eo = F.embedding(ember.tensor(idx), w, max_norm=1.0, scale_grad_by_freq=True)
    to = torch_mod.nn.functional.embedding(torch_mod.tensor(idx), tw, max_norm=1.0,
                                            scale_grad_by_freq=True)
    compare_forward_backward(eo, to, [w], [tw])


def test_one_hot(torch_mod):
    t = np.array([[0, 3], [1, 2]])
    assert_close(F.one_hot(ember.tensor(t)), torch_mod.nn.functional.one_hot(torch_mod.tensor(t)))
    assert F.one_hot(ember.tensor(t), 6).shape == (2, 2, 6)
    assert F.one_hot(ember.tensor(t)).dtype is ember.int64
    for bad, msg in [(ember.tensor([1.0]), "LongTensor"), (ember.tensor([-1]), "non-negative")]:
        with pytest.raises(RuntimeError, match=msg):
            F.one_hot(bad)
    with pytest.raises(RuntimeError, match="smaller than num_classes"):
        F.one_hot(ember.tensor([3]), 2)


@pytest.mark.parametrize("fn,kw", [
    ("normalize", {}), ("normalize", {"p": 1.0, "dim": 0}), ("normalize", {"p": math.inf}),
    ("cosine_similarity", {}), ("cosine_similarity", {"dim": 0}),
    ("pairwise_distance", {}), ("pairwise_distance", {"p": 1.0, "keepdim": True}),
])
def test_distances(torch_mod, fn, kw):
    a, ta = pair(torch_mod, rnd(4, 5))
    b, tb = pair(torch_mod, rnd(4, 5))
    args = (a,) if fn == "normalize" else (a, b)
    targs = (ta,) if fn == "normalize" else (ta, tb)
    compare_forward_backward(getattr(F, fn)(*args, **kw),
                             getattr(torch_mod.nn.functional, fn)(*targs, **kw),
                             list(args), list(targs))


def test_norm_functionals(torch_mod):
    tf = torch_mod.nn.functional
    x, tx = pair(torch_mod, rnd(3, 4, 5))
    w, tw = pair(torch_mod, rnd(5))
    b, tb = pair(torch_mod, rnd(5))
    compare_forward_backward(F.layer_norm(x, (5,), w, b), tf.layer_norm(tx, (5,), tw, tb),
                             [x, w, b], [tx, tw, tb])
    x, tx = pair(torch_mod, rnd(3, 4, 5))
    compare_forward_backward(F.layer_norm(x, (4, 5)), tf.layer_norm(tx, (4, 5)), [x], [tx])
    x, tx = pair(torch_mod, rnd(2, 6, 5))
    w, tw = pair(torch_mod, rnd(6))
    b, tb = pair(torch_mod, rnd(6))
    compare_forward_backward(F.group_norm(x, 3, w, b), tf.group_norm(tx, 3, tw, tb),
                             [x, w, b], [tx, tw, tb])
    x, tx = pair(torch_mod, rnd(2, 3, 7))
    compare_forward_backward(F.instance_norm(x), tf.instance_norm(tx), [x], [tx])
    x, tx = pair(torch_mod, rnd(2, 6, 4, 3))
    compare_forward_backward(F.local_response_norm(x, 3), tf.local_response_norm(tx, 3), [x], [tx])
    with pytest.raises(RuntimeError) as ei:
        F.layer_norm(ember.ones(2, 3), [4])
    assert str(ei.value) == "Given normalized_shape=[4], expected input with shape [*, 4], but got input of size[2, 3]"
    with pytest.raises(RuntimeError, match=r"divisible by num_groups, but got input of shape \[2, 6, 4\] and num_groups=4"):
        F.group_norm(ember.ones(2, 6, 4), 4)


def test_batch_norm_functional(torch_mod):
    tf = torch_mod.nn.functional
    x, tx = pair(torch_mod, rnd(4, 3, 5))
    w, tw = pair(torch_mod, rnd(3))
    b, tb = pair(torch_mod, rnd(3))
    rm, rv = ember.zeros(3), ember.ones(3)
    trm, trv = torch_mod.zeros(3), torch_mod.ones(3)
    compare_forward_backward(F.batch_norm(x, rm, rv, w, b, True, 0.3),
                             tf.batch_norm(tx, trm, trv, tw, tb, True, 0.3), [x, w, b], [tx, tw, tb])
    assert_close(rm, trm)
    assert_close(rv, trv)
    x, tx = pair(torch_mod, rnd(4, 3))
    compare_forward_backward(F.batch_norm(x, rm, rv, w, b), tf.batch_norm(tx, trm, trv, tw, tb),
                             [x, w, b], [tx, tw, tb])
    with pytest.raises(ValueError, match=r"Expected more than 1 value per channel when training, got input size torch.Size\(\[1, 3\]\)"):
        F.batch_norm(ember.ones(1, 3), None, None, training=True)


def test_norm_gradchecks():
    d = ember.float64
    x = ember.randn(4, 3, 2, dtype=d, requires_grad=True)
    w = ember.randn(3, dtype=d, requires_grad=True)
    b = ember.randn(3, dtype=d, requires_grad=True)
    assert gradcheck(lambda a, c, e: F.batch_norm(a, None, None, c, e, training=True), (x, w, b))
    assert gradcheck(lambda a, c, e: F.group_norm(a, 3, c, e), (x, w, b))
    w2 = ember.randn(2, dtype=d, requires_grad=True)
    assert gradcheck(lambda a, c: F.layer_norm(a, (2,), c, c), (x, w2))
    from ember.autograd import gradgradcheck
    assert gradgradcheck(lambda a, c, e: F.batch_norm(a, None, None, c, e, training=True), (x, w, b))


@pytest.mark.parametrize("name,kw", ACTIVATIONS, ids=[f"{n}{i}" for i, (n, _) in enumerate(ACTIVATIONS)])
def test_activation_double_backward(name, kw):
    from ember.autograd import gradgradcheck
    if name in ("relu", "relu6", "hardtanh", "threshold", "hardshrink", "softshrink"):
        pytest.skip("piecewise linear: second derivative is zero almost everywhere")
    x = ember.tensor(rnd(4, 4, low=-2.5, high=2.5).astype(np.float64) + 0.013, requires_grad=True)
    assert gradgradcheck(lambda a: getattr(F, name)(a, **kw), (x,))
