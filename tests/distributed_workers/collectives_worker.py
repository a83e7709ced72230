"""Run under MPI (``ember-run --nproc-per-node N collectives_worker.py OUT_DIR``): check every
ember.distributed collective against NumPy on this rank, write ``OUT_DIR/rank<r>.json``
({category: [[check, ok, detail], ...]}) for tests/test_distributed_collectives.py."""
import json
import os
import sys
import traceback

import numpy as np

import ember
import ember.distributed as dist
from ember.distributed import ReduceOp

DTYPES = ["float32", "float64", "int64", "int32", "uint8", "float16", "bfloat16", "complex128"]
TOL = {"float16": 2e-2, "bfloat16": 5e-2, "float32": 1e-5, "float64": 1e-12, "complex128": 1e-12}


def values(rank, shape, dtype, salt=0):
    """Rank ``rank``'s deterministic input: small values so integer products do not overflow."""
    return np.asarray(_values(rank, shape, dtype, salt))


def _values(rank, shape, dtype, salt):
    rng = np.random.default_rng(1000 * salt + rank)
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype == "complex128":
        return (rng.uniform(-2, 2, shape) + 1j * rng.uniform(-2, 2, shape)).astype(dtype)
    if dtype in ("int64", "int32", "uint8"):
        return rng.integers(1, 4, shape).astype(dtype)
    arr = rng.uniform(0.5, 2.0, shape) * rng.choice([-1, 1], shape)
    return arr.astype(np.float32).astype(ember.bfloat16.np) if dtype == "bfloat16" else arr.astype(dtype)


def to_tensor(arr, layout):
    """``arr`` as an Ember tensor laid out contiguously, transposed, or as a strided slice."""
    if layout == "transposed" and arr.ndim >= 2:
        return ember.from_numpy(np.ascontiguousarray(arr.T).copy()).t()
    if layout == "sliced" and arr.ndim >= 1:
        padded = np.zeros((arr.shape[0] * 2,) + arr.shape[1:], dtype=arr.dtype)
        padded[::2] = arr
        return ember.from_numpy(padded)[::2]
    return ember.from_numpy(np.array(arr, copy=True))


def close(tensor, expected, dtype):
    got = tensor.to(ember.float64).numpy() if dtype in ("bfloat16", "float16") else tensor.numpy()
    if got.dtype == np.bool_:
        got = got.astype(np.int64)
    exp = np.asarray(expected).astype(got.dtype)
    if tuple(tensor.shape) != exp.shape:
        return False, f"shape {tuple(tensor.shape)} != {exp.shape}"
    tol = TOL.get(dtype, 0)
    err = np.max(np.abs(got - exp) / np.maximum(1, np.abs(exp))) if exp.size else 0.0
    return bool(err <= tol), f"max rel err {err:.3g} (tol {tol})"


NP_REDUCE = {ReduceOp.SUM: lambda xs: np.sum(xs, 0), ReduceOp.PRODUCT: lambda xs: np.prod(xs, 0),
             ReduceOp.MIN: lambda xs: np.min(xs, 0), ReduceOp.MAX: lambda xs: np.max(xs, 0),
             ReduceOp.AVG: lambda xs: np.mean(xs, 0),
             ReduceOp.BAND: lambda xs: np.bitwise_and.reduce(xs, 0),
             ReduceOp.BOR: lambda xs: np.bitwise_or.reduce(xs, 0),
             ReduceOp.BXOR: lambda xs: np.bitwise_xor.reduce(xs, 0)}


def reduced(op, rank_arrays, dtype):
    xs = np.stack([a.astype(np.float64) if dtype in ("bfloat16", "float16") else a
                   for a in rank_arrays])
    if dtype == "bool":
        return {ReduceOp.SUM: np.any, ReduceOp.MAX: np.any, ReduceOp.MIN: np.all,
                ReduceOp.PRODUCT: np.all}[op](xs, 0)
    return NP_REDUCE[op](xs)


def ops_for(dtype):
    if dtype == "complex128":
        return [ReduceOp.SUM, ReduceOp.PRODUCT, ReduceOp.AVG]
    if dtype == "bool":
        return [ReduceOp.SUM, ReduceOp.MAX, ReduceOp.MIN, ReduceOp.PRODUCT]
    ops = [ReduceOp.SUM, ReduceOp.PRODUCT, ReduceOp.MIN, ReduceOp.MAX]
    if dtype.startswith(("int", "uint")):
        return ops + [ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR]
    return ops + [ReduceOp.AVG]


LAYOUTS = [((3, 4, 5), "contiguous"), ((), "contiguous"), ((6, 4), "transposed"), ((7, 3), "sliced")]


def check_all_reduce(rank, size, report):
    for dtype in DTYPES + ["bool"]:
        for op in ops_for(dtype):
            for shape, layout in LAYOUTS:
                arrays = [values(r, shape, dtype, salt=op.value) for r in range(size)]
                t = to_tensor(arrays[rank], layout)
                dist.all_reduce(t, op=op)
                report(f"{dtype} {op.name} {shape} {layout}", *close(t, reduced(op, arrays, dtype), dtype))
    arrays = [values(r, (1000,), "float64") for r in range(size)]
    t = ember.from_numpy(arrays[rank].copy())
    work = dist.all_reduce(t, async_op=True)
    report("async Work.wait", work.wait() is True and work.is_completed() and work.is_success(), "")
    report("async result", *close(t, np.sum(arrays, 0), "float64"))
    work = dist.all_reduce(t, op=ReduceOp.MAX, async_op=True)
    while not work.is_completed():
        pass
    report("async is_completed polling", *close(t, np.max(arrays, 0) if False else work.result()[0], "float64"))
    big = [values(r, (1 << 20,), "float32") for r in range(size)]
    t = ember.from_numpy(big[rank].copy())
    dist.all_reduce(t)
    report("float32 4 MiB", *close(t, np.sum(big, 0), "float32"))
    leaf = ember.ones(3, dtype=ember.float64, requires_grad=True)
    with ember.no_grad():
        dist.all_reduce(leaf)
    report("requires_grad leaf under no_grad", *close(leaf.detach(), np.full(3, size), "float64"))


def check_broadcast_reduce(rank, size, report):
    for dtype in DTYPES + ["bool"]:
        for shape, layout in LAYOUTS:
            for src in (0, size - 1):
                arrays = [values(r, shape, dtype, salt=7) for r in range(size)]
                t = to_tensor(arrays[rank], layout)
                dist.broadcast(t, src=src)
                report(f"broadcast {dtype} {shape} {layout} src={src}", *close(t, arrays[src], dtype))
    for dtype in ("float64", "int64", "float16"):
        for shape, layout in LAYOUTS:
            arrays = [values(r, shape, dtype, salt=8) for r in range(size)]
            t = to_tensor(arrays[rank], layout)
            dist.reduce(t, dst=1, op=ReduceOp.SUM)
            want = reduced(ReduceOp.SUM, arrays, dtype) if rank == 1 else arrays[rank]
            report(f"reduce {dtype} {shape} {layout}", *close(t, want, dtype))
    t = ember.from_numpy(values(rank, (5,), "float64", 9))
    w = dist.broadcast(t, src=1, async_op=True)
    w.wait()
    report("async broadcast", *close(t, values(1, (5,), "float64", 9), "float64"))


def check_gather_scatter(rank, size, report):
    for dtype in ("float32", "int64", "bfloat16", "complex128"):
        for shape, layout in LAYOUTS:
            arrays = [values(r, shape, dtype, salt=11) for r in range(size)]
            t = to_tensor(arrays[rank], layout)
            outs = [ember.zeros(shape, dtype=t.dtype) for _ in range(size)]
            dist.all_gather(outs, t)
            report(f"all_gather {dtype} {shape} {layout}",
                   all(close(o, a, dtype)[0] for o, a in zip(outs, arrays)), "")
            if shape:
                cat = ember.zeros((size * shape[0],) + shape[1:], dtype=t.dtype)
                dist.all_gather_into_tensor(cat, t)
                report(f"all_gather_into_tensor cat {dtype} {shape} {layout}",
                       *close(cat, np.concatenate(arrays), dtype))
            stacked = ember.zeros((size,) + shape + (2,), dtype=t.dtype)[..., 0]  # strided
            dist.all_gather_into_tensor(stacked, t)
            want = np.stack(arrays)
            report(f"all_gather_into_tensor non-contiguous output {dtype} {shape}",
                   *close(stacked, want, dtype))
            gl = [ember.zeros(shape, dtype=t.dtype) for _ in range(size)] if rank == 0 else None
            dist.gather(t, gl, dst=0)
            if rank == 0:
                report(f"gather {dtype} {shape} {layout}",
                       all(close(o, a, dtype)[0] for o, a in zip(gl, arrays)), "")
            src = size - 1
            sl = [to_tensor(values(r, shape, dtype, 12), layout) for r in range(size)] if rank == src else None
            out = to_tensor(np.zeros(shape, dtype=arrays[0].dtype), layout)
            dist.scatter(out, sl, src=src)
            report(f"scatter {dtype} {shape} {layout}", *close(out, values(rank, shape, dtype, 12), dtype))
    for dtype in ("float64", "int32", "float16"):
        for op in (ReduceOp.SUM, ReduceOp.MAX) + ((ReduceOp.AVG,) if dtype != "int32" else ()):
            full = [values(r, (size * 2, 3), dtype, salt=13) for r in range(size)]
            out = ember.zeros((2, 3), dtype=to_tensor(full[0], "contiguous").dtype)
            dist.reduce_scatter_tensor(out, to_tensor(full[rank], "transposed"), op=op)
            want = reduced(op, full, dtype)[2 * rank:2 * rank + 2]
            report(f"reduce_scatter_tensor {dtype} {op.name}", *close(out, want, dtype))
            out2 = ember.zeros((2, 3), dtype=out.dtype)
            dist.reduce_scatter(out2, [to_tensor(full[rank][2 * k:2 * k + 2], "contiguous")
                                       for k in range(size)], op=op)
            report(f"reduce_scatter list {dtype} {op.name}", *close(out2, want, dtype))


def check_all_to_all(rank, size, report):
    arrays = [values(r, (size * 2, 3), "float64", 14) for r in range(size)]
    out = ember.zeros((size * 2, 3), dtype=ember.float64)
    dist.all_to_all_single(out, to_tensor(arrays[rank], "transposed"))
    want = np.concatenate([arrays[r][2 * rank:2 * rank + 2] for r in range(size)])
    report("all_to_all_single equal splits", *close(out, want, "float64"))
    # Rank r sends (k + r) % 3 + 1 rows to rank k.
    rows = lambda r, k: (k + r) % 3 + 1  # noqa: E731
    send_splits = [rows(rank, k) for k in range(size)]
    recv_splits = [rows(r, rank) for r in range(size)]
    src = values(rank, (sum(send_splits), 2), "int64", 15)
    out = ember.zeros((sum(recv_splits), 2), dtype=ember.int64)
    dist.all_to_all_single(out, ember.from_numpy(src), recv_splits, send_splits)
    pieces = []
    for r in range(size):
        theirs = values(r, (sum(rows(r, k) for k in range(size)), 2), "int64", 15)
        start = sum(rows(r, k) for k in range(rank))
        pieces.append(theirs[start:start + rows(r, rank)])
    report("all_to_all_single uneven splits", *close(out, np.concatenate(pieces), "int64"))
    ins = [ember.full((k + 1,), float(10 * rank + k)) for k in range(size)]
    outs = [ember.zeros(rank + 1) for _ in range(size)]
    dist.all_to_all(outs, ins)
    report("all_to_all list", all(close(o, np.full(rank + 1, 10.0 * r + rank), "float32")[0]
                                  for r, o in enumerate(outs)), "")


def check_point_to_point(rank, size, report):
    right, left = (rank + 1) % size, (rank - 1) % size
    for dtype in ("float64", "int64", "bfloat16"):
        for shape, layout in LAYOUTS:
            mine = values(rank, shape, dtype, 16)
            got = to_tensor(np.zeros(shape, dtype=mine.dtype), layout)
            if rank % 2 == 0:
                dist.send(to_tensor(mine, layout), dst=right)
                src = dist.recv(got, src=left)
            else:
                src = dist.recv(got, src=left)
                dist.send(to_tensor(mine, layout), dst=right)
            report(f"send/recv ring {dtype} {shape} {layout}",
                   close(got, values(left, shape, dtype, 16), dtype)[0] and src == left, f"src={src}")
    got = ember.zeros(4, dtype=ember.float64)
    works = [dist.isend(ember.full((4,), float(rank), dtype=ember.float64), dst=right),
             dist.irecv(got)]
    for w in works:
        w.wait()
    report("isend/irecv any source", close(got, np.full(4, float(left)), "float64")[0]
           and works[1].source_rank() == left, f"source_rank={works[1].source_rank()}")
    dist.barrier()
    dist.barrier(async_op=True).wait()
    report("barrier", True, "")


def check_objects(rank, size, report):
    objs = [{"rank": rank, "tensor": ember.arange(rank + 1)}, "x" * (rank * 1000)]
    received = list(objs) if rank == 1 else [None, None]
    dist.broadcast_object_list(received, src=1)
    report("broadcast_object_list", received[0]["rank"] == 1 and received[1] == "x" * 1000
           and received[0]["tensor"].tolist() == [0, 1], repr(received[0])[:80])
    gathered = [None] * size
    dist.all_gather_object(gathered, objs[0])
    report("all_gather_object", [g["rank"] for g in gathered] == list(range(size))
           and [g["tensor"].tolist() for g in gathered] == [list(range(r + 1)) for r in range(size)], "")
    gl = [None] * size if rank == 0 else None
    dist.gather_object(("hello", rank), gl, dst=0)
    if rank == 0:
        report("gather_object", gl == [("hello", r) for r in range(size)], repr(gl))
    out = [None]
    dist.scatter_object_list(out, [{"for": r} for r in range(size)] if rank == 0 else None, src=0)
    report("scatter_object_list", out == [{"for": rank}], repr(out))


def check_groups(rank, size, report):
    members = [0, size - 1]
    g = dist.new_group(members)
    t = ember.tensor([float(rank + 1)])
    result = dist.all_reduce(t, group=g)
    if rank in members:
        report("new_group all_reduce", t.item() == 1 + size and dist.get_rank(g) == members.index(rank)
               and dist.get_world_size(g) == 2, f"{t.item()}")
        b = ember.tensor([float(rank)])
        dist.broadcast(b, src=size - 1, group=g)
        report("new_group broadcast from global rank", b.item() == size - 1, f"{b.item()}")
    else:
        report("non-member", result is None and t.item() == rank + 1 and dist.get_rank(g) == -1, "")
    report("get_process_group_ranks", dist.get_process_group_ranks(g) == members, "")
    dist.destroy_process_group(g)


def expect(report, name, exc_type, fn, needle):
    try:
        fn()
    except exc_type as exc:
        report(name, needle in str(exc), str(exc)[:200])
    except Exception as exc:  # noqa: BLE001
        report(name, False, f"{type(exc).__name__}: {exc}")
    else:
        report(name, False, "no error")


def check_errors_and_env(rank, size, report):
    expect(report, "complex MAX", ValueError,
           lambda: dist.all_reduce(ember.zeros(2, dtype=ember.complex64), op=ReduceOp.MAX), "complex")
    expect(report, "int AVG", ValueError,
           lambda: dist.all_reduce(ember.zeros(2, dtype=ember.int64), op=ReduceOp.AVG), "int64")
    expect(report, "bad root", RuntimeError, lambda: dist.broadcast(ember.zeros(2), src=size),
           f"invalid root rank: {size}")
    expect(report, "not a tensor", TypeError, lambda: dist.all_reduce([1.0]), "torch.Tensor")
    expect(report, "gather_into size", RuntimeError,
           lambda: dist.all_gather_into_tensor(ember.zeros(3), ember.zeros(2)), "(3,)")
    expect(report, "list length", RuntimeError,
           lambda: dist.all_gather([ember.zeros(2)] * (size + 1), ember.zeros(2)), f"expected {size}")
    expect(report, "send to self", ValueError, lambda: dist.send(ember.zeros(1), dst=rank),
           "should not be the same")
    expect(report, "init twice", ValueError, lambda: dist.init_process_group("mpi"), "twice")
    env = os.environ
    report("env vars", env["RANK"] == str(rank) and env["WORLD_SIZE"] == str(size)
           and env["LOCAL_RANK"] == str(rank) and env["MASTER_ADDR"] == "127.0.0.1"
           and int(env["MASTER_PORT"]) > 0 and env["LOCAL_WORLD_SIZE"] == str(size), "")
    report("backend alias", dist.get_backend() == "gloo" and dist.is_initialized(), dist.get_backend())
    from ember.distributed._work import Buffer
    report("contiguous tensors go to MPI without a copy",
           not Buffer(ember.zeros(3, 4)).staged and Buffer(ember.zeros(3, 4).t()).staged, "")
    from ember.utils.data import DistributedSampler
    s = DistributedSampler(range(10))
    report("DistributedSampler from the default group", s.num_replicas == size and s.rank == rank, "")
    everyone = [None] * size
    dist.all_gather_object(everyone, list(s))
    flat = sorted(i for part in everyone for i in part)
    report("DistributedSampler partitions", set(flat) == set(range(10)) and len(flat) == s.total_size, "")


CATEGORIES = {"all_reduce": check_all_reduce, "broadcast_reduce": check_broadcast_reduce,
              "gather_scatter": check_gather_scatter, "all_to_all": check_all_to_all,
              "point_to_point": check_point_to_point, "objects": check_objects,
              "groups": check_groups, "errors_env": check_errors_and_env}


def main(out_dir):
    dist.init_process_group("gloo")
    rank, size = dist.get_rank(), dist.get_world_size()
    results = {}
    only = os.environ.get("EMBER_TEST_CATEGORIES")
    for name, fn in CATEGORIES.items():
        if only and name not in only.split(","):
            continue
        rows = results.setdefault(name, [])
        try:
            fn(rank, size, lambda check, ok, detail: rows.append([check, bool(ok), detail]))
        except Exception:  # noqa: BLE001 - recorded, the test reports it
            rows.append(["(raised)", False, traceback.format_exc()])
        dist.barrier()
    with open(os.path.join(out_dir, f"rank{rank}.json"), "w") as f:
        json.dump(results, f)
    dist.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1])
