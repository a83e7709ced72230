"""Names of the graph nodes of first derivatives (create_graph=True) match PyTorch's."""
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck

CASES = {
    "pow3": lambda L, w: (w ** 3).sum(),
    "pow2": lambda L, w: (w ** 2).sum(),
    "pow_tensor": lambda L, w: (w.abs() ** w).sum(),
    "exp": lambda L, w: w.exp().sum(),
    "sin": lambda L, w: w.sin().sum(),
    "tanh": lambda L, w: w.tanh().sum(),
    "sigmoid": lambda L, w: w.sigmoid().sum(),
    "torch_sigmoid": lambda L, w: L.sigmoid(w).sum(),
    "mul": lambda L, w: (w * w).sum(),
    "mul_scalar": lambda L, w: (w * 3).sum(),
    "rdiv": lambda L, w: (1 / w).sum(),
    "div": lambda L, w: (w / (w + 3)).sum(),
    "matmul": lambda L, w: (w @ w).sum(),
    "sum": lambda L, w: w.sum() ** 2,
    "relu": lambda L, w: (L.nn.functional.relu(w) ** 2).sum(),
    "gelu": lambda L, w: L.nn.functional.gelu(w).sum(),
    "softmax": lambda L, w: (L.nn.functional.softmax(w, -1) ** 2).sum(),
    "log_softmax": lambda L, w: (L.nn.functional.log_softmax(w, -1) ** 2).sum(),
}


def _first_grad_name(L, case):
    w = L.tensor([[0.5, -1.2], [2.0, 0.3]], dtype=L.float64, requires_grad=True)
    g = L.autograd.grad(CASES[case](L, w), w, create_graph=True)[0]
    return None if g.grad_fn is None else g.grad_fn.name()


@pytest.mark.parametrize("case", sorted(CASES))
def test_first_derivative_node_name(torch_mod, case):
    assert _first_grad_name(ember, case) == _first_grad_name(torch_mod, case)


@pytest.mark.parametrize("case", ["pow3", "pow_tensor", "tanh", "sigmoid", "relu", "gelu",
                                  "softmax", "log_softmax"])
def test_renamed_derivatives_still_exact(case):
    w = ember.tensor([[0.5, -1.2], [2.0, 0.3]], dtype=ember.float64, requires_grad=True)
    fn = lambda x: CASES[case](ember, x)  # noqa: E731
    assert gradcheck(fn, (w,))
    assert gradgradcheck(fn, (w,))
