"""torch.nn.functional basics: linear, bilinear, dropout variants, embedding, one_hot,
normalize, cosine_similarity, pairwise_distance and the normalisation layers' functionals."""
import math

from ... import _checks, _dtype as D
from ..._tensor import _wrap
from ...autograd.grad_mode import no_grad
from ...ops import unary as U, creation as C, random as RND
from ...ops.nn_basic import LinearOp, EmbeddingOp, BatchNormOp, LayerNormOp
from ..._tensor_methods import _inplace
from ..._backend import bump_version

__all__ = ["linear", "bilinear", "dropout", "dropout1d", "dropout2d", "dropout3d",
           "alpha_dropout", "feature_alpha_dropout", "embedding", "one_hot", "normalize",
           "cosine_similarity", "pairwise_distance", "layer_norm", "group_norm", "batch_norm",
           "instance_norm", "rms_norm", "local_response_norm", "identity", "embedding_bag", "pdist"]

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
            from ...ops._helpers import _cap
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


# ---- dropout -----------------------------------------------------------------------------
def _check_p(p):
    _checks.check_probability(p)


def _keep_mask(input, shape, p):
    """A float mask of ``shape``: 1/(1-p) with probability 1-p, else 0."""
    r = RND.rand(*shape, dtype=input.dtype if input.is_floating_point() else None,
                 device=input.device)
    keep = r._data >= p
    scale = 0.0 if p >= 1.0 else 1.0 / (1.0 - p)
    return _wrap((keep * scale).astype(input._data.dtype, copy=False))


def _apply_mask(input, mask, inplace):
    if inplace:
        return _inplace(lambda x: x * mask, "mul_")(input)
    return input * mask


def _check_dropout_args(p, training, name):
    """PyTorch's order: the Python range check of p (which NaN slips through), then the
    kernel's type check of ``training``, then the kernel's NaN check of p."""
    if isinstance(p, bool) or not isinstance(p, float) or p == p:
        _check_p(p)
    _checks.check_bool(name, training, "training", 3)
    _check_p(p)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p and scale the rest by 1/(1-p) (``F.dropout``)."""
    _check_dropout_args(p, training, "dropout")
    if not training or p == 0.0:
        return input
    return _apply_mask(input, _keep_mask(input, input.shape, p), inplace)


def _feature_dropout(input, p, training, inplace, batched_dim, name):
    _check_dropout_args(p, training, name)
    if not training or p == 0.0:
        return input
    nd = input.dim()
    if nd not in (batched_dim, batched_dim - 1):
        raise RuntimeError(f"{name}: Expected {batched_dim - 1}D or {batched_dim}D input, but "
                           f"received a {nd}D input.")
    if nd == batched_dim:
        shape = tuple(input.shape[:2]) + (1,) * (nd - 2)
    else:
        shape = (input.shape[0],) + (1,) * (nd - 1)
    return _apply_mask(input, _keep_mask(input, shape, p), inplace)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) or (C, L) input (``F.dropout1d``)."""
    return _feature_dropout(input, p, training, inplace, 3, "dropout1d")


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) or (C, H, W) input (``F.dropout2d``)."""
    return _feature_dropout(input, p, training, inplace, 4, "dropout2d")


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) input (``F.dropout3d``)."""
    return _feature_dropout(input, p, training, inplace, 5, "dropout3d")


_ALPHA = 1.7580993408473766


def _alpha_dropout(input, p, training, shape):
    _check_dropout_args(p, training, "alpha_dropout")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    r = RND.rand(*shape, device=input.device)
    keep = _wrap((r._data >= p).astype(input._data.dtype))
    a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
    b = (keep - 1.0) * (_ALPHA * a) + _ALPHA * a * p
    return input * (keep * a) + b


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps SELU's zero mean and unit variance (``F.alpha_dropout``)."""
    return _alpha_dropout(input, p, training, input.shape)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Channel-wise alpha dropout (``F.feature_alpha_dropout``)."""
    shape = tuple(input.shape[:2]) + (1,) * (input.dim() - 2)
    return _alpha_dropout(input, p, training, shape)


# ---- embedding / one_hot -----------------------------------------------------------------
def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` selected by integer ``input`` (``F.embedding``)."""
    if input.dtype not in (D.int64, D.int32):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following "
                           "scalar types: Long, Int; but got "
                           f"{input.type()} instead (while checking arguments for embedding)")
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    num = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= num:
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -num:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = num + padding_idx
        padding_idx = _checks.check_int("embedding", padding_idx, "padding_idx", 3)
    idx = input._data
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _renorm_rows(weight, idx, max_norm, norm_type)
    if scale_grad_by_freq and weight._rg:
        xp = input._backend()
        uniq, inv, counts = xp.unique(idx.reshape(-1), return_inverse=True, return_counts=True)
        freq = _wrap((1.0 / counts[inv]).reshape(idx.shape + (1,)).astype(weight._data.dtype))
        out = EmbeddingOp.apply(weight, input, padding_idx=padding_idx)
        return _ScaleGrad.apply(out, freq)
    return EmbeddingOp.apply(weight, input, padding_idx=padding_idx)


from ...autograd.function import Function  # noqa: E402


class _ScaleGrad(Function):
    """Identity forward; multiplies the gradient by ``scale`` (scale_grad_by_freq)."""
    @staticmethod
    def forward(ctx, x, scale):
        ctx.scale = scale
        return x.clone()

    @staticmethod
    def backward(ctx, g):
        return g * ctx.scale, None


def _renorm_rows(weight, idx, max_norm, norm_type):
    xp = weight._backend()
    with no_grad():
        rows = xp.unique(idx.reshape(-1))
        w = weight._data
        sub = w[rows]
        if norm_type == math.inf:
            norms = xp.abs(sub).max(axis=1)
        else:
            norms = (xp.abs(sub) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
        scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(w.dtype)
        w[rows] = sub * scale[:, None]
        bump_version(weight)


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,
                  mode="mean", sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):
    """Sums, means or maxes of bags of embeddings (``F.embedding_bag``): bags are the rows of
    a 2-d ``input``, or the segments of a 1-d ``input`` starting at ``offsets``."""
    if mode not in ("sum", "mean", "max"):
        raise ValueError(f"mode has to be one of sum, mean or max, but got {mode}")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. "
                                  "per_sample_weights is only supported for mode='sum' (got "
                                  f"mode='{mode}'). Please open a feature request on GitHub.")
    xp = input._backend()
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated "
                             "is a mini-batch of fixed length sequences. However, found offsets "
                             f"of type {type(offsets).__name__}")
        b, n = input.shape
        offs = xp.arange(0, b * n, n) if n else xp.zeros(b, dtype=xp.int64)
        flat = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        offs = offsets._data
        if include_last_offset:
            offs = offs[:-1]
        flat = input
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{input.dim()}")
    num = weight.shape[0]
    if padding_idx is not None and padding_idx < 0:
        padding_idx += num
    nbags = int(offs.shape[0])
    seg = xp.searchsorted(offs, xp.arange(flat.shape[0]), side="right") - 1
    emb = embedding(flat, weight, None, max_norm, norm_type, scale_grad_by_freq)
    keep = None if padding_idx is None else (flat._data != padding_idx)
    d = weight.shape[1]
    seg_t = _wrap(seg.astype(xp.int64))
    if mode == "max":
        if keep is not None:
            seg = xp.where(keep, seg, nbags)           # padded rows go to a spill bag
            seg_t = _wrap(seg.astype(xp.int64))
        e = emb._data
        best = xp.full((nbags + 1, d), -xp.inf, dtype=e.dtype)
        xp.maximum.at(best, seg, e)
        rows = xp.where(e == best[seg], xp.arange(e.shape[0])[:, None], -1)
        pick = xp.full((nbags + 1, d), -1, dtype=xp.int64)
        xp.maximum.at(pick, seg, rows)                   # the row holding each bag's max
        pick = pick[:nbags]
        empty = _wrap((pick >= 0).astype(e.dtype))
        return emb.gather(0, _wrap(xp.maximum(pick, 0))) * empty
    if per_sample_weights is not None:
        emb = emb * per_sample_weights.unsqueeze(1)
    if keep is not None:
        emb = emb * _wrap(keep[:, None].astype(weight._data.dtype))
    out = C.zeros(nbags, d, dtype=weight.dtype, device=weight.device).index_add(0, seg_t, emb)
    if mode == "mean":
        counts = xp.zeros(nbags, dtype=weight._data.dtype)
        xp.add.at(counts, seg, 1 if keep is None else keep.astype(weight._data.dtype))
        out = out / _wrap(xp.maximum(counts, 1)[:, None])
    return out


def one_hot(tensor, num_classes=-1):
    """(*,) int64 class indices -> (*, num_classes) int64 one-hot (``F.one_hot``)."""
    num_classes = _checks.check_int("one_hot", num_classes, "num_classes", 2)
    if tensor.dtype is not D.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    a = tensor._data
    xp = tensor._backend()
    if a.size and a.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        if a.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(a.max()) + 1
    elif a.size and a.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = (a[..., None] == xp.arange(num_classes)).astype(xp.int64)
    return _wrap(out)


# ---- norms and distances -----------------------------------------------------------------
def _vector_norm(x, p, dim, keepdim):
    if p == 2:
        return (x * x).sum(dim, keepdim=keepdim).sqrt()
    if p == math.inf:
        return U.abs(x).amax(dim, keepdim=keepdim)
    if p == -math.inf:
        return U.abs(x).amin(dim, keepdim=keepdim)
    if p == 1:
        return U.abs(x).sum(dim, keepdim=keepdim)
    if p == 0:
        return (x != 0).to(x.dtype).sum(dim, keepdim=keepdim)
    return (U.abs(x) ** p).sum(dim, keepdim=keepdim) ** (1.0 / p)


def _clamped(n, eps):
    """``n`` clamped below at ``eps`` in value, with the gradient of ``n`` itself."""
    return n + (n.clamp(min=eps) - n).detach()


def pdist(input, p=2):
    """p-norm distances between all pairs of rows of an (N, M) input, as the N(N-1)/2 entries
    above the diagonal, row by row (``F.pdist``)."""
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    n = input.shape[0]
    xp = input._backend()
    i, j = xp.triu_indices(n, 1)
    return _vector_norm(input[_wrap(i)] - input[_wrap(j)], p, 1, False)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """x / max(||x||_p, eps) along ``dim`` (``F.normalize``)."""
    denom = _vector_norm(input, p, dim, True).clamp(min=eps)
    result = input / denom
    if out is not None:
        out.copy_(result)
        return out
    return result


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps)) along ``dim``."""
    if not eps >= 0:
        raise RuntimeError(f"eps must be non-negative, got: {eps:g}")
    n1 = _clamped(_vector_norm(x1, 2, dim, True), eps)
    n2 = _clamped(_vector_norm(x2, 2, dim, True), eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p along the last dim (``F.pairwise_distance``)."""
    nd = max(x1.dim(), x2.dim())
    return _vector_norm(x1 - x2 + eps, p, -1 if nd else 0, keepdim)


# ---- normalisation -----------------------------------------------------------------------
def _ch_shape(x):
    return (1, x.shape[1]) + (1,) * (x.dim() - 2)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Normalise over every dim but 1 (``F.batch_norm``): batch statistics in training (and
    the running estimates updated with ``momentum``), running statistics otherwise."""
    c = input.shape[1] if input.dim() > 1 else (input.shape[0] if input.dim() else 1)
    for name, p in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if p is not None and p.numel() != c:
            raise RuntimeError(f"{name} should contain {c} elements not {p.numel()}")
    _checks.check_param_dtypes(input, running_mean, running_var, weight, bias)
    if training:
        size = input.numel() // input.shape[1] if input.dim() > 1 else input.numel()
        if size <= 1:
            raise ValueError("Expected more than 1 value per channel when training, got input "
                             f"size {input.shape}")
        stats = []
        y = BatchNormOp.apply(input, weight, bias, eps=eps, stats=stats)
        if running_mean is not None or running_var is not None:
            mean, var = stats
            with no_grad():
                if running_mean is not None:
                    rm = running_mean._data
                    rm *= (1 - momentum)
                    rm += momentum * mean.astype(rm.dtype)
                    bump_version(running_mean)
                if running_var is not None:
                    rv = running_var._data
                    rv *= (1 - momentum)
                    rv += momentum * (var * (size / (size - 1))).astype(rv.dtype)
                    bump_version(running_var)
        return y
    if running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    shape = _ch_shape(input)
    # per-channel scale and shift first: two passes over the input instead of four
    scale = (running_var + eps).rsqrt()
    if weight is not None:
        scale = scale * weight
    shift = -running_mean * scale
    if bias is not None:
        shift = shift + bias
    return input * scale.reshape(shape) + shift.reshape(shape)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Normalise each (sample, channel) over its spatial dims (``F.instance_norm``)."""
    if use_input_stats and math.prod(input.shape[2:]) <= 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                         f"{list(input.shape)}")
    n, c = input.shape[0], input.shape[1]
    rest = tuple(input.shape[2:])
    x = input.reshape((1, n * c) + rest)
    rm = running_mean.repeat(n) if running_mean is not None else None
    rv = running_var.repeat(n) if running_var is not None else None
    w = weight.repeat(n) if weight is not None else None
    b = bias.repeat(n) if bias is not None else None
    y = batch_norm(x, rm, rv, w, b, use_input_stats, momentum, eps)
    if use_input_stats:
        with no_grad():
            if running_mean is not None:
                running_mean.copy_(rm.reshape(n, c).mean(0))
            if running_var is not None:
                running_var.copy_(rv.reshape(n, c).mean(0))
    return y.reshape(input.shape)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the trailing ``normalized_shape`` dims, then scale and shift
    elementwise (``F.layer_norm``)."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    ns = _checks.check_int_list("layer_norm", normalized_shape, "normalized_shape", 2)
    if not ns:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., "
                           "containing at least one element, but got normalized_shape = []")
    k = len(ns)
    if tuple(input.shape[input.dim() - k:]) != ns or input.dim() < k:
        raise RuntimeError(f"Given normalized_shape={list(ns)}, expected input with shape "
                           f"[*, {', '.join(map(str, ns))}], but got input of size"
                           f"{list(input.shape)}")
    if input._data.dtype.kind != "f":
        from ...ops._helpers import _cap
        raise RuntimeError(f"\"LayerNormKernelImpl\" not implemented for "
                           f"'{_cap(input.dtype)}'")
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and tuple(p.shape) != ns:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but "
                               f"got {name} of shape {list(p.shape)} and normalized_shape = "
                               f"{list(ns)}")
    _checks.check_param_dtypes(input, weight, bias)
    if weight is not None and weight._data.dtype != input._data.dtype:
        weight = weight.to(input.dtype)
    if bias is not None and bias._data.dtype != input._data.dtype:
        bias = bias.to(input.dtype)
    return LayerNormOp.apply(input, weight, bias, k=k, eps=eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x^2) + eps) over the trailing dims, times ``weight`` (``F.rms_norm``)."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    dims = tuple(range(-len(normalized_shape), 0))
    if eps is None:
        eps = float(input._backend().finfo(input._data.dtype).eps)
    y = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return y * weight if weight is not None else y


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise each group of channels per sample, then scale/shift per channel
    (``F.group_norm``)."""
    n, c = input.shape[0], input.shape[1]
    if c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, "
                           f"but got input of shape {list(input.shape)} and "
                           f"num_groups={num_groups}")
    x = input.reshape(n, num_groups, -1)
    mean = x.mean(-1, keepdim=True)
    xc = x - mean
    var = (xc * xc).mean(-1, keepdim=True)
    y = (xc * (var + eps).rsqrt()).reshape(input.shape)
    shape = _ch_shape(input)
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """x / (k + alpha/size * sum of x^2 over ``size`` neighbouring channels)^beta."""
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {dim} dimensions)")
    sq = input * input
    c = input.shape[1]
    pad_front, pad_back = size // 2, (size - 1) // 2
    zeros_f = C.zeros((input.shape[0], pad_front) + tuple(input.shape[2:]), dtype=input.dtype)
    zeros_b = C.zeros((input.shape[0], pad_back) + tuple(input.shape[2:]), dtype=input.dtype)
    from ...ops.joining import cat
    padded = cat([zeros_f, sq, zeros_b], 1)
    acc = padded.narrow(1, 0, c)
    for i in range(1, size):
        acc = acc + padded.narrow(1, i, c)
    div = (acc * (alpha / size) + k) ** beta
    return input / div
