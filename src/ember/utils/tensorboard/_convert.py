"""Turn the values users pass to ``SummaryWriter`` (Ember tensors, NumPy arrays, Python numbers,
and PyTorch tensors too) into NumPy arrays, with errors that name the argument."""
import io
import numbers

import numpy as np

__all__ = ["to_numpy", "to_scalar", "to_hwc_uint8", "make_grid", "encode_png"]


def to_numpy(value, name):
    """``value`` as a NumPy array; TypeError naming ``name`` for anything not array-like/numeric."""
    if isinstance(value, np.ndarray):
        arr = value
    elif hasattr(value, "detach") and hasattr(value, "numpy"):  # ember.Tensor, torch.Tensor
        t = value.detach()
        if hasattr(t, "cpu"):
            t = t.cpu()
        arr = t.numpy()
    elif isinstance(value, (numbers.Number, np.generic)) and not isinstance(value, str):
        arr = np.asarray(value)
    elif isinstance(value, (list, tuple)):
        try:
            arr = np.asarray(value)
        except ValueError as e:
            raise TypeError(f"{name} must be a tensor, array or number, got a ragged "
                            f"{type(value).__name__}: {e}") from None
    else:
        raise TypeError(f"{name} must be a tensor, NumPy array or number, "
                        f"got {type(value).__name__}")
    if arr.dtype.kind not in "biuf":
        if arr.dtype.kind == "c":
            raise TypeError(f"{name} must be real, got complex dtype {arr.dtype}")
        if arr.dtype.kind == "V" or str(arr.dtype) == "bfloat16":  # ml_dtypes bfloat16
            return arr.astype(np.float32)
        raise TypeError(f"{name} must hold numbers, got dtype {arr.dtype}")
    return arr


def to_scalar(value, name):
    """``value`` (number, 0-d or one-element tensor/array) as a Python float; NaN/inf allowed."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        # PyTorch's writer fails to convert the string to float: a ValueError
        raise ValueError(f"{name} must be a number or a one-element tensor, got str {value!r}")
    arr = to_numpy(value, name)
    if arr.size != 1:
        raise ValueError(f"{name} must have exactly one element, got shape {tuple(arr.shape)}")
    return float(arr.reshape(()))


_LAYOUTS = {"CHW", "HWC", "HW", "NCHW", "NHWC"}


def _scale_to_uint8(arr):
    """float images are in [0, 1]: scaled by 255 and truncated, as PyTorch's writer does;
    uint8 images are used as they are."""
    if arr.dtype == np.uint8:
        return arr
    scaled = np.multiply(arr, np.float32(255.0), dtype=np.float32)
    np.nan_to_num(scaled, copy=False, nan=0.0)
    return np.clip(scaled, 0, 255, out=scaled).astype(np.uint8)


def make_grid(nchw, ncols=8):
    """Tile N images (N, C, H, W) into one (C, rows*H, cols*W) image, ``ncols`` per row."""
    n, c, h, w = nchw.shape
    ncols = min(n, ncols)
    nrows = (n + ncols - 1) // ncols
    canvas = np.zeros((c, nrows * h, ncols * w), dtype=nchw.dtype)
    for i in range(n):
        r, k = divmod(i, ncols)
        canvas[:, r * h:(r + 1) * h, k * w:(k + 1) * w] = nchw[i]
    return canvas


def to_hwc_uint8(value, dataformats, name="img_tensor"):
    """An image (or a batch, tiled into a grid) laid out as ``dataformats`` -> (H, W, 3|4) uint8.

    One-channel images become three equal channels, as TensorBoard shows RGB(A) PNGs.
    """
    arr = to_numpy(value, name)
    fmt = str(dataformats).upper()
    if fmt not in _LAYOUTS or len(set(fmt)) != len(fmt):
        raise ValueError(f"dataformats must be one of {sorted(_LAYOUTS)}, got {dataformats!r}")
    if arr.ndim != len(fmt):
        raise ValueError(f"{name} has shape {tuple(arr.shape)} ({arr.ndim} dims) but "
                         f"dataformats={fmt!r} needs {len(fmt)} dims")
    if fmt == "HW":
        arr = arr[None]
        fmt = "CHW"
    if "N" in fmt:
        arr = np.transpose(arr, [fmt.index(d) for d in "NCHW"])
        if arr.shape[0] == 0:
            raise ValueError(f"{name} holds no images (shape {tuple(arr.shape)})")
        arr = make_grid(arr)
    else:
        arr = np.transpose(arr, [fmt.index(d) for d in "CHW"])
    c, h, w = arr.shape
    if c not in (1, 3, 4):
        raise ValueError(f"{name} must have 1, 3 or 4 channels, got {c} "
                         f"(shape {tuple(value.shape) if hasattr(value, 'shape') else ''} "
                         f"as {dataformats})")
    if h == 0 or w == 0:
        raise ValueError(f"{name} has an empty image (height {h}, width {w})")
    if c == 1:
        arr = np.concatenate([arr] * 3, axis=0)
    return np.ascontiguousarray(np.transpose(_scale_to_uint8(arr), (1, 2, 0)))


def encode_png(hwc):
    """PNG bytes of an (H, W, 3|4) uint8 image (Pillow)."""

    from PIL import Image
    buf = io.BytesIO()
    Image.fromarray(hwc).save(buf, format="PNG")
    return buf.getvalue()
