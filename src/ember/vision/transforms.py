"""Image transforms shaped like ``torchvision.transforms``, on ``(C, H, W)`` Ember tensors.

``ToTensor`` accepts an ``(H, W)`` / ``(H, W, C)`` NumPy array or a PIL image; the others take tensors
``(..., C, H, W)``. Randomness comes from Ember's generator, so ``ember.manual_seed`` makes it repeatable.
"""
import math

import numpy as np

from .. import _tensor
from .._tensor import Tensor
from ..ops.random import rand, randint

__all__ = ["Compose", "ToTensor", "Normalize", "RandomCrop", "RandomHorizontalFlip", "Resize",
           "CenterCrop", "RandomRotation", "Lambda", "Pad"]


def _wrap(arr):
    """A tensor around backend array ``arr`` (made contiguous; no copy when it already is)."""
    if isinstance(arr, Tensor):
        return arr
    return _tensor._wrap(arr if arr.flags.c_contiguous else arr.copy())


def _check_tensor(img, name):
    if not isinstance(img, Tensor):
        raise TypeError(f"{name}: img should be Tensor. Got {type(img)}")
    if img.dim() < 2:
        raise ValueError(f"{name}: expected a tensor image with at least 2 dims (..., H, W), got "
                         f"shape {tuple(img.shape)}")


def _pair(size, name):
    if isinstance(size, (int, np.integer)):
        return int(size), int(size)
    size = tuple(int(s) for s in size)
    if len(size) == 1:
        return size[0], size[0]
    if len(size) != 2:
        raise ValueError(f"{name}: size should be an int or a sequence of 1 or 2 ints, got {size}")
    return size


def _rand():
    return float(rand(()).item())


class Compose:
    """Apply a list of transforms one after the other."""

    def __init__(self, transforms):
        self.transforms = list(transforms)

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        inner = "".join(f"\n    {t!r}" for t in self.transforms)
        return f"{type(self).__name__}({inner}\n)"


class ToTensor:
    """Convert an ``(H, W[, C])`` uint8 array / PIL image to a float32 ``(C, H, W)`` tensor in [0, 1].

    Float arrays keep their values; tensors pass through unchanged.
    """

    def __call__(self, pic):
        if isinstance(pic, Tensor):
            return pic
        arr = np.asarray(pic)
        if arr.ndim == 2:
            arr = arr[:, :, None]
        if arr.ndim != 3:
            raise TypeError(f"pic should be 2 or 3 dimensional. Got {arr.ndim} dimensions.")
        out = arr.transpose(2, 0, 1)
        if arr.dtype == np.uint8:
            out = out.astype(np.float32) * np.float32(1.0 / 255.0)
        elif arr.dtype == np.bool_:
            out = out.astype(np.float32)
        return _wrap(np.ascontiguousarray(out))

    def __repr__(self):
        return "ToTensor()"


class Normalize:
    """Normalise each channel: ``(img - mean[c]) / std[c]``."""

    def __init__(self, mean, std, inplace=False):
        self.mean, self.std, self.inplace = mean, std, inplace

    def __call__(self, img):
        _check_tensor(img, "Normalize")
        if not img.is_floating_point():
            raise TypeError(f"Input tensor should be a float tensor. Got {img.dtype}.")
        xp = img._backend()
        mean = xp.asarray(self.mean, dtype=img._data.dtype).reshape(-1, 1, 1)
        std = xp.asarray(self.std, dtype=img._data.dtype).reshape(-1, 1, 1)
        if (std == 0).any():
            raise ValueError(f"std evaluated to zero after conversion to {img.dtype}, leading to "
                             "division by zero.")
        out = (img._data - mean) / std
        if self.inplace:
            img._data[...] = out
            return img
        return _wrap(out)

    def __repr__(self):
        return f"{type(self).__name__}(mean={self.mean}, std={self.std})"


class Lambda:
    """Apply a user function as a transform."""

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {type(lambd).__name__!r}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self):
        return f"{type(self).__name__}()"


class Pad:
    """Pad the last two dims by ``padding`` (int, (lr, tb) or (l, t, r, b)) with ``fill`` (constant)."""

    def __init__(self, padding, fill=0, padding_mode="constant"):
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
        self.padding, self.fill, self.padding_mode = padding, fill, padding_mode

    def __call__(self, img):
        _check_tensor(img, "Pad")
        p = self.padding
        if isinstance(p, int):
            l = t = r = b = p
        elif len(p) == 2:
            l = r = p[0]
            t = b = p[1]
        elif len(p) == 4:
            l, t, r, b = p
        else:
            raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a "
                             f"{len(p)} element tuple")
        xp = img._backend()
        widths = [(0, 0)] * (img.dim() - 2) + [(t, b), (l, r)]
        if self.padding_mode == "constant":
            out = xp.pad(img._data, widths, mode="constant", constant_values=self.fill)
        else:
            out = xp.pad(img._data, widths, mode=self.padding_mode)
        return _wrap(out)

    def __repr__(self):
        return f"{type(self).__name__}(padding={self.padding}, fill={self.fill})"


class RandomCrop:
    """Crop a random ``size`` window, after optional ``padding`` (as ``Pad``)."""

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode="constant"):
        self.size = _pair(size, "RandomCrop")
        self.padding, self.pad_if_needed = padding, pad_if_needed
        self.fill, self.padding_mode = fill, padding_mode

    def __call__(self, img):
        _check_tensor(img, "RandomCrop")
        if self.padding is not None:
            img = Pad(self.padding, self.fill, self.padding_mode)(img)
        th, tw = self.size
        h, w = img.shape[-2:]
        if self.pad_if_needed and (h < th or w < tw):
            img = Pad((max(tw - w, 0), max(th - h, 0)), self.fill, self.padding_mode)(img)
            h, w = img.shape[-2:]
        if h < th or w < tw:
            raise ValueError(f"Required crop size {(th, tw)} is larger than input image size {(h, w)}")
        i = int(randint(0, h - th + 1, (1,)).item())
        j = int(randint(0, w - tw + 1, (1,)).item())
        return img[..., i:i + th, j:j + tw]

    def __repr__(self):
        return f"{type(self).__name__}(size={self.size}, padding={self.padding})"


class CenterCrop:
    """Crop the central ``size`` window (zero-padding first when the image is smaller)."""

    def __init__(self, size):
        self.size = _pair(size, "CenterCrop")

    def __call__(self, img):
        _check_tensor(img, "CenterCrop")
        th, tw = self.size
        h, w = img.shape[-2:]
        if h < th or w < tw:
            pl, pt = max(tw - w, 0) // 2, max(th - h, 0) // 2
            img = Pad((pl, pt, max(tw - w, 0) - pl, max(th - h, 0) - pt))(img)
            h, w = img.shape[-2:]
        i = int(round((h - th) / 2.0))
        j = int(round((w - tw) / 2.0))
        return img[..., i:i + th, j:j + tw]

    def __repr__(self):
        return f"{type(self).__name__}(size={self.size})"


class RandomHorizontalFlip:
    """Flip the image left-right with probability ``p``."""

    def __init__(self, p=0.5):
        self.p = p

    def __call__(self, img):
        _check_tensor(img, "RandomHorizontalFlip")
        return img.flip(-1) if _rand() < self.p else img

    def __repr__(self):
        return f"{type(self).__name__}(p={self.p})"


def _bilinear_resize(x, oh, ow, xp):
    """Bilinear resize of the last two dims (half-pixel centres, as ``align_corners=False``)."""
    h, w = x.shape[-2:]
    dtype = x.dtype if x.dtype.kind == "f" else np.float32

    def coords(n_out, n_in):
        src = (xp.arange(n_out, dtype=np.float64) + 0.5) * (n_in / n_out) - 0.5
        src = xp.clip(src, 0, n_in - 1)
        lo = xp.floor(src).astype(np.int64)
        hi = xp.minimum(lo + 1, n_in - 1)
        return lo, hi, (src - lo).astype(dtype)

    y0, y1, wy = coords(oh, h)
    x0, x1, wx = coords(ow, w)
    xf = x.astype(dtype, copy=False)
    top = xf[..., y0, :] * (1 - wy)[:, None] + xf[..., y1, :] * wy[:, None]
    out = top[..., x0] * (1 - wx) + top[..., x1] * wx
    if x.dtype.kind != "f":
        out = xp.clip(xp.rint(out), 0, 255 if x.dtype == np.uint8 else None).astype(x.dtype)
    return out


class Resize:
    """Resize the image to ``size`` (an int resizes the smaller edge, keeping the aspect ratio).

    Interpolation is bilinear (``"bilinear"``) or nearest (``"nearest"``).
    """

    def __init__(self, size, interpolation="bilinear", max_size=None, antialias=True):
        if not isinstance(size, int) and len(size) not in (1, 2):
            raise ValueError("If size is a sequence, it should have 1 or 2 values")
        self.size, self.interpolation, self.max_size = size, str(interpolation).lower(), max_size

    def __call__(self, img):
        _check_tensor(img, "Resize")
        h, w = img.shape[-2:]
        if isinstance(self.size, int) or len(self.size) == 1:
            s = self.size if isinstance(self.size, int) else self.size[0]
            short, long = (h, w) if h <= w else (w, h)
            new_short, new_long = s, int(s * long / short)
            if self.max_size is not None and new_long > self.max_size:
                new_short, new_long = int(self.max_size * new_short / new_long), self.max_size
            oh, ow = (new_short, new_long) if h <= w else (new_long, new_short)
        else:
            oh, ow = self.size
        if (oh, ow) == (h, w):
            return img
        xp = img._backend()
        if "nearest" in self.interpolation:
            yi = xp.minimum((xp.arange(oh) * (h / oh)).astype(np.int64), h - 1)
            xi = xp.minimum((xp.arange(ow) * (w / ow)).astype(np.int64), w - 1)
            return _wrap(img._data[..., yi[:, None], xi])
        return _wrap(_bilinear_resize(img._data, oh, ow, xp))

    def __repr__(self):
        return f"{type(self).__name__}(size={self.size}, interpolation={self.interpolation})"


class RandomRotation:
    """Rotate by an angle drawn uniformly from ``degrees`` (a number ``d`` means ``(-d, d)``), nearest
    interpolation about the image centre; uncovered pixels get ``fill``."""

    def __init__(self, degrees, interpolation="nearest", expand=False, center=None, fill=0):
        if isinstance(degrees, (int, float)):
            if degrees < 0:
                raise ValueError("If degrees is a single number, it must be positive.")
            degrees = (-degrees, degrees)
        if len(degrees) != 2:
            raise ValueError("If degrees is a sequence, it must be of len 2.")
        if expand:
            raise NotImplementedError("RandomRotation(expand=True) is not supported by ember.vision")
        self.degrees, self.center, self.fill = (float(degrees[0]), float(degrees[1])), center, fill

    def __call__(self, img):
        _check_tensor(img, "RandomRotation")
        lo, hi = self.degrees
        angle = lo + (hi - lo) * _rand()
        return rotate(img, angle, center=self.center, fill=self.fill)

    def __repr__(self):
        return f"{type(self).__name__}(degrees={self.degrees})"


def rotate(img, angle, center=None, fill=0):
    """Rotate a ``(..., H, W)`` tensor image by ``angle`` degrees counter-clockwise (nearest)."""
    xp = img._backend()
    h, w = img.shape[-2:]
    cx, cy = ((w - 1) * 0.5, (h - 1) * 0.5) if center is None else center
    a = math.radians(angle)
    cos, sin = math.cos(a), math.sin(a)
    ys, xs = xp.meshgrid(xp.arange(h, dtype=np.float64), xp.arange(w, dtype=np.float64),
                         indexing="ij")
    dx, dy = xs - cx, ys - cy
    # inverse map: output pixel -> source pixel (counter-clockwise rotation on screen)
    sx = xp.rint(cos * dx - sin * dy + cx).astype(np.int64)
    sy = xp.rint(sin * dx + cos * dy + cy).astype(np.int64)
    inside = (sx >= 0) & (sx < w) & (sy >= 0) & (sy < h)
    src = img._data[..., xp.clip(sy, 0, h - 1), xp.clip(sx, 0, w - 1)]
    out = xp.where(inside, src, xp.asarray(fill, dtype=img._data.dtype))
    return _wrap(out)
