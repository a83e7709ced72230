"""What each rank runs under ``ember-run``: export torchrun's variables (RANK, WORLD_SIZE,
LOCAL_RANK, ...) from the MPI launcher's, leave a status record for the launcher, run the user's
script as ``__main__``, and on an uncaught exception abort the whole MPI job at once.

    mpiexec -n N python -m ember.distributed._bootstrap [-m module | script.py] args...
"""
import os
import runpy
import signal
import socket
import sys
import traceback

from . import _env


def _export_position():
    pos = _env.launcher_position({k: v for k, v in os.environ.items() if k != "RANK"})
    if pos is None:
        pos = (0, 1, 0)
    rank, size, local = pos
    local_size = (os.environ.get("OMPI_COMM_WORLD_LOCAL_SIZE") or os.environ.get("MPI_LOCALNRANKS")
                  or os.environ.get("SLURM_NTASKS_PER_NODE") or os.environ.get("EMBER_NPROC_PER_NODE")
                  or str(size))
    os.environ.update(RANK=str(rank), WORLD_SIZE=str(size), LOCAL_RANK=str(local),
                      LOCAL_WORLD_SIZE=str(local_size), GROUP_RANK=str(rank // max(int(local_size), 1)))
    return rank


def _record(run_dir, rank, kind, text):
    if run_dir:
        path = os.path.join(run_dir, f"rank{rank}.{kind}")
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.replace(path + ".tmp", path)


def _abort_job(code):
    """Take the other ranks down now (they may be blocked in a collective with this one)."""
    mpi_mod = sys.modules.get("mpi4py.MPI")
    if mpi_mod is not None and mpi_mod.Is_initialized() and not mpi_mod.Is_finalized():
        sys.stdout.flush()
        sys.stderr.flush()
        mpi_mod.COMM_WORLD.Abort(code)


def main(argv):
    """Run ``argv`` (``script.py args`` or ``-m module args``) as this rank."""
    rank = _export_position()
    run_dir = os.environ.get("EMBER_RUN_DIR")
    _record(run_dir, rank, "pid", f"{os.getpid()} {socket.gethostname()}")

    def on_signal(signum, _frame):
        _record(run_dir, rank, "exit", f"{128 + signum} stopped by {signal.Signals(signum).name}")
        os._exit(128 + signum)
    signal.signal(signal.SIGTERM, on_signal)

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
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if not isinstance(exc.code, int) and exc.code is not None:
            print(exc.code, file=sys.stderr)
    except BaseException as exc:  # noqa: BLE001 - report any failure of the user's script
        traceback.print_exc()
        code = 1
        _record(run_dir, rank, "error", f"{type(exc).__name__}: {exc}")
    _record(run_dir, rank, "exit", f"{code}")
    if code != 0:
        _abort_job(code)
    sys.exit(code)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python -m ember.distributed._bootstrap [-m module | script.py] args...")
    main(sys.argv[1:])
