"""torch.nn.functional's linear maps: identity, linear, bilinear."""

from ...ops.nn_basic import LinearOp
from ...ops._inplace import _cap


__all__ = ["linear", "bilinear", "identity"]


_DT_NAME = {"float64": "double", "float32": "float", "float16": "c10::Half",
            "bfloat16": "c10::BFloat16"}


def identity(input):
    """Return ``input`` unchanged."""
    return input


# ---- linear ------------------------------------------------------------------------------
def linear(input, weight, bias=None):
    """y = x @ weight^T + bias for x of shape (*, in_features) (``F.linear``)."""
    xd, wd = input._data, weight._data
    if (wd.ndim == 2 and xd.ndim and xd.shape[-1] == wd.shape[1] and xd.dtype == wd.dtype
            and (bias is None or bias._data.dtype == xd.dtype)):
        return LinearOp.apply(input, weight, bias)
    for other in (weight, bias):
        if other is not None and other.dtype is not input.dtype:
            raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                               f"{_cap(input.dtype)} and {_cap(other.dtype)}")
    k = input.shape[-1] if input.dim() else 1
    if weight.dim() != 2 or k != weight.shape[-1]:
        if weight.dim() == 2:
            m = input.numel() // k if k else 0
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({m}x{k} and "
                               f"{weight.shape[1]}x{weight.shape[0]})")
        if weight.dim() == 1 and k == weight.shape[0]:
            out = (input * weight).sum(-1)
            return out if bias is None else out + bias
        raise RuntimeError(f"size mismatch, got input ({input.shape}), weight ({weight.shape})")
    if input._data.dtype != weight._data.dtype:
        a, b = input.dtype.name, weight.dtype.name
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{_DT_NAME.get(a, a)} != {_DT_NAME.get(b, b)}")
    if bias is not None and bias._data.dtype != input._data.dtype:
        bias = bias.to(input.dtype)
    return LinearOp.apply(input, weight, bias)


def bilinear(input1, input2, weight, bias=None):
    """y_o = x1^T W_o x2 + b_o for W of shape (out, in1, in2) (``F.bilinear``)."""
    out, in1, in2 = weight.shape
    if input1.shape[-1] != in1:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got "
                           f"{input1.shape[-1]} but expected {in1}")
    if input2.shape[-1] != in2:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got "
                           f"{input2.shape[-1]} but expected {in2}")
    lead = input1.shape[:-1]
    x1 = input1.reshape(-1, in1)
    x2 = input2.reshape(-1, in2)
    t = x1.matmul(weight.permute(1, 0, 2).reshape(in1, out * in2)).reshape(-1, out, in2)
    y = (t * x2.unsqueeze(1)).sum(-1)
    if bias is not None:
        y = y + bias
    return y.reshape(tuple(lead) + (out,))
