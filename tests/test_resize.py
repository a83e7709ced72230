"""Tensor.resize_ / resize_as_ against PyTorch, and reductions given dims as varargs."""
import numpy as np
import pytest

import ember


CASES = [
    ("shrink", lambda m: m.arange(6.), (2, 2)),
    ("grow", lambda m: m.arange(6.), (2, 4)),
    ("zero", lambda m: m.arange(6.), (0,)),
    ("same", lambda m: m.arange(6.).view(2, 3).t(), (3, 2)),
    ("transposed_flat", lambda m: m.arange(6.).view(2, 3).t(), (6,)),
    ("transposed_shrink", lambda m: m.arange(6.).view(2, 3).t(), (2, 2)),
    ("offset_view", lambda m: m.arange(12.)[3:], (2, 2)),
    ("view_of_base", lambda m: m.arange(6.).view(2, 3), (6,)),
    ("int", lambda m: m.arange(6), (3, 2)),
]


@pytest.mark.parametrize("name,make,size", CASES, ids=[c[0] for c in CASES])
def test_resize_matches_torch(name, make, size, torch_mod):
    want_t, got_t = make(torch_mod), make(ember)
    n0 = want_t.numel()
    want, got = want_t.resize_(*size), got_t.resize_(*size)
    assert got is got_t and want is want_t
    assert tuple(got.shape) == tuple(want.shape)
    assert got.stride() == want.stride()
    k = min(n0, want.numel())  # elements past the old storage are uninitialised in torch
    np.testing.assert_array_equal(got.reshape(-1)[:k].numpy(), want.reshape(-1)[:k].numpy())


def test_resize_sizes_forms_and_resize_as(torch_mod):
    for m in (torch_mod, ember):
        x = m.arange(6.)
        assert tuple(x.resize_([3, 2]).shape) == (3, 2)
        assert tuple(x.resize_((6,)).shape) == (6,)
        assert tuple(x.resize_(m.Size([2, 3])).shape) == (2, 3)
        assert tuple(x.resize_as_(m.ones(3, 1)).shape) == (3, 1)
        assert tuple(m.resize_as_(x, m.ones(2)).shape) == (2,)


def test_shrink_then_grow_keeps_the_storage(torch_mod):
    for m in (torch_mod, ember):
        x = m.arange(6.)
        x.resize_(0)
        x.resize_(3)
        assert x.tolist() == [0.0, 1.0, 2.0]
        x.resize_(2, 3)
        assert x.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]


def test_grown_storage_is_writable_and_contiguous():
    x = ember.arange(6.)
    v = x.resize_(10)
    v[:] = 1
    assert x.tolist() == [1.0] * 10 and x.is_contiguous()
    assert x.storage_offset() == 0


def test_resize_bumps_the_version():
    x = ember.arange(6.)
    v0 = x._version[0]
    x.resize_(2)
    assert x._version[0] > v0


def test_resize_refuses_tensors_that_require_grad(torch_mod):
    for m in (torch_mod, ember):
        x = m.ones(3, requires_grad=True)
        for f in (lambda: x.resize_(2), lambda: x.resize_(3),
                  lambda: x.resize_as_(m.ones(2))):
            with pytest.raises(RuntimeError, match="cannot resize variables that require grad"):
                f()
        with m.no_grad():
            with pytest.raises(RuntimeError):
                x.resize_(2)
        y = m.ones(3) * 1  # no grad needed: fine
        assert y.resize_(2).tolist() == [1.0, 1.0]


def test_resize_bad_sizes(torch_mod):
    for m in (torch_mod, ember):
        with pytest.raises(RuntimeError):
            m.ones(3).resize_(-1)
        for bad in (2.5, "a"):
            with pytest.raises(TypeError):
                m.ones(3).resize_(bad)


def test_sum_with_two_positional_dims_is_a_type_error(torch_mod):
    # torch 2.13 reads x.sum(0, 1) as (dim=0, keepdim=1): keepdim must be a bool
    for m in (torch_mod, ember):
        x = m.ones(2, 3, 4)
        for f in (lambda: x.sum(0, 1), lambda: m.sum(x, 0, 1), lambda: x.mean(0, 1),
                  lambda: x.amax(0, 1)):
            with pytest.raises(TypeError, match="keepdim"):
                f()
        assert tuple(x.sum((0, 1)).shape) == (4,)
        assert tuple(x.sum(0, True).shape) == (1, 3, 4)
