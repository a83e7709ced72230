"""Tensor methods PyTorch has that are thin variations of existing ones.

* In-place view ops (``squeeze_``, ``unsqueeze_``, ``t_``, ``transpose_``, ``swapaxes_``,
  ``swapdims_``): the tensor itself takes the view's shape and strides over the same storage.
* In-place matrix products (``addmm_``, ``addbmm_``, ``baddbmm_``, ``addmv_``, ``addr_``).
* NumPy-style keyword names PyTorch accepts everywhere: ``axis=`` for ``dim=`` and
  ``keepdims=`` for ``keepdim=``.
"""
import functools
import inspect

from ._tensor import Tensor
from .autograd.grad_mode import STATE
from .ops import shape, matmul
from .ops._inplace import check_leaf_inplace
from ._backend import bump_version
from ._tensor_methods import _inplace

T = Tensor


def _inplace_view(fn, name):
    def method(self, *args, **kwargs):
        if STATE.enabled and self._rg:
            check_leaf_inplace(self)
        try:
            view = fn(self, *args, **kwargs)
        except RuntimeError as exc:
            msg = str(exc).replace(name[:-1] + "()", name + "()", 1)
            raise RuntimeError(msg) from None
        self._data = view._data
        bump_version(self)
        if STATE.enabled and self._rg and view.grad_fn is not None:
            node = self.grad_fn = view.grad_fn
            base = node.name().rstrip("0123456789")  # PyTorch numbers in-place twins apart
            node._name = base + str(int(node.name()[len(base):] or 0) + (3 if name == "squeeze_"
                                                                          else 1))
            self._output_nr = 0
            if hasattr(view.grad_fn, "_view_version"):
                view.grad_fn._view_version = self._version[0]
        return self
    method.__name__ = name
    method.__doc__ = (f"In-place ``{name[:-1]}``: this tensor takes the view's shape and strides "
                      f"over its own storage (``Tensor.{name}``).")
    return method


for _n in ("squeeze", "unsqueeze", "t", "transpose", "swapaxes", "swapdims"):
    setattr(T, _n + "_", _inplace_view(getattr(shape, _n), _n + "_"))


def _bind_matmul_inplace():
    for n in ("addmm", "addbmm", "baddbmm", "addmv", "addr"):
        setattr(T, n + "_", _inplace(getattr(matmul, n), n + "_"))


_bind_matmul_inplace()

# ---- axis= / keepdims= (PyTorch accepts NumPy's names for dim and keepdim) -----------------
AXIS_FUNCTIONS = (
    "sum", "mean", "prod", "std", "var", "std_mean", "var_mean", "amax", "amin", "aminmax", "max",
    "min", "argmax", "argmin", "all", "any", "logsumexp", "cumsum", "cumprod", "cummax", "cummin",
    "logcumsumexp", "nansum", "nanmean", "median", "nanmedian", "mode", "count_nonzero", "norm",
    "softmax", "log_softmax", "sort", "argsort", "topk", "kthvalue", "cat", "concat",
    "concatenate", "stack", "squeeze", "unsqueeze", "flatten", "unbind", "chunk", "split",
    "narrow", "select", "index_select", "gather", "diff", "trapezoid", "cumulative_trapezoid",
    "unique_consecutive", "quantile", "nanquantile", "renorm", "roll", "msort",
)


def _accepts(fn, name):
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return name in params


def with_numpy_names(fn):
    """Wrap ``fn`` so ``axis=`` means ``dim=`` and ``keepdims=`` means ``keepdim=``."""
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
    return (callable(fn) and not getattr(fn, "_numpy_names", False)
            and not _accepts(fn, "axis") and (_accepts(fn, "dim") or _accepts(fn, "kwargs")))


def install_numpy_names(namespace):
    """Apply ``with_numpy_names`` to the listed functions of ``namespace`` (a module or class)."""
    for n in AXIS_FUNCTIONS:
        fn = namespace.__dict__.get(n) if isinstance(namespace, type) else getattr(
            namespace, n, None)
        if fn is not None and _wants_alias(fn):
            setattr(namespace, n, with_numpy_names(fn))
