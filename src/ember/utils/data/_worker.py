"""The DataLoader worker process: its loop, its RNG seeding, ``get_worker_info`` and the
wrapper that carries a worker's exception (with its traceback) back to the main process."""
import os
import queue
import random
import sys
import traceback

import numpy as np

from ...multiprocessing.reductions import init_reductions
from ...ops.random import manual_seed

__all__ = ["WorkerInfo", "get_worker_info", "ExceptionWrapper"]

MP_STATUS_CHECK_INTERVAL = 5.0
_WORKER_POLL = 0.5
_worker_info = None


class WorkerInfo:
    """What a worker knows about itself: ``id``, ``num_workers``, ``seed``, ``dataset``."""
    __initialized = False

    def __init__(self, **kwargs):
        for k, v in kwargs.items():
            setattr(self, k, v)
        self.__keys = tuple(kwargs)
        self.__initialized = True

    def __setattr__(self, key, val):
        if self.__initialized:
            raise RuntimeError(f"Cannot assign attributes to {self.__class__.__name__} objects")
        return super().__setattr__(key, val)

    def __repr__(self):
        items = ", ".join(f"{k}={getattr(self, k)}" for k in self.__keys)
        return f"{self.__class__.__name__}({items})"


def get_worker_info():
    """In a DataLoader worker, its ``WorkerInfo`` (id, num_workers, seed, dataset copy);
    ``None`` in the main process. Use it to shard an IterableDataset across workers."""
    return _worker_info


class ExceptionWrapper:
    """An exception caught in a worker, with its formatted traceback; ``reraise()`` raises it
    again (same type) in the main process."""

    def __init__(self, exc_info=None, where="in background"):
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = _KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        try:
            raise exception
        finally:  # no frame -> exception -> traceback -> frame cycle keeping the iterator alive
            del exception


class _KeyErrorMessage(str):
    def __repr__(self):
        return self


class _IterableDatasetStopIteration:
    __slots__ = ("worker_id",)

    def __init__(self, worker_id):
        self.worker_id = worker_id


class _ResumeIteration:
    __slots__ = ("seed",)

    def __init__(self, seed=None):
        self.seed = seed


def _seed_worker(base_seed, worker_id):
    """Seed ``random``, NumPy's global RNG and Ember's default generator for one worker:
    ``seed = base_seed + worker_id`` (NumPy gets a state hashed from both, as torch does)."""
    seed = base_seed + worker_id
    random.seed(seed)
    manual_seed(seed)
    ss = np.random.SeedSequence([worker_id, base_seed & 0xFFFFFFFF, base_seed >> 32])
    np.random.seed(ss.generate_state(4))
    return seed


def _worker_loop(dataset_kind, dataset, index_queue, data_queue, done_event, auto_collation,
                 collate_fn, drop_last, base_seed, init_fn, worker_id, num_workers,
                 persistent_workers):
    """Fetch the batches named on ``index_queue`` and put ``(idx, batch)`` on ``data_queue``
    until told to stop (``None``), or until the main process disappears."""
    global _worker_info
    try:
        from .fetch import create_fetcher  # lazy: ember.utils.data.fetch imports us
        init_reductions()
        seed = _seed_worker(base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                                  dataset=dataset)
        init_exception = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = create_fetcher(dataset_kind, dataset, auto_collation, collate_fn,
                                     drop_last)
        except Exception:
            init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
        iteration_end = False
        parent = os.getppid()
        while True:
            try:
                r = index_queue.get(timeout=_WORKER_POLL)
            except queue.Empty:
                if os.getppid() != parent or done_event.is_set():
                    break  # the main process is gone, or shut us down
                continue
            if r is None:
                break
            if isinstance(r, _ResumeIteration):
                data_queue.put((r, None))
                iteration_end = False
                if r.seed is not None:
                    _seed_worker(r.seed, worker_id)
                fetcher = create_fetcher(dataset_kind, dataset, auto_collation, collate_fn,
                                         drop_last)
                continue
            if done_event.is_set() or iteration_end:
                continue
            idx, index = r
            if init_exception is not None:
                data, init_exception = init_exception, None
            else:
                try:
                    data = fetcher.fetch(index)
                except Exception as e:
                    if isinstance(e, StopIteration) and dataset_kind == "iterable":
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                    else:
                        data = ExceptionWrapper(
                            where=f"in DataLoader worker process {worker_id}")
            data_queue.put((idx, data))
            del data, idx, index, r
    except KeyboardInterrupt:
        pass
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()
