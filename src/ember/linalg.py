"""``ember.linalg``: PyTorch's ``torch.linalg`` namespace (the functions and their Ops live in
``ops/`` by subject: solvers, least_squares, determinants, decompositions, lu, matrix_functions)."""
from .ops.linalg_common import LinAlgError
from .ops.solvers import inv, solve, solve_triangular, inv_ex, tensorinv, tensorsolve
from .ops.least_squares import pinv, lstsq
from .ops.determinants import det, slogdet
from .ops.decompositions import cholesky, eigh, eigvalsh, svdvals, cholesky_ex, eig, eigvals
from .ops.matrix_functions import (matrix_power, matrix_rank, matrix_norm, multi_dot, cond, vecdot,
                                   matrix_exp, vander)
from .ops.decompositions import linalg_qr as qr, linalg_svd as svd
from .ops.matrix_functions import linalg_norm as norm
from .ops.matrix_functions import linalg_cross as cross
from .ops.determinants import linalg_slogdet as slogdet  # noqa: F811 (torch.return_types.linalg_slogdet)
from .ops.norms import vector_norm
from .ops.lu import lu_factor, lu_factor_ex, lu, lu_solve
from .ops.matmul import matmul, outer
from .ops.shape import diagonal as _diagonal

__all__ = ["LinAlgError", "inv", "det", "slogdet", "solve", "solve_triangular", "cholesky", "qr",
           "svd", "svdvals", "eigh", "eigvalsh", "pinv", "lstsq", "matrix_power", "matrix_rank",
           "norm", "vector_norm", "matrix_norm", "cross", "outer", "multi_dot", "cond", "vecdot",
           "matmul", "diagonal", "inv_ex", "cholesky_ex", "matrix_exp", "eig", "eigvals",
           "vander", "lu_factor", "lu_factor_ex", "lu", "lu_solve",
           "tensorinv", "tensorsolve"]


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """Diagonal of the matrices in the last two dims (``torch.linalg.diagonal``)."""
    return _diagonal(A, offset, dim1, dim2)

from ._unsupported import install as _install_missing  # noqa: E402
_install_missing(__name__)
del _install_missing
