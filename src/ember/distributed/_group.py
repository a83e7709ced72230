"""Process groups (``torch.distributed.distributed_c10d``'s group half): the default group set
up by ``init_process_group`` over ``MPI.COMM_WORLD``, sub-groups from ``new_group``, and the rank
and size queries."""
import datetime
import enum
import os
import sys
import time

from . import _env, _mpi

__all__ = ["Backend", "ReduceOp", "ProcessGroup", "GroupMember", "group", "init_process_group",
           "destroy_process_group", "is_initialized", "get_rank", "get_world_size", "get_backend",
           "new_group", "get_process_group_ranks", "get_global_rank", "get_group_rank",
           "default_pg_timeout"]

default_pg_timeout = datetime.timedelta(minutes=30)


class ReduceOp(enum.Enum):
    """How ``all_reduce``/``reduce``/``reduce_scatter`` combine tensors (``torch.distributed.ReduceOp``)."""
    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7

    def __repr__(self):
        return f"<RedOpType.{self.name}: {self.value}>"

    def __str__(self):
        return f"RedOpType.{self.name}"


class Backend(str):
    """A backend name (``torch.distributed.Backend``). Ember runs every backend on MPI: ``"gloo"``
    (and ``"nccl"``, whose CPU fallback torch scripts rely on) are accepted as aliases of
    ``"mpi"`` so that unchanged torch scripts run."""
    MPI = "mpi"
    GLOO = "gloo"
    NCCL = "nccl"
    UNDEFINED = "undefined"
    _ALIASES = ("mpi", "gloo", "nccl", "cpu:gloo", "cuda:nccl", "cpu:gloo,cuda:nccl")

    def __new__(cls, name):
        if not isinstance(name, str):
            raise ValueError(f"Backend name must be a string, but got: {name!r}")
        lowered = name.lower()
        if lowered not in cls._ALIASES:
            raise ValueError(f"Invalid backend: '{name}' (Ember supports 'mpi', and accepts "
                             f"'gloo' and 'nccl' as aliases of it)")
        return super().__new__(cls, lowered)


class ProcessGroup:
    """A set of ranks that run collectives together, over one MPI communicator. ``ranks`` are
    the members' ranks in the default group; a process outside the group holds one with
    ``comm=None``."""

    def __init__(self, comm, ranks, backend, timeout):
        self.comm = comm
        self.ranks = list(ranks)
        self.backend = backend
        self.timeout_s = timeout.total_seconds()

    def rank(self):
        """This process's rank within the group (-1 when it is not a member)."""
        return self.comm.Get_rank() if self.comm is not None else -1

    def size(self):
        """Number of ranks in the group."""
        return len(self.ranks)

    def name(self):
        """The backend name (``"mpi"``)."""
        return "mpi"

    def __repr__(self):
        return f"ProcessGroup(backend={self.backend!r}, ranks={self.ranks})"


class GroupMember:
    """``GroupMember.WORLD`` is the default group; ``NON_GROUP_MEMBER`` marks a non-member."""
    WORLD = None
    NON_GROUP_MEMBER = -100


class group:  # noqa: N801 - torch's name
    """``group.WORLD``: the default process group once initialised."""
    WORLD = None


_STATE = {"default": None, "groups": []}


def _set_world(pg):
    _STATE["default"] = pg
    GroupMember.WORLD = pg
    group.WORLD = pg


def _default_group():
    pg = _STATE["default"]
    if pg is None:
        raise ValueError("Default process group has not been initialized, please make sure "
                         "to call init_process_group.")
    return pg


def resolve(grp):
    """The ProcessGroup a collective's ``group=`` argument names (None: the default group)."""
    if grp is None or grp is GroupMember.WORLD:
        return _default_group()
    if not isinstance(grp, ProcessGroup):
        raise TypeError(f"group must be a ProcessGroup or None, got {type(grp).__name__}")
    return grp


def is_initialized():
    """True once ``init_process_group`` has run (and ``destroy_process_group`` has not)."""
    return _STATE["default"] is not None


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1,
                       store=None, group_name="", pg_options=None, device_id=None):
    """Join the job's default process group (``torch.distributed.init_process_group``).

    The ranks meet through MPI: start them with ``ember-run``/``python -m ember.distributed.run``,
    ``mpiexec -n N`` or Slurm's ``srun``. ``backend`` may be ``"mpi"``, or ``"gloo"``/``"nccl"``
    as aliases. ``init_method`` (``env://``, ``tcp://...``) is accepted for compatibility: MPI's
    launcher already did the rendezvous, so MASTER_ADDR/MASTER_PORT are not needed. ``rank`` and
    ``world_size`` (or RANK/WORLD_SIZE) must agree with MPI's. ``timeout`` bounds every
    collective's wait (default 30 minutes).
    """
    if is_initialized():
        raise ValueError("trying to initialize the default process group twice!")
    backend = Backend(backend if backend is not None else "mpi")
    if timeout is None:
        timeout = default_pg_timeout
    if not isinstance(timeout, datetime.timedelta):
        raise TypeError(f"Expected timeout argument to be of type datetime.timedelta, "
                        f"got {type(timeout).__name__}")
    if init_method is not None and not isinstance(init_method, str):
        raise TypeError(f"init_method must be a string URL, got {type(init_method).__name__}")
    MPI = _mpi.mpi()
    comm = MPI.COMM_WORLD.Dup()
    mpi_rank, mpi_size = comm.Get_rank(), comm.Get_size()
    from_env = _env.launcher_position()
    want_size = world_size if world_size != -1 else (from_env[1] if from_env else mpi_size)
    want_rank = rank if rank != -1 else (from_env[0] if from_env else mpi_rank)
    if (want_size, want_rank) != (mpi_size, mpi_rank):
        comm.Free()
        raise RuntimeError(
            f"init_process_group: asked for rank {want_rank} of world_size {want_size}, but MPI "
            f"started this process as rank {mpi_rank} of {mpi_size}. Start the ranks with "
            f"`ember-run --nproc-per-node {want_size} script.py` or `mpiexec -n {want_size} "
            f"python script.py`.")
    _set_world(ProcessGroup(comm, range(mpi_size), backend, timeout))
    if mpi_size > 1:
        _abort_job_on_uncaught_exception()
    os.environ.setdefault("RANK", str(mpi_rank))
    os.environ.setdefault("WORLD_SIZE", str(mpi_size))


def _abort_job_on_uncaught_exception():
    """Under a plain ``mpiexec``, an uncaught exception on one rank would leave the others blocked
    in their next collective: print it, then abort the whole MPI job."""
    previous = sys.excepthook

    def hook(exc_type, exc, tb):
        previous(exc_type, exc, tb)
        MPI = _mpi.mpi()
        if MPI.Is_initialized() and not MPI.Is_finalized():
            sys.stderr.flush()
            time.sleep(0.3)  # let mpiexec forward the traceback before Abort tears the job down
            MPI.COMM_WORLD.Abort(1)
    sys.excepthook = hook


def destroy_process_group(group=None):
    """Leave the default group (and free every sub-group), or free just ``group``."""
    if group is None or group is _STATE["default"]:
        pg = _default_group()
        for sub in _STATE["groups"]:
            if sub.comm is not None:
                sub.comm.Free()
        _STATE["groups"].clear()
        pg.comm.Free()
        _set_world(None)
        return
    if group.comm is not None:
        group.comm.Free()
        group.comm = None
    if group in _STATE["groups"]:
        _STATE["groups"].remove(group)


def get_rank(group=None):
    """This process's rank in ``group`` (default group if None; -1 when not a member)."""
    return resolve(group).rank()


def get_world_size(group=None):
    """Number of processes in ``group`` (default group if None; -1 when not a member)."""
    pg = resolve(group)
    return pg.size() if pg.comm is not None else -1


def get_backend(group=None):
    """The backend name the group was created with (``"mpi"``, or the alias that was asked for)."""
    return str(resolve(group).backend)


def new_group(ranks=None, timeout=None, backend=None, pg_options=None, use_local_synchronization=False,
              group_desc=None, device_id=None):
    """A group of the given default-group ``ranks`` (all if None). Like PyTorch, every rank of the
    default group must call it, in the same order, members or not."""
    world = _default_group()
    members = sorted(range(world.size()) if ranks is None else set(int(r) for r in ranks))
    bad = [r for r in members if not 0 <= r < world.size()]
    if bad:
        raise ValueError(f"new_group: ranks {bad} are not in the default group of size "
                         f"{world.size()}")
    me = world.rank()
    MPI = _mpi.mpi()
    comm = world.comm.Split(0 if me in members else MPI.UNDEFINED, me)
    if comm == MPI.COMM_NULL:
        comm = None
    timeout = timeout if timeout is not None else datetime.timedelta(seconds=world.timeout_s)
    pg = ProcessGroup(comm, members, Backend(backend) if backend else world.backend, timeout)
    _STATE["groups"].append(pg)
    return pg


def get_process_group_ranks(group):
    """The default-group ranks of ``group``'s members."""
    return list(resolve(group).ranks)


def get_global_rank(group, group_rank):
    """The default-group rank of ``group``'s member ``group_rank``."""
    pg = resolve(group)
    if not 0 <= group_rank < pg.size():
        raise ValueError(f"Group rank {group_rank} is not part of group {pg.ranks}")
    return pg.ranks[group_rank]


def get_group_rank(group, global_rank):
    """``global_rank``'s rank inside ``group``."""
    pg = resolve(group)
    if global_rank not in pg.ranks:
        raise ValueError(f"Global rank {global_rank} is not part of group {pg.ranks}")
    return pg.ranks.index(global_rank)
