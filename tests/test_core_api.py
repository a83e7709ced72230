"""Parity with PyTorch for the call surface: methods vs functions, keywords, out=, dtype args."""
import copy
import pickle
import warnings

import numpy as np
import pytest

from core_parity import T, rnd, compare, cases, dtype_pair_failures

A = rnd(3, 4)
B = rnd(3, 4)
I1 = rnd(3, 4, dtype=np.int64, low=-5, high=6)

API = {
    "dtype-python-float": lambda m: m.zeros(2, dtype=float),
    "dtype-python-int": lambda m: m.ones(2, dtype=int),
    "dtype-python-bool": lambda m: m.tensor([1, 0], dtype=bool),
    "to-python-float": lambda m: m.ones(2, dtype=m.int32).to(float),
    "kw-dim-keepdim": lambda m: m.mean(T(m, A), dim=1, keepdim=True),
    "kw-input": lambda m: m.exp(input=T(m, A)),
    "kw-input-other": lambda m: m.mul(input=T(m, A), other=2),
    "kw-alpha-sub": lambda m: m.sub(T(m, A), 1, alpha=2),
    "kw-dims-flip": lambda m: m.flip(T(m, A), dims=(0,)),
    "kw-dims-permute": lambda m: m.permute(T(m, A), dims=(1, 0)),
    "kw-dim0-dim1": lambda m: m.transpose(T(m, A), dim0=0, dim1=1),
    "kw-split-size": lambda m: m.split(T(m, A), split_size_or_sections=2, dim=1),
    "kw-chunks": lambda m: T(m, A).chunk(chunks=2, dim=1),
    "kw-cat-tensors": lambda m: m.cat(tensors=[T(m, A), T(m, B)], dim=1),
    "kw-clamp": lambda m: m.clamp(T(m, A), min=-1.0, max=0.5),
    "kw-where": lambda m: m.where(condition=T(m, A) > 0, input=T(m, A), other=T(m, B)),
    "kw-sum-dtype": lambda m: T(m, I1).sum(dim=0, dtype=m.float64),
    "kw-std-unbiased": lambda m: T(m, A).std(dim=1, unbiased=False),
    "kw-matmul": lambda m: m.matmul(input=T(m, A), other=T(m, B).t()),
    "kw-squeeze-dim": lambda m: T(m, A)[:, :1].squeeze(dim=1),
    "kw-unsqueeze-dim": lambda m: m.unsqueeze(T(m, A), dim=0),
    "kw-gather": lambda m: m.gather(T(m, A), dim=1, index=m.tensor([[0], [1], [2]])),
    "kw-masked_fill": lambda m: T(m, A).masked_fill(mask=T(m, A) > 0, value=0.0),
    "kw-index_select": lambda m: m.index_select(T(m, A), dim=0, index=m.tensor([1])),
    "kw-topk-like-max": lambda m: m.max(T(m, A), dim=1, keepdim=False),
    "kw-repeat_interleave-free-reshape": lambda m: T(m, A).reshape(shape=(4, 3)),
    "kw-view-size": lambda m: T(m, A).view(size=(2, 6)),
    "kw-expand-size": lambda m: T(m, A[:1]).expand(size=(2, 3, 4)),
    "kw-roll": lambda m: m.roll(T(m, A), shifts=1, dims=0),
    "kw-tril-diagonal": lambda m: m.tril(T(m, A), diagonal=-1),
    "kw-cumsum": lambda m: m.cumsum(T(m, A), dim=1),
    "kw-argmax": lambda m: m.argmax(T(m, A), dim=1, keepdim=True),
    "kw-round": lambda m: m.round(T(m, A), decimals=1),
    "kw-lerp": lambda m: m.lerp(T(m, A), end=T(m, B), weight=0.25),
    "kw-addcmul": lambda m: m.addcmul(T(m, A), tensor1=T(m, B), tensor2=T(m, B), value=2),
    "kw-pow-exponent": lambda m: m.pow(T(m, A), exponent=2),
    "kw-div-rounding": lambda m: m.div(T(m, A), T(m, B), rounding_mode="floor"),
    "kw-isclose": lambda m: m.isclose(T(m, A), T(m, B), rtol=0.5, atol=0.5),
    "kw-narrow": lambda m: m.narrow(T(m, A), dim=1, start=1, length=2),
    "kw-select": lambda m: m.select(T(m, A), dim=1, index=0),
    "kw-movedim": lambda m: m.movedim(T(m, A), source=0, destination=1),
    "kw-diagonal": lambda m: m.diagonal(T(m, A), offset=1, dim1=0, dim2=1),
    "kw-tensordot": lambda m: m.tensordot(T(m, A), T(m, B), dims=([1], [1])),
    "kw-linspace-steps": lambda m: m.linspace(start=0, end=1, steps=3),
    "kw-arange": lambda m: m.arange(start=1, end=7, step=2),
    "kw-full": lambda m: m.full(size=(2,), fill_value=3.0),
    "kw-randint-shape": lambda m: m.randint(low=0, high=3, size=(2,)).shape,
    "method-vs-function-clamp": lambda m: (T(m, A).clamp(0), m.clamp(T(m, A), 0)),
    "method-add-scalar-tensor": lambda m: T(m, A).add(m.tensor(2.0)),
    "method-mul-list": lambda m: T(m, A) * m.tensor([1.0, 2.0, 3.0, 4.0]),
    "eq-list": lambda m: T(m, I1) == m.tensor([1, 2, 3, 4]),
    "out-sum-int": lambda m: m.sum(T(m, I1), 1, out=m.empty(3, dtype=m.int64)),
    "out-exp-f64": lambda m: m.exp(T(m, A), out=m.empty(3, 4, dtype=m.float64)),
    "out-exp-int-error": lambda m: m.exp(T(m, A), out=m.empty(3, 4, dtype=m.int64)),
    "out-matmul-resize": lambda m: m.matmul(T(m, A), T(m, B).t(), out=m.empty(1)),
    "out-cat": lambda m: m.cat([T(m, A), T(m, B)], out=m.empty(6, 4)),
    "out-mul-int-to-float": lambda m: m.mul(T(m, I1), 2, out=m.empty(3, 4)),
    "out-where": lambda m: m.where(T(m, A) > 0, T(m, A), T(m, B), out=m.empty(3, 4)),
    "out-clamp": lambda m: m.clamp(T(m, A), 0, 1, out=m.empty(3, 4)),
    "out-is-returned": lambda m: (lambda o: m.add(T(m, A), 1, out=o) is o)(m.empty(3, 4)),
    "out-max-dim": lambda m: m.max(T(m, A), 1, out=(m.empty(3), m.empty(3, dtype=m.long))),
    "inplace-noncontig": lambda m: _inplace_noncontig(m),
    "inplace-result-noncontig": lambda m: (lambda x: (x.t().add_(1), x)[1])(T(m, A)),
    "inplace-int-tensor-float-scalar-mul": lambda m: T(m, I1).mul_(2.0),
    "inplace-bool-error": lambda m: m.tensor([True]).add_(m.tensor([2])),
    "inplace-float-with-bool": lambda m: T(m, A).mul_(T(m, A) > 0),
    "inplace-clamp-int": lambda m: T(m, I1).clamp_(min=0),
    "inplace-copy_-bcast": lambda m: m.zeros(3, 4).copy_(m.arange(4.0)),
    "inplace-copy_-dtype": lambda m: m.zeros(3, dtype=m.int64).copy_(m.tensor([1.7, 2.2, -3.9])),
    "inplace-copy_-bad": lambda m: m.zeros(3, 4).copy_(m.arange(3.0)),
    "inplace-fill_-tensor": lambda m: m.zeros(3).fill_(m.tensor(2.5)),
    "inplace-fill_-int": lambda m: m.zeros(3, dtype=m.int32).fill_(2.9),
    "inplace-zero_": lambda m: T(m, A).zero_(),
    "inplace-index_put_": lambda m: m.zeros(3).index_put_((m.tensor([0, 2]),), m.tensor(1.0)),
    "inplace-masked_fill_-bcast": lambda m: T(m, A).masked_fill_(m.tensor([True, False, True, False]), 9.0),
    "inplace-scatter_": lambda m: m.zeros(3, 4).scatter_(1, m.tensor([[0], [1], [2]]), 1.0),
    "inplace-returns-view-base": lambda m: _view_base(m),
    "clone-preserves-strides": lambda m: T(m, A).t().clone().stride(),
    "contiguous-strides": lambda m: T(m, A).t().contiguous().stride(),
    "detach-shares": lambda m: (lambda x: (x.detach().add_(1), x)[1])(T(m, A)),
    "data-shares": lambda m: (lambda x: (x.data.mul_(2), x)[1])(T(m, A)),
    "requires_grad-propagates": lambda m: (m.ones(2, requires_grad=True) * m.ones(2)).requires_grad,
    "new-tensor-no-grad": lambda m: m.ones(2, requires_grad=True).new_zeros(2).requires_grad,
    "numel-fn": lambda m: m.numel(T(m, A)),
    "is_nonzero": lambda m: (m.is_nonzero(m.tensor([1.5])), m.is_nonzero(m.tensor(0))),
    "is_nonzero-error": lambda m: m.is_nonzero(m.tensor([1, 2])),
    "typename": lambda m: m.typename(m.ones(2)),
    "bool-cmp-chain": lambda m: bool((T(m, A) > -10).all()),
    "int-truediv-0d": lambda m: m.tensor(7) / m.tensor(2),
    "int-floordiv-neg": lambda m: m.tensor([-7, 7]) // 2,
    "pow-0d-int-float": lambda m: m.tensor(2) ** 0.5,
    "rtruediv-int": lambda m: 1 / m.tensor([2, 4]),
    "rsub-int": lambda m: 10 - m.tensor([2, 4]),
    "neg-uint8": lambda m: -m.tensor([1, 2], dtype=m.uint8),
    "abs-int8-min": lambda m: m.tensor([-128, 5], dtype=m.int8).abs(),
    "uint8-sub-wrap": lambda m: m.tensor([1], dtype=m.uint8) - m.tensor([2], dtype=m.uint8),
    "int8-mul-overflow": lambda m: m.tensor([100], dtype=m.int8) * 3,
    "f16-sum": lambda m: m.tensor([1000.0] * 100, dtype=m.float16).sum(),
    "f16-mean": lambda m: m.tensor([1.0, 2.0, 4.0], dtype=m.float16).mean(),
    "bf16-add": lambda m: m.tensor([1.0, 2.0], dtype=m.bfloat16) + 1.5,
    "bf16-f16-add": lambda m: m.tensor([1.0], dtype=m.bfloat16) + m.tensor([1.0], dtype=m.float16),
    "bf16-matmul": lambda m: m.ones(2, 3, dtype=m.bfloat16) @ m.ones(3, 2, dtype=m.bfloat16),
    "complex-abs": lambda m: m.tensor([3 + 4j, -1j]).abs(),
    "complex-mul": lambda m: m.tensor([1 + 1j]) * m.tensor([2 - 1j]),
    "complex-angle": lambda m: m.tensor([1 + 1j, -1 + 0j]).angle(),
    "complex-real-view": lambda m: (lambda z: (z.real.mul_(2), z)[1])(m.tensor([1 + 2j, 3 + 4j])),
    "complex-sum": lambda m: m.tensor([1 + 1j, 2 - 3j]).sum(),
    "complex-exp": lambda m: m.tensor([1j]).exp(),
    "complex-to-real-error": lambda m: m.tensor([1 + 1j]).to(m.float32),
}


def _inplace_noncontig(m):
    x = T(m, A)
    v = x.t()
    v.mul_(T(m, B).t())
    v[::2].add_(1)
    return x


def _view_base(m):
    x = m.zeros(4)
    v = x[1:3]
    r = v.add_(1)
    return r is v, x


@pytest.mark.parametrize("fn", **cases(API))
def test_api(fn, torch_mod):
    compare(fn, torch_mod, rtol=1e-5, atol=1e-5)


INPLACE_DTYPES = ["bool", "uint8", "int32", "int64", "float16", "float32", "float64", "complex64"]
INPLACE_OPS = ["add_", "sub_", "mul_", "div_", "floor_divide_", "remainder_", "fmod_", "pow_",
               "atan2_", "hypot_", "maximum-out", "copysign_", "eq_", "lt_", "logical_and_",
               "bitwise_and_", "clamp_min_", "lerp_", "addcmul_", "masked_fill_", "where",
               "fill_", "copy_", "index_fill_"]
IN_A = [[1.0, 2.0, 3.0, 0.0], [4.0, 0.5, 1.5, 2.0]]
IN_B = [[2.0, 1.0, 0.5, 1.0], [3.0, 2.0, 1.0, 4.0]]


def _inplace_call(m, name, x, y):
    cond = (y.real if y.dtype.is_complex else y) > 1
    special = {
        "lerp_": lambda: x.lerp_(y, 0.5), "addcmul_": lambda: x.addcmul_(y, y),
        "masked_fill_": lambda: x.masked_fill_(cond, 2), "where": lambda: x.where(cond, y),
        "fill_": lambda: x.fill_(y[0, 0]), "copy_": lambda: x.copy_(y),
        "index_fill_": lambda: x.index_fill_(1, m.tensor([0, 2]), y[0, 0]),
        "maximum-out": lambda: m.maximum(x, y, out=x),
    }
    return special[name]() if name in special else getattr(x, name)(y)


@pytest.mark.parametrize("d1", INPLACE_DTYPES)
def test_inplace_dtype_matrix(d1, torch_mod):
    """In-place ops over dtype pairs: the value written, or PyTorch's error (no dtype change)."""
    failures = dtype_pair_failures(torch_mod, d1, INPLACE_DTYPES, INPLACE_OPS,
                                   lambda m, name, x, y: (_inplace_call(m, name, x, y), x),
                                   IN_A, IN_B)
    assert not failures, "\n".join(failures[:20])


MISC = {
 "size-add": lambda m: m.ones(2, 3).shape + (4,),
 "size-radd": lambda m: (1,) + m.ones(2, 3).shape,
 "size-slice": lambda m: m.ones(2, 3, 4).shape[1:],
 "size-eq": lambda m: (m.ones(2, 3).shape == (2, 3), m.ones(2, 3).shape == [2, 3]),
 "size-numel": lambda m: m.ones(2, 3).shape.numel(),
 "size-repr": lambda m: repr(m.Size([2, 3])),
 "size-str": lambda m: str(m.ones(2).shape),
 "size-empty": lambda m: repr(m.tensor(1.).shape),
 "size-mul": lambda m: m.ones(2).shape * 2,
 "size-index": lambda m: m.ones(2, 3).shape[-1],
 "size-type": lambda m: type(m.ones(2, 3).shape[1:]).__name__,
 "size-hash": lambda m: hash(m.Size([2, 3])) == hash((2, 3)),
 "dtype-str": lambda m: (str(m.float32), m.float32 == m.float, m.float32 is m.float),
 "dtype-to_complex": lambda m: m.float64.to_complex(),
 "dtype-to_real": lambda m: m.complex64.to_real(),
 "dtype-in-dict": lambda m: {m.float32: 1}[m.float],
 "default-f64-print": lambda m: (m.set_default_dtype(m.float64), repr(m.tensor([1.5], dtype=m.float32)), repr(m.tensor([1.5])), m.set_default_dtype(m.float32))[1:3],
 "default-f64-arange": lambda m: (m.set_default_dtype(m.float64), m.arange(3.0).dtype, m.set_default_dtype(m.float32))[1],
 "tolist-i8": lambda m: m.tensor([1, -2], dtype=m.int8).tolist(),
 "tolist-c64": lambda m: m.tensor([1 + 2j]).tolist(),
 "item-c64": lambda m: m.tensor(1 + 2j).item(),
 "item-u8": lambda m: m.tensor(200, dtype=m.uint8).item(),
 "numpy-dtype": lambda m: str(m.ones(2, dtype=m.int16).numpy().dtype),
 "array-protocol": lambda m: np.asarray(m.ones(2, 2)).shape,
 "array-dtype": lambda m: str(np.asarray(m.ones(2), dtype=np.float64).dtype),
 "np-add-tensor": lambda m: type(np.float64(2.0) * m.ones(2)).__name__,
 "pickle": lambda m: pickle.loads(pickle.dumps(m.arange(6.0).reshape(2, 3).t())),
 "deepcopy": lambda m: copy.deepcopy(m.ones(2, requires_grad=True)),
 "copy": lambda m: copy.copy(m.ones(2)),
 "contains": lambda m: (2.0 in m.arange(3.0), 5 in m.arange(3)),
 "reversed": lambda m: list(reversed(m.arange(3))),
 "sorted-builtin": lambda m: [x.item() for x in sorted(m.tensor([3, 1, 2]))],
 "max-builtin": lambda m: max(m.tensor([3, 1, 2])),
 "sum-builtin": lambda m: sum(m.tensor([3.0, 1.0])),
 "round-builtin": lambda m: round(m.tensor(2.567), 2),
 "abs-builtin": lambda m: abs(m.tensor([-1, 2])),
 "divmod": lambda m: divmod(m.tensor([7, -7]), 3),
 "bool-0d": lambda m: (bool(m.tensor(0.0)), bool(m.tensor([2])), bool(m.tensor([[True]]))),
 "int-0d-float": lambda m: (int(m.tensor(-2.7)), float(m.tensor(3))),
 "complex-0d": lambda m: complex(m.tensor(1.5)),
 "index-bool-tensor": lambda m: [1, 2][m.tensor(True)],
 "matmul-numpy": lambda m: m.ones(2, 2) @ np.ones((2, 2), dtype=np.float32),
 "eq-none": lambda m: m.ones(2) == None,
 "ne-str": lambda m: m.ones(2) != "a",
 "is-in-list": lambda m: (lambda t: t in [t])(m.ones(2)),
 "format-spec": lambda m: f"{m.tensor(3.14159):.2f}",
 "format-int": lambda m: f"{m.tensor(3):5d}",
 "requires_grad-set-nonleaf": lambda m: setattr(m.ones(2, requires_grad=True) * 2, "requires_grad", False),
 "grad-set-wrong-shape": lambda m: setattr(m.ones(2, requires_grad=True), "grad", m.ones(3)),
 "data-set": lambda m: (lambda t: (setattr(t, "data", m.zeros(3)), t)[1])(m.ones(2)),
 "new": lambda m: m.ones(2, dtype=m.float64).new(3).shape,
 "new-data": lambda m: m.ones(2, dtype=m.float64).new([1, 2]),
 "Tensor-from-tensor": lambda m: m.Tensor(m.tensor([1, 2])),
 "Tensor-size-kw": lambda m: m.Tensor(size=(2, 3)).shape,
 "Tensor-np": lambda m: m.Tensor(np.ones(2)),
 "tensor-from-nested-np": lambda m: m.tensor([np.float32(1.5), np.float32(2)]),
 "tensor-from-mixed-np-int": lambda m: m.tensor([np.int32(1), 2]),
 "as_tensor-list-of-tensors": lambda m: m.as_tensor([m.tensor(1.0), m.tensor(2.0)]),
 "stack-of-list": lambda m: m.tensor([[m.tensor(1), 2], [3, 4]]),
 "is_contiguous-mem": lambda m: m.ones(2, 3).is_contiguous(memory_format=m.contiguous_format),
 "element_size-bool": lambda m: m.ones(2, dtype=m.bool).element_size(),
 "dim-order": lambda m: m.ones(2, 3).t().dim_order(),
 "nbytes-view": lambda m: m.ones(4, 4)[0].nbytes,
 "untyped_storage-nbytes": lambda m: m.ones(4, 4)[0].untyped_storage().nbytes(),
}


@pytest.mark.parametrize("name", list(MISC))
def test_misc_python_protocols(name, torch_mod):
    """Size, dtype objects, Python builtins on tensors, NumPy interop, pickling, constructors."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare(MISC[name], torch_mod)
