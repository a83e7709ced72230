"""The MPI layer under ``ember.distributed``: the lazily imported mpi4py module, NumPy dtype ->
MPI datatype and reduction op, and a wait that yields the CPU.

MPICH and Open MPI busy-poll inside blocking calls; with more ranks than cores (or cores shared
with other work) a rank spinning in a collective steals the CPU from the rank it is waiting for.
Every collective here is therefore issued non-blocking and completed by ``wait_requests``, which
tests the request in a loop and yields the processor between tests once the wait gets long.
"""
import importlib.util
import os
import time

import numpy as np

_MPI = None


def mpi():
    """``mpi4py.MPI`` (imported on first use: importing it initialises MPI)."""
    global _MPI
    if _MPI is None:
        try:
            from mpi4py import MPI
        except ImportError as exc:  # pragma: no cover - exercised only without the extra
            raise RuntimeError("ember.distributed needs mpi4py and an MPI library: "
                               "pip install 'ember[distributed]' (mpi4py and mpich)") from exc
        _MPI = MPI
    return _MPI


def available():
    """True when mpi4py can be imported (without importing it)."""
    return importlib.util.find_spec("mpi4py") is not None


# ---- datatypes ---------------------------------------------------------------------------------

_BUILTIN_TYPES = {
    "float32": "FLOAT", "float64": "DOUBLE", "int8": "INT8_T", "int16": "INT16_T",
    "int32": "INT32_T", "int64": "INT64_T", "uint8": "UINT8_T", "uint16": "UINT16_T",
    "uint32": "UINT32_T", "uint64": "UINT64_T", "complex64": "C_FLOAT_COMPLEX",
    "complex128": "C_DOUBLE_COMPLEX",
}
_byte_types = {}


def datatype(np_dtype):
    """The MPI datatype for one element of ``np_dtype``: a predefined type where MPI has one,
    else an opaque contiguous block of the item size (float16, bfloat16, bool), so that MPI
    never splits an element when it segments a message."""
    name = _BUILTIN_TYPES.get(np_dtype.name)
    MPI = mpi()
    if name is not None:
        return getattr(MPI, name)
    size = np_dtype.itemsize
    if size not in _byte_types:
        _byte_types[size] = MPI.BYTE.Create_contiguous(size).Commit()
    return _byte_types[size]


def message(arr):
    """``[buffer, count, datatype]`` for a C-contiguous array, as mpi4py takes it."""
    return [arr, arr.size, datatype(arr.dtype)]


def split_message(arr):
    """``[buffer, datatype]`` for an array holding one equal block per rank (the gathered side
    of gather/allgather, the scattered side of scatter): mpi4py divides the count by the ranks."""
    return [arr, datatype(arr.dtype)]


# ---- reduction ops -----------------------------------------------------------------------------

_BUILTIN_OPS = {"SUM": "SUM", "PRODUCT": "PROD", "MIN": "MIN", "MAX": "MAX", "BAND": "BAND",
                "BOR": "BOR", "BXOR": "BXOR", "AVG": "SUM"}
_BOOL_UFUNCS = {"SUM": np.logical_or, "PRODUCT": np.logical_and, "MIN": np.logical_and,
                "MAX": np.logical_or, "BAND": np.logical_and, "BOR": np.logical_or,
                "BXOR": np.logical_xor, "AVG": np.logical_or}
_UFUNCS = {"SUM": np.add, "PRODUCT": np.multiply, "MIN": np.minimum, "MAX": np.maximum,
           "BAND": np.bitwise_and, "BOR": np.bitwise_or, "BXOR": np.bitwise_xor, "AVG": np.add}
_user_ops = {}


def reduce_op(op_name, np_dtype):
    """The MPI op computing ReduceOp ``op_name`` on ``np_dtype`` elements: MPI's own for the
    predefined types, else a NumPy ufunc on the raw blocks (float16/bfloat16 round per step like
    PyTorch's own half arithmetic; bool SUM is logical or, as ``bool + bool`` in PyTorch)."""
    MPI = mpi()
    if np_dtype.name in _BUILTIN_TYPES:
        return getattr(MPI, _BUILTIN_OPS[op_name])
    key = (op_name, np_dtype.str)
    if key not in _user_ops:
        ufunc = (_BOOL_UFUNCS if np_dtype == np.bool_ else _UFUNCS)[op_name]
        dt = np.dtype(np_dtype)

        def combine(inbuf, inoutbuf, _datatype):
            acc = np.frombuffer(inoutbuf, dtype=dt)
            ufunc(np.frombuffer(inbuf, dtype=dt), acc, out=acc)
        _user_ops[key] = MPI.Op.Create(combine, commute=True)
    return _user_ops[key]


# ---- waiting -----------------------------------------------------------------------------------

_HOT_TESTS = 200        # tests before the first yield: a fast partner answers within these
# After this long the partner is busy computing, not communicating: sleep between tests so the
# CPU goes to it (EMBER_MPI_SLEEP_AFTER_S tunes it; a large value keeps waiting hot).
_SLEEP_AFTER_S = float(os.environ.get("EMBER_MPI_SLEEP_AFTER_S", 0.002))
_SLEEP_S = 0.0002


def test_requests(requests):
    """Drive MPI progress once; True when every request has completed."""
    return mpi().Request.Testall(requests)


def wait_requests(requests, timeout_s=None, what="collective", statuses=None):
    """Complete ``requests`` without spinning the CPU for long; RuntimeError after
    ``timeout_s`` seconds (the process group's timeout), naming ``what``. ``statuses``, a list
    of ``MPI.Status`` as long as ``requests``, receives their statuses."""
    Testall = mpi().Request.Testall
    for _ in range(_HOT_TESTS):
        if Testall(requests, statuses):
            return
    start = time.monotonic()
    n = 0
    while not Testall(requests, statuses):
        n += 1
        if n & 63:
            os.sched_yield()
            continue
        waited = time.monotonic() - start
        if timeout_s is not None and waited > timeout_s:
            raise RuntimeError(f"ember.distributed: {what} did not complete within "
                               f"{timeout_s:.0f} s (a rank may have died or not called it)")
        if waited > _SLEEP_AFTER_S:
            time.sleep(_SLEEP_S)
