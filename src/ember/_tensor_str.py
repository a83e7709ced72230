"""Printing tensors exactly as PyTorch does: ``repr``/``str`` and ``set_printoptions``."""
import math

import numpy as np

from . import _dtype as D

__all__ = ["set_printoptions", "tensor_repr", "get_printoptions"]


class _Options:
    precision = 4
    threshold = 1000
    edgeitems = 3
    linewidth = 80
    sci_mode = None


PRINT_OPTS = _Options()


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Set how tensors print (``torch.set_printoptions``)."""
    if profile == "default":
        PRINT_OPTS.precision, PRINT_OPTS.threshold = 4, 1000
        PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 3, 80
    elif profile == "short":
        PRINT_OPTS.precision, PRINT_OPTS.threshold = 2, 1000
        PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 2, 80
    elif profile == "full":
        PRINT_OPTS.precision, PRINT_OPTS.threshold = 4, math.inf
        PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 3, 80
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    return {k: getattr(PRINT_OPTS, k) for k in
            ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")}


class _Formatter:
    """Chooses integer, fixed or scientific notation from the values, as PyTorch does.

    The column width comes from the nonzero finite values only (zeros, NaN and inf never
    widen a column), formatted in the chosen notation.
    """

    def __init__(self, arr, dtype):
        self.floating = dtype.is_floating_point
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        p = PRINT_OPTS.precision
        if not self.floating:
            flat = arr.reshape(-1)
            if flat.size:  # the longest text is the largest or the smallest value
                conv = bool if dtype is D.bool_ else int
                self.width = max(len(str(conv(flat.max()))), len(str(conv(flat.min()))))
            return
        vals = arr.astype(np.float64).reshape(-1)
        nz = vals[np.isfinite(vals) & (vals != 0)]
        if nz.size == 0:
            self.sci_mode = bool(PRINT_OPTS.sci_mode)
            return
        mag = np.abs(nz)
        lo, hi = mag.min(), mag.max()
        self.int_mode = bool(np.all(nz == np.ceil(nz)))
        self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or (not self.int_mode and lo < 1.0e-4)
        if PRINT_OPTS.sci_mode is not None:
            self.sci_mode = PRINT_OPTS.sci_mode
        if self.sci_mode:
            self.width = max(len(f"{v:.{p}e}") for v in nz.tolist())
        elif self.int_mode:
            self.width = max(len(f"{v:.0f}") for v in (nz.max(), nz.min())) + 1
        else:
            self.width = max(len(f"{v:.{p}f}") for v in (nz.max(), nz.min()))

    def format(self, v):
        p = PRINT_OPTS.precision
        if not self.floating:
            s = str(bool(v)) if isinstance(v, (bool, np.bool_)) else str(int(v))
        else:
            v = float(v)
            if self.sci_mode:
                s = f"{v:.{p}e}"
            elif self.int_mode:
                s = f"{v:.0f}" + ("." if math.isfinite(v) else "")
            else:
                s = f"{v:.{p}f}"
        return " " * (self.width - len(s)) + s


def _special_strs(vals):
    return ["nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") for v in vals]


def _summarized_values(arr, edge):
    """Only the elements that will be printed, so the formatter sees what is shown."""
    if arr.ndim == 0:
        return arr
    if arr.shape[0] > 2 * edge:
        parts = [arr[:edge], arr[-edge:]]
    else:
        parts = [arr]
    if arr.ndim == 1:
        return np.concatenate(parts)
    return np.concatenate([_summarized_values(p[i], edge).reshape(-1)
                           for p in parts for i in range(p.shape[0])])


def _format_complex(arr):
    real = _Formatter(arr.real, D.float32)
    imag = _Formatter(arr.imag, D.float32)
    return real, imag


def _str_rec(arr, fmt, indent, summarize, edge, elem):
    if arr.ndim == 0:
        return fmt(arr[()])
    if arr.ndim == 1:
        n = arr.shape[0]
        if summarize and n > 2 * edge:
            items = [fmt(v) for v in arr[:edge]] + [" ..."] + [fmt(v) for v in arr[-edge:]]
        else:
            items = [fmt(v) for v in arr]
        # wrap lines to the linewidth
        per_line = max(int(math.floor((PRINT_OPTS.linewidth - indent) / elem)), 1)
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    n = arr.shape[0]
    if summarize and n > 2 * edge:
        rows = [_str_rec(arr[i], fmt, indent + 1, summarize, edge, elem) for i in range(edge)] + \
               ["..."] + \
               [_str_rec(arr[i], fmt, indent + 1, summarize, edge, elem) for i in range(n - edge, n)]
    else:
        rows = [_str_rec(arr[i], fmt, indent + 1, summarize, edge, elem) for i in range(n)]
    sep = "," + "\n" * (arr.ndim - 1) + " " * (indent + 1)
    return "[" + sep.join(rows) + "]"


def tensor_repr(t, prefix="tensor(", suffix_extra=None):
    """PyTorch's ``repr`` of a tensor."""
    arr = t._data if isinstance(t._data, np.ndarray) else t._data.get()
    dtype = t.dtype
    if dtype in (D.float16, D.bfloat16):
        arr = arr.astype(np.float32)
    suffixes = []
    indent = len(prefix)
    summarize = arr.size > PRINT_OPTS.threshold
    if arr.size == 0:
        body = "[]"
        if arr.shape != (0,):
            suffixes.append(f"size={tuple(arr.shape)}")
    else:
        edge = PRINT_OPTS.edgeitems
        shown = _summarized_values(arr, edge) if summarize else arr
        if dtype.is_complex:
            rf, imf = _format_complex(shown)

            def fmt(v):
                im = (imf.format(v.imag) + "j").lstrip()
                return rf.format(v.real) + ("" if im[0] in "+-" else "+") + im
            elem = rf.width + imf.width + 3
        else:
            f = _Formatter(shown, dtype)
            fmt = f.format
            elem = f.width + 2
        body = _str_rec(arr, fmt, indent, summarize, edge, elem)
    if not t.is_cpu:
        suffixes.append(f"device='{t.device}'")
    default = D.get_default_dtype()
    show_dtype = dtype not in (default, D.int64, D.bool_) and not (
        dtype is D.complex64 and default is D.float32) and not (
        dtype is D.complex128 and default is D.float64)
    if arr.size == 0 and dtype is not default:
        show_dtype = dtype is not default
        if dtype in (D.int64,):
            show_dtype = True
    if show_dtype:
        suffixes.append(f"dtype={dtype!r}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t._rg:
        suffixes.append("requires_grad=True")
    if suffix_extra:
        suffixes.extend(suffix_extra)
    out = prefix + body
    line = _last_line_len(out) + 2  # PyTorch's running line length (counts 2 extra at first)
    for s in suffixes:
        if line + len(s) + 2 > PRINT_OPTS.linewidth:
            out += ",\n" + " " * indent + s
            line = indent + len(s)
        else:
            out += ", " + s
            line += len(s) + 2
    return out + ")"


def _last_line_len(s):
    return len(s) - s.rfind("\n") - 1
