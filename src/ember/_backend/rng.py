"""Random streams for the backend seam: NumPy's PCG64 generators and the host-side sampling
kernels built on them. Samples are drawn on the host and moved to the tensor's device by the
caller, so one seed gives the same numbers on every device.
"""
import pickle

import numpy as np

__all__ = ["new_stream", "entropy_seed", "stream_state", "restore_stream", "bernoulli_draw",
           "multinomial_draw", "gamma_draw", "binomial_draw"]


def new_stream(seed):
    """A fresh generator (NumPy ``Generator`` over ``PCG64``) seeded with ``seed``."""
    return np.random.Generator(np.random.PCG64(seed))


def entropy_seed():
    """A 64-bit seed from OS entropy."""
    return int(np.random.SeedSequence().entropy) & 0xFFFF_FFFF_FFFF_FFFF


def stream_state(seed, stream):
    """The seed and generator state as a uint8 NumPy array (``Generator.get_state``)."""
    blob = pickle.dumps((seed, stream.bit_generator.state))
    return np.frombuffer(blob, dtype=np.uint8).copy()


def restore_stream(stream, state_bytes):
    """Restore ``stream`` from ``stream_state``'s bytes; returns the seed they held."""
    seed, state = pickle.loads(state_bytes)
    stream.bit_generator.state = state
    return seed


def bernoulli_draw(stream, shape, probs=None, p=None):
    """Booleans of ``shape``, True with probability ``probs`` (host array) or scalar ``p``;
    RuntimeError (PyTorch's text) when a probability is outside [0, 1]."""
    probs = np.full(shape, p) if probs is None else np.asarray(probs)
    if probs.size and (bool((probs < 0).any()) or bool((probs > 1).any())):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    return stream.random(shape) < probs


def multinomial_draw(stream, probs, num_samples, replacement):
    """int64 indices sampled from each row of host array ``probs`` (unnormalised weights),
    with or without replacement, as ``torch.multinomial``."""
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if bool((probs < 0).any()) or not np.isfinite(probs).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    rows = probs.reshape(-1, probs.shape[-1])
    n_cat = rows.shape[1]
    if not replacement and num_samples > n_cat:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    result = np.empty((rows.shape[0], num_samples), dtype=np.int64)
    for i, row in enumerate(rows):
        total = row.sum()
        if total <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        if replacement:
            cdf = np.cumsum(row / total)
            result[i] = np.minimum(np.searchsorted(cdf, stream.random(num_samples), side="right"),
                                   n_cat - 1)
        else:
            # Gumbel-top-k: sampling without replacement, proportional to the weights
            with np.errstate(divide="ignore"):
                keys = np.log(row) - np.log(-np.log(stream.random(n_cat)))
            result[i] = np.argsort(-keys, kind="stable")[:num_samples]
    return result.reshape(probs.shape[:-1] + (num_samples,))


def gamma_draw(stream, concentration):
    """Standard gamma samples (rate 1), one per element of host array ``concentration``, in
    its float dtype; underflowed zeros are raised to the dtype's smallest normal number, so
    logs of the samples stay finite (as ``torch._standard_gamma``'s callers clamp them)."""
    conc = np.asarray(concentration)
    out = stream.standard_gamma(conc.astype(np.float64)).astype(conc.dtype, copy=False)
    return np.maximum(out, np.finfo(conc.dtype).tiny)


def binomial_draw(stream, total_count, probs):
    """Binomial counts for host arrays ``total_count`` and ``probs`` (broadcast together), as
    floats of ``probs``' dtype (``torch.binomial``)."""
    probs = np.asarray(probs)
    n = np.asarray(total_count).astype(np.int64)
    return stream.binomial(n, probs.astype(np.float64)).astype(probs.dtype, copy=False)
