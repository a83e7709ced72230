"""ember.distributed collectives on real MPI ranks (2 and 3), each checked against NumPy on
several dtypes and shapes, contiguous and not. One ember-run job per rank count runs every check
(tests/distributed_workers/collectives_worker.py) and leaves a JSON report per rank."""
import json
import os

import pytest

from dist_util import WORKERS, launch, require_mpi

require_mpi()

CATEGORIES = ["all_reduce", "broadcast_reduce", "gather_scatter", "all_to_all", "point_to_point",
              "objects", "groups", "errors_env"]
# Fewest checks each category must have run on every rank (a silently skipped check fails).
MIN_CHECKS = {"all_reduce": 190, "broadcast_reduce": 80, "gather_scatter": 60, "all_to_all": 3,
              "point_to_point": 14, "objects": 3, "groups": 2, "errors_env": 13}


@pytest.fixture(scope="module", params=[2, 3], ids=lambda n: f"{n}ranks")
def reports(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"collectives{request.param}")
    proc = launch(request.param, os.path.join(WORKERS, "collectives_worker.py"), str(out))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    files = sorted(os.listdir(out))
    assert files == [f"rank{r}.json" for r in range(request.param)], files
    return [json.load(open(os.path.join(out, f))) for f in files]


@pytest.mark.parametrize("category", CATEGORIES)
def test_collective_matches_numpy(reports, category):
    for rank, report in enumerate(reports):
        rows = report[category]
        failed = [row for row in rows if not row[1]]
        assert not failed, f"rank {rank}: " + "\n".join(f"{c}: {d}" for c, _, d in failed[:10])
        assert len(rows) >= MIN_CHECKS[category], (rank, len(rows))


def test_not_initialized_errors_without_mpi():
    import ember
    import ember.distributed as dist
    assert dist.is_available() and not dist.is_initialized()
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        dist.get_rank()
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        dist.all_reduce(ember.ones(2))
    from ember.utils.data import DistributedSampler
    with pytest.raises(ValueError, match="init_process_group"):
        DistributedSampler(range(4))


def test_backend_names():
    import ember.distributed as dist
    assert dist.Backend("GLOO") == "gloo" and dist.Backend("mpi") == "mpi"
    with pytest.raises(ValueError, match="Invalid backend: 'tcp'"):
        dist.Backend("tcp")
    assert str(dist.ReduceOp.SUM) == "RedOpType.SUM"


def test_import_does_not_load_mpi():
    import subprocess
    import sys
    code = ("import sys, ember, ember.nn, ember.utils.data, ember.distributed, ember.nn.parallel; "
            "print([m for m in ('mpi4py', 'mpi4py.MPI') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
