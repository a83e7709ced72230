"""``torch.distributions.studentT``: the module torch defines ``StudentT`` in (pickles and
``safe_globals`` lists name it there); the code is in ``student_t.py``."""
from .student_t import StudentT

__all__ = ["StudentT"]
