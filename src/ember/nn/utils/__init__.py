"""ember.nn.utils: gradient clipping, parameter/vector conversion, weight/spectral norm,
parametrizations, fusion, stateless calls, packed sequences (``rnn``)."""
from . import fusion, parametrizations, parametrize, rnn, stateless  # noqa: F401
from .clip_grad import (clip_grad_norm_, clip_grad_norm, clip_grad_value_, get_total_norm,  # noqa
                        clip_grads_with_norm_)
from .convert_parameters import parameters_to_vector, vector_to_parameters  # noqa: F401
from .fusion import (fuse_conv_bn_eval, fuse_conv_bn_weights, fuse_linear_bn_eval,  # noqa: F401
                     fuse_linear_bn_weights)
from .init import skip_init  # noqa: F401
from .spectral_norm import spectral_norm, remove_spectral_norm  # noqa: F401
from .weight_norm import weight_norm, remove_weight_norm  # noqa: F401

from ..._unsupported import install as _install_missing  # noqa: E402
_install_missing(__name__)
del _install_missing
