"""ember.nn.functional: PyTorch's torch.nn.functional (activations, losses, normalisation, ...).

The implementations live in ``nn/_functional/*.py``; this module only gathers them.
"""
from ._functional.activation import *  # noqa: F401,F403
from ._functional.attention import *  # noqa: F401,F403
from ._functional.conv import *  # noqa: F401,F403
from ._functional.distance import *  # noqa: F401,F403
from ._functional.dropout import *  # noqa: F401,F403
from ._functional.embedding import *  # noqa: F401,F403
from ._functional.linear import *  # noqa: F401,F403
from ._functional.loss import *  # noqa: F401,F403
from ._functional.normalization import *  # noqa: F401,F403
from ._functional.pooling import *  # noqa: F401,F403
from ._functional.vision import *  # noqa: F401,F403

from .._unsupported import install as _install_missing  # noqa: E402
_install_missing(__name__)
del _install_missing
