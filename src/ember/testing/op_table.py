"""The op-test table (OpInfo-style): one entry per op, read by every op test.

An entry says how to call the op once for any module ``m`` that looks like ``torch`` (``ember``,
real ``torch``, or ``device_check.on_device(ember, 'cuda')``): ``entry.fn(m, *tensors)``. It
also says which inputs to make (shapes and a value domain per input: ``log`` wants ``"pos"``),
which dtypes the op takes and which it refuses with what exception (PyTorch's), the public
function and method names and the in-place twin, whether it is differentiable (first and second
order), whether non-contiguous and broadcast inputs apply, a NumPy reference where one exists,
tolerances, and one-off forward cases ``fn(m)`` (keyword options, promotion corners, errors).

Entries are generated from Ember's own op tables where those exist (``ops.unary.UNARY`` and
its refusals, ``ops.binary``'s refusal table); the rest are rows in ``op_table_*.py``, one
file per op family. ``tests/test_op_table*.py`` drive everything from :func:`entries`.

Inputs are NumPy float64 arrays made from the specs with a seeded generator, so Ember, torch and
every device see the same values; :func:`layouts` turns one logical array into tensors laid out
contiguously, transposed, sliced with steps, expanded from one row, 0-d or empty.
"""
import numpy as np

__all__ = ["OpEntry", "DOMAINS", "DTYPES", "LAYOUTS", "entries", "entry", "make_arrays",
           "layout_tensor", "category", "seed_of", "DTYPE_DATA"]

# dtypes the forward dtype sweep runs (PyTorch's names), and their promotion category
DTYPES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
          "float64", "complex64")
_CATEGORY = {"bool": 0, "uint8": 1, "int8": 1, "int16": 1, "int32": 1, "int64": 1,
             "float16": 2, "bfloat16": 2, "float32": 2, "float64": 2, "complex64": 3,
             "complex128": 3}
# values of the dtype sweep: positive, so every dtype holds them exactly enough
DTYPE_DATA = [[0.5, 1.0, 2.0, 3.0], [0.25, 0.75, 1.5, 2.5]]


def category(dtype_name):
    """PyTorch's promotion category of a dtype name: 0 bool, 1 integer, 2 float, 3 complex."""
    return _CATEGORY[dtype_name]


# value domains: name -> f(rng, shape) giving float64 values
DOMAINS = {
    "any": lambda r, s: r.standard_normal(s),
    "wide": lambda r, s: r.uniform(-2.0, 2.0, s),
    "pos": lambda r, s: r.uniform(0.5, 2.0, s),
    "unit": lambda r, s: r.uniform(-0.8, 0.8, s),
    "gt1": lambda r, s: r.uniform(1.3, 3.0, s),
    "nonzero": lambda r, s: r.choice([-1.0, 1.0], s) * r.uniform(0.3, 1.5, s),
    "nonint": lambda r, s: r.integers(-2, 3, s) + r.uniform(0.2, 0.8, s),
    # distinct values, far apart (max, sort, ...)
    "spread": lambda r, s: r.permutation(int(np.prod(s, dtype=int))).reshape(s) * 0.37 +
    r.uniform(0, 0.05, s),
}


def _spec(spec):
    """(shape, domain) of an input spec: a shape, or (shape, domain name)."""
    if isinstance(spec, tuple) and spec and isinstance(spec[-1], str):
        return tuple(spec[0]), spec[1]
    return tuple(spec), "any"


def make_arrays(specs, seed, shapes=None):
    """float64 arrays for ``specs`` (optionally with other ``shapes``), from ``seed``."""
    rng = np.random.default_rng(seed)
    out = []
    for i, s in enumerate(specs):
        shape, dom = _spec(s)
        if shapes is not None:
            shape = shapes[i]
        out.append(np.asarray(DOMAINS[dom](rng, shape), dtype=np.float64))
    return out


def seed_of(name):
    """A stable seed per case id (the same inputs in every run and on every device)."""
    return sum(map(ord, name)) % 1000


# ---- layouts: the same logical values stored differently -------------------------------------
LAYOUTS = ("contiguous", "transposed", "sliced", "expanded", "0-d", "empty")


def layout_shape(layout, shape):
    """The logical shape a layout uses for an input of ``shape`` (None: not applicable)."""
    if layout == "0-d":
        return ()
    if layout == "empty":
        return (0,) + tuple(shape[1:]) if len(shape) >= 1 else None
    if layout in ("transposed", "sliced", "expanded") and len(shape) < 2:
        return None
    return tuple(shape)


def layout_tensor(m, a, layout, dtype=None, requires_grad=False):
    """``m``'s tensor holding the values of array ``a`` in ``layout`` (``a`` already has the
    layout's logical shape; for ``expanded`` only its first row is used, so read the values
    back with :func:`layout_values`). ``dtype`` is a dtype name (cast from float64)."""
    def mk(arr):
        t = m.tensor(np.array(arr, dtype=np.float64))
        if dtype is not None and dtype != "float64":
            t = t.to(getattr(m, dtype))
        return t
    if layout == "transposed":
        t = mk(np.ascontiguousarray(np.transpose(a))).permute(*reversed(range(a.ndim)))
    elif layout == "sliced":
        big = np.zeros(tuple(2 * n for n in a.shape))
        big[tuple(slice(None, None, 2) for _ in a.shape)] = a
        t = mk(big)[tuple(slice(None, None, 2) for _ in a.shape)]
    elif layout == "expanded":
        t = mk(a[:1]).expand(*a.shape)
    else:
        t = mk(a)
    if requires_grad:
        t.requires_grad_()
    return t


def layout_values(a, layout):
    """The logical values :func:`layout_tensor` stores for ``a`` in ``layout``."""
    return np.broadcast_to(a[:1], a.shape).copy() if layout == "expanded" else a


# ---- the entry ------------------------------------------------------------------------------
class OpEntry:
    """One op of the table. ``fn(m, *tensors)`` calls it; see the module docstring."""

    __slots__ = ("name", "fn", "specs", "family", "func", "method", "inplace", "kwargs",
                 "dtypes", "refuses", "grad", "gradgrad", "noncontig", "elementwise", "ref",
                 "atol", "rtol", "cases", "dtype_pairs")

    def __init__(self, name, fn, specs, *, family, func=None, method=None, inplace=None,
                 kwargs=None, dtypes=("float32", "float64"), refuses=None, grad=True,
                 gradgrad=True, noncontig=True, elementwise=False, ref=None, atol=1e-5,
                 rtol=1e-3, dtype_pairs=False):
        self.name = name
        self.fn = fn
        self.specs = tuple(specs)
        self.family = family
        self.func = func                  # public function name (ember.<func>)
        self.method = method              # Tensor method name
        self.inplace = inplace            # in-place twin (Tensor method) or None
        self.kwargs = dict(kwargs or {})
        self.dtypes = tuple(dtypes)       # dtypes the forward sweep runs against torch
        self.refuses = dict(refuses or {})  # dtype name -> exception type (PyTorch's)
        self.grad = grad                  # differentiable: gradcheck in float64
        self.gradgrad = grad and gradgrad  # second derivative checked
        self.noncontig = noncontig        # transposed (non-contiguous) inputs apply
        self.elementwise = elementwise    # layouts and broadcast pairs apply
        self.ref = ref                    # NumPy reference: ref(*float64 arrays) -> array
        self.atol, self.rtol = atol, rtol  # gradcheck tolerances
        self.cases = {}                   # one-off forward cases: id -> fn(m)
        self.dtype_pairs = dtype_pairs    # run the (dtype, dtype) promotion matrix

    def __repr__(self):
        return f"OpEntry({self.name!r}, family={self.family!r})"

    def refusal(self, *dtype_names):
        """The exception the op raises for inputs of these dtypes (None: it accepts them)."""
        for d in dtype_names:
            if d in self.refuses:
                return self.refuses[d]
        return None

    def broadcast_shapes(self):
        """Input shapes of the broadcast samples ((3, 1) with (1, 4), (2, 3) with a 0-d
        tensor), for elementwise ops of two or more inputs."""
        if not self.elementwise or len(self.specs) < 2:
            return []
        n = len(self.specs)
        pairs = [[(3, 1)] + [(1, 4)] * (n - 1), [(2, 3)] + [()] * (n - 1)]
        return [("broadcast", tuple(pairs[0])), ("tensor-0d", tuple(pairs[1]))]

    def shapes(self):
        """The input shapes of the entry's own sample."""
        return [_spec(s)[0] for s in self.specs]

    def forward_samples(self):
        """(label, layout, input shapes) of the forward samples: the entry's inputs; for an
        elementwise op every layout of :data:`LAYOUTS` that applies, the broadcast pairs and
        a (3, 4) tensor with a (4,) row; otherwise transposed inputs where ``noncontig``."""
        shapes = self.shapes()
        out = [("contiguous", "contiguous", shapes)]
        if self.elementwise:
            for lay in LAYOUTS[1:]:
                ls = [layout_shape(lay, s) for s in shapes]
                if all(s is not None for s in ls):
                    out.append((lay, lay, ls))
            out += [(label, "contiguous", list(bs)) for label, bs in self.broadcast_shapes()]
            if len(shapes) == 2:
                out.append(("row", "contiguous", [(3, 4), (4,)]))
        elif self.noncontig and shapes and min(len(s) for s in shapes) >= 2:
            out.append(("transposed", "transposed", shapes))
        return out

    def grad_samples(self):
        """(label, float64 input arrays) of the gradient samples: the entry's inputs, and the
        broadcast pairs of an elementwise op."""
        out = [("", make_arrays(self.specs, seed_of(self.name)))]
        for label, shapes in self.broadcast_shapes():
            out.append((label, make_arrays(self.specs, seed_of(self.name + label),
                                           list(shapes))))
        return out


_ENTRIES = None


def entries(family=None):
    """All entries (or one family's), in a fixed order."""
    global _ENTRIES
    if _ENTRIES is None:
        from . import op_table_elementwise, op_table_shape, op_table_linalg_nn, op_table_cases
        found = (op_table_elementwise.build() + op_table_shape.build() +
                 op_table_linalg_nn.build())
        names = [e.name for e in found]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"op table: duplicate entry names {sorted(dup)}")
        op_table_cases.attach(found, OpEntry)
        _ENTRIES = found
    return [e for e in _ENTRIES if family is None or e.family == family]


def entry(name):
    """The entry called ``name`` (KeyError naming it when there is none)."""
    for e in entries():
        if e.name == name:
            return e
    raise KeyError(f"op table has no entry {name!r}")


def row_collector():
    """A list of entries and the two helpers that fill it: ``family(name)`` sets the family of
    the rows that follow, ``row(name, fn, *specs, gg=True, nc=True, atol, rtol)`` adds one
    differentiable op, ``fn(m, *tensors)`` on inputs made from ``specs`` (gg: second derivative
    checked; nc: transposed inputs apply)."""
    rows, current = [], [None]

    def family(name):
        current[0] = name

    def row(name, fn, *specs, gg=True, nc=True, atol=1e-5, rtol=1e-3):
        rows.append(OpEntry(name, fn, specs, family=current[0], gradgrad=gg, noncontig=nc,
                            atol=atol, rtol=rtol))
    return rows, family, row
