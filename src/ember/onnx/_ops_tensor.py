"""Converters for tensor ops: elementwise arithmetic and functions, matmul/einsum, reductions,
softmax, and the shape ops (view/reshape, permute/transpose, expand, basic slicing, cat)."""
import math

import numpy as np

from ..ops import binary as B, matmul as MM, pointwise as PW, reduce as R, shape as S
from ..ops import indexing as IX, joining as J, unary as U
from ..nn._functional.vision import ConstantPad
from ..ops.slicing import Slice
from .errors import OnnxExporterError, UnsupportedOperatorError
from ._graph import INT64_MAX
from ._registry import converter
from ._trace import ArgReduce, Compare

__all__ = []


def _out_dtype(rec):
    return rec.outputs[0]._data.dtype


def typed_input(g, rec, j, dtype):
    """Input ``j`` as ``dtype``: constants written in it, live values cast when they differ."""
    t = rec.inputs[j]
    if not g.is_live_input(rec, j):
        v = g.const_value(rec, j)
        if v is not None and v.dtype != dtype and t._data.shape == g.alt(rec).inputs[j].shape:
            return g.const(v.astype(dtype), g.params.get(id(t), "const"))
        name = g.input(rec, j)
        return name if t._data.dtype == dtype else g.cast(name, dtype)
    name = g.input(rec, j)
    return name if t._data.dtype == dtype else g.cast(name, dtype)


# ---- elementwise ----------------------------------------------------------------------------
_BINARY = {B.Add: "Add", B.Sub: "Sub", B.Mul: "Mul", B.Div: "Div", B.Pow: "Pow",
           B.Maximum: "Max", B.Minimum: "Min"}


@converter(*_BINARY, *B._OPMATH.values())  # _OPMATH: half-precision variants of Mul/Div
def _binary(g, rec):
    dt = _out_dtype(rec)
    op = next(_BINARY[k] for k in rec.op.__mro__ if k in _BINARY)
    return g.node(op, [typed_input(g, rec, 0, dt), typed_input(g, rec, 1, dt)])


_UNARY = {"neg": "Neg", "abs": "Abs", "sign": "Sign", "sqrt": "Sqrt", "exp": "Exp", "log": "Log",
          "sin": "Sin", "cos": "Cos", "tan": "Tan", "asin": "Asin", "acos": "Acos",
          "atan": "Atan", "sinh": "Sinh", "cosh": "Cosh", "tanh": "Tanh", "asinh": "Asinh",
          "acosh": "Acosh", "atanh": "Atanh", "sigmoid": "Sigmoid", "erf": "Erf",
          "reciprocal": "Reciprocal", "floor": "Floor", "ceil": "Ceil", "relu": "Relu"}
_UNARY.update({"negative": "Neg", "absolute": "Abs", "arcsin": "Asin", "arccos": "Acos",
               "arctan": "Atan", "arcsinh": "Asinh", "arccosh": "Acosh", "arctanh": "Atanh"})
_UNARY_OPS = {U.OPS[n]: op for n, op in _UNARY.items()}


@converter(*_UNARY_OPS)
def _unary(g, rec):
    return g.node(_UNARY_OPS[rec.op], [g.input(rec, 0)])


def _composite(fn):
    def conv(g, rec):
        return fn(g, g.input(rec, 0), rec.inputs[0])
    return conv


_COMPOSITES = {
    "rsqrt": lambda g, x, t: g.node("Reciprocal", [g.node("Sqrt", [x])]),
    "square": lambda g, x, t: g.node("Mul", [x, x]),
    "log2": lambda g, x, t: g.node("Div", [g.node("Log", [x]), g.scalar_like(math.log(2), t)]),
    "log10": lambda g, x, t: g.node("Div", [g.node("Log", [x]), g.scalar_like(math.log(10), t)]),
    "log1p": lambda g, x, t: g.node("Log", [g.node("Add", [x, g.scalar_like(1, t)])]),
    "expm1": lambda g, x, t: g.node("Sub", [g.node("Exp", [x]), g.scalar_like(1, t)]),
    "exp2": lambda g, x, t: g.node("Pow", [g.scalar_like(2, t), x]),
}
for _n, _fn in _COMPOSITES.items():
    converter(U.OPS[_n])(_composite(_fn))


@converter(PW.Where)
def _where(g, rec):
    dt = _out_dtype(rec)
    cond = typed_input(g, rec, 0, np.dtype(bool))
    return g.node("Where", [cond, typed_input(g, rec, 1, dt), typed_input(g, rec, 2, dt)])


@converter(PW.Clamp, PW._ClampT)
def _clamp(g, rec):
    dt = _out_dtype(rec)
    y = g.input(rec, 0)
    scalar = all(rec.inputs[j] is None or (not g.is_live_input(rec, j) and
                                           rec.inputs[j]._data.ndim == 0) for j in (1, 2))
    if scalar:
        return g.node("Clip", [y] + [typed_input(g, rec, j, dt) if rec.inputs[j] is not None
                                     else "" for j in (1, 2)])
    if rec.inputs[1] is not None:
        y = g.node("Max", [y, typed_input(g, rec, 1, dt)])
    if rec.inputs[2] is not None:
        y = g.node("Min", [y, typed_input(g, rec, 2, dt)])
    return y


@converter(PW.ToDtype)
def _to_dtype(g, rec):
    return g.cast(g.input(rec, 0), _out_dtype(rec))


@converter(PW.Clone)
def _clone(g, rec):
    return g.node("Identity", [g.input(rec, 0)])


@converter(MM.Matmul)
def _matmul(g, rec):
    dt = _out_dtype(rec)
    return g.node("MatMul", [typed_input(g, rec, 0, dt), typed_input(g, rec, 1, dt)])


@converter(MM.Einsum)
def _einsum(g, rec):
    spec = rec.params["spec"].replace(" ", "")
    if "..." in spec or "->" not in spec:
        raise UnsupportedOperatorError(f"einsum '{spec}': only explicit equations without "
                                       "'...' are exported")
    return g.node("Einsum", [g.input(rec, j) for j in range(len(rec.inputs))], equation=spec)


# ---- reductions -----------------------------------------------------------------------------
def _reduce(op_type):
    def conv(g, rec):
        x = g.input(rec, 0)
        dt = rec.params.get("dtype")
        if dt is not None and np.dtype(dt) != rec.inputs[0]._data.dtype:
            x = g.cast(x, dt)
        y = g.reduce(op_type, x, tuple(rec.params["dims"]), rec.params["keepdim"])
        if _out_dtype(rec) != np.dtype(dt or rec.inputs[0]._data.dtype):
            y = g.cast(y, _out_dtype(rec))
        return y
    return conv


converter(R.Sum)(_reduce("ReduceSum"))
converter(R.Prod)(_reduce("ReduceProd"))
converter(R.Amax)(_reduce("ReduceMax"))
converter(R.Amin)(_reduce("ReduceMin"))


@converter(R._MaxDim)
def _max_dim(g, rec):
    """max/min along a dim (values): which of the two, read from the traced values."""
    d, keep = rec.params["d"], rec.params["keepdim"]
    is_max = is_min = True
    for r in (rec, g.alt(rec)):
        x, y = r.inputs[0]._data, r.outputs[0]._data
        is_max &= bool(np.array_equal(y, x.max(axis=d, keepdims=keep), equal_nan=True))
        is_min &= bool(np.array_equal(y, x.min(axis=d, keepdims=keep), equal_nan=True))
    if is_max == is_min:  # every row constant in both traces: the node's name tells
        name = rec.node.name() if rec.node is not None else ""
        is_max = name.startswith("Max")
        if not name:
            raise OnnxExporterError("cannot tell max from min along a dim on constant rows")
    return g.reduce("ReduceMax" if is_max else "ReduceMin", g.input(rec, 0), (d,), keep)


@converter(R.Cumsum)
def _cumsum(g, rec):
    x = g.input(rec, 0)
    dt = rec.params.get("dtype")
    if dt is not None and np.dtype(dt) != rec.inputs[0]._data.dtype:
        x = g.cast(x, dt)
    return g.node("CumSum", [x, g.const(np.asarray(rec.params["d"], dtype=np.int64), "axis")])


@converter(R.Softmax)
def _softmax(g, rec):
    return g.node("Softmax", [g.input(rec, 0)], axis=int(rec.params["d"]))


@converter(R.LogSoftmax)
def _log_softmax(g, rec):
    return g.node("LogSoftmax", [g.input(rec, 0)], axis=int(rec.params["d"]))


# ---- shapes ---------------------------------------------------------------------------------
@converter(S.View, S.Reshape)
def _reshape(g, rec):
    x = g.input(rec, 0)
    s1, s2 = g.param2(rec, "shape")
    in1, in2 = tuple(rec.inputs[0].shape), tuple(g.alt(rec).inputs[0].shape)
    if tuple(s1) == in1 and tuple(s2) == in2:
        return g.node("Identity", [x])
    if tuple(s1) != tuple(s2) and len(s1) == 2:  # a flatten: ONNX Flatten keeps any batch size
        for a in range(len(in1) + 1):
            if (math.prod(in1[:a]), math.prod(in2[:a])) == (s1[0], s2[0]) and \
                    (math.prod(in1[a:]), math.prod(in2[a:])) == (s1[1], s2[1]):
                return g.node("Flatten", [x], axis=a)
    return g.node("Reshape", [x, g.shape_tensor(s1, s2, "reshape", (x, in1, in2))])


@converter(S.Permute)
def _permute(g, rec):
    return g.node("Transpose", [g.input(rec, 0)], perm=list(rec.params["dims"]))


@converter(S.Transpose)
def _transpose(g, rec):
    nd = rec.inputs[0].dim()
    perm = list(range(nd))
    d0, d1 = rec.params["d0"], rec.params["d1"]
    perm[d0], perm[d1] = perm[d1], perm[d0]
    return g.node("Transpose", [g.input(rec, 0)], perm=perm)


@converter(S.Expand)
def _expand(g, rec):
    x = g.input(rec, 0)
    s1, s2 = g.param2(rec, "shape")
    in1, in2 = tuple(rec.inputs[0].shape), tuple(g.alt(rec).inputs[0].shape)
    return g.node("Expand", [x, g.shape_tensor(s1, s2, "expand", (x, in1, in2))])


@converter(J.Cat)
def _cat(g, rec):
    dt = _out_dtype(rec)
    ins = [typed_input(g, rec, j, dt) for j, t in enumerate(rec.inputs) if t is not None]
    return g.node("Concat", ins, axis=int(rec.params["d"]))


def _bound(v1, v2, n1, n2, what):
    """A slice bound seen as ``v1`` then ``v2`` on a dim of size ``n1`` then ``n2``: a fixed
    index, or one counted from the end when it moved with the dim."""
    if v1 == v2:
        return v1
    if v1 - n1 == v2 - n2:
        return v1 - n1
    raise OnnxExporterError(f"slice {what} {v1} (then {v2}) follows the dynamic axes in a way "
                            "that cannot be exported")


def _expand_key(key, nd):
    key = key if isinstance(key, tuple) else (key,)
    used = sum(1 for k in key if k is not None and k is not Ellipsis)
    out = []
    for k in key:
        if k is Ellipsis:
            out.extend([slice(None)] * (nd - used))
        else:
            out.append(k)
    return out


@converter(Slice)
def _slice(g, rec):
    x = g.input(rec, 0)
    t1, t2 = rec.inputs[0], g.alt(rec).inputs[0]
    nd = t1.dim()
    k1, k2 = _expand_key(rec.params["key"], nd), _expand_key(g.alt(rec).params["key"], nd)
    if len(k1) != len(k2):
        raise OnnxExporterError("the slicing key changed with the dynamic axes")
    starts, ends, axes, steps, squeeze, unsqueeze = [], [], [], [], [], []
    ax = out_pos = 0
    for a, b in zip(k1, k2):
        if a is None:
            unsqueeze.append(out_pos)
            out_pos += 1
            continue
        n1, n2 = t1.shape[ax], t2.shape[ax]
        if isinstance(a, slice):
            if a != slice(None):
                if (a.step or 1) <= 0:
                    raise UnsupportedOperatorError("slicing with a negative step")
                st = _bound(a.start or 0, b.start or 0, n1, n2, "start")
                en = INT64_MAX if a.stop is None and b.stop is None else _bound(
                    n1 if a.stop is None else a.stop, n2 if b.stop is None else b.stop, n1, n2,
                    "stop")
                if en == 0 and (a.stop is None or a.stop >= n1):
                    en = INT64_MAX
                starts.append(st)
                ends.append(en)
                axes.append(ax)
                steps.append(a.step or 1)
            out_pos += 1
        elif isinstance(a, (int, np.integer)):
            i = _bound(int(a), int(b), n1, n2, "index")
            starts.append(i)
            ends.append(INT64_MAX if i == -1 else i + 1)
            axes.append(ax)
            steps.append(1)
            squeeze.append(ax)
        else:
            raise UnsupportedOperatorError(f"indexing with {type(a).__name__}")
        ax += 1
    y = x
    if axes:
        y = g.node("Slice", [y, g.ints(starts, "starts"), g.ints(ends, "ends"),
                             g.ints(axes, "axes"), g.ints(steps, "steps")])
    if squeeze:
        y = g.node("Squeeze", [y, g.ints(squeeze, "axes")])
    if unsqueeze:
        y = g.node("Unsqueeze", [y, g.ints(unsqueeze, "axes")])
    if y is x:
        y = g.node("Identity", [x])
    return y


_CMP = {"eq": "Equal", "lt": "Less", "le": "LessOrEqual", "gt": "Greater",
        "ge": "GreaterOrEqual", "ne": "Equal"}
_LOGIC = {"logical_and": "And", "logical_or": "Or", "logical_xor": "Xor",
          "bitwise_and": "And", "bitwise_or": "Or", "bitwise_xor": "Xor"}


@converter(Compare)
def _compare(g, rec):
    fn = rec.params["fn"]
    ts = [t for t in rec.inputs if t is not None]
    if fn in ("isnan", "isinf", "isfinite", "isposinf", "isneginf"):
        x = g.input(rec, 0)
        if ts[0]._data.dtype.kind not in "fc":
            x = g.cast(x, np.float32)
        if fn == "isnan":
            return g.node("IsNaN", [x])
        if fn == "isfinite":
            return g.node("Not", [g.node("Or", [g.node("IsNaN", [x]), g.node("IsInf", [x])])])
        return g.node("IsInf", [x], detect_negative=int(fn != "isposinf"),
                      detect_positive=int(fn != "isneginf"))
    if fn in ("logical_not", "bitwise_not"):
        if fn == "bitwise_not" and ts[0]._data.dtype != np.bool_:
            raise UnsupportedOperatorError("Exporting bitwise_not of integers is not supported")
        return g.node("Not", [typed_input(g, rec, 0, np.dtype(bool))])
    if fn in _LOGIC:
        if fn.startswith("bitwise") and any(t._data.dtype != np.bool_ for t in ts):
            raise UnsupportedOperatorError(f"Exporting {fn} of integers is not supported")
        return g.node(_LOGIC[fn], [typed_input(g, rec, j, np.dtype(bool)) for j in (0, 1)])
    a, b = ts[0], ts[1]
    if not g.is_live_input(rec, 1) and b._data.ndim == 0:
        dt = a._data.dtype
    elif not g.is_live_input(rec, 0) and a._data.ndim == 0:
        dt = b._data.dtype
    else:
        dt = np.result_type(a._data.dtype, b._data.dtype)
    y = g.node(_CMP[fn], [typed_input(g, rec, 0, dt), typed_input(g, rec, 1, dt)])
    return g.node("Not", [y]) if fn == "ne" else y


@converter(ArgReduce)
def _arg_reduce(g, rec):
    op = "ArgMax" if rec.params["fn"] == "argmax" else "ArgMin"
    x, dim, keep = g.input(rec, 0), rec.params["dim"], rec.params["keepdim"]
    if dim is None:
        y = g.node(op, [g.node("Reshape", [x, g.ints([-1])])], axis=0, keepdims=0)
        if keep:
            y = g.node("Reshape", [y, g.ints([1] * rec.inputs[0].dim())])
        return y
    return g.node(op, [x], axis=int(dim), keepdims=int(keep))


@converter(ConstantPad)
def _constant_pad(g, rec):
    x = rec.inputs[0]
    pairs = rec.params["pairs"]
    lead = x.dim() - len(pairs)
    pads = [0] * lead + [lo for lo, _ in pairs] + [0] * lead + [hi for _, hi in pairs]
    value = g.const(np.asarray(rec.params["value"] or 0, dtype=x._data.dtype), "pad_value")
    return g.node("Pad", [g.input(rec, 0), g.ints(pads, "pads"), value])


@converter(J.Flip)
def _flip(g, rec):
    dims = list(rec.params["dims"])
    n = len(dims)
    return g.node("Slice", [g.input(rec, 0), g.ints([-1] * n, "starts"),
                            g.ints([-INT64_MAX - 1] * n, "ends"), g.ints(dims, "axes"),
                            g.ints([-1] * n, "steps")])


@converter(IX.Gather)
def _gather(g, rec):
    return g.node("GatherElements", [g.input(rec, 0), typed_input(g, rec, 1, np.dtype(np.int64))],
                  axis=int(rec.params["d"]))


@converter(IX.Index)
def _index(g, rec):
    k1, k2 = rec.params["key"], g.alt(rec).params["key"]
    k1 = k1 if isinstance(k1, tuple) else (k1,)
    k2 = k2 if isinstance(k2, tuple) else (k2,)
    arrays = [i for i, k in enumerate(k1) if hasattr(k, "dtype")]
    rest_plain = all(k == slice(None) for i, k in enumerate(k1) if i not in arrays
                     and not hasattr(k, "dtype"))
    if len(arrays) != 1 or not rest_plain or k1[arrays[0]].dtype.kind not in "iu" or \
            any(k is None or k is Ellipsis for k in k1):
        raise UnsupportedOperatorError(
            "Exporting advanced indexing other than one integer index array on one dim (with "
            "':' elsewhere) to ONNX is not supported by ember.onnx")
    a = arrays[0]
    idx = np.asarray(k1[a])
    if len(k1) != len(k2) or not hasattr(k2[a], "dtype") or not np.array_equal(idx, k2[a]):
        raise OnnxExporterError("an index array changed with the inputs (computed from their "
                                "values or sizes): it cannot be baked into the graph")
    return g.node("Gather", [g.input(rec, 0), g.const(idx.astype(np.int64), "index")], axis=a)
