"""The backward engine: deep graphs, freeing, memory, anomaly detection, graph shapes."""
import gc
import sys
import warnings

import numpy as np
import pytest

import ember
from ember.autograd.node import Node
from ember.testing import assert_close


def _live_nodes():
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, Node))


def test_chain_of_100000_ops_backward_and_delete():
    x = ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True)
    gc.disable()  # only depth is under test here; Python's cyclic GC makes building slow
    try:
        y = x
        for _ in range(100_000):
            y = y * 1.00001
    finally:
        gc.enable()
    y.sum().backward()
    assert_close(x.grad, ember.full((2,), 1.00001 ** 100_000, dtype=ember.float64), rtol=1e-9,
                 atol=0)
    del y  # deallocating a 100k-deep graph must not overflow the C stack
    gc.collect()


def _rnn_grads(mod, W0, U0, X):
    W, U = mod.tensor(W0, requires_grad=True), mod.tensor(U0, requires_grad=True)
    xs = mod.tensor(X)
    h = mod.zeros(1, W0.shape[0], dtype=mod.float64)
    for t in range(X.shape[0]):
        h = (h @ W + xs[t] @ U).tanh()
    h.sum().backward()
    return W.grad, U.grad


def test_rnn_like_loop_over_5000_steps():
    rng = np.random.default_rng(0)
    W0, U0, X = rng.standard_normal((6, 6)) * 0.3, rng.standard_normal((4, 6)), \
        rng.standard_normal((5000, 1, 4))
    gw, gu = _rnn_grads(ember, W0, U0, X)
    assert bool(gw.isfinite().all()) and gw.abs().sum().item() > 0
    try:
        import torch
    except ImportError:
        return
    tw, tu = _rnn_grads(torch, W0, U0, X)
    assert_close(gw, tw)
    assert_close(gu, tu)


def test_diamond_and_shared_subexpressions(torch_mod):
    v = np.array([0.3, -1.2, 2.0])
    res = []
    for mod in (ember, torch_mod):
        x = mod.tensor(v, requires_grad=True)
        a = x.exp()
        b = a * x
        c = a + b
        d = (c * a).sum() + b.sum() * c.sum()
        d.backward()
        res.append(x.grad)
    assert_close(res[0], res[1])


def test_saved_tensors_released_and_graph_freed():
    x = ember.randn(4, 4, requires_grad=True)
    y = x.exp()
    node = y.grad_fn
    assert node._saved is not None
    y.sum().backward()
    assert node._saved is None
    z = x.exp()
    z.sum().backward(retain_graph=True)
    assert z.grad_fn._saved is not None


def test_backward_twice_without_saved_tensors_is_allowed(torch_mod):
    for mod in (ember, torch_mod):
        x = mod.ones(2, requires_grad=True)
        y = (x + 1).sum()
        y.backward()
        y.backward()  # nothing was saved, so nothing was freed (as in PyTorch)
        assert_close(x.grad, mod.full((2,), 2.0))


def test_memory_does_not_grow_over_training_iterations():
    rng = np.random.default_rng(0)
    w1 = ember.tensor(rng.standard_normal((8, 16)), requires_grad=True)
    w2 = ember.tensor(rng.standard_normal((16, 1)), requires_grad=True)
    data = ember.tensor(rng.standard_normal((32, 8)))
    target = ember.tensor(rng.standard_normal((32, 1)))
    total = 0.0

    def step():
        nonlocal total
        out = (data @ w1).relu() @ w2
        loss = ((out - target) ** 2).mean()
        loss.backward()
        with ember.no_grad():
            for w in (w1, w2):
                w -= 1e-3 * w.grad
                w.grad.zero_()
        total += loss.item()

    for _ in range(10):
        step()
    before = _live_nodes()
    for _ in range(1000):
        step()
    after = _live_nodes()
    assert after - before <= 2, (before, after)


def test_total_loss_without_item_keeps_graph_alive_but_detach_does_not():
    x = ember.randn(3, requires_grad=True)
    base = _live_nodes()
    total = 0
    for _ in range(50):
        total = total + (x * 2).sum().detach()
    assert _live_nodes() - base <= 2
    del total


def test_anomaly_detection_names_forward_op():
    x = ember.tensor([0.0, 1.0], requires_grad=True)
    with pytest.warns(UserWarning) as record:
        with ember.autograd.detect_anomaly():
            z = (x.sqrt() * 0).sum()
            with pytest.raises(RuntimeError, match="Function 'SqrtBackward0' returned nan values "
                                                   "in its 0th output."):
                z.backward()
    texts = [str(r.message) for r in record]
    assert any("Error detected in SqrtBackward0" in t and "test_autograd_engine.py" in t
               for t in texts)
    assert not ember.autograd.is_anomaly_enabled()


def test_set_detect_anomaly_function_and_context():
    ember.autograd.set_detect_anomaly(True)
    try:
        assert ember.autograd.is_anomaly_enabled()
    finally:
        ember.autograd.set_detect_anomaly(False)
    assert not ember.autograd.is_anomaly_enabled()
    with ember.autograd.set_detect_anomaly(True):
        assert ember.autograd.is_anomaly_enabled()
    assert not ember.autograd.is_anomaly_enabled()
    x = ember.tensor([0.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (x.sqrt() * 0).sum().backward()  # without anomaly mode NaN passes silently
    assert bool(x.grad.isnan().all())


def test_recursion_limit_untouched_by_deep_backward():
    limit = sys.getrecursionlimit()
    x = ember.ones(1, requires_grad=True)
    y = x
    for _ in range(3 * limit):
        y = y.sin()
    y.sum().backward()
    assert sys.getrecursionlimit() == limit
    assert x.grad is not None


def test_two_outputs_into_same_leaf_accumulate_once_per_path():
    x = ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True)
    a, b = x.split(1)
    (a * 3 + b * 5).sum().backward()
    assert_close(x.grad, ember.tensor([3.0, 5.0], dtype=ember.float64))


def test_anomaly_mode_names_op_of_in_place_error():
    a = ember.randn(3, requires_grad=True)
    with pytest.warns(UserWarning) as record:
        with ember.autograd.detect_anomaly():
            b = a.exp()
            b.mul_(2)
            with pytest.raises(RuntimeError, match="modified by an inplace operation"):
                b.sum().backward()
    assert any("Error detected in ExpBackward0" in str(r.message) for r in record)
