"""Converters for the rest of the elementwise math (round/trunc/frac, fmod/remainder, erfc,
logaddexp), tril/triu, roll and vector norms."""
import math

import numpy as np

from ..ops import binary as B, joining as J, pointwise as PW, unary as U
from ..ops.norms import VectorNorm
from .errors import UnsupportedOperatorError
from ._ops_tensor import typed_input
from ._registry import converter

__all__ = []


def _trunc(g, x, t):
    zero = g.scalar_like(0, t)
    return g.node("Where", [g.node("Less", [x, zero]), g.node("Ceil", [x]), g.node("Floor", [x])])


@converter(U.OPS["trunc"], U.OPS["fix"])
def _trunc_conv(g, rec):
    if rec.inputs[0]._data.dtype.kind in "iub":
        return g.node("Identity", [g.input(rec, 0)])
    return _trunc(g, g.input(rec, 0), rec.inputs[0])


@converter(U.OPS["frac"])
def _frac(g, rec):
    x = g.input(rec, 0)
    return g.node("Sub", [x, _trunc(g, x, rec.inputs[0])])


@converter(U.OPS["erfc"])
def _erfc(g, rec):
    x, t = g.input(rec, 0), rec.inputs[0]
    return g.node("Sub", [g.scalar_like(1, t), g.node("Erf", [x])])


@converter(PW.Round)
def _round(g, rec):
    x, t = g.input(rec, 0), rec.inputs[0]
    if t._data.dtype.kind in "iub":
        return g.node("Identity", [x])
    d = int(rec.params.get("decimals", 0) or 0)
    if d == 0:
        return g.node("Round", [x])  # half to even, as PyTorch
    s = g.scalar_like(10.0 ** d, t)
    return g.node("Div", [g.node("Round", [g.node("Mul", [x, s])]), s])


@converter(B.Fmod)
def _fmod(g, rec):
    dt = rec.outputs[0]._data.dtype
    return g.node("Mod", [typed_input(g, rec, 0, dt), typed_input(g, rec, 1, dt)], fmod=1)


@converter(B.Remainder)
def _remainder(g, rec):
    dt = rec.outputs[0]._data.dtype
    a, b = typed_input(g, rec, 0, dt), typed_input(g, rec, 1, dt)
    if dt.kind in "iu":
        return g.node("Mod", [a, b], fmod=0)  # the sign of the divisor, as Python and PyTorch
    return g.node("Sub", [a, g.node("Mul", [g.node("Floor", [g.node("Div", [a, b])]), b])])


@converter(B.Logaddexp)
def _logaddexp(g, rec):
    dt = rec.outputs[0]._data.dtype
    a, b = typed_input(g, rec, 0, dt), typed_input(g, rec, 1, dt)
    m = g.node("Max", [a, b])
    d = g.node("Neg", [g.node("Abs", [g.node("Sub", [a, b])])])
    one = g.const(np.asarray(1, dtype=dt), "one")
    return g.node("Add", [m, g.node("Log", [g.node("Add", [one, g.node("Exp", [d])])])])


@converter(J.Tril, J.Triu)
def _tri(g, rec):
    k = g.const(np.asarray(int(rec.params["diagonal"]), dtype=np.int64), "k")
    return g.node("Trilu", [g.input(rec, 0), k], upper=int(rec.op.upper))


@converter(J.Roll)
def _roll(g, rec):
    x, t = g.input(rec, 0), rec.inputs[0]
    shifts, dims = rec.params["shifts"], rec.params["dims"]
    if dims is None:  # over the flattened tensor, then the shape back
        flat = g.node("Reshape", [x, g.ints([-1])])
        y = _roll_axes(g, flat, [t._data.size], [int(shifts)], [0])
        return g.node("Reshape", [y, g.node("Shape", [x])])
    shifts = shifts if isinstance(shifts, tuple) else (shifts,)
    dims = dims if isinstance(dims, tuple) else (dims,)
    return _roll_axes(g, x, t.shape, list(shifts), [d % t.dim() for d in dims])


def _roll_axes(g, x, shape, shifts, dims):
    for s, d in zip(shifts, dims):
        n = shape[d]
        s %= n
        if not s:
            continue
        tail = g.node("Slice", [x, g.ints([n - s]), g.ints([n]), g.ints([d])])
        head = g.node("Slice", [x, g.ints([0]), g.ints([n - s]), g.ints([d])])
        x = g.node("Concat", [tail, head], axis=d)
    return x


@converter(VectorNorm)
def _vector_norm(g, rec):
    x, t = g.input(rec, 0), rec.inputs[0]
    p, dims, keep = rec.params["ord"], rec.params["dims"], rec.params["keepdim"]
    axes = None if dims is None else tuple(dims if isinstance(dims, (tuple, list)) else (dims,))
    if p == 2:
        return g.reduce("ReduceL2", x, axes, keep)
    if p == 1:
        return g.reduce("ReduceL1", x, axes, keep)
    if p in (math.inf, -math.inf):
        return g.reduce("ReduceMax" if p > 0 else "ReduceMin", g.node("Abs", [x]), axes, keep)
    if p == 0:
        nz = g.cast(g.node("Not", [g.node("Equal", [x, g.scalar_like(0, t)])]), t._data.dtype)
        return g.reduce("ReduceSum", nz, axes, keep)
    if isinstance(p, (int, float)) and p > 0:
        s = g.reduce("ReduceSum", g.node("Pow", [g.node("Abs", [x]), g.scalar_like(p, t)]),
                     axes, keep)
        return g.node("Pow", [s, g.scalar_like(1.0 / p, t)])
    raise UnsupportedOperatorError(f"Exporting vector_norm with ord={p} is not supported")
