"""Random chains of view ops vs PyTorch: shapes, strides, offsets, contiguity, values, writes."""
import random

import pytest

import ember
from core_parity import check_same

OPS = [
    lambda x, r: x.t() if x.dim() == 2 else x.transpose(0, -1),
    lambda x, r: x.unsqueeze(r.randint(0, x.dim())),
    lambda x, r: x.squeeze(),
    lambda x, r: x[1:] if x.dim() and x.shape[0] > 1 else x,
    lambda x, r: x[..., ::2] if x.dim() else x,
    lambda x, r: x.flatten() if x.is_contiguous() else x.reshape(-1),
    lambda x, r: x.permute(*reversed(range(x.dim()))),
    lambda x, r: x.select(0, 0) if x.dim() > 1 else x,
    lambda x, r: x.narrow(-1, 0, max(x.shape[-1] - 1, 1)) if x.dim() and x.shape[-1] else x,
    lambda x, r: x.movedim(0, -1) if x.dim() > 1 else x,
    lambda x, r: x.diagonal() if x.dim() >= 2 else x,
    lambda x, r: x.unfold(0, 1, 1) if x.dim() and x.shape[0] else x,
    lambda x, r: x[None],
    lambda x, r: x.view(-1) if x.is_contiguous() else x.contiguous(),
    lambda x, r: x.unflatten(0, (1, x.shape[0])) if x.dim() else x,
    lambda x, r: x.split(1, 0)[0] if x.dim() else x,
    lambda x, r: x.expand(2, *x.shape) if x.numel() < 100 else x,
    lambda x, r: x.swapaxes(0, 1) if x.dim() > 1 else x,
    lambda x, r: x.chunk(2, -1)[-1] if x.dim() else x,
    lambda x, r: x.mT if x.dim() > 1 else x,
    lambda x, r: x.clone(),
    lambda x, r: x.contiguous(),
    lambda x, r: x.unfold(-1, 2, 2) if x.dim() and x.shape[-1] >= 2 else x,
    lambda x, r: x[:, None] if x.dim() else x,
]


def _run(m, seq, seed):
    base = m.arange(60.0).reshape(3, 4, 5)
    x = base
    r = random.Random(seed)
    try:
        for i in seq:
            x = OPS[i](x, r)
        # strides of size-1 dims depend on the path taken, in PyTorch too: compare the others
        info = (tuple(x.shape), tuple(s for s, n in zip(x.stride(), x.shape) if n > 1),
                x.storage_offset(), x.is_contiguous(), x.clone(),
                tuple(s for s, n in zip(x.clone().stride(), x.shape) if n > 1))
        try:
            x.add_(1000)
            wrote = base.clone()
        except RuntimeError:
            wrote = "RuntimeError"
        return info, wrote
    except Exception as e:  # both libraries must fail the same way
        return type(e).__name__


@pytest.mark.parametrize("chunk", range(6))
def test_random_view_chains(chunk, torch_mod):
    failures = []
    for trial in range(chunk * 100, chunk * 100 + 100):
        gen = random.Random(10_000 + trial)
        seq = [gen.randrange(len(OPS)) for _ in range(gen.randint(1, 5))]
        try:
            check_same(_run(ember, seq, trial), _run(torch_mod, seq, trial))
        except AssertionError as e:
            failures.append(f"{seq}: {e}")
    assert not failures, "\n".join(failures[:10])
