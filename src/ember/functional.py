"""``torch.functional``: where PyTorch defines einsum, split, meshgrid, norm, unique ... (the
same objects as ``ember.<name>``; ``stft``/``istft`` and the low-rank solvers are listed in
docs/unsupported.md)."""
from . import (atleast_1d, atleast_2d, atleast_3d, broadcast_shapes,  # noqa: F401
               broadcast_tensors, cartesian_prod, block_diag, cdist, einsum, norm, meshgrid,
               split, tensordot, unique, unique_consecutive)
from ._torch_names import chain_matmul, lu, unravel_index  # noqa: F401

__all__ = ["atleast_1d", "atleast_2d", "atleast_3d", "broadcast_shapes", "broadcast_tensors",
           "cartesian_prod", "block_diag", "cdist", "chain_matmul", "einsum", "lu", "norm",
           "meshgrid", "split", "tensordot", "unique", "unique_consecutive", "unravel_index"]
