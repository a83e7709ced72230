"""Shared helpers of the API-surface tests (test_api_surface*.py and
test_layers_losses_optimizers_parity.py): signature comparison against real PyTorch, the
same-exception check, and the table of layer constructors."""
import inspect

import pytest

import ember


def _params(fn):
    try:
        return inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return None


def _opaque(ps):
    """True when a signature is just (*args, **kwargs) (torch's C bindings / overloads)."""
    return (
        ps is None
        or any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in ps.values())
        and all(
            p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or p.name == "self" for p in ps.values()
        )
    )


def _same_default(a, b):
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return list(a) == list(b)
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-12 * max(1.0, abs(a))
    try:
        return bool(a == b) or repr(a) == repr(b)
    except Exception:
        return False


# torch defaults that are equivalent but spelled differently in Ember (documented deviations)
_DEFAULT_EQUIVALENT = {
    "activation",  # transformer layers: torch gives F.relu, Ember the string 'relu' (both accepted)
    "generator",  # random_split: torch's default_generator object vs None (= the default one)
    "pickle_module",  # save: the pickle module vs None (= pickle)
    "weights_only",  # load: None resolves to True in torch 2.6+, Ember spells True
    "mmap",  # load: None means False
    "device",
    "dtype",
}


def _check_signature(tag, tfn, efn, skip_first=False, check_defaults=True):
    """Every torch parameter exists in Ember's signature, in torch's order, with torch's default."""
    tps, eps = _params(tfn), _params(efn)
    assert eps is not None, f"{tag}: Ember has no inspectable signature"
    if _opaque(tps):
        return
    tnames = [n for n, p in tps.items() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    enames = [n for n, p in eps.items() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if skip_first:
        tnames, enames = tnames[1:], enames[1:]
    e_has_kwargs = any(p.kind == p.VAR_KEYWORD for p in eps.values())
    missing = [n for n in tnames if n not in enames]
    if e_has_kwargs:
        missing = []
    assert not missing, f"{tag}: missing parameters {missing} (torch {tnames}, ember {enames})"
    order = [n for n in enames if n in tnames]
    if not e_has_kwargs:
        assert order == tnames, f"{tag}: parameter order torch {tnames} vs ember {enames}"
    if not check_defaults:
        return
    for n in tnames:
        if n in _DEFAULT_EQUIVALENT or n not in eps:
            continue
        a, b = tps[n].default, eps[n].default
        assert _same_default(a, b), f"{tag}.{n}: default torch={a!r} ember={b!r}"


def _split(s):
    return s.split()


def _raises_like(fn):
    """Run ``fn`` under torch and Ember; both raise the same exception type and message."""
    import torch
    with pytest.raises(Exception) as te:
        fn(torch)
    with pytest.raises(Exception) as ee:
        fn(ember)
    assert type(ee.value).__name__ == type(te.value).__name__, (te.value, ee.value)
    return str(te.value), str(ee.value)


# layer constructors: (class name, args, kwargs) -- state_dict keys, shapes and dtypes must match
LAYERS = [
    ("Linear", (4, 3), {}),
    ("Linear", (4, 3), {"bias": False}),
    ("Bilinear", (2, 3, 4), {}),
    ("Conv1d", (2, 4, 3), {}),
    ("Conv2d", (2, 4, 3), {"groups": 2, "padding": "same"}),
    ("Conv3d", (2, 4, 3), {"bias": False}),
    ("ConvTranspose1d", (2, 4, 3), {}),
    ("ConvTranspose2d", (4, 2, 3), {"groups": 2}),
    ("BatchNorm1d", (5,), {}),
    ("BatchNorm2d", (5,), {"affine": False}),
    ("BatchNorm2d", (5,), {"track_running_stats": False}),
    ("LayerNorm", ((3, 4),), {}),
    ("GroupNorm", (2, 4), {}),
    ("InstanceNorm2d", (4,), {}),
    ("InstanceNorm2d", (4,), {"affine": True, "track_running_stats": True}),
    ("Embedding", (10, 3), {"padding_idx": 0}),
    ("EmbeddingBag", (10, 3), {}),
    ("PReLU", (), {}),
    ("PReLU", (3,), {}),
    ("RNN", (3, 4), {"num_layers": 2, "bidirectional": True}),
    ("LSTM", (3, 4), {"num_layers": 2}),
    ("LSTM", (3, 4), {"proj_size": 2}),
    ("GRU", (3, 4), {"bias": False, "bidirectional": True}),
    ("RNNCell", (3, 4), {}),
    ("LSTMCell", (3, 4), {}),
    ("GRUCell", (3, 4), {}),
    ("MultiheadAttention", (8, 2), {}),
    ("MultiheadAttention", (8, 2), {"kdim": 3, "vdim": 5}),
    ("TransformerEncoderLayer", (8, 2), {"dim_feedforward": 16}),
    ("TransformerDecoderLayer", (8, 2), {"dim_feedforward": 16, "norm_first": True}),
]
