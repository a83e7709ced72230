"""What each rank runs under ``ember-run``.

``python -m ember.distributed._bootstrap [-m module | script.py] args`` is the process mpiexec
starts for a rank. It exports torchrun's variables (RANK, WORLD_SIZE, LOCAL_RANK, ...) from the MPI
launcher's, then runs the rank itself as its child, so that it sees exactly how the rank ended
(exit code, or the signal that killed it) and leaves that, timestamped, in the launcher's status
folder. The child runs the user's script as ``__main__``; on an uncaught exception it records the
error and aborts the whole MPI job at once (its peers may be blocked in a collective with it).
"""
import os
import runpy
import signal
import socket
import subprocess
import sys
import time
import traceback

from . import _env


def _export_position():
    pos = _env.launcher_position({k: v for k, v in os.environ.items() if k != "RANK"})
    rank, size, local = pos if pos is not None else (0, 1, 0)
    local_size = (os.environ.get("OMPI_COMM_WORLD_LOCAL_SIZE") or os.environ.get("MPI_LOCALNRANKS")
                  or os.environ.get("SLURM_NTASKS_PER_NODE")
                  or os.environ.get("EMBER_NPROC_PER_NODE") or str(size))
    os.environ.update(RANK=str(rank), WORLD_SIZE=str(size), LOCAL_RANK=str(local),
                      LOCAL_WORLD_SIZE=str(local_size),
                      GROUP_RANK=str(rank // max(int(local_size), 1)))
    return rank


def _record(rank, kind, text):
    """Write ``<run dir>/rank<rank>.<kind>`` atomically (nothing outside ember-run)."""
    run_dir = os.environ.get("EMBER_RUN_DIR")
    if run_dir:
        path = os.path.join(run_dir, f"rank{rank}.{kind}")
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.replace(path + ".tmp", path)


def supervise(argv):
    """The rank's outer process: run the rank as a child, forward signals to it, record how it
    ended as ``"<code> <time> <how>"`` and exit with its code."""
    rank = _export_position()
    _record(rank, "pid", f"{os.getpid()} {socket.gethostname()}")
    # close_fds=False: the child inherits the MPI launcher's PMI socket (PMI_FD).
    os.environ["EMBER_RANK_SUPERVISOR"] = str(os.getpid())
    child = subprocess.Popen([sys.executable, "-m", "ember.distributed._bootstrap", "--rank",
                              *argv], close_fds=False)
    stopped_by = []

    def forward(signum, _frame):
        stopped_by.append(signum)
        try:
            child.send_signal(signum)
        except ProcessLookupError:
            pass
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, forward)
    # MPICH's Hydra (with -disable-auto-cleanup) tells the ranks of a peer's exit by SIGUSR1,
    # whose default action would kill this supervisor.
    signal.signal(signal.SIGUSR1, signal.SIG_IGN)
    while True:
        try:
            status = child.wait()
            break
        except InterruptedError:  # pragma: no cover - PEP 475 retries; kept for safety
            continue
    if status < 0:
        name = signal.Signals(-status).name
        how = f"stopped by {name}" if stopped_by else f"killed by {name}"
        code = 128 - status
    else:
        how, code = "exited", status
    _record(rank, "exit", f"{code} {time.time():.6f} {how}")
    sys.exit(code)


def _abort_job(code):
    mpi_mod = sys.modules.get("mpi4py.MPI")
    if mpi_mod is not None and mpi_mod.Is_initialized() and not mpi_mod.Is_finalized():
        sys.stdout.flush()
        sys.stderr.flush()
        mpi_mod.COMM_WORLD.Abort(code)


def _die_with_parent():
    """Linux: have the kernel SIGKILL this process when its supervisor dies."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


def run_rank(argv):
    """The rank itself: run ``argv`` (``script.py args`` or ``-m module args``) as ``__main__``."""
    rank = int(os.environ["RANK"])
    supervisor = int(os.environ["EMBER_RANK_SUPERVISOR"])
    _die_with_parent()
    if os.getppid() != supervisor:  # it died before the line above
        sys.exit(1)
    _record(rank, "child", f"{os.getpid()} {socket.gethostname()}")
    code = 0
    try:
        if argv[:1] == ["-m"]:
            sys.argv = argv[1:]
            runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        else:
            sys.argv = list(argv)
            sys.path.insert(0, os.path.dirname(os.path.abspath(argv[0])))
            runpy.run_path(argv[0], run_name="__main__")
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    except BaseException as exc:  # noqa: BLE001 - report any failure of the user's script
        traceback.print_exc()
        code = 1
        _record(rank, "error", f"{time.time():.6f} {type(exc).__name__}: {exc}")
    if code != 0:
        _abort_job(code)
    sys.exit(code)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python -m ember.distributed._bootstrap [-m module | script.py] args...")
    if sys.argv[1] == "--rank":
        run_rank(sys.argv[2:])
    else:
        supervise(sys.argv[1:])
