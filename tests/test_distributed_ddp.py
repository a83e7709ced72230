"""DistributedDataParallel on 2 real MPI ranks: each rank trains on half of every batch, and
after several SGD (momentum) and Adam steps the weights equal one process trained on the whole
batches, to 1e-6 in float64: with one and with several buckets, with no_sync() gradient
accumulation, and with parameters unused everywhere or only on one rank. One ember-run job runs
every scenario (tests/distributed_workers/ddp_worker.py)."""
import json
import os
import sys

import numpy as np
import pytest

from dist_util import WORKERS, launch, require_mpi

require_mpi()
sys.path.insert(0, WORKERS)
import ddp_worker  # noqa: E402


@pytest.fixture(scope="module")
def ranks(tmp_path_factory):
    out = tmp_path_factory.mktemp("ddp")
    proc = launch(2, os.path.join(WORKERS, "ddp_worker.py"), str(out))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return [json.load(open(os.path.join(out, f"rank{r}.json"))) for r in range(2)]


@pytest.mark.parametrize("scenario", list(ddp_worker.SCENARIOS))
def test_two_ranks_equal_one_process_on_the_whole_batch(ranks, scenario):
    want = ddp_worker.reference(scenario)
    initial = ddp_worker.make_model(0, extras="unused" in scenario).state_dict()
    for rank, result in enumerate(ranks):
        got = result[scenario]
        assert got["_grad_none"] == want["_grad_none"], rank
        for name, values in want.items():
            if name.startswith("_"):
                continue
            np.testing.assert_allclose(got[name], values, rtol=0, atol=1e-6,
                                       err_msg=f"rank {rank} {name}")
            if name in want["_grad_none"]:  # never used: still rank 0's initial values
                np.testing.assert_allclose(got[name], initial[name].numpy(), rtol=0, atol=0)
            else:  # it trained
                assert not np.allclose(got[name], initial[name].numpy()), name


def test_bucket_counts(ranks):
    # 0.0002 MB buckets hold at most one of fc1.weight (320 B) and friends; 25 MB hold all.
    assert ranks[0]["sgd_momentum_small_buckets"]["_buckets"] == 4
    assert ranks[0]["adam_default_buckets"]["_buckets"] == 1


def test_wrapper_behaviour(ranks):
    for checks in (r["_checks"] for r in ranks):
        assert checks["state_dict_prefix"] is True
        assert checks["nn_alias"] is True
        assert checks["broadcast_at_construction"] is True
        assert "find_unused_parameters=True" in checks["unused_error"]
        assert "did not receive grad: 4 5 6 7" in checks["unused_error"]


def test_requires_process_group():
    import ember
    from ember.nn.parallel import DistributedDataParallel
    with pytest.raises(ValueError, match="init_process_group"):
        DistributedDataParallel(ember.nn.Linear(2, 2))


def test_ddp_digits_example(tmp_path):
    pytest.importorskip("sklearn")
    pytest.importorskip("matplotlib")
    example = os.path.join(os.path.dirname(WORKERS), "..", "examples", "ddp_digits.py")
    proc = launch(2, os.path.abspath(example), "--epochs", "2", "--no-progress", "--threads", "1",
                  "--out", str(tmp_path), timeout=180, env={"MPLBACKEND": "Agg"})
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["example"] == "ddp_digits" and summary["world_size"] == 2
    assert summary["replicas_identical"] is True
    assert summary["test_accuracy"] > 0.4     # chance is 0.1; 30 epochs reach ~0.97
    assert (tmp_path / "ddp_digits.png").stat().st_size > 2000
