"""All array math: each op's forward and derivative side by side, grouped by kind."""
from . import (unary, binary, pointwise, reduce, shape, joining, matmul, indexing, creation,
               random)

MODULES = (creation, random, unary, binary, pointwise, reduce, shape, joining, matmul, indexing)
from . import sorting, reduce_extra, joining_extra, linalg, linalg_extra, linalg_lu  # noqa: E402

MODULES = MODULES + (sorting, reduce_extra, joining_extra, linalg_extra, linalg_lu)
from . import math_extra  # noqa: E402

MODULES = MODULES + (math_extra,)
