"""Collectives on picklable Python objects (``broadcast_object_list``, ``all_gather_object``,
``gather_object``, ``scatter_object_list``): objects travel as pickled bytes, their lengths first."""
import pickle

import numpy as np

from . import _mpi
from ._collectives import _root
from ._group import resolve

__all__ = ["broadcast_object_list", "all_gather_object", "gather_object", "scatter_object_list"]


def _dumps(obj):
    return np.frombuffer(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL), dtype=np.uint8)


def _loads(chunk):
    return pickle.loads(chunk.tobytes())


def _wait(pg, what, *requests):
    _mpi.wait_requests(list(requests), pg.timeout_s, what)


def _offsets(sizes):
    return np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)


def broadcast_object_list(object_list, src=None, group=None, device=None, group_src=None):
    """Replace ``object_list``'s items on every rank by rank ``src``'s (same length everywhere)."""
    pg = resolve(group)
    if pg.comm is None:
        return
    root = _root(pg, src, group_src, "broadcast_object_list", "src")
    me = pg.rank()
    if me == root:
        blobs = [_dumps(o) for o in object_list]
        sizes = np.array([b.size for b in blobs], dtype=np.int64)
    else:
        sizes = np.empty(len(object_list), dtype=np.int64)
    _wait(pg, "broadcast_object_list", pg.comm.Ibcast(sizes, root))
    payload = np.concatenate(blobs) if me == root and blobs else np.empty(int(sizes.sum()), np.uint8)
    _wait(pg, "broadcast_object_list", pg.comm.Ibcast(payload, root))
    if me != root:
        for i, (start, n) in enumerate(zip(_offsets(sizes), sizes)):
            object_list[i] = _loads(payload[start:start + n])


def all_gather_object(object_list, obj, group=None):
    """Every rank's ``obj``, into ``object_list[r]`` for each rank ``r``, on every rank."""
    pg = resolve(group)
    if pg.comm is None:
        return
    if len(object_list) != pg.size():
        raise RuntimeError(f"all_gather_object: object_list must have one slot per rank "
                           f"(expected {pg.size()}, got {len(object_list)})")
    blob = _dumps(obj)
    sizes = np.empty(pg.size(), dtype=np.int64)
    _wait(pg, "all_gather_object", pg.comm.Iallgather(np.array([blob.size], np.int64), sizes))
    payload = np.empty(int(sizes.sum()), np.uint8)
    _wait(pg, "all_gather_object",
          pg.comm.Iallgatherv(blob, [payload, (sizes, _offsets(sizes)), _mpi.mpi().BYTE]))
    for i, (start, n) in enumerate(zip(_offsets(sizes), sizes)):
        object_list[i] = _loads(payload[start:start + n])


def gather_object(obj, object_gather_list=None, dst=None, group=None, group_dst=None):
    """Every rank's ``obj`` into ``object_gather_list`` on rank ``dst`` (None elsewhere)."""
    pg = resolve(group)
    if pg.comm is None:
        return
    root = _root(pg, dst, group_dst, "gather_object", "dst")
    me = pg.rank()
    if me == root and (object_gather_list is None or len(object_gather_list) != pg.size()):
        raise ValueError(f"gather_object: object_gather_list must have {pg.size()} slots on the "
                         f"destination rank")
    blob = _dumps(obj)
    sizes = np.empty(pg.size(), dtype=np.int64) if me == root else None
    _wait(pg, "gather_object", pg.comm.Igather(np.array([blob.size], np.int64), sizes, root))
    if me == root:
        payload = np.empty(int(sizes.sum()), np.uint8)
        recv = [payload, (sizes, _offsets(sizes)), _mpi.mpi().BYTE]
    else:
        recv = None
    _wait(pg, "gather_object", pg.comm.Igatherv(blob, recv, root))
    if me == root:
        for i, (start, n) in enumerate(zip(_offsets(sizes), sizes)):
            object_gather_list[i] = _loads(payload[start:start + n])


def scatter_object_list(scatter_object_output_list, scatter_object_input_list=None, src=None,
                        group=None, group_src=None):
    """``scatter_object_input_list[r]`` from rank ``src`` into ``scatter_object_output_list[0]``
    on each rank ``r``."""
    pg = resolve(group)
    if pg.comm is None:
        return
    if not isinstance(scatter_object_output_list, list) or len(scatter_object_output_list) < 1:
        raise ValueError("Expected argument scatter_object_output_list to be a list of size at "
                         "least 1.")
    root = _root(pg, src, group_src, "scatter_object_list", "src")
    me = pg.rank()
    if me == root:
        if scatter_object_input_list is None or len(scatter_object_input_list) != pg.size():
            raise ValueError(f"scatter_object_list: scatter_object_input_list must have "
                             f"{pg.size()} objects on the source rank")
        blobs = [_dumps(o) for o in scatter_object_input_list]
        sizes = np.array([b.size for b in blobs], dtype=np.int64)
        send_sizes = sizes
        send = [np.concatenate(blobs), (sizes, _offsets(sizes)), _mpi.mpi().BYTE]
    else:
        send_sizes, send = None, None
    mine = np.empty(1, dtype=np.int64)
    _wait(pg, "scatter_object_list", pg.comm.Iscatter(send_sizes, mine, root))
    chunk = np.empty(int(mine[0]), np.uint8)
    _wait(pg, "scatter_object_list", pg.comm.Iscatterv(send, chunk, root))
    scatter_object_output_list[0] = _loads(chunk)
