"""All array math: each op's forward and derivative side by side, grouped by subject."""
from . import (unary, binary, pointwise, reduce, shape, joining, matmul, indexing, creation,
               random)

MODULES = (creation, random, unary, binary, pointwise, reduce, shape, joining, matmul, indexing)
from . import (sorting, norms, quantiles, scans, matrices, grids, geometry,  # noqa: E402
               determinants, solvers, least_squares, decompositions, lu, matrix_functions,
               number_functions, bessel, statistics)

# modules whose public functions also become Tensor methods (minus their _FUNCTIONS_ONLY)
METHOD_MODULES = (sorting, norms, quantiles, scans, matrices, grids, geometry, determinants,
                  solvers, least_squares, decompositions, matrix_functions, number_functions,
                  bessel, statistics)
MODULES = MODULES + METHOD_MODULES + (lu,)
