"""PyTorch's introductory two-layer network: by hand on tensors, and with autograd.

Both start from the same weights; the losses must fall more than 100x in 500 steps and the two
versions must end with the same weights.
"""
import numpy as np

import ember
from ember.testing import assert_close

N, D_IN, H, D_OUT = 64, 1000, 100, 10
STEPS = 500
LR = 1e-6


def _start():
    rng = np.random.default_rng(0)
    return [rng.standard_normal(s) for s in ((N, D_IN), (N, D_OUT), (D_IN, H), (H, D_OUT))]


def _manual(x, y, w1, w2):
    losses = []
    for _ in range(STEPS):
        h = x.mm(w1)
        h_relu = h.clamp(min=0)
        y_pred = h_relu.mm(w2)
        loss = (y_pred - y).pow(2).sum().item()
        losses.append(loss)
        grad_y_pred = 2.0 * (y_pred - y)
        grad_w2 = h_relu.t().mm(grad_y_pred)
        grad_h_relu = grad_y_pred.mm(w2.t())
        grad_h = grad_h_relu.clone()
        grad_h[h < 0] = 0
        grad_w1 = x.t().mm(grad_h)
        w1 -= LR * grad_w1
        w2 -= LR * grad_w2
    return losses


def _autograd(x, y, w1, w2):
    losses = []
    for _ in range(STEPS):
        y_pred = x.mm(w1).clamp(min=0).mm(w2)
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with ember.no_grad():
            w1 -= LR * w1.grad
            w2 -= LR * w2.grad
            w1.grad.zero_()
            w2.grad.zero_()
    return losses


def test_manual_and_autograd_training_agree():
    X, Y, W1, W2 = _start()
    x, y = ember.tensor(X), ember.tensor(Y)
    m1, m2 = ember.tensor(W1), ember.tensor(W2)
    a1, a2 = ember.tensor(W1, requires_grad=True), ember.tensor(W2, requires_grad=True)
    manual = _manual(x, y, m1, m2)
    auto = _autograd(x, y, a1, a2)
    assert manual[0] / manual[-1] > 100
    assert auto[0] / auto[-1] > 100
    np.testing.assert_allclose(manual, auto, rtol=1e-9)
    assert_close(a1.detach(), m1, rtol=1e-9, atol=1e-12)
    assert_close(a2.detach(), m2, rtol=1e-9, atol=1e-12)
    assert a1.is_leaf and a1.requires_grad


def test_first_steps_match_torch(torch_mod):
    X, Y, W1, W2 = _start()
    w = []
    for mod in (ember, torch_mod):
        x, y = mod.tensor(X), mod.tensor(Y)
        w1, w2 = mod.tensor(W1, requires_grad=True), mod.tensor(W2, requires_grad=True)
        for _ in range(5):
            loss = (x.mm(w1).clamp(min=0).mm(w2) - y).pow(2).sum()
            loss.backward()
            with mod.no_grad():
                w1 -= LR * w1.grad
                w2 -= LR * w2.grad
                w1.grad.zero_()
                w2.grad.zero_()
        w.append((w1.detach(), w2.detach()))
    assert_close(w[0][0], w[1][0])
    assert_close(w[0][1], w[1][1])
