"""Gradients of ``y[key] = v`` inside a graph match PyTorch's, for every kind of key.
(The op gradient tables that used to live here are in ``ember.testing.op_table``, run by
tests/test_op_table.py.)"""
import numpy as np
import pytest

import ember


SETITEM_KEYS = {
    "int": lambda m: 1, "slice": lambda m: slice(0, 2), "tuple": lambda m: (0, slice(1, 3)),
    "list": lambda m: [0, 2], "tensor": lambda m: m.tensor([2, 0]),
    "mask": lambda m: m.tensor([True, False, True]),
    "int-and-tensor": lambda m: (1, m.tensor([0, 3])), "ellipsis": lambda m: (Ellipsis, 1),
    "none": lambda m: (None, 0), "2d-mask": lambda m: m.tensor([[True, False, True, False]] * 3),
}


@pytest.mark.parametrize("name", list(SETITEM_KEYS))
def test_setitem_gradients_match_torch(name, torch_mod):
    """y[key] = v inside a graph: the gradients reaching x and v are PyTorch's."""
    from core_parity import check_same
    w = np.arange(12.0).reshape(3, 4) / 7
    res = []
    for m in (ember, torch_mod):
        x = m.tensor(w, requires_grad=True)
        y = x * 2
        key = SETITEM_KEYS[name](m)
        v = m.tensor(np.full(tuple(y[key].shape), 3.0), requires_grad=True)
        y[key] = v * v
        (y * m.tensor(np.arange(12.0).reshape(3, 4))).sum().backward()
        res.append((y.detach(), x.grad, v.grad))
    check_same(res[0], res[1])
