"""``torch.utils.checkpoint``: values and gradients as in PyTorch, reentrant rules included."""
import warnings

import numpy as np
import pytest

import ember
import ember.utils.checkpoint as ec
from ember.autograd import gradcheck

torch = pytest.importorskip("torch")


def _models():
    torch.manual_seed(0)
    tm = torch.nn.Sequential(*[torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.Tanh())
                               for _ in range(4)])
    em = ember.nn.Sequential(*[ember.nn.Sequential(ember.nn.Linear(4, 4), ember.nn.Tanh())
                               for _ in range(4)])
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    return tm, em


@pytest.mark.parametrize("reentrant", [True, False])
@pytest.mark.parametrize("input_grad", [True, False])
@pytest.mark.parametrize("segments", [1, 2, 3])
def test_checkpoint_sequential_matches_torch(reentrant, input_grad, segments):
    from torch.utils.checkpoint import checkpoint_sequential
    tm, em = _models()
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    tx, ex = torch.tensor(x, requires_grad=input_grad), ember.tensor(x, requires_grad=input_grad)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        to = checkpoint_sequential(tm, segments, tx, use_reentrant=reentrant)
        eo = ec.checkpoint_sequential(em, segments, ex, use_reentrant=reentrant)
    np.testing.assert_allclose(eo.detach().numpy(), to.detach().numpy(), rtol=1e-6, atol=1e-6)
    assert eo.requires_grad == to.requires_grad
    to.pow(2).sum().backward()
    eo.pow(2).sum().backward()
    for p, q in zip(tm.parameters(), em.parameters()):
        assert (p.grad is None) == (q.grad is None)
        if p.grad is not None:
            np.testing.assert_allclose(q.grad.numpy(), p.grad.numpy(), rtol=1e-5, atol=1e-6)
    if input_grad:
        np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_checkpoint_function_gradcheck_and_warnings():
    x = ember.tensor(np.random.default_rng(1).standard_normal(5), requires_grad=True)
    assert gradcheck(lambda a: ec.checkpoint(ember.sin, a, use_reentrant=False), (x,))
    with pytest.warns(UserWarning, match="use_reentrant parameter should be passed"):
        ec.checkpoint(ember.sin, x)
    with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
        out = ec.checkpoint(ember.nn.Linear(5, 2), ember.ones(5), use_reentrant=True)
    assert not out.requires_grad
    with pytest.raises(ValueError, match="Unexpected keyword arguments: scale"):
        ec.checkpoint(lambda a, scale=1: a * scale, x, use_reentrant=True, scale=2)
    assert ember.equal(ec.checkpoint(lambda a, scale=1: a * scale, x, use_reentrant=False,
                                     scale=2), x * 2)
    assert ember.utils.checkpoint is ec
