"""Collectives and point-to-point messages on Ember tensors (``torch.distributed``'s functions),
each one MPI non-blocking call completed by a ``Work`` (waited at once unless ``async_op``).

Tensors are written in place as in PyTorch. A contiguous CPU tensor is handed to MPI as it is;
any other tensor goes through a contiguous copy that is written back when the operation ends.
"""
import numpy as np

from . import _mpi
from ._group import ReduceOp, resolve, get_group_rank
from ._work import Work, Buffer, check_tensor, check_tensor_list, host_copy, write

__all__ = ["all_reduce", "broadcast", "reduce", "all_gather", "all_gather_into_tensor",
           "reduce_scatter", "reduce_scatter_tensor", "gather", "scatter", "all_to_all_single",
           "all_to_all", "send", "recv", "isend", "irecv", "barrier"]

_FLOATING_KINDS = "fc"


def _launch(pg, what, requests, finish, async_op, outputs=(), statuses=None):
    work = Work(requests, pg, what, finish, outputs, statuses)
    if async_op:
        return work
    work.wait()
    return None


def _check_op(op, dtype, what):
    if not isinstance(op, ReduceOp):
        raise TypeError(f"{what}: op must be a torch.distributed.ReduceOp, got {op!r}")
    np_dtype = dtype.np
    kind = "b" if np_dtype == np.bool_ else ("f" if np_dtype.kind == "V" or dtype.is_floating_point
                                             else np_dtype.kind)
    if kind == "c" and op in (ReduceOp.MAX, ReduceOp.MIN):
        raise ValueError(f"{what} does not support {op} on complex tensors")
    if op is ReduceOp.AVG and kind not in _FLOATING_KINDS:
        raise ValueError(f"{what} with {op} needs a floating point or complex tensor, got {dtype}")
    if op in (ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR) and kind in _FLOATING_KINDS:
        raise ValueError(f"{what} with {op} needs an integer or bool tensor, got {dtype}")
    return _mpi.reduce_op(op.name, np_dtype)


def _root(pg, global_rank, group_rank, what, default_name):
    """The group rank of a ``src``/``dst`` given as a default-group rank (or as ``group_*``)."""
    if group_rank is not None:
        if global_rank is not None:
            raise ValueError(f"{what}: give only one of {default_name} and group_{default_name}")
        root = group_rank
    else:
        root = 0 if global_rank is None else global_rank
        if pg.ranks == list(range(len(pg.ranks))):
            if not 0 <= root < pg.size():
                raise RuntimeError(f"{what}: invalid root rank: {root} (the group has "
                                   f"{pg.size()} ranks)")
        else:
            root = get_group_rank(pg, root)
    if not 0 <= root < pg.size():
        raise RuntimeError(f"{what}: invalid root rank: {root} (the group has {pg.size()} ranks)")
    return root


def _finish(buffers, op=None, size=1, on_this_rank=True):
    """After MPI: divide for AVG, then write staged buffers back into their tensors."""
    def finish():
        if not on_this_rank:
            return
        for buf in buffers:
            if op is ReduceOp.AVG:
                np.divide(buf.array, size, out=buf.array, casting="unsafe")
            buf.write_back()
    return finish


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Combine ``tensor`` across the group with ``op``; every rank ends with the result in
    ``tensor`` (``torch.distributed.all_reduce``)."""
    check_tensor(tensor)
    pg = resolve(group)
    if pg.comm is None:
        return None
    mpi_op = _check_op(op, tensor.dtype, "all_reduce")
    buf = Buffer(tensor)
    req = pg.comm.Iallreduce(_mpi.mpi().IN_PLACE, _mpi.message(buf.array), mpi_op)
    return _launch(pg, "all_reduce", [req], _finish([buf], op, pg.size()), async_op, [tensor])


def broadcast(tensor, src=None, group=None, async_op=False, group_src=None):
    """Copy ``tensor`` from rank ``src`` into ``tensor`` on every rank of the group."""
    check_tensor(tensor)
    pg = resolve(group)
    if pg.comm is None:
        return None
    root = _root(pg, src, group_src, "broadcast", "src")
    buf = Buffer(tensor)
    req = pg.comm.Ibcast(_mpi.message(buf.array), root)
    return _launch(pg, "broadcast", [req], _finish([buf], on_this_rank=pg.rank() != root),
                   async_op, [tensor])


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    """Combine ``tensor`` across the group with ``op`` into ``tensor`` on rank ``dst`` only."""
    check_tensor(tensor)
    pg = resolve(group)
    if pg.comm is None:
        return None
    root = _root(pg, dst, group_dst, "reduce", "dst")
    mpi_op = _check_op(op, tensor.dtype, "reduce")
    MPI = _mpi.mpi()
    if pg.rank() == root:
        buf = Buffer(tensor)
        req = pg.comm.Ireduce(MPI.IN_PLACE, _mpi.message(buf.array), mpi_op, root)
        finish = _finish([buf], op, pg.size())
    else:
        req = pg.comm.Ireduce(_mpi.message(host_copy(tensor)), None, mpi_op, root)
        finish = None
    return _launch(pg, "reduce", [req], finish, async_op, [tensor])


def _check_same(t, ref, what, index):
    if tuple(t.shape) != tuple(ref.shape) or t.dtype != ref.dtype:
        raise RuntimeError(f"{what}: invalid tensor at index {index} (expected "
                           f"{tuple(ref.shape)} {ref.dtype}, got {tuple(t.shape)} {t.dtype})")


def _check_list_len(ts, pg, what, param):
    if len(ts) != pg.size():
        raise RuntimeError(f"{what}: {param} must hold one tensor per rank of the group "
                           f"(expected {pg.size()}, got {len(ts)})")


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """Every rank's ``tensor``, into ``tensor_list[r]`` for each rank ``r``, on every rank."""
    check_tensor_list(tensor_list)
    check_tensor(tensor)
    pg = resolve(group)
    if pg.comm is None:
        return None
    _check_list_len(tensor_list, pg, "all_gather", "tensor_list")
    for i, t in enumerate(tensor_list):
        _check_same(t, tensor, "all_gather", i)
    src = host_copy(tensor)
    out = np.empty((pg.size(),) + src.shape, dtype=src.dtype)
    req = pg.comm.Iallgather(_mpi.message(src), _mpi.split_message(out))

    def finish():
        for t, part in zip(tensor_list, out):
            write(t, part)
    return _launch(pg, "all_gather", [req], finish, async_op, tensor_list)


def _check_sizes(out, inp, what, out_factor, in_factor):
    if out.numel() * out_factor != inp.numel() * in_factor or out.dtype != inp.dtype:
        raise RuntimeError(f"{what}: output tensor {tuple(out.shape)} {out.dtype} does not fit "
                           f"input tensor {tuple(inp.shape)} {inp.dtype} for this group "
                           f"(output must hold {in_factor}x input elements/{out_factor}, same dtype)")


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """Every rank's ``input_tensor`` concatenated (or stacked) along dim 0 into ``output_tensor``."""
    check_tensor(output_tensor, "output_tensor")
    check_tensor(input_tensor, "input_tensor")
    pg = resolve(group)
    if pg.comm is None:
        return None
    _check_sizes(output_tensor, input_tensor, "all_gather_into_tensor", 1, pg.size())
    out = Buffer(output_tensor, fill=False)
    req = pg.comm.Iallgather(_mpi.message(host_copy(input_tensor)),
                             _mpi.split_message(out.array))
    return _launch(pg, "all_gather_into_tensor", [req], _finish([out]), async_op,
                   [output_tensor])


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``input`` across the group with ``op`` and leave rank ``r``'s ``r``-th block
    (along dim 0) in ``output``."""
    check_tensor(output, "output")
    check_tensor(input, "input")
    pg = resolve(group)
    if pg.comm is None:
        return None
    _check_sizes(output, input, "reduce_scatter_tensor", pg.size(), 1)
    mpi_op = _check_op(op, input.dtype, "reduce_scatter_tensor")
    out = Buffer(output, fill=False)
    req = pg.comm.Ireduce_scatter_block(_mpi.split_message(host_copy(input)),
                                        _mpi.message(out.array), mpi_op)
    return _launch(pg, "reduce_scatter_tensor", [req], _finish([out], op, pg.size()), async_op,
                   [output])


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``input_list[r]`` across the group with ``op`` into ``output`` on rank ``r``."""
    check_tensor(output, "output")
    check_tensor_list(input_list, "input_list")
    pg = resolve(group)
    if pg.comm is None:
        return None
    _check_list_len(input_list, pg, "reduce_scatter", "input_list")
    for i, t in enumerate(input_list):
        _check_same(t, output, "reduce_scatter", i)
    mpi_op = _check_op(op, output.dtype, "reduce_scatter")
    send = np.stack([host_copy(t) for t in input_list]) if input_list else None
    out = Buffer(output, fill=False)
    req = pg.comm.Ireduce_scatter_block(_mpi.split_message(send), _mpi.message(out.array), mpi_op)
    return _launch(pg, "reduce_scatter", [req], _finish([out], op, pg.size()), async_op,
                   [output])


def gather(tensor, gather_list=None, dst=None, group=None, async_op=False, group_dst=None):
    """Every rank's ``tensor`` into ``gather_list`` on rank ``dst`` (other ranks pass None)."""
    check_tensor(tensor)
    pg = resolve(group)
    if pg.comm is None:
        return None
    root = _root(pg, dst, group_dst, "gather", "dst")
    src = host_copy(tensor)
    if pg.rank() == root:
        if gather_list is None:
            raise ValueError("gather: gather_list is required on the destination rank")
        check_tensor_list(gather_list, "gather_list")
        _check_list_len(gather_list, pg, "gather", "gather_list")
        for i, t in enumerate(gather_list):
            _check_same(t, tensor, "gather", i)
        out = np.empty((pg.size(),) + src.shape, dtype=src.dtype)
        req = pg.comm.Igather(_mpi.message(src), _mpi.split_message(out), root)

        def finish():
            for t, part in zip(gather_list, out):
                write(t, part)
    else:
        if gather_list:
            raise ValueError("gather: Argument ``gather_list`` must NOT be specified on "
                             "non-destination ranks.")
        req = pg.comm.Igather(_mpi.message(src), None, root)
        finish = None
    return _launch(pg, "gather", [req], finish, async_op, gather_list or [])


def scatter(tensor, scatter_list=None, src=None, group=None, async_op=False, group_src=None):
    """``scatter_list[r]`` from rank ``src`` into ``tensor`` on each rank ``r``."""
    check_tensor(tensor)
    pg = resolve(group)
    if pg.comm is None:
        return None
    root = _root(pg, src, group_src, "scatter", "src")
    out = Buffer(tensor, fill=False)
    if pg.rank() == root:
        if scatter_list is None:
            raise ValueError("scatter: scatter_list is required on the source rank")
        check_tensor_list(scatter_list, "scatter_list")
        _check_list_len(scatter_list, pg, "scatter", "scatter_list")
        for i, t in enumerate(scatter_list):
            _check_same(t, tensor, "scatter", i)
        send = _mpi.split_message(np.stack([host_copy(t) for t in scatter_list]))
    else:
        if scatter_list:
            raise ValueError("scatter: Argument ``scatter_list`` must NOT be specified on "
                             "non-source ranks.")
        send = None
    req = pg.comm.Iscatter(send, _mpi.message(out.array), root)
    return _launch(pg, "scatter", [req], _finish([out]), async_op, [tensor])


def _split_counts(t, splits, size, what, param):
    rows = t.shape[0] if t.dim() else 1
    per_row = t.numel() // rows if rows else 0
    if splits is None or len(splits) == 0:
        if rows % size:
            raise ValueError(f"{what}: dim 0 of {param} ({rows}) must divide by the group size "
                             f"{size} when no split sizes are given")
        splits = [rows // size] * size
    splits = [int(s) for s in splits]
    if len(splits) != size or sum(splits) != rows:
        raise ValueError(f"{what}: {param} split sizes {splits} must be {size} sizes summing "
                         f"to dim 0 ({rows})")
    counts = np.array(splits, dtype=np.int64) * per_row
    displs = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    return counts, displs


def all_to_all_single(output, input, output_split_sizes=None, input_split_sizes=None,
                      group=None, async_op=False):
    """Split ``input`` along dim 0 and send block ``r`` to rank ``r``; the blocks received,
    in rank order, fill ``output``."""
    check_tensor(output, "output")
    check_tensor(input, "input")
    pg = resolve(group)
    if pg.comm is None:
        return None
    if output.dtype != input.dtype:
        raise RuntimeError(f"all_to_all_single: output dtype {output.dtype} differs from input "
                           f"dtype {input.dtype}")
    send_c, send_d = _split_counts(input, input_split_sizes, pg.size(), "all_to_all_single",
                                   "input")
    recv_c, recv_d = _split_counts(output, output_split_sizes, pg.size(), "all_to_all_single",
                                   "output")
    src = host_copy(input)
    out = Buffer(output, fill=False)
    dt = _mpi.datatype(src.dtype)
    req = pg.comm.Ialltoallv([src, (send_c, send_d), dt], [out.array, (recv_c, recv_d), dt])
    return _launch(pg, "all_to_all_single", [req], _finish([out]), async_op, [output])


def all_to_all(output_tensor_list, input_tensor_list, group=None, async_op=False):
    """Send ``input_tensor_list[r]`` to rank ``r``; what rank ``r`` sent arrives in
    ``output_tensor_list[r]``."""
    check_tensor_list(output_tensor_list, "output_tensor_list")
    check_tensor_list(input_tensor_list, "input_tensor_list")
    pg = resolve(group)
    if pg.comm is None:
        return None
    _check_list_len(output_tensor_list, pg, "all_to_all", "output_tensor_list")
    _check_list_len(input_tensor_list, pg, "all_to_all", "input_tensor_list")
    send = [host_copy(t).reshape(-1) for t in input_tensor_list]
    dt_np = send[0].dtype if send else np.float32
    send_c = np.array([s.size for s in send], dtype=np.int64)
    recv_c = np.array([t.numel() for t in output_tensor_list], dtype=np.int64)
    src = np.concatenate(send) if send else np.empty(0, dt_np)
    out = np.empty(int(recv_c.sum()), dtype=dt_np)
    disp = lambda c: np.concatenate([[0], np.cumsum(c)[:-1]]).astype(np.int64)  # noqa: E731
    dt = _mpi.datatype(src.dtype)
    req = pg.comm.Ialltoallv([src, (send_c, disp(send_c)), dt], [out, (recv_c, disp(recv_c)), dt])

    def finish():
        for t, start, n in zip(output_tensor_list, disp(recv_c), recv_c):
            write(t, out[start:start + n])
    return _launch(pg, "all_to_all", [req], finish, async_op, output_tensor_list)


def _peer(pg, rank, group_rank, what, param):
    if group_rank is not None:
        peer = group_rank
    else:
        peer = rank if pg.ranks == list(range(pg.size())) else get_group_rank(pg, rank)
    if not 0 <= peer < pg.size():
        raise ValueError(f"{what}: invalid {param} rank {peer} (the group has {pg.size()} ranks)")
    if peer == pg.rank():
        raise ValueError(f"Invalid {'destination' if param == 'dst' else 'source'} rank: should "
                         f"not be the same as the rank of the current process.")
    return peer


def isend(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Start sending ``tensor`` to rank ``dst``; returns a Work to ``wait()`` on."""
    check_tensor(tensor)
    pg = resolve(group)
    if pg.comm is None:
        return None
    peer = _peer(pg, dst, group_dst, "isend", "dst")
    src = host_copy(tensor)
    req = pg.comm.Isend(_mpi.message(src), peer, tag)
    return Work([req], pg, "send", None, [tensor])


def irecv(tensor, src=None, group=None, tag=0, group_src=None):
    """Start receiving into ``tensor`` from rank ``src`` (any rank if None); returns a Work whose
    ``source_rank()`` says who sent it."""
    check_tensor(tensor)
    pg = resolve(group)
    if pg.comm is None:
        return None
    MPI = _mpi.mpi()
    if src is None and group_src is None:
        peer = MPI.ANY_SOURCE
    else:
        peer = _peer(pg, src, group_src, "irecv", "src")
    buf = Buffer(tensor, fill=False)
    req = pg.comm.Irecv(_mpi.message(buf.array), peer, tag)
    return Work([req], pg, "recv", _finish([buf]), [tensor], statuses=[MPI.Status()])


def send(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Send ``tensor`` to rank ``dst`` and wait until it is on its way."""
    work = isend(tensor, dst, group, tag, group_dst)
    if work is not None:
        work.wait()


def recv(tensor, src=None, group=None, tag=0, group_src=None):
    """Receive into ``tensor`` from rank ``src`` (any rank if None); returns the sender's rank."""
    work = irecv(tensor, src, group, tag, group_src)
    if work is None:
        return -1
    work.wait()
    return work.source_rank()


def barrier(group=None, async_op=False, device_ids=None):
    """Wait until every rank of the group has reached this call."""
    pg = resolve(group)
    if pg.comm is None:
        return None
    return _launch(pg, "barrier", [pg.comm.Ibarrier()], None, async_op)
