"""Convolutions (``F.conv1d/2d/3d``, ``F.conv_transpose1d/2d/3d``) over ``ops.conv``."""
from ...ops.conv import Conv, ConvTransposeBias
from ..._checks import check_int_list

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d"]

_TNAME = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
          "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte"}


def ntuple(v, n, name="value"):
    """``v`` (int or sequence) as a tuple of ``n`` ints; TypeError for bools, floats and
    other non-integers (PyTorch's int[N] parameters)."""
    v = check_int_list("", v, name)
    if len(v) == 1 and n > 1:
        v = v * n
    if isinstance(v, (list, tuple)):
        if len(v) == 1 and n > 1:
            return tuple(int(v[0]) for _ in range(n))
        if len(v) != n:
            raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} "
                               f"values to match the convolution dimensions, but got "
                               f"{name}={list(v)}")
        return tuple(int(a) for a in v)
    return (int(v),) * n


def _fmt(shape):
    """A shape as PyTorch prints it in error messages: [2, 3]."""
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _check_input(input, nd, name):
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
                           f"{name}, but got input of size: {_fmt(input.shape)}")
    return input.dim() == nd + 2


def _tname(dt):
    return _TNAME.get(dt.name, dt.name.capitalize())


_BOOL_KERNELS = {(1, False): "slow_conv2d_cpu", (2, False): "slow_conv2d_cpu",
                 (3, False): "compute_columns3d", (1, True): "slow_conv_transpose2d_out_cpu",
                 (2, True): "slow_conv_transpose2d_out_cpu",
                 (3, True): "slow_conv_transpose3d_out_cpu"}


def _check_dtypes(input, weight, bias, nd=2, transposed=False):
    """PyTorch's dtype checks: bias against input first, then a bool input (no kernel:
    NotImplementedError naming PyTorch's), then weight against input."""
    if bias is not None and bias.dtype is not input.dtype:
        raise RuntimeError(f"Input type ({_tname(input.dtype).lower()}) and bias type "
                           f"({_tname(bias.dtype).lower()}) should be the same")
    if input.dtype.name == "bool":
        raise NotImplementedError(f"\"{_BOOL_KERNELS[nd, transposed]}\" not implemented for "
                                  f"'Bool'")
    if input.dtype is not weight.dtype:
        raise RuntimeError(f"expected scalar type {_tname(input.dtype)} but found "
                           f"{_tname(weight.dtype)}")


def conv_padding(padding, nd, k, dil, stride):
    """PyTorch's padding argument (int, tuple, 'same', 'valid') as (lo, hi) pairs."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * nd
        if padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            out = []
            for kk, d in zip(k, dil):
                total = d * (kk - 1)
                out.append((total // 2, total - total // 2))
            return tuple(out)
        raise RuntimeError(f"Invalid padding string: '{padding}'")
    p = ntuple(padding, nd, "padding")
    if any(v < 0 for v in p):
        raise RuntimeError("negative padding is not supported")
    return tuple((v, v) for v in p)


def _convnd(input, weight, bias, stride, padding, dilation, groups, nd, name):
    batched = _check_input(input, nd, name)
    if not batched:
        input = input.unsqueeze(0)
    _check_dtypes(input, weight, bias, nd)
    stride, dil = ntuple(stride, nd, "stride"), ntuple(dilation, nd, "dilation")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dil):
        raise RuntimeError("dilation should be greater than zero")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if weight.dim() != nd + 2:
        raise RuntimeError("weight should have at least three dimensions" if weight.dim() < 3 else
                           f"Expected {nd + 2}-dimensional weight for {nd + 2}-dimensional input "
                           f"{_fmt(input.shape)}, but got {weight.dim()}-dimensional weight of "
                           f"size {_fmt(weight.shape)} instead")
    k = tuple(weight.shape[2:])
    cout = weight.shape[0]
    if cout % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at "
                           f"dimension 0, but got weight of size [{_fmt(weight.shape)}] instead")
    if input.shape[1] != weight.shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {_fmt(weight.shape)}, expected "
                           f"input{_fmt(input.shape)} to have {weight.shape[1] * groups} channels, "
                           f"but got {input.shape[1]} channels instead")
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != cout):
        raise RuntimeError(f"Given weight of size {_fmt(weight.shape)}, expected bias to be "
                           f"1-dimensional with {cout} elements, but got bias of size "
                           f"{_fmt(bias.shape)} instead")
    pad = conv_padding(padding, nd, k, dil, stride)
    sp = [s + lo + hi for s, (lo, hi) in zip(input.shape[2:], pad)]
    eff = [d * (kk - 1) + 1 for kk, d in zip(k, dil)]
    if any(e > s for e, s in zip(eff, sp)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, sp))}"
                           f"). Kernel size: ({' x '.join(map(str, eff))}). Kernel size can't be "
                           f"greater than actual input size")
    out = Conv.apply(input, weight, bias, geom=(stride, pad, dil, groups))
    return out if batched else out.squeeze(0)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d cross-correlation of (N, C, L) ``input`` with (Cout, C/groups, k) ``weight``."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d cross-correlation of (N, C, H, W) ``input`` with (Cout, C/groups, kH, kW) ``weight``.

    ``padding`` is an int, a pair, 'valid' or 'same' (stride 1 only), as in ``torch.nn.functional``.
    """
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-d cross-correlation of (N, C, D, H, W) ``input``."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")


def transpose_out_size(in_sp, k, stride, pad, dil, output_padding):
    """Spatial output size of a transposed convolution."""
    return tuple((i - 1) * s - 2 * p + d * (kk - 1) + op + 1
                 for i, kk, s, p, d, op in zip(in_sp, k, stride, pad, dil, output_padding))


def _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, nd,
                      name):
    batched = _check_input(input, nd, name)
    if not batched:
        input = input.unsqueeze(0)
    _check_dtypes(input, weight, bias, nd, transposed=True)
    stride, dil = ntuple(stride, nd, "stride"), ntuple(dilation, nd, "dilation")
    pad, opad = ntuple(padding, nd, "padding"), ntuple(output_padding, nd, "output_padding")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(o >= s and o >= d for o, s, d in zip(opad, stride, dil)):
        raise RuntimeError("output padding must be smaller than either stride or dilation, but "
                           f"got output_padding: {opad}, stride: {stride}, dilation: {dil}")
    k = tuple(weight.shape[2:])
    cin = weight.shape[0]
    if input.shape[1] != cin:
        raise RuntimeError(f"Given transposed=1, weight of size {_fmt(weight.shape)}, expected "
                           f"input{_fmt(input.shape)} to have {cin} channels, but got "
                           f"{input.shape[1]} channels instead")
    cout = weight.shape[1] * groups
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != cout):
        raise RuntimeError(f"Given transposed=1, weight of size {_fmt(weight.shape)}, expected "
                           f"bias to be 1-dimensional with {cout} elements, but got bias of size "
                           f"{_fmt(bias.shape)} instead")
    osz = transpose_out_size(input.shape[2:], k, stride, pad, dil, opad)
    if any(o <= 0 for o in osz):
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, input.shape[2:]))}"
                           f"). Calculated output size per channel: ({' x '.join(map(str, osz))})."
                           f" Output size is too small")
    xshape = (input.shape[0], cout) + osz
    geom = (stride, tuple((p, p) for p in pad), dil, groups)
    out = ConvTransposeBias.apply(input, weight, bias, xshape=xshape, geom=geom)
    return out if batched else out.squeeze(0)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """1-d transposed convolution; ``weight`` is (Cin, Cout/groups, k)."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, 1, "conv_transpose1d")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """2-d transposed convolution ("deconvolution"); ``weight`` is (Cin, Cout/groups, kH, kW)."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, 2, "conv_transpose2d")


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """3-d transposed convolution; ``weight`` is (Cin, Cout/groups, kD, kH, kW)."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, 3, "conv_transpose3d")
