"""Values (not only exception classes) of the calls the argument fuzz found disagreeing:
each case runs on torch and Ember and must give the same values, dtype and shape, or raise
the same exception class."""
import math

import numpy as np
import pytest

import ember

F32 = [[0.5, -1.25, 2.0], [0.1, 0.7, -0.3]]


def _x(m, dtype="float32"):
    t = m.tensor(F32)
    return t.to(getattr(m, dtype))


CASES = {
    "linspace_complex": lambda m: m.linspace(1j, 1.0, 5),
    "linspace_complex_end": lambda m: m.linspace(0, 1 + 2j, 4),
    "linspace_complex_tensor": lambda m: m.linspace(m.tensor(1j, dtype=m.complex128), 1.0, 3),
    "linspace_complex_real_dtype": lambda m: m.linspace(1j, 1.0, 3, dtype=m.float32),
    "logspace_complex": lambda m: m.logspace(1j, 1.0, 3),
    "tensor_past_int64": lambda m: m.tensor([2 ** 63]),
    "tensor_past_int64_int32": lambda m: m.tensor([2 ** 63], dtype=m.int32),
    "tensor_past_int64_float": lambda m: m.tensor([2 ** 64], dtype=m.float64),
    "tensor_int32_overflow": lambda m: m.tensor([2 ** 40], dtype=m.int32),
    "tril_indices_huge_col": lambda m: m.tril_indices(3, 10 ** 12),
    "tril_indices_offset": lambda m: m.tril_indices(4, 6, -1),
    "triu_indices_offset": lambda m: m.triu_indices(5, 3, 1),
    "triu_indices_neg": lambda m: m.triu_indices(4, 4, -2),
    "split_float_tensor": lambda m: m.ones(2, 3).split(m.tensor(2.5), 1),
    "split_multi_tensor": lambda m: m.ones(2, 3).split(m.tensor([1, 2]), 1),
    "int_complex_tensor": lambda m: int(m.tensor(1 + 1j)),
    "float_complex_real": lambda m: float(m.tensor(1 + 0j)),
    "amax_empty_dims": lambda m: m.amax(_x(m), []),
    "amin_empty_dims": lambda m: m.amin(_x(m), ()),
    "logsumexp_empty_dims": lambda m: m.logsumexp(_x(m), []),
    "logsumexp_empty_dims_keep": lambda m: m.logsumexp(_x(m), [], keepdim=True),
    "logsumexp_empty_input": lambda m: m.logsumexp(m.ones(0, 3), 0),
    "logsumexp_empty_input_all": lambda m: m.logsumexp(m.ones(0, 3), []),
    "norm_none_p": lambda m: m.norm(_x(m), None, 1),
    "norm_str_p": lambda m: m.norm(_x(m), "a"),
    "norm_nuc_one_dim": lambda m: m.norm(_x(m), "nuc", 1),
    "norm_tensor_p": lambda m: m.norm(_x(m), m.tensor(1.0)),
    "norm_multi_tensor_p": lambda m: m.norm(_x(m), m.tensor([1, 2])),
    "norm_complex_p": lambda m: m.norm(_x(m), 1j),
    "norm_huge_p": lambda m: m.norm(_x(m), 2 ** 64),
    "normalize_p_none": lambda m: m.nn.functional.normalize(_x(m), None),
    "normalize_dim_huge": lambda m: m.nn.functional.normalize(_x(m), 2.0, 2 ** 63),
    "add_bool_alpha": lambda m: m.add(_x(m), _x(m), alpha=True),
    "add_complex_alpha": lambda m: m.add(_x(m), _x(m), alpha=1j),
    "add_float_alpha_int": lambda m: m.add(m.ones(2, dtype=m.int64), 1, alpha=1.0),
    "add_bool_bool_alpha": lambda m: m.add(m.ones(2, dtype=m.bool), m.ones(2, dtype=m.bool),
                                           alpha=2),
    "add_bool_bool_alpha0": lambda m: m.add(m.zeros(2, dtype=m.bool), m.ones(2, dtype=m.bool),
                                            alpha=False),
    "median_0d_dim1": lambda m: m.median(m.tensor(2.5), 1),
    "median_0d_dim0": lambda m: m.median(m.tensor(2.5), 0).values,
    "median_bool": lambda m: m.median(m.ones(2, 3, dtype=m.bool), 1),
    "median_bool_all": lambda m: m.median(m.ones(2, 3, dtype=m.bool)),
    "kthvalue_bool": lambda m: m.ones(2, 3, dtype=m.bool).kthvalue(1, 0),
    "mode_0d_dim1": lambda m: m.tensor(1.0).mode(1),
    "gather_empty_index": lambda m: m.gather(_x(m), 1, m.zeros(0, dtype=m.int64)),
    "gather_big_index": lambda m: m.gather(_x(m), 1, m.zeros(3, 3, dtype=m.int64)),
    "gather_long_dim": lambda m: m.gather(_x(m), 1, m.tensor([[2, 0, 1, 1, 0], [0, 0, 1, 2, 2]])),
    "gather_0d_input": lambda m: m.gather(m.tensor(1.5), 0, m.tensor([0, 0])),
    "gather_0d_index": lambda m: m.gather(m.tensor([1.0, 2.0, 3.0]), 0, m.tensor(1)),
    "scatter_empty_index": lambda m: _x(m).scatter(1, m.zeros(0, dtype=m.int64), m.ones(2, 2)),
    "scatter_empty_src": lambda m: _x(m).scatter(1, m.tensor([[0, 1], [1, 2]]), m.ones(0)),
    "scatter_small_src": lambda m: _x(m).scatter(1, m.tensor([[0, 1], [1, 2]]), m.ones(2, 1)),
    "scatter_1d_src": lambda m: _x(m).scatter(1, m.tensor([[0, 1], [1, 2]]), m.ones(5)),
    "scatter_add_small_src": lambda m: _x(m).scatter_add(1, m.tensor([[0, 1]]), m.ones(2, 1)),
    "scatter_0d_self": lambda m: m.tensor(2.0).scatter(0, m.tensor([0, 0]), m.tensor([3., 4.])),
    "getitem_str": lambda m: _x(m)["a"],
    "getitem_past_int64": lambda m: _x(m)[2 ** 63],
    "getitem_float_slice": lambda m: _x(m)[0.5:1],
    "getitem_float_list": lambda m: _x(m)[[1.7]],
    "getitem_float_list2": lambda m: _x(m)[[0.5, 1.2]],
    "getitem_huge_slice_end": lambda m: _x(m)[:2 ** 63],
    "tensordot_0d_float_dims": lambda m: m.tensordot(_x(m), m.ones(3, 2), m.tensor(1.0)),
    "tensordot_1d_dims": lambda m: m.tensordot(_x(m), m.ones(3, 2), m.tensor([1, 0])),
    "tensordot_2d_dims": lambda m: m.tensordot(_x(m), m.ones(3, 2), m.tensor([[1], [0]])),
    "tensordot_mismatch": lambda m: m.tensordot(_x(m), m.ones(3, 2), 2),
    "conv2d_bool": lambda m: m.nn.functional.conv2d(m.ones(1, 2, 4, 4, dtype=m.bool),
                                                    m.ones(3, 2, 3, 3)),
    "conv_module_tensor_kernel": lambda m: m.nn.Conv2d(2, 4, m.tensor([1, 2])).weight.shape,
    "group_norm_tensor_groups": lambda m: m.nn.functional.group_norm(m.ones(2, 4, 3),
                                                                     m.tensor([1, 2])),
    "to_float_number": lambda m: _x(m).to(1.5),
    "to_complex_number": lambda m: _x(m).to(1j),
    "autograd_grad_str": lambda m: m.autograd.grad("a", m.ones(1, requires_grad=True)),
    "embedding_pad_first": lambda m: m.nn.functional.embedding(m.ones(3), m.ones(4, 2), 9),
}
for _loss in ("mse_loss", "smooth_l1_loss", "huber_loss", "soft_margin_loss", "l1_loss"):
    for _a, _b in (("float32", "bool"), ("bool", "float32"), ("int64", "float32"),
                   ("float32", "float64"), ("float64", "int64"), ("int64", "int64"),
                   ("bool", "bool")):
        CASES[f"{_loss}_{_a}_{_b}"] = (lambda m, f=_loss, a=_a, b=_b: getattr(
            m.nn.functional, f)(_x(m, a), _x(m, b), reduction="none"))
    CASES[f"{_loss}_0d_input"] = (lambda m, f=_loss: getattr(m.nn.functional, f)(
        m.tensor(2.5), _x(m)))


def _run(m, fn):
    try:
        return "ok", fn(m)
    except Exception as e:  # noqa: BLE001 - the class is the result here
        return "raise", e


def _plain(v, m):
    if isinstance(v, m.Tensor):
        return ("T", tuple(v.shape), str(v.dtype).split(".")[-1],
                v.detach().resolve_conj().numpy() if hasattr(v, "resolve_conj") else
                v.detach().numpy())
    if isinstance(v, (tuple, list)):
        return tuple(_plain(x, m) for x in v)
    return v


def _same(a, b):
    if isinstance(a, tuple) and a and a[0] == "T":
        assert b[0] == "T" and a[1] == b[1] and a[2] == b[2], (a[:3], b[:3])
        np.testing.assert_allclose(b[3], a[3], rtol=1e-5, atol=1e-6)
    elif isinstance(a, tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b)
    else:
        assert tuple(a) == tuple(b) if hasattr(a, "__iter__") else a == b, (a, b)


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_as_torch(name, torch_mod):
    fn = CASES[name]
    kt, vt = _run(torch_mod, fn)
    ke, ve = _run(ember, fn)
    if kt == "raise":
        assert ke == "raise", f"torch raised {type(vt).__name__}: {vt}; Ember returned {ve}"
        base = next(c for c in type(vt).__mro__ if c.__module__ == "builtins")
        assert isinstance(ve, base), f"torch {type(vt).__name__}: {vt}; Ember " \
                                     f"{type(ve).__name__}: {ve}"
        return
    assert ke == "ok", f"torch returned, Ember raised {type(ve).__name__}: {ve}"
    _same(_plain(vt, torch_mod), _plain(ve, ember))
