"""The graph builder the converters write into: unique value names, nodes, initializers, and
shapes that follow the dynamic axes.

Every value is known by the tensor that holds it during the first trace. A tensor is *live* when
it is a graph input or the output of a converted op; anything else an op reads (parameters,
buffers, Python scalars, results of ops on constants only) is a constant, written as an
initializer when a converter asks for it. The second trace (dynamic axes resized, input values
changed) is read beside the first: a shape parameter that changed size is rebuilt from the
inputs' runtime shapes (``Shape`` -> ``Gather``), and a constant whose values changed was
computed from the inputs outside the recorded ops, so it is refused rather than baked in.
"""
import itertools
import math

import numpy as np

from .errors import OnnxExporterError

__all__ = ["Graph", "INT64_MAX"]

INT64_MAX = (1 << 63) - 1


def _is_tensor(t):
    return t is not None and hasattr(t, "_data") and hasattr(t, "grad_fn")


def _same_values(a, b):
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind in "fc":
        return bool(np.array_equal(a, b, equal_nan=True))
    return bool(np.array_equal(a, b))


def _integral(a):
    v = float(a.reshape(-1)[0])
    return math.isfinite(v) and v == int(v) and abs(v) < 2 ** 53


class Graph:
    """ONNX nodes and initializers under construction for one traced forward call."""

    def __init__(self, onnx, tr, tr2, opset, params, geoms):
        self.onnx, self.helper = onnx, onnx.helper
        self.tr, self.tr2, self.opset, self.geoms = tr, tr2, opset, geoms
        self.params = params            # id(tensor) -> state_dict name
        self.nodes, self.inits = [], []
        self.vals = {}                  # tensor key -> value name (live values)
        self.const_names = {}           # id(tensor) -> initializer name
        self.taken = set()
        self.dim_sources = []           # (size in trace 1, size in trace 2, graph input, axis)
        self._dim_cache = {}
        self._shape_cache = {}
        self.rec = None                 # the record being converted (for messages)
        self.poison = {}                # key -> error of a constant-only op that failed

    # ---- names and nodes ------------------------------------------------------------------
    def fresh(self, hint):
        """A value name not used yet, built from ``hint``."""
        hint = hint.replace("/", "_") or "v"
        name, k = hint, 0
        while name in self.taken:
            k += 1
            name = f"{hint}_{k}"
        self.taken.add(name)
        return name

    def node(self, op_type, inputs, n_out=1, **attrs):
        """Append an ONNX node; returns its output name (or the list of ``n_out`` names)."""
        outs = [self.fresh(f"{op_type}_out") for _ in range(n_out)]
        attrs = {k: v for k, v in attrs.items() if v is not None}
        self.nodes.append(self.helper.make_node(op_type, list(inputs), outs,
                                                name=self.fresh(f"{op_type}_node"), **attrs))
        return outs[0] if n_out == 1 else outs

    def const(self, value, hint="const", dtype=None):
        """An initializer holding ``value`` (array or number); returns its name."""
        arr = np.asarray(value, dtype=dtype)
        if not arr.flags.c_contiguous:
            arr = np.ascontiguousarray(arr)
        name = self.fresh(hint)
        self.inits.append(self.onnx.numpy_helper.from_array(arr, name))
        return name

    def ints(self, values, hint="shape"):
        """A 1-d int64 initializer."""
        return self.const(np.asarray(list(values), dtype=np.int64).reshape(-1), hint)

    def scalar_like(self, value, t):
        """A 0-d initializer of ``value`` with tensor ``t``'s dtype."""
        return self.const(np.asarray(value, dtype=t._data.dtype), "scalar")

    # ---- values ---------------------------------------------------------------------------
    def key(self, t):
        hit = self.tr.producer(t)
        if hit is not None:
            return ("r", hit[0].index, hit[1])
        return ("i", id(t))

    def in_key(self, rec, j):
        """The key of input ``j`` of ``rec`` as it was when the op ran (in-place ops re-point
        tensors later)."""
        hit = rec.sources[j] if j < len(rec.sources) else None
        if hit is not None:
            return ("r", hit[0].index, hit[1])
        return ("i", id(rec.inputs[j]))

    def is_live(self, t):
        return _is_tensor(t) and self.key(t) in self.vals

    def is_live_input(self, rec, j):
        """Whether input ``j`` of ``rec`` is a live value (not a constant); raises the error of
        the op that made it when that op could not be converted."""
        if not _is_tensor(rec.inputs[j]):
            return False
        k = self.in_key(rec, j)
        if k in self.poison:
            raise self.poison[k]
        return k in self.vals

    def set_value(self, t, name):
        self.vals[self.key(t)] = name

    def alt(self, rec):
        """The record of the same op call in the second trace."""
        return self.tr2.ops[rec.index]

    def pair(self, rec, j):
        """Input ``j`` of ``rec`` in both traces."""
        return rec.inputs[j], self.alt(rec).inputs[j]

    def param2(self, rec, name):
        """Keyword parameter ``name`` of ``rec`` in both traces."""
        return rec.params[name], self.alt(rec).params[name]

    def varies(self, rec, j):
        """Whether constant input ``j`` of ``rec`` differs between the two traces (so the op
        must be converted, not folded: positions from arange, sizes, zeros of batch shape)."""
        t, t2 = self.pair(rec, j)
        if not _is_tensor(t) or t is t2 or id(t) in self.params:
            return False
        return not _same_values(t._data, t2._data)

    def params_vary(self, rec):
        """Whether a keyword parameter of ``rec`` (a shape, a slice) differs between the
        traces: the op must then be converted even when it reads only constants."""
        p2 = self.alt(rec).params
        for k, v in rec.params.items():
            w = p2.get(k)
            if hasattr(v, "shape") or hasattr(w, "shape"):
                if not (hasattr(v, "shape") and hasattr(w, "shape") and
                        _same_values(np.asarray(v), np.asarray(w))):
                    return True
            else:
                try:
                    if v != w:
                        return True
                except (TypeError, ValueError):  # tuples holding arrays (index keys)
                    if repr(v) != repr(w):
                        return True
        return False

    def const_value(self, rec, j):
        """The array of input ``j`` when it is a constant of the graph, else None (live)."""
        t = rec.inputs[j]
        if t is None or self.is_live_input(rec, j):
            return None
        if self._check_constant(rec, j) in ("size", "arange"):
            return None
        return t._data

    def _check_constant(self, rec, j):
        t, t2 = self.pair(rec, j)
        if t is t2 or id(t) in self.params:
            return "same"
        a, b = t._data, t2._data
        if a.shape == b.shape:
            if a.size == 1 and a.dtype.kind in "iuf" and _integral(a) and _integral(b) and \
                    not _same_values(a, b):
                return "size"  # a number computed from the sizes (mean's count, x / x.shape[1])
            if not _same_values(a, b):
                raise OnnxExporterError(
                    f"input {j} of {rec.name} (shape {list(a.shape)}) was computed from the model "
                    "inputs outside Ember's recorded ops (a comparison, indexing with a mask, "
                    ".item()/.numpy(), random numbers or Python arithmetic on values): the graph "
                    "would bake in the traced values")
            return "same"
        if a.ndim == 1 and b.ndim == 1 and a.dtype.kind in "iuf" and \
                np.array_equal(a, np.arange(a.size)) and np.array_equal(b, np.arange(b.size)):
            return "arange"  # positions along a dynamic axis (arange(x.shape[1]))
        fill = a.reshape(-1)[:1]
        if a.size and b.size and (a == fill).all() and (b == fill).all() and \
                _same_values(b.reshape(-1)[:1], fill):
            return "fill"
        raise OnnxExporterError(
            f"input {j} of {rec.name} is a constant whose shape follows the dynamic axes "
            f"({list(a.shape)}, then {list(b.shape)}) and whose values are not one repeated "
            "number: it cannot be rebuilt for other sizes")

    def input(self, rec, j, hint=None):
        """The value name of input ``j`` of ``rec`` (writing constants as initializers)."""
        t = rec.inputs[j]
        if t is None:
            return ""
        k = self.in_key(rec, j)
        if k in self.vals:
            return self.vals[k]
        kind = self._check_constant(rec, j)
        if kind == "size":
            t2 = self.alt(rec).inputs[j]
            v1, v2 = int(float(t._data.reshape(-1)[0])), int(float(t2._data.reshape(-1)[0]))
            size = self.node("Reshape", [self.resolve(v1, v2), self.ints(list(t.shape))])
            return self.cast(size, t._data.dtype)
        if kind == "arange":
            t2 = self.alt(rec).inputs[j]
            n = self.node("Squeeze", [self.resolve(t.shape[0], t2.shape[0]),
                                      self.ints([0], "axes")])
            zero, one = self.const(np.int64(0), "zero"), self.const(np.int64(1), "one")
            return self.cast(self.node("Range", [zero, n, one]), t._data.dtype)
        if kind == "fill":
            t2 = self.alt(rec).inputs[j]
            fill = self.const(t._data.reshape(-1)[:1].reshape(()), "fill")
            shape = self.shape_tensor(t.shape, t2.shape)
            return self.node("Expand", [fill, shape])
        if id(t) in self.const_names:
            return self.const_names[id(t)]
        name = self.const(t._data, self.params.get(id(t), hint or "const"))
        self.const_names[id(t)] = name
        return name

    # ---- shapes that follow the dynamic axes ----------------------------------------------
    def shape_of(self, name):
        if name not in self._shape_cache:
            self._shape_cache[name] = self.node("Shape", [name])
        return self._shape_cache[name]

    def dim_of(self, name, axis):
        """A 1-element int64 tensor: the runtime size of ``name``'s dimension ``axis``."""
        key = (name, axis)
        if key not in self._dim_cache:
            self._dim_cache[key] = self.node("Gather", [self.shape_of(name),
                                                        self.ints([axis], "axis")], axis=0)
        return self._dim_cache[key]

    def resolve(self, a1, a2, extra=()):
        """A 1-element int64 tensor computing a size that was ``a1`` in the first trace and
        ``a2`` in the second, from the graph inputs' dynamic axes (and ``extra`` sources:
        (size 1, size 2, value name, axis)): a size itself, a multiple or a fraction of one, a
        product of two or three times a constant, or one plus a constant, the simplest form
        that fits. Two different fits of the same form are refused as ambiguous."""
        srcs, seen = [], set()
        for src in list(extra) + self.dim_sources:
            if (src[0], src[1]) not in seen and src[0] != src[1]:
                seen.add((src[0], src[1]))
                srcs.append(src)
        where = f" in {self.rec.name}" if self.rec is not None else ""

        def dim(src):
            return self.dim_of(src[2], src[3])

        def pick(cands):
            if len(cands) > 1:
                raise OnnxExporterError(
                    f"a size{where} ({a1}, then {a2} with the dynamic axes resized) fits several "
                    "formulas of the dynamic input sizes; export with other example sizes")
            return cands[0] if cands else None
        hit = pick([s for s in srcs if (s[0], s[1]) == (a1, a2)][:1])
        if hit is not None:
            return dim(hit)
        hit = pick([(s, a1 // s[0]) for s in srcs if a1 % s[0] == 0 and a2 % s[1] == 0
                    and a1 // s[0] == a2 // s[1] and a1 // s[0] > 1])
        if hit is not None:
            return self.node("Mul", [dim(hit[0]), self.ints([hit[1]], "k")])
        hit = pick([(s, s[0] // a1) for s in srcs if a1 and a2 and s[0] % a1 == 0 and
                    s[1] % a2 == 0 and s[0] // a1 == s[1] // a2])
        if hit is not None:
            return self.node("Div", [dim(hit[0]), self.ints([hit[1]], "k")])
        for n in (2, 3):
            cands = []
            for combo in itertools.combinations_with_replacement(range(len(srcs)), n):
                p1 = math.prod(srcs[i][0] for i in combo)
                p2 = math.prod(srcs[i][1] for i in combo)
                if p1 and p2 and a1 % p1 == 0 and a2 % p2 == 0 and a1 // p1 == a2 // p2:
                    cands.append((combo, a1 // p1))
            hit = pick(cands)
            if hit is not None:
                y = dim(srcs[hit[0][0]])
                for i in hit[0][1:]:
                    y = self.node("Mul", [y, dim(srcs[i])])
                return y if hit[1] == 1 else self.node("Mul", [y, self.ints([hit[1]], "k")])
        hit = pick([s for s in srcs if a1 - s[0] == a2 - s[1]])
        if hit is not None:
            return self.node("Add", [dim(hit), self.ints([a1 - hit[0]], "k")])
        raise OnnxExporterError(f"a size or number{where} ({a1}, then {a2} with the dynamic "
                                "axes resized) cannot be written in terms of the dynamic input "
                                "sizes; it may have been computed from the input values outside "
                                "Ember's recorded ops")

    def shape_tensor(self, s1, s2, mode="exact", ref=None):
        """A 1-d int64 tensor for a shape that was ``s1`` (``s2`` in the second trace).

        ``mode="reshape"``: ONNX Reshape's 0 (copy the input's size) and one -1 may be used;
        ``mode="expand"``: 1 may stand for a size the input already has. ``ref`` is
        (input value name, its shape in trace 1, in trace 2)."""
        s1, s2 = tuple(int(v) for v in s1), tuple(int(v) for v in s2)
        if len(s1) != len(s2):
            raise OnnxExporterError(f"the rank of a shape changed with the dynamic axes "
                                    f"({list(s1)} then {list(s2)})")
        if s1 == s2:
            return self.ints(s1)
        out = list(s1)
        dyn = [j for j in range(len(s1)) if s1[j] != s2[j]]
        extra = ()
        if ref is not None:
            name, r1, r2 = ref
            extra = tuple((a, b, name, i) for i, (a, b) in enumerate(zip(r1, r2)) if a != b)
            if mode == "reshape":
                for j in list(dyn):
                    if j < len(r1) and (r1[j], r2[j]) == (s1[j], s2[j]):
                        out[j] = 0
                        dyn.remove(j)
                if len(dyn) == 1:
                    out[dyn[0]] = -1
                    return self.ints(out)
            elif mode == "expand":
                lead = len(s1) - len(r1)
                for j in list(dyn):
                    i = j - lead
                    if i >= 0 and (r1[i], r2[i]) == (s1[j], s2[j]):
                        out[j] = 1
                        dyn.remove(j)
            if not dyn:
                return self.ints(out)
        pieces, run = [], []
        for j, v in enumerate(out):
            if j in dyn:
                if run:
                    pieces.append(self.ints(run))
                    run = []
                pieces.append(self.resolve(s1[j], s2[j], extra))
            else:
                run.append(v)
        if run:
            pieces.append(self.ints(run))
        return pieces[0] if len(pieces) == 1 else self.node("Concat", pieces, axis=0)

    # ---- helpers shared by converters -----------------------------------------------------
    def reduce(self, op_type, x, axes, keepdims):
        """``Reduce*`` over ``axes`` (None: all), with the axes as an input where the opset
        wants one (ReduceSum from 13, the others from 18)."""
        as_input = op_type == "ReduceSum" or self.opset >= 18
        if axes is None or len(axes) == 0:
            return self.node(op_type, [x], keepdims=int(keepdims))
        if as_input:
            return self.node(op_type, [x, self.ints(axes, "axes")], keepdims=int(keepdims))
        return self.node(op_type, [x], axes=list(axes), keepdims=int(keepdims))

    def cast(self, x, np_dtype):
        """``Cast`` to a NumPy dtype."""
        return self.node("Cast", [x], to=int(self.helper.np_dtype_to_tensor_dtype(
            np.dtype(np_dtype))))
