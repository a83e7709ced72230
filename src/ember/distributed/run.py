"""``ember-run`` / ``python -m ember.distributed.run``: start N ranks of a script through
``mpiexec``, like ``torchrun``.

    ember-run --nproc-per-node 2 train.py --epochs 3
    ember-run --hosts node1,node2 --nproc-per-node 4 train.py     # 8 ranks on two machines

Each rank sees RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR and MASTER_PORT.
SIGINT/SIGTERM/SIGHUP are forwarded to the job. When a rank raises or dies, the whole job is
stopped within seconds, the launcher names the rank and exits non-zero, and no rank is left
running.
"""
import argparse
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

_POLL_S = 0.05
_GRACE_S = 0.5   # after a failure, how long the job gets to stop (and print) by itself


def _parser():
    p = argparse.ArgumentParser(
        prog="ember-run", description="Start a distributed Ember script on N ranks via mpiexec.",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument("--nproc-per-node", "--nproc_per_node", type=int, default=1,
                   help="ranks per machine (default 1)")
    p.add_argument("--nnodes", type=int, default=None,
                   help="number of machines (default: the number of --hosts, else 1)")
    p.add_argument("--hosts", default=None,
                   help="comma-separated machines to run on (passed to mpiexec -hosts)")
    p.add_argument("--master-addr", "--master_addr", default=None,
                   help="MASTER_ADDR for the ranks (default: this machine)")
    p.add_argument("--master-port", "--master_port", type=int, default=None,
                   help="MASTER_PORT for the ranks (default: a free port)")
    p.add_argument("--mpiexec", default=os.environ.get("EMBER_MPIEXEC"),
                   help="the mpiexec to use (default: the one beside this Python, else on PATH)")
    p.add_argument("--mpiexec-args", default="",
                   help="extra arguments for mpiexec, as one quoted string")
    p.add_argument("--no-python", "--no_python", action="store_true",
                   help="run the program directly instead of with this Python")
    p.add_argument("-m", "--module", action="store_true",
                   help="run the program as a module (python -m)")
    p.add_argument("script", help="the training script (or module with -m)")
    p.add_argument("script_args", nargs=argparse.REMAINDER, help="its arguments")
    return p


def find_mpiexec(explicit=None):
    """The mpiexec to start ranks with: ``explicit``, the one installed beside this Python
    (pip's ``mpich``), else the first on PATH."""
    if explicit:
        return explicit
    beside = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    if os.path.exists(beside):
        return beside
    found = shutil.which("mpiexec") or shutil.which("mpirun")
    if found is None:
        raise SystemExit("ember-run: no mpiexec found; pip install 'ember[distributed]' "
                         "(mpi4py and mpich) or put an MPI's mpiexec on PATH")
    return found


def _is_open_mpi(mpiexec):
    try:
        out = subprocess.run([mpiexec, "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "open mpi" in (out.stdout + out.stderr).lower() or "open-rte" in out.stdout.lower()


def _free_port():
    with socket.socket() as s:
        s.bind(("", 0))
        return s.getsockname()[1]


def build_command(args, mpiexec):
    """The mpiexec command line that starts every rank under ``ember.distributed._bootstrap``."""
    hosts = args.hosts.split(",") if args.hosts else []
    nnodes = args.nnodes or max(len(hosts), 1)
    cmd = [mpiexec]
    if _is_open_mpi(mpiexec):
        cmd += ["--oversubscribe"] + (["--allow-run-as-root"] if os.geteuid() == 0 else [])
        if hosts:
            cmd += ["--host", ",".join(f"{h}:{args.nproc_per_node}" for h in hosts)]
    else:
        # Hydra: leave a dead rank's peers to the launcher, which names the dead one first.
        cmd += ["-disable-auto-cleanup"]
        if hosts:
            cmd += ["-hosts", ",".join(hosts), "-ppn", str(args.nproc_per_node)]
    cmd += shlex.split(args.mpiexec_args)
    cmd += ["-n", str(nnodes * args.nproc_per_node)]
    if args.no_python:
        return cmd + [args.script] + args.script_args
    program = ["-m", args.script] if args.module else [args.script]
    return cmd + [sys.executable, "-m", "ember.distributed._bootstrap"] + program + args.script_args


class _Job:
    """The running mpiexec and what its ranks left in the status folder."""

    def __init__(self, cmd, env, run_dir, world_size):
        self.run_dir = run_dir
        self.world_size = world_size
        self.host = socket.gethostname()
        self.proc = subprocess.Popen(cmd, env=env, start_new_session=True)

    def _read(self, rank, kind):
        try:
            with open(os.path.join(self.run_dir, f"rank{rank}.{kind}")) as f:
                return f.read().strip()
        except OSError:
            return None

    def rank_pids(self, kind="pid"):
        """{rank: pid} of the ranks' supervisors (``kind="child"``: of the ranks themselves)
        on this machine, for the ranks that have started."""
        pids = {}
        for rank in range(self.world_size):
            rec = self._read(rank, kind)
            if rec:
                pid, host = rec.split(" ", 1)
                if host == self.host:
                    pids[rank] = int(pid)
        return pids

    def failure(self):
        """(rank, description, exit code) of the rank that failed first, or None while all are
        well.

        Each rank's supervisor records when and how the rank ended (and the rank records an
        uncaught exception before aborting the job); the earliest failure is the cause, later
        ones are its peers going down with the job."""
        failed = []
        for rank, pid in self.rank_pids().items():
            rec = self._read(rank, "exit")
            err = self._read(rank, "error")
            if rec is None and err is None and not _alive(pid):
                rec, err = self._read(rank, "exit"), self._read(rank, "error")  # just written?
                if rec is None and err is None:
                    failed.append((time.time(), rank, f"died without a record (pid {pid})", 1))
                    continue
            if err is not None:
                when, text = err.split(" ", 1)
                failed.append((float(when), rank, f"exited with code 1: {text}", 1))
            elif rec is not None:
                code, when, how = rec.split(" ", 2)
                if code != "0" and not how.startswith("stopped by"):
                    what = f"exited with code {code}" if how == "exited" else how
                    failed.append((float(when), rank, what, int(code)))
        if not failed:
            return None
        if os.environ.get("EMBER_RUN_DEBUG"):
            print("ember-run: failures seen:", sorted(failed), file=sys.stderr)
        return min(failed)[1:]

    def stop(self):
        """Stop mpiexec and every rank still running on this machine."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if self.proc.poll() is None:
                _signal_group(self.proc.pid, sig)
            pids = list(self.rank_pids().values()) + list(self.rank_pids("child").values())
            for pid in pids:
                if _alive(pid):
                    _kill(pid, sig)
            deadline = time.monotonic() + 2.0
            while time.monotonic() < deadline and (
                    self.proc.poll() is None or any(_alive(p) for p in pids)):
                time.sleep(_POLL_S)
        self.proc.wait()


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped by its parent) counts as gone.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def _kill(pid, sig):
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _signal_group(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def run(argv=None):
    """Launch the job described by the command line ``argv``; returns the exit code."""
    args = _parser().parse_args(argv)
    if args.nproc_per_node < 1:
        raise SystemExit(f"ember-run: --nproc-per-node must be >= 1, got {args.nproc_per_node}")
    cmd = build_command(args, find_mpiexec(args.mpiexec))
    nnodes = args.nnodes or max(len(args.hosts.split(",")) if args.hosts else 1, 1)
    world_size = nnodes * args.nproc_per_node
    run_dir = tempfile.mkdtemp(prefix="ember-run-")
    env = dict(os.environ)
    env.update(MASTER_ADDR=args.master_addr or ("127.0.0.1" if nnodes == 1 else socket.getfqdn()),
               MASTER_PORT=str(args.master_port or _free_port()), EMBER_RUN_DIR=run_dir,
               EMBER_NPROC_PER_NODE=str(args.nproc_per_node),
               TORCHELASTIC_RUN_ID=env.get("TORCHELASTIC_RUN_ID", uuid.uuid4().hex[:12]))
    job = _Job(cmd, env, run_dir, world_size)
    received = []

    def forward(signum, _frame):
        received.append(signum)
        _signal_group(job.proc.pid, signum)
    previous = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        code = _supervise(job)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        shutil.rmtree(run_dir, ignore_errors=True)
    if received and code == 0:
        code = 128 + received[0]
    return code


def _supervise(job):
    failure = None
    while job.proc.poll() is None:
        failure = failure or job.failure()
        if failure is not None:
            deadline = time.monotonic() + _GRACE_S
            while job.proc.poll() is None and time.monotonic() < deadline:
                time.sleep(_POLL_S)
            break
        time.sleep(_POLL_S)
    failure = failure or job.failure()
    job.stop()
    code = job.proc.returncode
    if failure is not None:
        rank, what, rank_code = failure
        print(f"ember-run: rank {rank} failed: {what}; stopped the job's "
              f"{job.world_size} rank(s)", file=sys.stderr, flush=True)
        return rank_code
    if code != 0:
        print(f"ember-run: mpiexec exited with code {code}", file=sys.stderr, flush=True)
        return code if code > 0 else 128 - code
    return 0


def main():
    """Console entry point of ``ember-run``."""
    sys.exit(run())


if __name__ == "__main__":
    main()
