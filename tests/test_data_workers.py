"""DataLoader with worker processes: fork and spawn, seeding, errors, shutdown, /dev/shm leaks."""
import gc
import os
import random
import signal
import time

import numpy as np
import pytest

import ember
from ember.testing import assert_close
from ember.utils.data import (DataLoader, Dataset, IterableDataset, TensorDataset,
                              get_worker_info)

from mp_util import no_leaks  # noqa: F401 (a fixture)


class RandomDraws(Dataset):
    """Each sample reports the worker id and draws from the three RNGs."""

    def __len__(self):
        return 8

    def __getitem__(self, i):
        info = get_worker_info()
        return (info.id if info else -1, random.random(), float(np.random.rand()),
                ember.rand(1).item())


class Failing(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 5:
            raise ValueError(f"bad sample {i}")
        return i


class Killer(Dataset):
    def __len__(self):
        return 100

    def __getitem__(self, i):
        if i == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        return ember.zeros(4)


class Slow(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        time.sleep(1)
        return i


class Shards(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = get_worker_info()
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))


def test_fork_workers_match_single_process(no_leaks):
    x = ember.randn(37, 3)
    y = ember.arange(37)
    ds = TensorDataset(x, y)
    ref = list(DataLoader(ds, batch_size=4))
    got = list(DataLoader(ds, batch_size=4, num_workers=2, multiprocessing_context="fork",
                          prefetch_factor=1, pin_memory=True))
    assert len(got) == len(ref) == 10
    for (a, b), (c, d) in zip(ref, got):
        assert_close(c, a)
        assert d.tolist() == b.tolist() and d.dtype == ember.int64
        assert c.is_shared()
    out_of_order = list(DataLoader(ds, batch_size=4, num_workers=2, in_order=False,
                                   multiprocessing_context="fork"))
    assert sorted(sum((b[1].tolist() for b in out_of_order), [])) == list(range(37))
    # generic datasets collate sample by sample in the worker, straight into shared memory
    samples = list(DataLoader(RandomDraws(), batch_size=4, num_workers=2,
                              multiprocessing_context="fork"))
    assert samples[0][0].tolist() == [0] * 4 and samples[1][0].tolist() == [1] * 4
    assert samples[0][1].is_shared()
    del ref, got, out_of_order, samples


def test_worker_seeds_differ_and_are_reproducible(no_leaks):
    def draws(seed):
        g = ember.Generator().manual_seed(seed)
        dl = DataLoader(RandomDraws(), batch_size=2, num_workers=2, generator=g,
                        multiprocessing_context="fork")
        return [tuple(round(v, 12) for v in t.tolist()) for b in dl for t in b[1:]]
    a, b, c = draws(0), draws(0), draws(1)
    assert a == b and a != c
    by_worker = list(DataLoader(RandomDraws(), batch_size=None, num_workers=2,
                                multiprocessing_context="fork"))
    w0 = [s for s in by_worker if s[0] == 0]
    w1 = [s for s in by_worker if s[0] == 1]
    for k in (1, 2, 3):  # random, numpy and ember streams differ between workers
        assert [s[k] for s in w0] != [s[k] for s in w1]
    seeds = list(DataLoader(_SeedReport(), batch_size=None, num_workers=2,
                            generator=ember.Generator().manual_seed(9),
                            multiprocessing_context="fork"))
    assert seeds[1] - seeds[0] == 1


_INIT = []


def _init_worker(worker_id):
    _INIT.append(worker_id * 10 + get_worker_info().id)


class _InitReport(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return list(_INIT)


def test_worker_init_fn_and_context_object(no_leaks):
    import multiprocessing
    dl = DataLoader(_InitReport(), batch_size=None, num_workers=2, worker_init_fn=_init_worker,
                    multiprocessing_context=multiprocessing.get_context("fork"))
    assert sorted(map(tuple, dl)) == [(0,), (0,), (11,), (11,)]
    assert _INIT == []  # ran in the workers only


class _SeedReport(Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        return get_worker_info().seed


def test_worker_exception_reraised_with_traceback(no_leaks):
    dl = DataLoader(Failing(), batch_size=2, num_workers=2, multiprocessing_context="fork")
    with pytest.raises(ValueError, match="Caught ValueError in DataLoader worker process") as e:
        list(dl)
    assert "bad sample 5" in str(e.value) and "Traceback" in str(e.value)


def test_killed_worker_raises_instead_of_hanging(no_leaks):
    dl = DataLoader(Killer(), batch_size=2, num_workers=2, multiprocessing_context="fork")
    t = time.time()
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid \d+\) is killed by "
                                           r"signal: Killed\."):
        list(dl)
    assert time.time() - t < 20


def test_timeout(no_leaks):
    dl = DataLoader(Slow(), batch_size=1, num_workers=1, timeout=0.5,
                    multiprocessing_context="fork")
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.5 seconds"):
        next(iter(dl))


def test_lambda_collate_fork_ok_and_early_drop_shuts_down(no_leaks):
    ds = TensorDataset(ember.arange(40.))
    dl = DataLoader(ds, batch_size=4, num_workers=2, multiprocessing_context="fork",
                    collate_fn=lambda s: ember.stack([t[0] for t in s]) * 2)
    it = iter(dl)
    first = next(it)
    assert first.tolist() == [0.0, 2.0, 4.0, 6.0]
    workers = list(it._workers)
    del it, first
    gc.collect()
    for w in workers:
        w.join(5)
        assert not w.is_alive()


def test_iterable_sharding_and_persistent_workers(no_leaks):
    dl = DataLoader(Shards(10), batch_size=2, num_workers=2, multiprocessing_context="fork")
    got = sorted(sum((b.tolist() for b in dl), []))
    assert got == list(range(10))
    pdl = DataLoader(TensorDataset(ember.arange(10.)), batch_size=3, num_workers=2,
                     persistent_workers=True, multiprocessing_context="fork")
    e1 = [b[0].tolist() for b in pdl]
    it1 = pdl._iterator
    e2 = [b[0].tolist() for b in pdl]
    assert e1 == e2 and len(e1) == 4 and pdl._iterator is it1
    it1._shutdown_workers()
    del it1, pdl


def test_spawn_workers_and_lambda_error(no_leaks):
    ds = TensorDataset(ember.arange(12.).reshape(6, 2), ember.arange(6))
    got = list(DataLoader(ds, batch_size=2, num_workers=2, multiprocessing_context="spawn"))
    assert [b[1].tolist() for b in got] == [[0, 1], [2, 3], [4, 5]]
    assert_close(got[2][0], ember.tensor([[8.0, 9.0], [10.0, 11.0]]))
    with pytest.raises(AttributeError, match="collate_fn can't be sent to worker processes "
                                             "started with the 'spawn' start method"):
        iter(DataLoader(ds, batch_size=2, num_workers=1, multiprocessing_context="spawn",
                        collate_fn=lambda s: s))
    del got, ds


class _TorchFailing:
    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 5:
            raise KeyError(f"bad sample {i}")
        return i


def test_worker_error_message_matches_torch(torch_mod, no_leaks):
    def first_lines(lib):
        dl = lib.utils.data.DataLoader(_TorchFailing(), batch_size=2, num_workers=2,
                                       multiprocessing_context="fork")
        it = iter(dl)
        with pytest.raises(KeyError) as e:
            list(it)
        it._shutdown_workers()  # torch's iterator would otherwise linger in a reference cycle
        return str(e.value.args[0]).splitlines()[:2]
    assert first_lines(ember) == first_lines(torch_mod)
