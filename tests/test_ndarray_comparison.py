"""``tensor == ndarray`` compares elementwise, as in PyTorch."""
import numpy as np

import ember


def test_tensor_eq_ndarray_matches_torch(torch_mod):
    arr = np.array([1.0, 2.0, 3.0])
    e = ember.tensor([1.0, 5.0, 3.0]) == arr
    t = torch_mod.tensor([1.0, 5.0, 3.0]) == arr
    assert isinstance(e, ember.Tensor) and e.dtype is ember.bool
    assert e.tolist() == t.tolist() == [True, False, True]


def test_tensor_ne_ndarray_is_elementwise():
    # PyTorch 2.13 falls back to Python's identity comparison here and returns a bool;
    # Ember keeps the elementwise meaning that == has.
    r = ember.tensor([1.0, 5.0, 3.0]) != np.array([1.0, 2.0, 3.0])
    assert r.tolist() == [False, True, False]


def test_tensor_eq_list_values():
    assert (ember.tensor([1, 2, 3]) == [1, 0, 3]).tolist() == [True, False, True]
