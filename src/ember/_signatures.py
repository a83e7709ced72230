"""PyTorch's argument parser for the public API, driven by one table of signatures.

Each entry is a signature in PyTorch's schema notation (``"topk(Tensor input, int k, int dim=-1,
bool largest=True, bool sorted=True)"``). ``install`` wraps the named functions of a namespace
(``ember``, the Tensor class, ``ember.nn.functional`` and the nn modules' references to it) once
at import, so every call has its arguments checked by type before any work, with PyTorch's
exception classes and messages (``topk(): argument 'k' (position 1) must be int, not float``).
An overflow (ValueError) is reported only after every argument's type passed, as PyTorch's
parser does. Around the call, NumPy's MemoryError and shape ValueErrors surface as PyTorch's
RuntimeError (subclasses that are still MemoryError / ValueError):

========== ===================================================================================
Tensor      a Tensor (``Tensor?``: or None)
int         an int, NumPy integer or one-element integer tensor, within int64 (not a bool);
            ``int_py``: a multi-element tensor is RuntimeError (a Python-level functional's
            truth test meets it first)
int[]       an int or a sequence of ints (``int[]?``: or None); ``int[N]``: a lone int past
            int64 is ValueError rather than TypeError; ``dims``: also a one-element int
            tensor; ``ints_py``: also a 1-d int tensor (Python-level functionals iterate it);
            ``pool_size``: ints_py with None entries (adaptive pools)
float       a real number or 0-d tensor (``float?``: or None)
Real        a Scalar read as a double: as float, but complex is RuntimeError
size        a sequence of ints (no lone int)
reduction   'none', 'mean' or 'sum' (ValueError otherwise)
Scalar      any number, bool or one-element tensor
bool        a Python bool
ScalarType  a dtype (``ScalarType?``: or None)
str         a string
Tensor[]    a tuple or list of tensors
FloatTensor a tensor of a floating or complex dtype (NotImplementedError otherwise, as
            PyTorch's kernels that exist only for them)
ScalarOrTensor  a number or a tensor; ``IntOrTensor``: an int or a tensor
*           anything (checked by the function itself)
========== ===================================================================================

Checked values pass through unchanged, except one-element integer tensors given for ints, which
are passed on as Python ints. The wrapper costs a loop over the given arguments; the
elementwise operators are not wrapped.
"""
import functools
import numbers
import re

from . import _checks as C, _dtype as D, _signature_table as S
from ._tensor import Tensor
from .ops._inplace import _cap

_REAL = numbers.Real


_NUMPY_SHAPE_ERRORS = ("operands could not be broadcast", "shape mismatch",
                       "einstein sum subscripts string", "fewer operands provided",
                       "more operands provided",
                       "could not broadcast", "negative dimensions are not allowed",
                       "index can't contain negative values", "cannot reshape array",
                       "Maximum allowed dimension exceeded", "Maximum allowed size exceeded",
                       "array is too big", "mismatch in length of strides and shape",
                       "non-broadcastable output operand")


class ShapeError(RuntimeError, ValueError):
    """A shape NumPy refused, raised as PyTorch does (RuntimeError); still a ValueError for
    code that catches NumPy's."""


class OutOfMemoryError(RuntimeError, MemoryError):
    """An allocation that cannot succeed (``torch.OutOfMemoryError`` is a RuntimeError);
    still a MemoryError for code that catches NumPy's."""


def _name(v):
    t = type(v)
    if t.__module__ == "builtins":
        return t.__name__
    return f"{t.__module__.split('.')[0]}.{t.__name__}"


def _where(fn, name, pos):
    return f"{fn}(): argument '{name}'" + (f" (position {pos})" if pos else "")


def _tensor(fn, name, pos, v):
    if type(v) is Tensor or isinstance(v, Tensor):
        return v
    raise TypeError(f"{_where(fn, name, pos)} must be Tensor, not {_name(v)}")


def _float_tensor(fn, name, pos, v):
    """A tensor whose kernel exists only for floating (and complex) dtypes."""
    _tensor(fn, name, pos, v)
    if not (v.dtype.is_floating_point or v.dtype.is_complex):
        raise NotImplementedError(f"\"{fn}\" not implemented for '{_cap(v.dtype)}'")
    return v


def _int_or_tensor(fn, name, pos, v):
    if isinstance(v, Tensor):
        return v
    return _int(fn, name, pos, v)


def _scalar_or_tensor(fn, name, pos, v):
    if type(v) is int:
        C.check_scalar_int(v)
    if isinstance(v, (numbers.Number, Tensor)):
        return v
    raise TypeError(f"{fn}() received an invalid combination of arguments - got "
                    f"{_name(v)} for argument '{name}', but expected Tensor or Number")


def _one_int(v):
    """The int a one-element integer tensor stands for, else None."""
    if isinstance(v, Tensor) and v.numel() == 1 and not v.dtype.is_floating_point \
            and not v.dtype.is_complex and v.dtype.name != "bool":
        return int(v.item())
    return None


def _int(fn, name, pos, v):
    if type(v) is int:
        if C.INT64_MIN <= v <= C.INT64_MAX:
            return v
        raise ValueError("Overflow when unpacking long long")
    t = _one_int(v)
    if t is not None:
        return t
    if not C._is_int(v):
        raise TypeError(f"{_where(fn, name, pos)} must be int, not {_name(v)}")
    v = int(v)
    if not C.INT64_MIN <= v <= C.INT64_MAX:
        raise ValueError("Overflow when unpacking long long")
    return v


def _int_py(fn, name, pos, v):
    """``int`` of a Python-level functional that computes with it before PyTorch's parser
    sees it: a multi-element tensor fails there, in a truth test (RuntimeError)."""
    if isinstance(v, Tensor) and v.numel() > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return _int(fn, name, pos, v)


def _int_list(fn, name, pos, v, dims=False, lone=TypeError):
    """An int or a sequence of ints. A lone int past int64 is ``lone`` (PyTorch reads an
    ``int[N]`` lone int as one long, ValueError; an ``int[]`` one as a list, TypeError)."""
    if type(v) is int:
        if C.INT64_MIN <= v <= C.INT64_MAX:
            return v
        raise lone("Overflow when unpacking long long" if lone is ValueError else
                   f"{_where(fn, name, pos)} failed to unpack the object at pos 1 with error "
                   "\"Overflow when unpacking long long\"")
    if isinstance(v, Tensor):
        t = _one_int(v)
        if t is not None:
            return t
        raise TypeError(f"{_where(fn, name, pos)} must be tuple of ints, not Tensor")
    if C._is_int(v):
        return _int_list(fn, name, pos, int(v), dims, lone)
    if not isinstance(v, (tuple, list)):
        raise TypeError(f"{_where(fn, name, pos)} must be tuple of ints, not {_name(v)}")
    return _int_seq(fn, name, pos, v)


def _int_seq(fn, name, pos, v):
    for i, e in enumerate(v):
        if type(e) is int or C._is_int(e) or (i and isinstance(e, bool)):
            # PyTorch reads the first element to decide, so a later bool is read as an int
            if not C.INT64_MIN <= int(e) <= C.INT64_MAX:
                raise TypeError(f"{_where(fn, name, pos)} failed to unpack the object at pos "
                                f"{i + 1} with error \"Overflow when unpacking long long\"")
            continue
        if _one_int(e) is not None:
            return tuple(int(_one_int(x)) if isinstance(x, Tensor) else int(x) for x in v)
        raise TypeError(f"{_where(fn, name, pos)} must be tuple of ints, but found element of "
                        f"type {_name(e)} at pos {i}")
    return v


def _int_list_n(fn, name, pos, v):
    return _int_list(fn, name, pos, v, lone=ValueError)


def _size(fn, name, pos, v):
    """A sequence of ints only (``full``'s size, ``as_strided``'s size and stride)."""
    if not isinstance(v, (tuple, list)):
        raise TypeError(f"{_where(fn, name, pos)} must be tuple of ints, not {_name(v)}")
    return _int_seq(fn, name, pos, v)


def _reduction(fn, name, pos, v):
    if v in ("none", "mean", "sum") and isinstance(v, str):
        return v
    raise ValueError(f"{v} is not a valid value for reduction")


def _dims(fn, name, pos, v):
    return _int_list(fn, name, pos, v, dims=True, lone=ValueError)


def _real(fn, name, pos, v):
    """A Scalar read as a double: complex values are RuntimeError (PyTorch's conversion)."""
    if isinstance(v, complex) and not isinstance(v, _REAL):
        raise RuntimeError("value cannot be converted to type float without overflow")
    return _float(fn, name, pos, v, complex_error=RuntimeError)


def _dims_or_bool(fn, name, pos, v):
    """``std``/``var``'s second argument: dims, or the old ``unbiased`` flag."""
    return v if v is True or v is False else _dims(fn, name, pos, v)


def _float(fn, name, pos, v, complex_error=TypeError):
    if type(v) is float:
        return v
    if isinstance(v, _REAL):
        if type(v) is int:
            C.check_scalar_int(v)
        return v
    if isinstance(v, Tensor) and v.numel() == 1 and v.dim() == 0:
        if v.dtype.is_complex:
            raise RuntimeError("value cannot be converted to type float without overflow")
        return v.item()
    if isinstance(v, complex) and complex_error is RuntimeError:
        raise RuntimeError("value cannot be converted to type float without overflow")
    raise TypeError(f"{_where(fn, name, pos)} must be Number, not {_name(v)}")


def _scalar(fn, name, pos, v):
    if type(v) is int:
        C.check_scalar_int(v)
    if isinstance(v, numbers.Number):
        return v
    if isinstance(v, Tensor) and v.numel() == 1:
        return v
    raise TypeError(f"{_where(fn, name, pos)} must be Number, not {_name(v)}")


def _bool(fn, name, pos, v):
    if v is True or v is False:
        return v
    raise TypeError(f"{_where(fn, name, pos)} must be bool, not {_name(v)}")


def _dtype(fn, name, pos, v):
    if isinstance(v, D.dtype) or v in (float, int, bool, complex):
        return v
    raise TypeError(f"{_where(fn, name, pos)} must be torch.dtype, not {_name(v)}")


def _str(fn, name, pos, v):
    if isinstance(v, str):
        return v
    raise TypeError(f"{_where(fn, name, pos)} must be str, not {_name(v)}")


def _py_ints(v):
    """A 1-d integer tensor read as the list of its elements, as PyTorch's Python-level
    functionals do by iterating it (``_pair(t)``)."""
    if isinstance(v, Tensor) and v.dim() == 0:
        raise TypeError("iteration over a 0-d tensor")
    if isinstance(v, Tensor) and v.dim() == 1 and not v.dtype.is_floating_point and \
            not v.dtype.is_complex and v.dtype.name != "bool":
        return tuple(int(i) for i in v.tolist())
    return v


def _int_list_py(fn, name, pos, v):
    """``int[]`` of a Python-level functional: a 1-d integer tensor counts as its elements."""
    return _int_list(fn, name, pos, _py_ints(v))


def _pool_size(fn, name, pos, v):
    """An adaptive pool's output size: an int or a sequence of ints and Nones."""
    v = _py_ints(v)
    if v is None or type(v) is int or C._is_int(v) or _one_int(v) is not None:
        return _int_list(fn, name, pos, v, lone=ValueError) if v is not None else v
    if not isinstance(v, (tuple, list)):
        raise TypeError(f"{_where(fn, name, pos)} must be tuple of ints, not {_name(v)}")
    if any(e is None for e in v):
        _int_seq(fn, name, pos, [0 if e is None else e for e in v])
        return v
    return _int_seq(fn, name, pos, v)


def _tensors(fn, name, pos, v):
    return C.check_tensor_sequence(fn, v, name, pos)


def _any(fn, name, pos, v):
    return v


_KINDS = {"Tensor": _tensor, "int": _int, "int_py": _int_py, "SymInt": _int, "int[]": _int_list,
          "int[N]": _int_list_n, "ints_py": _int_list_py, "size": _size,
          "reduction": _reduction, "pool_size": _pool_size,
          "FloatTensor": _float_tensor, "IntOrTensor": _int_or_tensor,
          "ScalarOrTensor": _scalar_or_tensor, "dims": _dims, "dims_or_bool": _dims_or_bool,
          "float": _float, "Real": _real, "Scalar": _scalar, "bool": _bool,
          "ScalarType": _dtype, "str": _str, "Tensor[]": _tensors, "*": _any}


def _optional(check):
    def opt(fn, name, pos, v):
        return v if v is None else check(fn, name, pos, v)
    return opt


_PARAM = re.compile(r"^\s*(\S+?)(\?)?\s+(\w+)(\s*=.*)?$")


def parse(schema):
    """(name, [(param, check, keyword_only)]) of ``"name(type name=default, *, ...)"``."""
    name, rest = schema.split("(", 1)
    rest = re.sub(r"=\s*\([^)]*\)", "=()", rest)  # tuple defaults hold commas
    params, kwonly = [], False
    for part in rest.rstrip().rstrip(")").split(","):
        part = part.strip()
        if not part:
            continue
        if part == "*":
            kwonly = True
            continue
        m = _PARAM.match(part)
        if m is None:
            raise ValueError(f"bad schema parameter {part!r} in {schema!r}")
        kind, opt, pname = m.group(1), m.group(2), m.group(3)
        kind = re.sub(r"\[\d+\]", "[N]", kind)
        check = _KINDS[kind]
        if opt or (kind == "*"):
            check = _optional(check) if kind != "*" else check
        params.append((pname, check, kwonly))
    return name.strip(), params


def _later(kept, exc):
    """The error to raise once every argument's type has passed: the first overflow
    (ValueError, a parser error), else the first dtype refusal (NotImplementedError, which
    PyTorch's kernel raises only after parsing)."""
    if kept is None or (isinstance(exc, ValueError) and isinstance(kept, NotImplementedError)):
        return exc
    return kept


def checked(fn, schema, method=False):
    """``fn`` wrapped so its arguments are checked against ``schema`` first. ``method``: the
    first argument is ``self`` (not checked, not counted in positions, as PyTorch)."""
    fname, params = parse(schema)
    positional = tuple((p, c) for p, c, kw in params if not kw)
    if method and positional and positional[0][0] in ("input", "self"):
        positional = positional[1:]
    by_name = {p: c for p, c, _ in params}
    start = 1 if method else 0
    n = len(positional)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        late = None  # an overflow (ValueError) is reported after every type error, as PyTorch
        if len(args) > start:
            new = None
            for i in range(start, min(len(args), n + start)):
                p, c = positional[i - start]
                v = args[i]
                try:
                    w = c(fname, p, i + 1 - start, v)
                except (ValueError, NotImplementedError) as exc:  # after every type error
                    late = _later(late, exc)
                    continue
                if w is not v:  # a one-element tensor read as an int: pass the int on
                    if new is None:
                        new = list(args)
                    new[i] = w
            if new is not None:
                args = new
        if kwargs:
            for k, v in kwargs.items():
                c = by_name.get(k)
                if c is not None:
                    try:
                        kwargs[k] = c(fname, k, None, v)
                    except (ValueError, NotImplementedError) as exc:
                        late = _later(late, exc)
        if late is not None:
            raise late
        try:
            return fn(*args, **kwargs)
        except MemoryError as exc:  # NumPy's allocation failure, as PyTorch's allocator error
            if isinstance(exc, RuntimeError):
                raise
            raise OutOfMemoryError(f"DefaultCPUAllocator: can't allocate memory: {exc}") from None
        except ValueError as exc:  # NumPy's shape errors are PyTorch's RuntimeErrors
            if type(exc) is ValueError and str(exc).startswith(_NUMPY_SHAPE_ERRORS):
                raise ShapeError(f"{fname}(): {exc}") from None
            raise
    wrapper._schema = schema
    return wrapper


def install(namespace, schemas, method=False):
    """Wrap each function of ``namespace`` (module or class) named in ``schemas``."""
    is_class = isinstance(namespace, type)
    for schema in schemas:
        name = schema.split("(", 1)[0].strip()
        fn = namespace.__dict__.get(name) if is_class else getattr(namespace, name, None)
        if fn is None or getattr(fn, "_schema", None) is not None:
            continue
        if isinstance(fn, (staticmethod, classmethod)):
            continue
        setattr(namespace, name, checked(fn, schema, method))


def install_all(ember):
    """Install the table of ``_signature_table`` on ``ember``, its Tensor class and
    ``ember.nn.functional``."""
    from .nn import functional  # lazy: ember.nn is a higher layer
    install(ember, S.TORCH + S.FUNCTIONS)
    install(ember.Tensor, S.TORCH + S.METHODS, method=True)
    originals = {name: getattr(functional, name) for name in _names(S.FUNCTIONAL)
                 if hasattr(functional, name)}
    install(functional, S.FUNCTIONAL)
    # nn modules call the functional forms they imported: they get the checked ones too
    import sys
    swap = {id(fn): getattr(functional, name) for name, fn in originals.items()}
    for mod_name, mod in list(sys.modules.items()):
        if mod is not None and mod_name.startswith("ember.nn.modules"):
            for attr, val in list(vars(mod).items()):
                if callable(val) and id(val) in swap:
                    setattr(mod, attr, swap[id(val)])
                elif isinstance(val, type) and val.__module__ == mod_name:
                    for k, v in list(vars(val).items()):  # ``_fn = staticmethod(F.x)``
                        if isinstance(v, staticmethod) and id(v.__func__) in swap:
                            setattr(val, k, staticmethod(swap[id(v.__func__)]))


def _names(schemas):
    return [s.split("(", 1)[0].strip() for s in schemas]
