"""Distributed overhead, Ember (MPI) vs PyTorch (gloo through torchrun), one thread per rank.

1. all_reduce of 4 MB and 64 MB float32 on 2 ranks: time and bus bandwidth, against a local NumPy
   add of the same arrays (the arithmetic an all-reduce must at least do), and against mpi4py's
   own blocking Allreduce (what Ember's CPU-yielding wait costs).
2. A DDP training step (MLP 784-512-512-10, batch 64 per rank, SGD): 2 ranks against 1 rank and
   against the model without DDP. On a 2-vCPU machine 2 ranks cannot be faster; the ratios show
   the cost of averaging gradients and how much of it backward hides.

Jobs alternate Ember / torch for ``--rounds`` rounds; the best of each is kept.

    python benchmarks/bench_ddp.py [--rounds 2] [--steps 30]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.abspath(__file__)
SIZES_MB = (4, 64)


# ---- inside a rank -----------------------------------------------------------------------------

def _lib(name):
    if name == "torch":
        import torch
        import torch.distributed as dist
        torch.set_num_threads(1)
        return torch, dist
    import ember
    import ember.distributed as dist
    import ember.nn  # noqa: F401
    import ember.optim  # noqa: F401
    ember.set_num_threads(1)
    return ember, dist


def _best(dist, fn, reps):
    fn()
    times = []
    for _ in range(reps):
        dist.barrier()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def worker_allreduce(lib_name, reps):
    import numpy as np
    lib, dist = _lib(lib_name)
    dist.init_process_group("gloo")
    out = {}
    for mb in SIZES_MB:
        n = mb * 1024 * 1024 // 4
        t = lib.ones(n, dtype=lib.float32)
        out[f"allreduce_{mb}MB_s"] = _best(dist, lambda: dist.all_reduce(t), reps)
        a, b = np.ones(n, np.float32), np.ones(n, np.float32)
        out[f"numpy_add_{mb}MB_s"] = _best(dist, lambda: np.add(a, b, out=a), reps)
        if lib_name == "ember":
            from mpi4py import MPI
            comm = MPI.COMM_WORLD
            out[f"mpi4py_allreduce_{mb}MB_s"] = _best(dist, lambda: comm.Allreduce(MPI.IN_PLACE, a),
                                                      reps)
    return dist, out


def worker_step(lib_name, steps, use_ddp):
    lib, dist = _lib(lib_name)
    dist.init_process_group("gloo")
    nn = lib.nn
    lib.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                          nn.Linear(512, 10))
    net = nn.parallel.DistributedDataParallel(model) if use_ddp else model
    opt = lib.optim.SGD(net.parameters(), lr=0.01)
    x, y = lib.randn(64, 784), lib.randint(0, 10, (64,))

    def step():
        opt.zero_grad()
        nn.functional.cross_entropy(net(x), y).backward()
        opt.step()
    for _ in range(3):
        step()
    return dist, {"step_s": _best(dist, step, steps)}


def worker_main(args):
    if args.worker == "allreduce":
        dist, out = worker_allreduce(args.lib, args.steps)
    else:
        dist, out = worker_step(args.lib, args.steps, args.ddp)
    if dist.get_rank() == 0:
        with open(args.out, "w") as f:
            json.dump(out, f)
    dist.destroy_process_group()


# ---- the driver ----------------------------------------------------------------------------------

def _job(lib, nproc, worker, steps, ddp=True):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        path = f.name
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    launcher = ["-m", "ember.distributed.run"] if lib == "ember" else \
        ["-m", "torch.distributed.run", "--master-port", str(port)]
    cmd = [sys.executable, *launcher, "--nproc-per-node", str(nproc), HERE, "--worker", worker,
           "--lib", lib, "--steps", str(steps), "--out", path] + (["--ddp"] if ddp else [])
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    proc = subprocess.run(cmd, timeout=600, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    with open(path) as f:
        result = json.load(f)
    os.unlink(path)
    return result


def _merge_best(into, new):
    for k, v in new.items():
        into[k] = min(into.get(k, v), v)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--worker", choices=("allreduce", "step"))
    ap.add_argument("--lib", default="ember")
    ap.add_argument("--ddp", action="store_true")
    ap.add_argument("--out")
    args = ap.parse_args()
    if args.worker:
        return worker_main(args)
    import importlib.util
    libs = ["ember", "torch"] if importlib.util.find_spec("torch") else ["ember"]
    res = {lib: {} for lib in libs}
    for _ in range(args.rounds):
        for lib in libs:
            _merge_best(res[lib], _job(lib, 2, "allreduce", max(5, args.steps // 3)))
            for nproc, ddp in ((2, True), (1, True), (1, False)):
                step = _job(lib, nproc, "step", args.steps, ddp)
                _merge_best(res[lib], {f"step_{nproc}rank{'_ddp' if ddp else '_plain'}_s":
                                       step["step_s"]})
    print("all_reduce on 2 ranks (best time; bandwidth = bytes / time, which for 2 ranks is also "
          "the bus bandwidth 2(n-1)/n * bytes / time)")
    for mb in SIZES_MB:
        for lib in libs:
            t = res[lib][f"allreduce_{mb}MB_s"]
            add = res[lib][f"numpy_add_{mb}MB_s"]
            line = (f"  {lib:5s} {mb:3d} MB: {t * 1e3:8.2f} ms  {mb / 1024 / t:6.2f} GB/s  "
                    f"= {t / add:5.1f}x a local NumPy add")
            if lib == "ember":
                raw = res[lib][f"mpi4py_allreduce_{mb}MB_s"]
                line += f"  ({t / raw:4.2f}x mpi4py's blocking Allreduce)"
            print(line)
        if "torch" in res:
            print(f"  ember/torch time ratio {mb} MB: "
                  f"{res['ember'][f'allreduce_{mb}MB_s'] / res['torch'][f'allreduce_{mb}MB_s']:.2f}")
    print("DDP training step, MLP 784-512-512-10, batch 64 per rank (best ms per step)")
    for lib in libs:
        r = res[lib]
        print(f"  {lib:5s} plain {r['step_1rank_plain_s'] * 1e3:7.2f}  DDP 1 rank "
              f"{r['step_1rank_ddp_s'] * 1e3:7.2f}  DDP 2 ranks {r['step_2rank_ddp_s'] * 1e3:7.2f}"
              f"  -> 2 ranks / 1 rank {r['step_2rank_ddp_s'] / r['step_1rank_ddp_s']:.2f}, "
              f"DDP-1 / plain {r['step_1rank_ddp_s'] / r['step_1rank_plain_s']:.2f}")
    if "torch" in res:
        for key in ("step_1rank_plain_s", "step_1rank_ddp_s", "step_2rank_ddp_s"):
            print(f"  ember/torch {key[5:-2]}: {res['ember'][key] / res['torch'][key]:.2f}")
    print(json.dumps(res))


if __name__ == "__main__":
    main()
