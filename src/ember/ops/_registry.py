"""The op registry: every public op is declared once, beside its code, with its bindings.

A declaration records what PyTorch exposes for the op, and everything else is generated from it:

* ``function``: ``ember.<name>`` (``torch.<name>``). ``"method"`` instead makes ``ember.<name>``
  call the Tensor method of that name on its first argument (``torch.fill_(t, v)``).
* ``method``: ``Tensor.<name>`` (``True``: the function itself, with ``self`` as ``input``; a
  callable: that method instead, for a different method signature; ``False``: none).
* ``inplace``: the ``Tensor.<name>_`` twin (``True``: compute out of place and write back,
  ``ops._inplace.inplace_method``; a callable ``maker(fn, name_)``: a custom twin, such as the
  unrecorded ufunc path of ``add_`` or the in-place views ``t_``/``squeeze_``).
* ``inplace_function``: also ``torch.<name>_(input, ...)``, calling the in-place method.
* ``dunder``: operator names bound to the op: ``"__add__"`` is the function, an in-place
  operator (``"__iadd__"``) calls the ``_`` twin.
* ``out``: whether the function takes ``out=`` (read from its signature).
* ``numpy_names``: whether ``axis=``/``keepdims=`` are accepted as ``dim=``/``keepdim=``, as
  PyTorch's argument parser does (``True``: function and method; ``"function"``: the function
  only, as ``Tensor.unflatten``; ``False``: neither, as ``torch.unique``). By default it is read
  from the signature: ``True`` when the function takes ``dim`` and not ``axis``. The keywords
  are renamed by a wrapper (``with_numpy_names``) put around whatever is bound last, hand-written
  methods included, by ``install_numpy_names`` at the end of ``import ember``.

Usage, in the op's own file::

    @register(inplace=True)
    def frac(input, *, out=None): ...

    register("arctan2", atan2)            # another name for the same function

``install_methods(Tensor)``, ``export_functions(ns)``, ``export_inplace_functions(ns)`` and
``install_numpy_names()`` bind everything once at import; a declaration made later (or ``unregister``) binds (or unbinds) at
once, so an op added at run time shows up everywhere too.
"""
import functools
import inspect
import sys

__all__ = ["register", "unregister", "entries", "install_methods", "export_functions",
           "export_inplace_functions", "install_numpy_names", "with_numpy_names", "Entry"]


class Entry:
    """One public op: its function and the names PyTorch binds it to."""
    __slots__ = ("name", "fn", "module", "function", "method", "inplace", "inplace_function",
                 "dunder", "out", "numpy_names", "bound")

    def __init__(self, name, fn, module, function, method, inplace, inplace_function, dunder,
                 numpy_names):
        self.name, self.fn, self.module = name, fn, module
        self.function, self.method, self.inplace = function, method, inplace
        self.inplace_function, self.dunder = inplace_function, dunder
        self.out = _takes(fn, "out")
        if numpy_names is None:
            numpy_names = _takes(fn, "dim") and not _takes(fn, "axis")
        self.numpy_names = numpy_names
        self.bound = []  # (owner, attribute) pairs this entry set, for unregister

    def __repr__(self):
        flags = [f for f in ("function", "method", "inplace", "inplace_function", "out",
                             "numpy_names")
                 if getattr(self, f)]
        return f"Entry({self.name!r}, {self.module}, {'+'.join(flags)})"


REGISTRY = {}  # name -> Entry, in declaration order
_TARGETS = {"methods": None, "functions": None, "inplace_functions": None, "numpy_names": None}
_CLASS_OWN = frozenset()  # Tensor attributes defined by the class itself (never overwritten)


def _takes(fn, param):
    try:
        return param in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def register(name=None, fn=None, *, function=True, method=True, inplace=False,
             inplace_function=False, dunder=(), numpy_names=None):
    """Declare a public op (see the module docstring). Forms: ``@register``,
    ``@register(inplace=True)``, ``@register("name", ...)`` and ``register("name", fn, ...)``;
    each returns ``fn`` unchanged."""
    if callable(name) and fn is None:  # bare @register
        name, fn = None, name
    module = sys._getframe(1).f_globals.get("__name__")  # the declaring module
    opts = dict(function=function, method=method, inplace=inplace,
                inplace_function=inplace_function,
                dunder=(dunder,) if isinstance(dunder, str) else tuple(dunder),
                numpy_names=numpy_names)

    def declare(f):
        n = name or f.__name__
        if n in REGISTRY:
            raise ValueError(f"op {n!r} is already registered by {REGISTRY[n].module}")
        entry = REGISTRY[n] = Entry(n, f, module, **opts)
        if _TARGETS["methods"] is not None:
            _bind_methods(entry, _TARGETS["methods"])
        if _TARGETS["functions"] is not None:
            _bind_function(entry, _TARGETS["functions"])
        if _TARGETS["inplace_functions"] is not None:
            _bind_inplace_function(entry, _TARGETS["inplace_functions"])
        if _TARGETS["numpy_names"]:
            _bind_numpy_names(entry)
        return f
    return declare(fn) if fn is not None else declare


def unregister(name):
    """Remove a declared op and every binding made from it (for tests)."""
    entry = REGISTRY.pop(name)
    for owner, attr in entry.bound:
        if isinstance(owner, dict):
            owner.pop(attr, None)
        elif attr in vars(owner):
            delattr(owner, attr)
    entry.bound.clear()


def entries():
    """The declared ops, in declaration order."""
    return list(REGISTRY.values())


def names(module=None, *, method=None, inplace=None):
    """Names of declared ops, optionally those of one module / with or without a method or an
    in-place twin."""
    return [e.name for e in REGISTRY.values()
            if (module is None or e.module == module)
            and (method is None or bool(e.method) == method)
            and (inplace is None or bool(e.inplace) == inplace)]


# ---- binding -------------------------------------------------------------------------------
def _set(entry, owner, attr, value):
    if isinstance(owner, dict):
        owner[attr] = value
    else:
        setattr(owner, attr, value)
    entry.bound.append((owner, attr))


def _bind_methods(entry, T):
    from ._inplace import inplace_method  # lazy: import cycle (at the top it leaves ops._operands half-initialised)
    n = entry.name
    if entry.method and n not in _CLASS_OWN:
        _set(entry, T, n, entry.fn if entry.method is True else entry.method)
    if entry.inplace:
        maker = inplace_method if entry.inplace is True else entry.inplace
        _set(entry, T, n + "_", maker(entry.fn, n + "_"))
    for d in entry.dunder:
        if d.startswith("__i"):
            _set(entry, T, d, _inplace_operator(n + "_", d))
        else:
            _set(entry, T, d, entry.fn)


def _inplace_operator(method_name, dunder):
    def operator(self, other):
        return getattr(self, method_name)(other)
    operator.__name__ = operator.__qualname__ = dunder
    operator.__doc__ = f"``self {dunder[3:-2]}= other``: ``self.{method_name}(other)``."
    return operator


def _bind_function(entry, ns):
    if entry.function is True:
        _set(entry, ns, entry.name, entry.fn)


def _method_caller(name):
    def fn(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"In-place ``{name[:-1]}`` of ``input`` (``torch.{name}``): "
                  f"``input.{name}(...)``, returns ``input``.")
    return fn


def _bind_inplace_function(entry, ns):
    for n, wanted in ((entry.name, entry.function == "method"),
                      (entry.name + "_", entry.inplace_function)):
        if wanted and n not in ns:
            _set(entry, ns, n, _method_caller(n))


def install_methods(T):
    """Bind every declared op's method, in-place twin and operators onto the Tensor class."""
    global _CLASS_OWN
    _CLASS_OWN = frozenset(vars(T))
    _TARGETS["methods"] = T
    for entry in REGISTRY.values():
        _bind_methods(entry, T)


def export_functions(ns):
    """Put every declared function into namespace ``ns`` (the ``ember`` module's dict)."""
    _TARGETS["functions"] = ns
    for entry in REGISTRY.values():
        _bind_function(entry, ns)


def export_inplace_functions(ns):
    """Put the top-level in-place functions (``torch.relu_``...) into ``ns``, skipping names it
    already has."""
    _TARGETS["inplace_functions"] = ns
    for entry in REGISTRY.values():
        _bind_inplace_function(entry, ns)


# ---- axis= / keepdims= (PyTorch accepts NumPy's names for dim and keepdim) -----------------
def with_numpy_names(fn):
    """Wrap ``fn`` so ``axis=`` means ``dim=`` and ``keepdims=`` means ``keepdim=`` (PyTorch's
    argument parser accepts both spellings; passing ``axis=`` and ``dim=`` is a TypeError)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if kwargs:
            if "axis" in kwargs:
                if "dim" in kwargs:
                    raise TypeError(f"{fn.__name__}() got multiple values for argument 'dim'")
                kwargs["dim"] = kwargs.pop("axis")
            if "keepdims" in kwargs:
                kwargs["keepdim"] = kwargs.pop("keepdims")
        return fn(*args, **kwargs)
    wrapper._numpy_names = True
    return wrapper


def _wants_alias(fn):
    return (callable(fn) and not getattr(fn, "_numpy_names", False) and not _takes(fn, "axis")
            and (_takes(fn, "dim") or _takes(fn, "kwargs")))


def _bind_numpy_names(entry):
    """Wrap what is bound now at ``ember.<name>`` (and ``Tensor.<name>``) in ``with_numpy_names``.
    A hand-written method (not bound by ``entry``) keeps its wrapper on ``unregister``."""
    if not entry.numpy_names:
        return
    owners = [_TARGETS["functions"]]
    if entry.numpy_names is True:
        owners.append(_TARGETS["methods"])
    for owner in owners:
        if owner is None:
            continue
        space = owner if isinstance(owner, dict) else vars(owner)
        fn = space.get(entry.name)
        if fn is not None and _wants_alias(fn):
            if isinstance(owner, dict):
                owner[entry.name] = with_numpy_names(fn)
            else:
                setattr(owner, entry.name, with_numpy_names(fn))


def install_numpy_names():
    """Give every declaration with ``numpy_names`` its ``axis=``/``keepdims=`` spellings, on the
    function and method bound now (run once, last, by ``import ember``); later declarations get
    them when declared."""
    _TARGETS["numpy_names"] = True
    for entry in REGISTRY.values():
        _bind_numpy_names(entry)
