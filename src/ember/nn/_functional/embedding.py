"""torch.nn.functional's lookups: embedding (max_norm renormalisation, scale_grad_by_freq),
embedding_bag, one_hot."""
import math

from ... import _checks, _dtype as D
from ..._tensor import _wrap
from ...autograd.grad_mode import no_grad
from ...ops import creation as C
from ...ops.nn_basic import EmbeddingOp
from ..._backend import bump_version

from ...autograd.function import Function  # noqa: E402

__all__ = ["embedding", "one_hot", "embedding_bag"]


# ---- embedding / one_hot -----------------------------------------------------------------
def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` selected by integer ``input`` (``F.embedding``)."""
    num = weight.shape[0] if weight.dim() else 1
    if padding_idx is not None:  # checked first, as PyTorch's Python wrapper does
        if padding_idx > 0:
            if padding_idx >= num:
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -num:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = num + padding_idx
        padding_idx = _checks.check_int("embedding", padding_idx, "padding_idx", 3)
    if input.dtype not in (D.int64, D.int32):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following "
                           "scalar types: Long, Int; but got "
                           f"{input.type()} instead (while checking arguments for embedding)")
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
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
