"""All nn layers, one file per family; ``ember.nn`` re-exports every name listed here."""
from ..module import Module  # noqa: F401
from ..containers import *  # noqa: F401,F403
from .activation import *  # noqa: F401,F403
from .activation_mha import *  # noqa: F401,F403
from .channelshuffle import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .data_parallel import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .flatten import *  # noqa: F401,F403
from .fold import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .pixelshuffle import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
from .sparse import *  # noqa: F401,F403
from .transformer import *  # noqa: F401,F403
from .upsampling import *  # noqa: F401,F403
from .. import module, containers as container  # noqa: F401  (torch.nn.modules.module / .container)
import sys as _sys
_sys.modules[__name__ + ".module"] = module
_sys.modules[__name__ + ".container"] = container
from . import normalization as batchnorm, normalization as instancenorm  # noqa: F401,E402
_sys.modules[__name__ + ".batchnorm"] = batchnorm          # torch.nn.modules.batchnorm._BatchNorm
_sys.modules[__name__ + ".instancenorm"] = instancenorm

