"""ember.nn.utils: gradient clipping, parameter/vector conversion."""
from .clip_grad import (clip_grad_norm_, clip_grad_norm, clip_grad_value_, get_total_norm,  # noqa
                        clip_grads_with_norm_)
from .convert_parameters import parameters_to_vector, vector_to_parameters  # noqa: F401

# ---- other helpers: append extra imports below this line (do not remove others' lines) ----
from . import rnn  # noqa: F401,E402
