"""``ember.distributed``: PyTorch's ``torch.distributed`` on MPI (mpi4py).

Start the ranks with ``ember-run --nproc-per-node N script.py`` (or
``python -m ember.distributed.run``), ``mpiexec -n N python script.py`` or Slurm's ``srun``, then
call ``init_process_group()``. The backend is always MPI; ``"gloo"`` and ``"nccl"`` are accepted
as aliases so torch scripts run unchanged. mpi4py is imported on the first call that needs it.
"""
import os

from ._mpi import available as _available
from ._group import (Backend, ReduceOp, ProcessGroup, GroupMember, group, init_process_group,
                     destroy_process_group, is_initialized, get_rank, get_world_size, get_backend,
                     new_group, get_process_group_ranks, get_global_rank, get_group_rank,
                     default_pg_timeout)
from ._work import Work
from ._collectives import (all_reduce, broadcast, reduce, all_gather, all_gather_into_tensor,
                           reduce_scatter, reduce_scatter_tensor, gather, scatter,
                           all_to_all_single, all_to_all, send, recv, isend, irecv, barrier)
from ._objects import (broadcast_object_list, all_gather_object, gather_object,
                       scatter_object_list)

__all__ = ["is_available", "is_mpi_available", "is_gloo_available", "is_nccl_available",
           "is_torchelastic_launched", "Backend", "ReduceOp", "ProcessGroup", "GroupMember",
           "group", "Work", "init_process_group", "destroy_process_group", "is_initialized",
           "get_rank", "get_world_size", "get_backend", "new_group", "get_process_group_ranks",
           "get_global_rank", "get_group_rank", "default_pg_timeout", "all_reduce", "broadcast",
           "reduce", "all_gather", "all_gather_into_tensor", "reduce_scatter",
           "reduce_scatter_tensor", "gather", "scatter", "all_to_all_single", "all_to_all",
           "send", "recv", "isend", "irecv", "barrier", "broadcast_object_list",
           "all_gather_object", "gather_object", "scatter_object_list"]


def is_available():
    """True when the distributed package can run here (mpi4py is installed)."""
    return _available()


def is_mpi_available():
    """True when the MPI backend is available (same as ``is_available()``)."""
    return _available()


def is_gloo_available():
    """True when ``backend="gloo"`` works: in Ember it is an alias of MPI."""
    return _available()


def is_nccl_available():
    """False: Ember has no NCCL backend (``"nccl"`` runs on MPI as an alias)."""
    return False


def is_torchelastic_launched():
    """True when this process was started by ``ember-run`` (its rank variables are set)."""
    return "TORCHELASTIC_RUN_ID" in os.environ

from .._unsupported import install as _install_missing  # noqa: E402
_install_missing(__name__)
del _install_missing
