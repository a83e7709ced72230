"""ember.utils.data: datasets, samplers, random_split and collation (no worker processes)."""
import collections
import math

import numpy as np
import pytest

import ember
from ember.testing import assert_close
from ember.utils.data import (Dataset, IterableDataset, TensorDataset, ConcatDataset,
                              ChainDataset, Subset, StackDataset, random_split, SequentialSampler,
                              RandomSampler, SubsetRandomSampler, WeightedRandomSampler,
                              BatchSampler, DistributedSampler, default_collate,
                              default_convert, get_worker_info)


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        if i >= self.n:
            raise IndexError(i)
        return i * i

    def __len__(self):
        return self.n


class Count(IterableDataset):
    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    def __iter__(self):
        return iter(range(self.lo, self.hi))

    def __len__(self):
        return self.hi - self.lo


def test_tensor_dataset_items_and_getitems():
    x = ember.randn(10, 3)
    y = ember.arange(10)
    ds = TensorDataset(x, y)
    assert len(ds) == 10
    a, b = ds[4]
    assert_close(a, x[4])
    assert b.item() == 4
    items = ds.__getitems__([3, 1, 7])
    assert len(items) == 3
    for (xi, yi), i in zip(items, [3, 1, 7]):
        assert_close(xi, x[i])
        assert yi.item() == i
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(x, ember.arange(9))


def test_concat_chain_subset_stack():
    c = Squares(3) + Squares(4)
    assert isinstance(c, ConcatDataset)
    assert len(c) == 7 and c.cumulative_sizes == [3, 7]
    assert [c[i] for i in range(7)] == [0, 1, 4, 0, 1, 4, 9]
    assert c[-1] == 9
    with pytest.raises(ValueError, match="absolute value of index"):
        c[-8]
    ch = Count(0, 3) + Count(10, 12)
    assert isinstance(ch, ChainDataset)
    assert list(ch) == [0, 1, 2, 10, 11] and len(ch) == 5
    s = Subset(Squares(10), [9, 2, 5])
    assert len(s) == 3 and [s[i] for i in range(3)] == [81, 4, 25]
    assert s.__getitems__([0, 2]) == [81, 25]
    st = StackDataset(Squares(3), Squares(3))
    assert st[2] == (4, 4) and len(st) == 3
    sd = StackDataset(a=Squares(3), b=Squares(3))
    assert sd[1] == {"a": 1, "b": 1}
    with pytest.raises(ValueError, match="Size mismatch"):
        StackDataset(Squares(3), Squares(4))


def test_random_split_lengths_and_fractions(torch_mod):
    ds = Squares(10)
    g = ember.Generator().manual_seed(3)
    a, b = random_split(ds, [3, 7], generator=g)
    assert len(a) == 3 and len(b) == 7
    assert sorted(list(a.indices) + list(b.indices)) == list(range(10))
    parts = random_split(Squares(11), [0.5, 0.3, 0.2])
    tparts = torch_mod.utils.data.random_split(range(11), [0.5, 0.3, 0.2])
    assert [len(p) for p in parts] == [len(p) for p in tparts]
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(ds, [3, 3])
    g1 = ember.Generator().manual_seed(5)
    g2 = ember.Generator().manual_seed(5)
    assert random_split(ds, [5, 5], g1)[0].indices == random_split(ds, [5, 5], g2)[0].indices


def test_samplers():
    ds = Squares(10)
    assert list(SequentialSampler(ds)) == list(range(10))
    g = ember.Generator().manual_seed(0)
    perm = list(RandomSampler(ds, generator=g))
    assert sorted(perm) == list(range(10))
    r = list(RandomSampler(ds, replacement=True, num_samples=70, generator=g))
    assert len(r) == 70 and all(0 <= i < 10 for i in r)
    r2 = list(RandomSampler(ds, num_samples=25, generator=g))
    assert len(r2) == 25 and sorted(r2[:10]) == list(range(10))
    g1, g2 = ember.Generator().manual_seed(7), ember.Generator().manual_seed(7)
    assert list(RandomSampler(ds, generator=g1)) == list(RandomSampler(ds, generator=g2))
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, "
                                         "but got num_samples=0"):
        RandomSampler(ds, num_samples=0)
    with pytest.raises(TypeError, match="replacement should be a boolean value"):
        RandomSampler(ds, replacement=1)
    sub = list(SubsetRandomSampler([4, 6, 8], generator=g))
    assert sorted(sub) == [4, 6, 8]
    w = list(WeightedRandomSampler([0.0, 0.0, 1.0, 0.0], 20, generator=g))
    assert w == [2] * 20
    w2 = list(WeightedRandomSampler([1.0, 1.0, 1.0], 3, replacement=False, generator=g))
    assert sorted(w2) == [0, 1, 2]
    assert list(BatchSampler(range(7), 3, False)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(BatchSampler(range(7), 3, True)) == [[0, 1, 2], [3, 4, 5]]
    assert len(BatchSampler(range(7), 3, False)) == 3 and len(BatchSampler(range(7), 3, True)) == 2
    with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
        BatchSampler(range(3), 0, False)


def test_distributed_sampler_matches_torch_partitioning(torch_mod):
    ds = Squares(11)
    for drop_last in (False, True):
        shards = [list(DistributedSampler(ds, num_replicas=3, rank=r, shuffle=False,
                                          drop_last=drop_last)) for r in range(3)]
        tshards = [list(torch_mod.utils.data.DistributedSampler(
            range(11), num_replicas=3, rank=r, shuffle=False, drop_last=drop_last))
            for r in range(3)]
        assert shards == tshards
    s = DistributedSampler(ds, num_replicas=2, rank=0, shuffle=True, seed=1)
    e0 = list(s)
    s.set_epoch(1)
    e1 = list(s)
    s.set_epoch(0)
    assert list(s) == e0 and e0 != e1 and len(s) == 6
    other = list(DistributedSampler(ds, num_replicas=2, rank=1, shuffle=True, seed=1))
    assert sorted(set(e0) | set(other)) == list(range(11))
    with pytest.raises(ValueError, match="Invalid rank 2"):
        DistributedSampler(ds, num_replicas=2, rank=2)


Point = collections.namedtuple("Point", ["x", "y"])


def test_default_collate_structures(torch_mod):
    T = torch_mod
    batch = [{"a": np.ones(2, dtype=np.float32) * i, "b": i, "c": float(i), "s": str(i),
              "p": Point(i, ember.tensor([i, i]))} for i in range(3)]
    out = default_collate(batch)
    tb = [{"a": np.ones(2, dtype=np.float32) * i, "b": i, "c": float(i), "s": str(i),
           "p": Point(i, T.tensor([i, i]))} for i in range(3)]
    tout = T.utils.data.default_collate(tb)
    assert_close(out["a"], tout["a"].numpy())
    assert out["a"].dtype == ember.float32
    assert out["b"].dtype == ember.int64 and out["b"].tolist() == tout["b"].tolist()
    assert out["c"].dtype == ember.float64 and out["c"].tolist() == tout["c"].tolist()
    assert out["s"] == ["0", "1", "2"]
    assert isinstance(out["p"], Point)
    assert out["p"].y.tolist() == tout["p"].y.tolist()
    tup = default_collate([(ember.tensor(1.0), 2), (ember.tensor(3.0), 4)])
    assert isinstance(tup, list) and tup[0].tolist() == [1.0, 3.0] and tup[1].tolist() == [2, 4]
    lst = default_collate([[1, 2], [3, 4]])
    assert isinstance(lst, list) and [t.tolist() for t in lst] == [[1, 3], [2, 4]]
    assert default_collate([np.float64(1.5), np.float64(2.5)]).dtype == ember.float64
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors"):
        default_collate([np.array(["a"]), np.array(["b"])])
    with pytest.raises(TypeError):
        default_collate([object(), object()])
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        default_collate([ember.zeros(2), ember.zeros(3)])


def test_default_convert():
    out = default_convert({"a": np.arange(3), "b": [np.float32(2.0), "x"], "c": 5})
    assert isinstance(out["a"], ember.Tensor) and out["a"].tolist() == [0, 1, 2]
    assert isinstance(out["b"][0], ember.Tensor) and out["b"][1] == "x"
    assert out["c"] == 5
    assert get_worker_info() is None


def test_single_process_loader_matches_manual_batches(torch_mod):
    x = ember.randn(23, 4)
    y = ember.arange(23)
    ds = TensorDataset(x, y)
    dl = ember.utils.data.DataLoader(ds, batch_size=5)
    assert len(dl) == 5
    got = list(dl)
    for k, (bx, by) in enumerate(got):
        assert_close(bx, x[k * 5:(k + 1) * 5])
        assert by.tolist() == list(range(k * 5, min(23, k * 5 + 5)))
    dl2 = ember.utils.data.DataLoader(ds, batch_size=5, drop_last=True)
    assert len(dl2) == 4 and len(list(dl2)) == 4
    g1, g2 = ember.Generator().manual_seed(4), ember.Generator().manual_seed(4)
    a = [b[1].tolist() for b in ember.utils.data.DataLoader(ds, 6, shuffle=True, generator=g1)]
    b = [b[1].tolist() for b in ember.utils.data.DataLoader(ds, 6, shuffle=True, generator=g2)]
    assert a == b and sorted(sum(a, [])) == list(range(23))
    # the fast TensorDataset path gives what collating sample by sample gives
    slow = list(ember.utils.data.DataLoader(ds, batch_size=5, collate_fn=lambda s:
                                            default_collate(s)))
    for (fx, fy), (sx, sy) in zip(got, slow):
        assert_close(fx, sx)
        assert fy.tolist() == sy.tolist() and fy.dtype == sy.dtype
    none = list(ember.utils.data.DataLoader(Squares(4), batch_size=None))
    assert none == [0, 1, 4, 9]
    it = list(ember.utils.data.DataLoader(Count(0, 7), batch_size=3))
    assert [t.tolist() for t in it] == [[0, 1, 2], [3, 4, 5], [6]]
    assert len(ember.utils.data.DataLoader(Count(0, 7), batch_size=3)) == 3
    tdl = torch_mod.utils.data.DataLoader(range(7), batch_size=3, drop_last=True)
    assert len(ember.utils.data.DataLoader(Squares(7), batch_size=3, drop_last=True)) == len(tdl)


def test_loader_argument_errors():
    DL = ember.utils.data.DataLoader
    ds = Squares(4)
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DL(ds, shuffle=True, sampler=SequentialSampler(ds))
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DL(ds, batch_size=2, batch_sampler=BatchSampler(range(4), 2, False))
    with pytest.raises(ValueError, match="num_workers option should be non-negative"):
        DL(ds, num_workers=-1)
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        DL(Count(0, 3), shuffle=True)
    with pytest.raises(ValueError, match="prefetch_factor option could only be specified"):
        DL(ds, prefetch_factor=2)
    with pytest.raises(ValueError, match="multiprocessing_context can only be used with "
                                         "multi-process loading"):
        DL(ds, multiprocessing_context="fork")
    with pytest.raises(ValueError, match="multiprocessing_context option should specify a valid"):
        DL(ds, num_workers=1, multiprocessing_context="nope")
    bs = DL(ds, batch_sampler=BatchSampler(range(4), 3, False))
    assert list(map(lambda t: t.tolist(), bs)) == [[0, 1, 4], [9]]
    assert math.isclose(len(bs), 2)


def test_iterator_draws_one_base_seed_from_generator():
    def nxt(g):
        return ember.empty((), dtype=ember.int64).random_(generator=g).item()
    g = ember.Generator().manual_seed(0)
    iter(ember.utils.data.DataLoader(Squares(5), generator=g))
    ref = ember.Generator().manual_seed(0)
    nxt(ref)
    assert nxt(g) == nxt(ref)
