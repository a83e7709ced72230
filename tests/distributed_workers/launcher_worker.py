"""Rank behaviours for tests/test_distributed_launcher.py: ``launcher_worker.py MODE OUT_DIR``.

ok: all_reduce and record the environment; raise: rank 1 raises while rank 0 waits in a
barrier; kill: rank 1 SIGKILLs itself while rank 0 waits; hang: every rank waits forever in a
collective loop (for signal forwarding); mismatch: init with a world_size MPI did not start.
"""
import json
import os
import signal
import sys
import time

import ember
import ember.distributed as dist

mode, out_dir = sys.argv[1], sys.argv[2]
if mode == "mismatch":
    dist.init_process_group("mpi", world_size=2, rank=0)
dist.init_process_group("gloo")
rank = dist.get_rank()
open(os.path.join(out_dir, f"started{rank}"), "w").close()
if mode == "ok":
    t = ember.tensor([float(rank + 1)])
    dist.all_reduce(t)
    keys = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")
    with open(os.path.join(out_dir, f"rank{rank}.json"), "w") as f:
        json.dump({"sum": t.item(), "argv": sys.argv[3:], "rank": rank,
                   "size": dist.get_world_size(), "name": __name__,
                   "env": {k: os.environ.get(k) for k in keys}}, f)
elif mode in ("raise", "kill"):
    dist.barrier()
    if rank == 1:
        time.sleep(0.2)
        if mode == "raise":
            raise ValueError("boom from the test")
        os.kill(os.getpid(), signal.SIGKILL)
    dist.barrier()  # never completes: the peer is gone
elif mode == "hang":
    while True:
        dist.barrier()
        time.sleep(0.05)
