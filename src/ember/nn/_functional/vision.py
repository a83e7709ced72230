"""Padding, resampling and rearrangement: ``F.pad``, ``F.interpolate``, ``F.pixel_shuffle``,
``F.unfold``/``F.fold`` (im2col / col2im)."""
import math
import numbers

from ... import _checks
from ..._tensor import _wrap
from ...autograd.node import Op
from ...ops.conv import Im2Col, Col2Im, out_size, prod
from ...ops.joining import cat, stack
from .conv import ntuple, _fmt
from ...ops.creation import arange
from .pooling import _adaptive_avg

__all__ = ["pad", "interpolate", "upsample", "upsample_nearest", "upsample_bilinear",
           "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle",
           "unfold", "fold", "affine_grid", "grid_sample"]


class ConstantPad(Op):
    """Pad (or, for negative widths, crop) trailing dims by (lo, hi) pairs with ``value``."""
    _name = "ConstantPadNdBackward0"

    def forward(ctx, x, pairs, value):
        ctx.pairs = pairs
        lead = x.ndim - len(pairs)
        crop = (slice(None),) * lead + tuple(
            slice(max(-lo, 0), x.shape[lead + i] - max(-hi, 0)) for i, (lo, hi) in enumerate(pairs))
        x = x[crop]
        widths = [(0, 0)] * lead + [(max(lo, 0), max(hi, 0)) for lo, hi in pairs]
        if any(a or b for a, b in widths):
            return ctx.xp.pad(x, widths, constant_values=value)
        return x.copy()

    def backward(ctx, g):
        return ConstantPad.apply(g, pairs=tuple((-lo, -hi) for lo, hi in ctx.pairs), value=0)


def _pairs(pad_arg):
    """PyTorch's flat pad tuple (last dim first) as (lo, hi) pairs, first padded dim first."""
    p = [int(v) for v in pad_arg]
    return tuple((p[2 * i], p[2 * i + 1]) for i in range(len(p) // 2))[::-1]


def pad(input, pad, mode="constant", value=None):
    """Pad the last ``len(pad) // 2`` dims; ``pad`` lists (left, right) widths starting with the
    last dim. Modes: 'constant' (``value``, default 0; negative widths crop), 'reflect',
    'replicate', 'circular'.

    >>> F.pad(x, (1, 1, 2, 0))   # last dim +1 on both sides, second-to-last +2 on top
    """
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.dim():
        raise RuntimeError("Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pad)} and input of dimension "
                           f"{input.dim()}")
    pairs = _pairs(pad)
    if mode == "constant":
        lead = input.dim() - len(pairs)
        for i, (lo, hi) in enumerate(pairs):
            if input.shape[lead + i] + lo + hi < 0:
                raise RuntimeError(f"The input size {input.shape[lead + i]}, plus negative padding"
                                   f" {lo} and {hi} resulted in a negative output size, which is "
                                   f"invalid. Check dimension {lead + i} of your input.")
        return ConstantPad.apply(input, pairs=pairs, value=0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    n = len(pairs)
    if not (n <= 3 and input.dim() in (n + 1, n + 2)):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.dim()}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    out = input
    lead = input.dim() - n
    for i, (lo, hi) in enumerate(pairs):
        d = lead + i
        size = input.shape[d]
        if mode == "reflect" and (lo >= size or hi >= size):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding "
                               f"input dimension, but got: padding ({lo}, {hi}) at dimension {d} "
                               f"of input {_fmt(input.shape)}")
        if mode == "circular" and (lo > size or hi > size):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if mode == "replicate" and size == 0:
            raise RuntimeError(f"Expected non-empty input dimension {d} for replicate padding")
        out = _pad_dim(out, d, lo, hi, mode)
    return out


def _pad_dim(x, d, lo, hi, mode):
    size = x.shape[d]
    parts = []
    if lo > 0:
        if mode == "reflect":
            parts.append(x.narrow(d, 1, lo).flip(d))
        elif mode == "replicate":
            parts.append(x.narrow(d, 0, 1).expand(*[lo if i == d else s
                                                    for i, s in enumerate(x.shape)]))
        else:
            parts.append(x.narrow(d, size - lo, lo))
    parts.append(x.narrow(d, max(-lo, 0), size - max(-lo, 0) - max(-hi, 0)))
    if hi > 0:
        if mode == "reflect":
            parts.append(x.narrow(d, size - 1 - hi, hi).flip(d))
        elif mode == "replicate":
            parts.append(x.narrow(d, size - 1, 1).expand(*[hi if i == d else s
                                                           for i, s in enumerate(x.shape)]))
        else:
            parts.append(x.narrow(d, 0, hi))
    return cat(parts, d) if len(parts) > 1 else parts[0]


# ---- interpolate -----------------------------------------------------------------------------
_MODES = {"nearest": None, "nearest-exact": None, "linear": 1, "bilinear": 2, "bicubic": 2,
          "trilinear": 3, "area": None}


def _cubic_weights(xp, t):
    """Keys cubic-convolution weights (A = -0.75) of taps i-1..i+2 at fraction ``t``."""
    a = -0.75

    def c1(v):  # noqa: D401  (|v| <= 1)
        return ((a + 2) * v - (a + 3)) * v * v + 1

    def c2(v):
        return ((a * v - 5 * a) * v + 8 * a) * v - 4 * a
    return [c2(t + 1), c1(t), c1(1 - t), c2(2 - t)]


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial dims of (N, C, *S) input to ``size`` or by ``scale_factor``.

    Modes 'nearest', 'nearest-exact', 'linear' (3-D), 'bilinear'/'bicubic' (4-D), 'trilinear'
    (5-D), 'area'; ``align_corners`` maps corner pixel centres onto each other (linear modes).
    """
    if mode not in _MODES:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got "
                                  f"{input.dim()}D) for the modes: nearest | linear | bilinear | "
                                  f"bicubic | trilinear | area | nearest-exact (got {mode})")
    if antialias:
        raise NotImplementedError("interpolate(): antialias=True is not supported by Ember")
    nd = input.dim() - 2
    if nd < 1 or nd > 3:
        raise ValueError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got "
                         f"{input.dim()}D) for the modes: nearest | linear | bilinear | bicubic | "
                         f"trilinear | area | nearest-exact (got {mode})")
    need = _MODES[mode]
    if need is not None and need != nd:
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs "
                                  f"{need + 2}D input")
    linear = mode in ("linear", "bilinear", "bicubic", "trilinear")
    if align_corners is not None and not linear:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    align_corners = bool(align_corners)
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined" if size is not None
                         else "either size or scale_factor should be defined")
    sp = tuple(input.shape[2:])
    if size is not None:
        if not isinstance(size, (list, tuple)):
            size = [size] * nd  # PyTorch repeats a lone size into the kernel's int list
        _checks.check_int_list("interpolate", size, "output_size")
        osz = ntuple(size, nd, "size") if len(size) == nd else None
        if osz is None:
            raise ValueError(f"Input and output must have the same number of spatial dimensions, "
                             f"but got input with spatial dimensions of {list(sp)} and output size"
                             f" of {list(size)}. Please provide input tensor in (N, C, d1, d2, "
                             f"...,dK) format and output size in (o1, o2, ...,oK) format.")
        scales = [None] * nd
    else:
        sf = list(scale_factor) if isinstance(scale_factor, (list, tuple)) \
            else [scale_factor] * nd
        for s in sf:
            if not isinstance(s, numbers.Real):
                raise TypeError(f"interpolate(): argument 'scale_factor' must be a float or a "
                                f"sequence of floats, not {type(s).__name__}")
        if len(sf) != nd:
            raise ValueError(f"Input and scale_factor must have the same number of spatial "
                             f"dimensions, but got input with spatial dimensions of {list(sp)} "
                             f"and scale_factor of shape {list(scale_factor)}. Please provide "
                             f"input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in "
                             f"(s1, s2, ...,sK) format.")
        if not all(math.isfinite(float(s)) for s in sf):
            raise RuntimeError("value cannot be converted to type int64_t without overflow")
        osz = tuple(int(math.floor(L * float(s))) for L, s in zip(sp, sf))
        scales = [None] * nd if recompute_scale_factor else [float(s) for s in sf]
    if any(o <= 0 for o in osz):
        names = "HW" if nd == 2 else ("W" if nd == 1 else "DHW")
        fmt = lambda v: ", ".join(f"{n}: {x}" for n, x in zip(names, v))  # noqa: E731
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input "
                           f"({fmt(sp)}) output ({fmt(osz)})")
    if mode == "area":
        return _adaptive_avg(input, osz, nd, "adaptive_avg_pool")
    xp = input._backend()
    out = input
    for i in range(nd):
        d = 2 + i
        L, o = sp[i], osz[i]
        scale = (1.0 / scales[i]) if scales[i] else L / o
        dst = xp.arange(o, dtype=xp.float64)
        if not linear:
            off = 0.5 if mode == "nearest-exact" else 0.0
            idx = xp.minimum(xp.floor((dst + off) * scale).astype(xp.int64), L - 1)
            out = out.index_select(d, _wrap(idx))
            continue
        if align_corners:
            src = dst * ((L - 1) / (o - 1)) if o > 1 else dst * 0.0
        else:
            src = (dst + 0.5) * scale - 0.5
            if mode != "bicubic":
                src = xp.maximum(src, 0.0)
        i0 = xp.floor(src).astype(xp.int64)
        t = src - i0
        shp = [1] * out.dim()
        shp[d] = o
        dt = out._data.dtype
        if mode == "bicubic":
            acc = None
            for j, wj in enumerate(_cubic_weights(xp, t)):
                ij = xp.clip(i0 - 1 + j, 0, L - 1)
                term = out.index_select(d, _wrap(ij)) * _wrap(wj.astype(dt).reshape(shp))
                acc = term if acc is None else acc + term
            out = acc
        else:
            i0 = xp.minimum(i0, L - 1)
            i1 = xp.minimum(i0 + 1, L - 1)
            x0 = out.index_select(d, _wrap(i0))
            x1 = out.index_select(d, _wrap(i1))
            out = x0 + (x1 - x0) * _wrap(t.astype(dt).reshape(shp))
    return out


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of ``interpolate``."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Nearest-neighbour upsampling (deprecated alias)."""
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Bilinear upsampling with ``align_corners=True`` (deprecated alias)."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ---- pixel shuffle ---------------------------------------------------------------------------
def pixel_shuffle(input, upscale_factor):
    """(*, C*r^2, H, W) -> (*, C, H*r, W*r): move channel blocks into space."""
    r = int(upscale_factor)
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    if input.dim() < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {input.dim()} dimension(s)")
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)={c} is "
                           f"not divisible by {r * r}")
    n = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    x = x.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return x.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H*r, W*r) -> (*, C*r^2, H, W): the inverse of ``pixel_shuffle``."""
    r = int(downscale_factor)
    if input.dim() < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got"
                           f" input with {input.dim()} dimension(s)")
    *lead, c, h, w = input.shape
    if h % r or w % r:
        which = "height" if h % r else "width"
        size = h if h % r else w
        raise RuntimeError(f"pixel_unshuffle expects {which} to be divisible by downscale_factor, "
                           f"but input.size({-2 if h % r else -1})={size} is not divisible by {r}")
    n = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    x = x.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return x.reshape(*lead, c * r * r, h // r, w // r)


def channel_shuffle(input, groups):
    """(N, g*k, *) -> (N, k*g, *): split the channels into ``groups`` groups and interleave them
    (``F.channel_shuffle``, ShuffleNet's shuffle)."""
    g = int(groups)
    if input.dim() <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with "
                           f"sizes {list(input.shape)}")
    if g <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of "
                           f"groups:{g}")
    n, c, *rest = input.shape
    if c % g:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels and "
                           f"{g} groups.")
    return input.reshape(n, g, c // g, *rest).transpose(1, 2).reshape(n, c, *rest)


native_channel_shuffle = channel_shuffle


# ---- unfold / fold ---------------------------------------------------------------------------
def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding blocks: (N, C, H, W) -> (N, C*kH*kW, L) (im2col)."""
    if input.dim() not in (3, 4):
        raise RuntimeError(f"Input Error: Only 3D or 4D input Tensors are supported (got "
                           f"{input.dim()}D)")
    batched = input.dim() == 4
    x = input if batched else input.unsqueeze(0)
    for v, name in ((kernel_size, "kernel_size"), (dilation, "dilation"),
                    (padding, "padding"), (stride, "stride")):
        if isinstance(v, (tuple, list)) and len(v) != 2:
            raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(v)}")
    k, d = ntuple(kernel_size, 2, "kernel_size"), ntuple(dilation, 2, "dilation")
    p, s = ntuple(padding, 2, "padding"), ntuple(stride, 2, "stride")
    _checks.check_window("kernel size", k, "kernel")
    _checks.check_window("stride", s, "stride")
    _checks.check_window("dilation", d, "dilation")
    sp = tuple(L + 2 * pp for L, pp in zip(x.shape[2:], p))
    o = out_size(sp, k, s, d)
    if any(v < 1 for v in o):
        raise RuntimeError(f"Given input with spatial size ({x.shape[2]}, {x.shape[3]}), "
                           f"kernel_size=({k[0]}, {k[1]}), dilation=({d[0]}, {d[1]}), "
                           f"padding=({p[0]}, {p[1]}), calculated shape of the array of sliding "
                           f"blocks as ({o[0]}, {o[1]}), but its components must be at least one.")
    out = Im2Col.apply(x, k=k, stride=s, pad=tuple((v, v) for v in p), dil=d)
    return out if batched else out.squeeze(0)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sum sliding blocks back into an image: (N, C*kH*kW, L) -> (N, C, *output_size) (col2im)."""
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are "
                           f"supported (got {input.dim()}D)")
    batched = input.dim() == 3
    x = input if batched else input.unsqueeze(0)
    osz = ntuple(output_size, 2, "output_size")
    k, d = ntuple(kernel_size, 2, "kernel_size"), ntuple(dilation, 2, "dilation")
    p, s = ntuple(padding, 2, "padding"), ntuple(stride, 2, "stride")
    kk = prod(k)
    if x.shape[1] % kk:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product "
                           f"of kernel_size, but got input.size(1)={x.shape[1]} and "
                           f"kernel_size=({k[0]}, {k[1]})")
    o = out_size(tuple(L + 2 * pp for L, pp in zip(osz, p)), k, s, d)
    if x.shape[2] != prod(o):
        raise RuntimeError(f"Given output_size=({osz[0]}, {osz[1]}), kernel_size=({k[0]}, {k[1]})"
                           f", dilation=({d[0]}, {d[1]}), padding=({p[0]}, {p[1]}), stride=({s[0]}"
                           f", {s[1]}), expected size of input's dimension 2 to match the "
                           f"calculated number of sliding blocks {o[0]} * {o[1]} = {prod(o)}, but "
                           f"got input.size(2)={x.shape[2]}.")
    xshape = (x.shape[0], x.shape[1] // kk) + osz
    out = Col2Im.apply(x, xshape=xshape, k=k, stride=s, pad=tuple((v, v) for v in p), dil=d)
    return out if batched else out.squeeze(0)


# ---- spatial transformers --------------------------------------------------------------------
def _base_coords(n, align_corners, like):
    c = arange(n, dtype=like.dtype, device=like.device)
    if align_corners:
        return c * (2.0 / (n - 1)) - 1.0 if n > 1 else c * 0.0
    return (c * 2.0 + 1.0) / n - 1.0


def affine_grid(theta, size, align_corners=None):
    """Sampling grid (N, H, W, 2) of normalised (x, y) for a batch of 2x3 affine ``theta``
    (N, 2, 3) and output ``size`` (N, C, H, W); pairs with ``grid_sample``."""
    align_corners = bool(align_corners)
    if len(size) != 4:
        raise NotImplementedError("affine_grid only supports 4D sizes, for 2D affine "
                                  "transforms.")
    if theta.dim() != 3 or tuple(theta.shape[1:]) != (2, 3):
        raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size "
                         f"{tuple(size)}. Got {tuple(theta.shape)}.")
    n, _, h, w = size
    xs = _base_coords(w, align_corners, theta).reshape(1, w).expand(h, w)
    ys = _base_coords(h, align_corners, theta).reshape(h, 1).expand(h, w)
    base = stack([xs, ys, xs.new_ones((h, w))], -1).reshape(1, h * w, 3)
    return base.matmul(theta.transpose(1, 2)).reshape(n, h, w, 2)


def _reflect(coord, low2, high2):
    if low2 == high2:
        return coord * 0.0
    lo, span = low2 / 2.0, (high2 - low2) / 2.0
    c = (coord - lo).abs()
    flips = (c / span).floor()
    extra = c - flips * span
    even = (flips.remainder(2) == 0)
    return (extra + lo).where(even, span - extra + lo)


def _source_coord(g, size, padding_mode, align_corners):
    x = (g + 1) / 2 * (size - 1) if align_corners else ((g + 1) * size - 1) / 2
    if padding_mode == "border":
        x = x.clamp(0, size - 1)
    elif padding_mode == "reflection":
        x = _reflect(x, 0, 2 * (size - 1)) if align_corners else _reflect(x, -1, 2 * size - 1)
        x = x.clamp(0, size - 1)
    return x


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Sample (N, C, H, W) ``input`` at normalised ``grid`` (N, Ho, Wo, 2) locations in
    [-1, 1] (x then y). ``mode`` 'bilinear' or 'nearest'; ``padding_mode`` 'zeros', 'border' or
    'reflection'; differentiable in both ``input`` and ``grid`` (bilinear)."""
    if mode == "bicubic":
        raise NotImplementedError("grid_sample(): mode='bicubic' is not supported by Ember")
    if mode not in ("bilinear", "nearest"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    if input.dim() != 4 or grid.dim() != 4 or grid.shape[-1] != 2:
        raise RuntimeError(f"grid_sampler(): expected 4D input and grid with same number of "
                           f"dimensions, but got input with sizes {list(input.shape)} and grid "
                           f"with sizes {list(grid.shape)}")
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, "
                           f"but got input with sizes {list(input.shape)} and grid with sizes "
                           f"{list(grid.shape)}")
    align_corners = bool(align_corners)
    n, c, h, w = input.shape
    ho, wo = grid.shape[1], grid.shape[2]
    x = _source_coord(grid[..., 0], w, padding_mode, align_corners)
    y = _source_coord(grid[..., 1], h, padding_mode, align_corners)
    flat = input.reshape(n, c, h * w)

    def tap(ix, iy, weight):
        inside = (ix >= 0) & (ix <= w - 1) & (iy >= 0) & (iy <= h - 1)
        idx = (iy.clamp(0, h - 1) * w + ix.clamp(0, w - 1)).long().reshape(n, 1, ho * wo)
        vals = flat.gather(2, idx.expand(n, c, ho * wo)).reshape(n, c, ho, wo)
        return vals * (weight * inside.to(weight.dtype)).unsqueeze(1)
    if mode == "nearest":
        ix, iy = x.round(), y.round()
        return tap(ix.detach(), iy.detach(), x * 0 + 1)  # zero gradient for grid, as PyTorch
    x0, y0 = x.floor().detach(), y.floor().detach()
    x1, y1 = x0 + 1, y0 + 1
    wx1, wy1 = x - x0, y - y0
    wx0, wy0 = 1 - wx1, 1 - wy1
    return (tap(x0, y0, wx0 * wy0) + tap(x1, y0, wx1 * wy0) + tap(x0, y1, wx0 * wy1) +
            tap(x1, y1, wx1 * wy1))
