"""All array math: each op's forward and derivative side by side, grouped by subject.

Importing this package imports every op module, so every public op is declared in
``ops._registry`` (its function, method, in-place twin, operators) before ``ember`` binds them.
"""
from . import (unary, binary, pointwise, reduce, shape, joining, matmul, indexing,  # noqa: F401
               creation, random, sorting, norms, quantiles, scans, matrices, grids, geometry,
               determinants, solvers, least_squares, decompositions, lu, matrix_functions,
               number_functions, bessel, statistics, put)
