"""The ember-run launcher (``python -m ember.distributed.run``) and plain ``mpiexec``: variables
and arguments reach the ranks; a rank that raises or is SIGKILLed fails the whole job within
seconds, with the rank named and no process left behind; signals reach the ranks."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from dist_util import WORKERS, launch, require_mpi, wait_gone

require_mpi()

WORKER = os.path.join(WORKERS, "launcher_worker.py")


def test_ranks_get_torchrun_variables_and_arguments(tmp_path):
    proc = launch(2, WORKER, "ok", str(tmp_path), "--lr", "0.1", timeout=60)
    assert proc.returncode == 0, proc.stderr[-3000:]
    reports = [json.load(open(tmp_path / f"rank{r}.json")) for r in range(2)]
    for rank, rep in enumerate(reports):
        assert rep["sum"] == 3.0 and rep["rank"] == rank and rep["size"] == 2
        assert rep["argv"] == ["--lr", "0.1"] and rep["name"] == "__main__"
        env = rep["env"]
        assert (env["RANK"], env["WORLD_SIZE"], env["LOCAL_RANK"], env["LOCAL_WORLD_SIZE"]) == \
            (str(rank), "2", str(rank), "2")
        assert env["MASTER_ADDR"] == "127.0.0.1" and int(env["MASTER_PORT"]) > 0
    assert reports[0]["env"]["MASTER_PORT"] == reports[1]["env"]["MASTER_PORT"]


@pytest.mark.parametrize("mode, says, code", [
    ("raise", "rank 1 failed: exited with code 1: ValueError: boom from the test", 1),
    ("kill", "rank 1 failed: killed by SIGKILL", 128 + 9),
])
def test_a_failing_rank_fails_the_job_fast(tmp_path, mode, says, code):
    start = time.time()
    proc = launch(3, WORKER, mode, str(tmp_path), timeout=60)
    elapsed = time.time() - start
    assert proc.returncode == code
    assert says in proc.stderr, proc.stderr[-3000:]
    assert elapsed < 20, elapsed  # ranks start in ~2 s; failure handling takes well under 1 s
    assert wait_gone(str(tmp_path)) == []


def test_signals_are_forwarded_and_nothing_is_left(tmp_path):
    cmd = [sys.executable, "-m", "ember.distributed.run", "--nproc-per-node", "2", WORKER, "hang",
           str(tmp_path)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 60
        while not all((tmp_path / f"started{r}").exists() for r in range(2)):
            assert time.time() < deadline and proc.poll() is None, "ranks did not start"
            time.sleep(0.05)
        sent = time.time()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
        assert time.time() - sent < 10
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0, err
    assert wait_gone(str(tmp_path)) == []


def _mpiexec():
    from ember.distributed.run import find_mpiexec
    return find_mpiexec()


def test_plain_mpiexec_reads_the_mpi_rank_variables(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK")}
    proc = subprocess.run([_mpiexec(), "-n", "2", sys.executable, WORKER, "ok", str(tmp_path)],
                          capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    reports = [json.load(open(tmp_path / f"rank{r}.json")) for r in range(2)]
    assert [r["sum"] for r in reports] == [3.0, 3.0] and [r["rank"] for r in reports] == [0, 1]


def test_plain_mpiexec_aborts_the_job_on_an_uncaught_exception(tmp_path):
    start = time.time()
    proc = subprocess.run([_mpiexec(), "-n", "2", sys.executable, WORKER, "raise", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "ValueError: boom from the test" in proc.stderr
    assert time.time() - start < 20
    assert wait_gone(str(tmp_path)) == []


def test_world_size_that_mpi_did_not_start_is_refused(tmp_path):
    proc = subprocess.run([sys.executable, WORKER, "mismatch", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "asked for rank 0 of world_size 2, but MPI started this process as rank 0 of 1" \
        in proc.stderr, proc.stderr[-2000:]
    assert "ember-run --nproc-per-node 2" in proc.stderr


def test_bad_nproc_is_refused():
    proc = subprocess.run([sys.executable, "-m", "ember.distributed.run", "--nproc-per-node", "0",
                           WORKER], capture_output=True, text=True, timeout=30)
    assert proc.returncode != 0 and "--nproc-per-node must be >= 1, got 0" in proc.stderr


def test_command_line_for_mpich_and_hosts():
    from ember.distributed import run
    args = run._parser().parse_args(["--nproc-per-node", "4", "--hosts", "a,b", "train.py", "-x"])
    cmd = run.build_command(args, _mpiexec())
    assert cmd[cmd.index("-n") + 1] == "8"
    assert cmd[-3:] == ["ember.distributed._bootstrap", "train.py", "-x"]
    if "-hosts" in cmd:  # MPICH's Hydra
        assert cmd[cmd.index("-hosts") + 1] == "a,b" and cmd[cmd.index("-ppn") + 1] == "4"
