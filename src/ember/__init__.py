"""Ember: a small deep-learning framework on NumPy, used exactly like PyTorch.

    import ember as torch
"""
from ._backend.quiet import install_filter as _quiet_filter
_quiet_filter()  # NumPy's overflow/divide/invalid warnings from Ember's fast paths (PyTorch: none)
del _quiet_filter
from . import _dtype
from ._dtype import (dtype, float16, bfloat16, float32, float64, int8, int16, int32, int64,
                     uint8, complex64, complex128, promote_types, result_type, get_default_dtype,
                     set_default_dtype)
from ._dtype import bool_ as bool  # noqa: A001  (torch.bool)
from ._device import device
from ._size import Size
from ._tensor import Tensor
from . import _tensor_methods  # noqa: F401  (binds methods and operators)
from .ops import _registry as _ops_registry
_ops_registry.export_functions(globals())  # every declared op (ops/_registry.py)
del _ops_registry
from .ops.creation import range  # noqa: A001
from .ops.functional_forms import reshape, permute, tile, flip  # noqa: E402  (no varargs)
from ._tensor_str import set_printoptions, get_printoptions
from .autograd.grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode,
                                 is_grad_enabled, is_inference_mode_enabled)
from . import autograd
from ._legacy import (FloatTensor, DoubleTensor, HalfTensor, BFloat16Tensor, LongTensor, IntTensor,
                      ShortTensor, CharTensor, ByteTensor, BoolTensor, is_tensor, is_storage,
                      numel, is_floating_point, is_complex, is_nonzero, clamp_, set_num_threads,
                      get_num_threads, get_num_interop_threads, set_num_interop_threads,
                      typename, is_grad_enabled as _ige)  # noqa: F401
from ._finfo import finfo, iinfo, can_cast  # noqa: F401
from ._legacy import (memory_format, contiguous_format, preserve_format,  # noqa: F401
                      channels_last, channels_last_3d, use_deterministic_algorithms,
                      are_deterministic_algorithms_enabled, set_default_tensor_type)
from . import cuda
from . import linalg  # noqa: E402  (torch.linalg)
from . import special  # noqa: E402  (torch.special)
from .ops.special_ops import gammainc as igamma, gammaincc as igammac  # noqa: E402,F401
from .ops.put import put  # noqa: E402,F401  (torch.put)

half, float, double = float16, float32, float64  # noqa: A001
short, int, long = int16, int32, int64  # noqa: A001
cfloat, cdouble = complex64, complex128
abs_ = None
del abs_

from .version import __version__  # noqa: E402,F401
from . import nn  # noqa: E402,F401  (torch.nn)
from . import optim  # noqa: E402,F401  (torch.optim)
from .serialization import save, load  # noqa: E402,F401  (torch.save / torch.load)
from . import onnx  # noqa: E402,F401  (torch.onnx; the onnx package is imported on export only)
from .nn._functional.conv import (conv1d, conv2d, conv3d, conv_transpose1d,  # noqa: E402,F401
                                  conv_transpose2d, conv_transpose3d)
from .nn._functional.pooling import (max_pool1d, max_pool2d, max_pool3d,  # noqa: E402,F401
                                     avg_pool1d, adaptive_avg_pool1d, max_pool1d_with_indices)
from .nn._functional.pooling import adaptive_max_pool1d_with_indices as adaptive_max_pool1d  # noqa: E402,F401,E501
from .nn._functional.vision import pixel_shuffle, pixel_unshuffle  # noqa: E402,F401
from . import utils, multiprocessing  # noqa: E402,F401  (torch.utils.data, torch.multiprocessing)
from . import testing  # noqa: E402,F401  (torch.testing.assert_close)
from . import random, accelerator  # noqa: E402,F401  (torch.random, torch.accelerator)
from ._inplace_functions import install as _install_inplace  # noqa: E402  (torch.relu_, torch.pi)
_install_inplace(globals())
del _install_inplace
from ._torch_names import *  # noqa: E402,F401,F403  (torch.compile, torch.dropout ...)
from .ops._registry import install_numpy_names as _numpy_names  # noqa: E402  (axis=, keepdims=)
_numpy_names()  # every declaration taking dim= (ops/_registry.py), as bound now
del _numpy_names
from . import functional, storage, backends, version, amp  # noqa: E402,F401
from .amp import autocast, GradScaler, is_autocast_enabled  # noqa: E402,F401

from ._unsupported import install as _install_missing  # noqa: E402
_install_missing(__name__, lazy=("distributions",))
del _install_missing
from ._signatures import install_all as _install_signatures  # noqa: E402  (argument checks)
_install_signatures(__import__("sys").modules[__name__])
del _install_signatures
