"""Integer arithmetic wraps around as PyTorch's does (two's complement, Python ints converted
to the tensor's dtype), and where PyTorch raises for a value that cannot be converted
(past 64 bits, or a fill that overflows the dtype) Ember raises the same exception type."""
import warnings

import pytest

import ember


def _ip(a, f):
    f(a)
    return a


def _cases(m):
    t = m.tensor
    i8, u8, i16, i32, i64 = (lambda v, d=d: t(v, dtype=getattr(m, d))
                             for d in ("int8", "uint8", "int16", "int32", "int64"))
    return {
        "i8+200": lambda: i8([100]) + 200, "i8*3": lambda: i8([100]) * 3,
        "u8-1": lambda: u8([0]) - 1, "u8+300": lambda: u8([10]) + 300,
        "i16+i16": lambda: i16([30000]) + i16([30000]), "i16*300": lambda: i16([300]) * 300,
        "i8+2**70": lambda: i8([1]) + 2 ** 70, "i64+2**63": lambda: i64([1]) + 2 ** 63,
        "i64*2**64-1": lambda: i64([1]) * (2 ** 64 - 1), "i64+2**64": lambda: i64([1]) + 2 ** 64,
        "i8+-2**63-1": lambda: i8([1]) + (-2 ** 63 - 1), "i8+1000": lambda: i8([1]) + 1000,
        "i8+-129": lambda: i8([1]) + (-129), "u8+-1": lambda: u8([5]) + (-1),
        "u8*-1": lambda: u8([5]) * -1, "200+i8": lambda: 200 + i8([100]),
        "300-u8": lambda: 300 - u8([1]), "i8-2**7": lambda: i8([0]) - 2 ** 7,
        "i8_add_": lambda: _ip(i8([100]), lambda a: a.add_(200)),
        "i8_mul_": lambda: _ip(i8([100]), lambda a: a.mul_(3)),
        "u8_sub_": lambda: _ip(u8([0]), lambda a: a.sub_(1)),
        "i8_iadd_op": lambda: _ip(i8([100]), lambda a: a.__iadd__(100)),
        "i8_add_t": lambda: _ip(i8([100]), lambda a: a.add_(i8([100]))),
        "i16_add_2**40": lambda: _ip(i16([1]), lambda a: a.add_(2 ** 40)),
        "i8_add_2**70": lambda: _ip(i8([1]), lambda a: a.add_(2 ** 70)),
        "i32*4": lambda: i32([2 ** 30]) * 4, "i64*4": lambda: i64([2 ** 62]) * 4,
        "i32+2**40": lambda: i32([1]) + 2 ** 40, "neg_min": lambda: -i64([-2 ** 63]),
        "i8neg": lambda: -i8([-128]), "i8abs": lambda: i8([-128]).abs(),
        "i8sum": lambda: i8([100, 100]).sum(), "i8cumsum": lambda: i8([100, 100]).cumsum(0),
        "i8prod": lambda: i8([100, 100]).prod(), "i8pow": lambda: i8([10]) ** 3,
        "i8pow_t": lambda: i8([10]).pow(i8([3])), "u8-u8": lambda: u8([1]) - u8([2]),
        "i8sub": lambda: i8([-128]) - 1, "i8*i8": lambda: i8([16]) * i8([16]),
        "i8_alpha": lambda: i8([5]).add(i8([100]), alpha=2),
        "i8_fill_": lambda: i8([1]).fill_(300), "i8_full": lambda: m.full((1,), 300, dtype=m.int8),
        "i8_setitem": lambda: _ip(i8([1, 2]), lambda a: a.__setitem__(0, 300)),
        "i8_clamp": lambda: i8([5]).clamp(0, 300),
        "i8_masked_fill": lambda: i8([5]).masked_fill(t([True]), 300),
        "i8_where": lambda: m.where(t([True]), i8([1]), 300),
        "u8_fill_neg": lambda: u8([1]).fill_(-1), "i16_full_big": lambda: m.full((1,), 2 ** 40,
                                                                             dtype=m.int16),
        "i8_full_2**70": lambda: m.full((1,), 2 ** 70, dtype=m.int8),
    }


@pytest.mark.parametrize("name", sorted(_cases(ember)))
def test_wraps_or_raises_like_torch(name, torch_mod):
    try:
        want = _cases(torch_mod)[name]()
    except Exception as exc:  # noqa: BLE001  (the exception type torch raises is the spec)
        with pytest.raises(type(exc)) as info:
            _cases(ember)[name]()
        if isinstance(exc, RuntimeError):
            assert str(info.value) == str(exc)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = _cases(ember)[name]()
    assert got.tolist() == want.tolist()
    assert str(got.dtype) == str(want.dtype)


def test_wrap_keeps_autograd_free_paths_fast():
    # float tensors with Python ints are untouched by the wrapping (only integer dtypes wrap)
    x = ember.tensor([1.0, 2.0])
    assert (x + 2 ** 63).tolist() == [2.0 ** 63, 2.0 ** 63]


@pytest.mark.parametrize("op", [
    lambda m, x, v: x + v, lambda m, x, v: v - x, lambda m, x, v: x * v,
    lambda m, x, v: m.add(x, v), lambda m, x, v: m.add(x, x, alpha=v), lambda m, x, v: x < v,
    lambda m, x, v: x.clone().add_(v), lambda m, x, v: x.clone().mul_(v),
    lambda m, x, v: x.clone().fill_(v), lambda m, x, v: m.full_like(x, v),
    lambda m, x, v: m.ones(2, dtype=m.int64) + v])
def test_python_ints_past_64_bits_overflow(op, torch_mod):
    # PyTorch reads a Python int Scalar in 64 bits (int64 or uint64): OverflowError past them
    for v in (2 ** 64, 2 ** 70, -2 ** 63 - 1):
        for m in (torch_mod, ember):
            with pytest.raises(OverflowError):
                op(m, m.tensor([1.0, 2.0]), v)
    for m in (torch_mod, ember):  # 2**63 itself still reads (as an unsigned long)
        r = op(m, m.tensor([1.0, 2.0]), 2 ** 63)
        assert r is None or r.shape == (2,)


def test_uint8_takes_negative_fills_down_to_minus_255(torch_mod):
    for v in (-1, -128, -200, -255, -256, 256):
        for m_fn in (lambda m, v: m.tensor([1], dtype=m.uint8).fill_(v),
                     lambda m, v: m.full((1,), v, dtype=m.uint8),
                     lambda m, v: m.tensor([1], dtype=m.uint8).masked_fill(m.tensor([True]), v),
                     lambda m, v: m.tensor([1, 2], dtype=m.uint8).__setitem__(0, v),
                     lambda m, v: v - m.tensor([1], dtype=m.uint8),
                     lambda m, v: m.rsub(m.tensor([1], dtype=m.uint8), v)):
            try:
                want = m_fn(torch_mod, v)
            except RuntimeError:
                with pytest.raises(RuntimeError):
                    m_fn(ember, v)
                continue
            got = m_fn(ember, v)
            assert (None if got is None else got.tolist()) == \
                (None if want is None else want.tolist())
