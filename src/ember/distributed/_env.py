"""Where this process sits in the job, read from the environment: torchrun's variables
(RANK, WORLD_SIZE, LOCAL_RANK), else the ones MPI launchers and Slurm set for each process."""
import os

# (rank, world size, local rank) variable names, most specific first.
_LAUNCHER_VARS = (
    ("RANK", "WORLD_SIZE", "LOCAL_RANK"),                                   # ember-run, torchrun
    ("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK"),  # Open MPI
    ("PMI_RANK", "PMI_SIZE", "MPI_LOCALRANKID"),                            # MPICH (Hydra)
    ("SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID"),                      # srun
)


def launcher_position(environ=None):
    """``(rank, world_size, local_rank)`` from the first launcher whose rank variable is set,
    or None when the process was not started by a launcher."""
    env = os.environ if environ is None else environ
    for rank_var, size_var, local_var in _LAUNCHER_VARS:
        if rank_var in env and size_var in env:
            rank = int(env[rank_var])
            return rank, int(env[size_var]), int(env.get(local_var, rank))
    return None
