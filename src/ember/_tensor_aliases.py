"""NumPy-style keyword names PyTorch accepts everywhere: ``axis=`` for ``dim=`` and
``keepdims=`` for ``keepdim=``.

(The in-place views ``t_``/``squeeze_``... and matrix products ``addmm_``... are declared with
their ops: ``ops._inplace.inplace_view`` and ``ops._registry``.)
"""
import functools
import inspect



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
