"""Helpers for the nn core tests: run the same code under Ember and torch, compare outputs
and gradients (w.r.t. the inputs and every parameter)."""
import numpy as np

import ember
from ember.testing import assert_close

RNG = np.random.default_rng(4321)


def rnd(*shape, low=-2.0, high=2.0, dtype=np.float32):
    """Deterministic random data."""
    return RNG.uniform(low, high, size=shape).astype(dtype)


def pair(torch, arr, grad=True):
    """The same array as an Ember tensor and a torch tensor (both leaves)."""
    arr = np.array(arr)
    e = ember.tensor(arr.copy())
    t = torch.tensor(arr.copy())
    if grad and arr.dtype.kind == "f":
        e.requires_grad_(True)
        t.requires_grad_(True)
    return e, t


def copy_weights(emod, tmod):
    """Load torch module ``tmod``'s state_dict into Ember module ``emod`` (keys must match)."""
    sd = tmod.state_dict()
    assert list(emod.state_dict().keys()) == list(sd.keys())
    emod.load_state_dict({k: ember.tensor(v.detach().numpy().copy()) for k, v in sd.items()})


def compare_forward_backward(eout, tout, e_leaves, t_leaves, rtol=1e-5, atol=1e-6, seed_grad=True):
    """Outputs equal; then backward of a fixed random weighting; leaf grads equal."""
    assert tuple(eout.shape) == tuple(tout.shape), (eout.shape, tout.shape)
    assert str(eout.dtype) == str(tout.dtype)
    assert_close(eout.detach(), tout.detach(), rtol=rtol, atol=atol)
    if not tout.requires_grad:
        return
    w = rnd(*tout.shape) if tout.dim() else np.array(1.3, dtype=np.float32)
    w = w.astype(np.float64 if "64" in str(tout.dtype) else np.float32)
    (eout * ember.tensor(w)).sum().backward()
    import torch
    (tout * torch.tensor(w)).sum().backward()
    for i, (el, tl) in enumerate(zip(e_leaves, t_leaves)):
        if tl.grad is None:
            assert el.grad is None or float(abs(el.grad).max()) == 0, f"leaf {i}"
            continue
        assert el.grad is not None, f"leaf {i} has no grad"
        assert_close(el.grad, tl.grad, rtol=rtol * 10, atol=atol * 10, msg=f"grad of leaf {i}")


def compare_modules(emod, tmod, *inputs, rtol=1e-5, atol=1e-6):
    """Copy torch's weights into ``emod``, run both on ``inputs`` (arrays), compare outputs,
    input grads and parameter grads."""
    copy_weights(emod, tmod)
    import torch
    pairs = [pair(torch, a) for a in inputs]
    eout = emod(*[p[0] for p in pairs])
    tout = tmod(*[p[1] for p in pairs])
    ep = [p for _, p in emod.named_parameters()]
    tp = [p for _, p in tmod.named_parameters()]
    compare_forward_backward(eout, tout, [p[0] for p in pairs] + ep, [p[1] for p in pairs] + tp,
                             rtol, atol)
    for (k, b), (k2, b2) in zip(emod.named_buffers(), tmod.named_buffers()):
        assert k == k2
        assert_close(b, b2, rtol=rtol, atol=atol, msg=k)
