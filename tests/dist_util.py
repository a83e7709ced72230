"""Shared helpers for the distributed tests: run an ``ember-run`` job (bounded by a timeout) and
the check that a test leaves no rank processes behind."""
import os
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
WORKERS = os.path.join(HERE, "distributed_workers")


def require_mpi():
    """Skip the module unless mpi4py and an mpiexec are installed (the ``distributed`` extra)."""
    pytest.importorskip("mpi4py")
    from ember.distributed.run import find_mpiexec
    try:
        find_mpiexec()
    except SystemExit:
        pytest.skip("no mpiexec installed")


def launch(nproc, script, *args, timeout=90, env=None, launcher_args=()):
    """Run ``script`` on ``nproc`` ranks through ``python -m ember.distributed.run``;
    the CompletedProcess (stdout/stderr as text)."""
    full_env = dict(os.environ, **(env or {}))
    cmd = [sys.executable, "-m", "ember.distributed.run", "--nproc-per-node", str(nproc),
           *launcher_args, script, *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=full_env)


def processes_running(marker):
    """PIDs of live (non-zombie) processes whose command line contains ``marker``."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{pid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker in cmdline and state != "Z":
            found.append(int(pid))
    return found


def wait_gone(marker, timeout=5.0):
    """Wait up to ``timeout`` seconds for every process matching ``marker`` to end; the rest."""
    deadline = time.time() + timeout
    while processes_running(marker) and time.time() < deadline:
        time.sleep(0.05)
    return processes_running(marker)
