"""Variable-length sequences: PackedSequence, pack/pad helpers (``torch.nn.utils.rnn``)."""
from collections import namedtuple

import numpy as np

from ..._tensor import Tensor
from ...ops.creation import tensor as _tensor, full
from ...ops.joining import cat, stack

__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
           "pack_sequence", "unpad_sequence", "unpack_sequence", "invert_permutation"]

_Packed = namedtuple("PackedSequence", ["data", "batch_sizes", "sorted_indices",
                                        "unsorted_indices"])


class PackedSequence(_Packed):
    """Sequences of different lengths packed time-major: ``data`` holds step 0 of every
    sequence, then step 1 of those still running, ...; ``batch_sizes[t]`` is how many run at t.
    ``sorted_indices`` orders the batch by decreasing length; ``unsorted_indices`` undoes it."""
    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        """Move/cast ``data`` (indices follow the device only)."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        dev = data.device
        idx = [None if t is None else t.to(dev) for t in (self.sorted_indices,
                                                          self.unsorted_indices)]
        return type(self)(data, self.batch_sizes, *idx)

    def cpu(self):
        """This sequence with ``data`` on the CPU."""
        return self.to("cpu")

    def double(self):
        """This sequence with float64 ``data``."""
        return self.to(dtype=__import__("ember").float64)

    def float(self):
        """This sequence with float32 ``data``."""
        return self.to(dtype=__import__("ember").float32)

    @property
    def is_cuda(self):
        """Whether ``data`` lives on a CUDA device."""
        return self.data.is_cuda

    def is_pinned(self):
        """Always False (no pinned memory)."""
        return False


def invert_permutation(permutation):
    """The inverse of a permutation given as an int64 tensor (None stays None)."""
    if permutation is None:
        return None
    inv = np.empty(permutation.shape[0], dtype=np.int64)
    inv[permutation.numpy()] = np.arange(permutation.shape[0])
    return _tensor(inv, device=permutation.device)


def _lengths_array(lengths):
    if isinstance(lengths, Tensor):
        return lengths.detach().cpu().numpy().astype(np.int64).reshape(-1)
    return np.asarray(list(lengths), dtype=np.int64).reshape(-1)


def packed_rows(lengths_sorted):
    """For sorted lengths: batch_sizes and, per packed row, its (t, b) position."""
    T = int(lengths_sorted[0]) if len(lengths_sorted) else 0
    steps = np.arange(T)
    batch_sizes = (lengths_sorted[None, :] > steps[:, None]).sum(1)
    t_idx = np.repeat(steps, batch_sizes)
    b_idx = np.concatenate([np.arange(b) for b in batch_sizes]) if T else np.zeros(0, np.int64)
    return batch_sizes.astype(np.int64), t_idx, b_idx


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded (T, B, *) batch (or (B, T, *) with ``batch_first``) of sequences with the
    given ``lengths``; unsorted lengths need ``enforce_sorted=False``."""
    lens = _lengths_array(lengths)
    if batch_first:
        input = input.transpose(0, 1)
    if len(lens) != input.shape[1]:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{len(lens)} (batch_size={input.shape[1]})")
    if enforce_sorted:
        if np.any(np.diff(lens) > 0):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                               "`enforce_sorted` is True. You can pass `enforce_sorted=False` to "
                               "pack_padded_sequence and/or pack_sequence to sidestep this "
                               "requirement if you do not need ONNX exportability.")
        sorted_indices = None
        order = np.arange(len(lens))
    else:
        order = np.argsort(-lens, kind="stable")
        sorted_indices = _tensor(order.astype(np.int64), device=input.device)
    lens_sorted = lens[order]
    if len(lens_sorted) and lens_sorted[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element "
                           "in 'lengths' that is <= 0")
    if len(lens_sorted) and lens_sorted[0] > input.shape[0]:
        raise RuntimeError(f"Expected sequence length to be larger than or equal to "
                           f"{lens_sorted[0]}, but got {input.shape[0]}")
    batch_sizes, t_idx, b_idx = packed_rows(lens_sorted)
    flat = input.reshape((input.shape[0] * input.shape[1],) + tuple(input.shape[2:]))
    rows = t_idx * input.shape[1] + order[b_idx]
    data = flat[_tensor(rows, device=input.device)]
    return PackedSequence(data, _tensor(batch_sizes), sorted_indices,
                          invert_permutation(sorted_indices))


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Inverse of ``pack_padded_sequence``: (padded (T, B, *), lengths int64 tensor)."""
    data, bsz = sequence.data, sequence.batch_sizes.numpy().astype(np.int64)
    T, B = len(bsz), int(bsz[0])
    if total_length is not None:
        if total_length < T:
            raise ValueError(f"Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {T}")
        T = total_length
    steps = np.arange(len(bsz))
    t_idx = np.repeat(steps, bsz)
    b_idx = np.concatenate([np.arange(b) for b in bsz])
    lens_sorted = (bsz[None, :] > np.arange(B)[:, None]).sum(1)
    # padded position of each packed row; everything else takes the padding value
    pos = t_idx * B + b_idx
    src = np.full(T * B, data.shape[0], dtype=np.int64)
    src[pos] = np.arange(data.shape[0])
    pad_row = full((1,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype,
                   device=data.device)
    padded = cat([data, pad_row])[_tensor(src, device=data.device)]
    padded = padded.reshape((T, B) + tuple(data.shape[1:]))
    lengths = lens_sorted
    if sequence.unsorted_indices is not None:
        unsorted = sequence.unsorted_indices
        padded = padded.index_select(1, unsorted)
        lengths = lens_sorted[unsorted.numpy()]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, _tensor(lengths.astype(np.int64))


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack tensors of shape (L_i, *) into (max L, B, *) (or (B, max L, *)), padding the
    ends (``padding_side='right'``) or starts with ``padding_value``."""
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got "
                         f"{padding_side}.")
    if isinstance(sequences, Tensor):
        sequences = list(sequences.unbind(0))
    T = max(s.shape[0] for s in sequences)
    out = []
    for s in sequences:
        extra = T - s.shape[0]
        if extra:
            pad = full((extra,) + tuple(s.shape[1:]), padding_value, dtype=s.dtype,
                       device=s.device)
            s = cat([s, pad]) if padding_side == "right" else cat([pad, s])
        out.append(s)
    return stack(out, 0 if batch_first else 1)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Split a padded batch back into a list of unpadded tensors."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [seq[:int(n)] for seq, n in zip(padded_sequences.unbind(0), _lengths_array(lengths))]


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of (L_i, *) tensors (``pad_sequence`` then ``pack_padded_sequence``)."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """Inverse of ``pack_sequence``: the list of tensors."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
