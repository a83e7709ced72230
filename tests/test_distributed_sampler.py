"""DistributedSampler: torch's split of the indices across replicas (padding by repeating, or
trimming with drop_last) and its set_epoch reshuffling; no MPI needed (num_replicas/rank given)."""
import pytest

from ember.utils.data import DistributedSampler
from conftest import requires_torch


def shares(n, replicas, epoch=0, **kw):
    out = []
    for rank in range(replicas):
        s = DistributedSampler(range(n), num_replicas=replicas, rank=rank, **kw)
        s.set_epoch(epoch)
        out.append(list(s))
        assert len(s) == len(out[-1])
    return out


@requires_torch
@pytest.mark.parametrize("n", [1, 2, 10, 11, 12])
@pytest.mark.parametrize("drop_last", [False, True])
def test_unshuffled_split_matches_torch(n, drop_last):
    from torch.utils.data import DistributedSampler as TorchSampler
    for replicas in (2, 3):
        want = [list(TorchSampler(range(n), num_replicas=replicas, rank=r, shuffle=False,
                                  drop_last=drop_last)) for r in range(replicas)]
        assert shares(n, replicas, shuffle=False, drop_last=drop_last) == want


@pytest.mark.parametrize("n, replicas", [(10, 3), (11, 2), (7, 4)])
def test_shuffled_split_covers_the_dataset_and_reshuffles_per_epoch(n, replicas):
    first = shares(n, replicas, epoch=0)
    assert sorted(set(i for part in first for i in part)) == list(range(n))
    assert all(len(p) == -(-n // replicas) for p in first)  # padded to equal shares
    assert shares(n, replicas, epoch=0) == first              # same seed + epoch: same order
    assert shares(n, replicas, epoch=1) != first              # set_epoch reshuffles
    assert shares(n, replicas, epoch=0, seed=5) != first
    dropped = shares(n, replicas, epoch=0, drop_last=True)
    flat = [i for part in dropped for i in part]
    assert len(flat) == len(set(flat)) == (n // replicas) * replicas


def test_bad_rank():
    with pytest.raises(ValueError, match=r"Invalid rank 3, rank should be in the interval \[0, 2\]"):
        DistributedSampler(range(4), num_replicas=3, rank=3)
