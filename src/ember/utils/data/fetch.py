"""Fetchers: turn one entry of the sampler (an index or a list of indices) into a batch."""
import numpy as np

from ._worker import get_worker_info
from .collate import stack_into_shared, default_collate
from .dataset import TensorDataset

__all__ = ["create_fetcher"]


class _MapDatasetFetcher:
    __slots__ = ("dataset", "auto_collation", "collate_fn", "drop_last", "fast")

    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        # fast path: default_collate over TensorDataset samples == one gather per tensor
        self.fast = (auto_collation and collate_fn is default_collate
                     and type(dataset) is TensorDataset
                     and not any(t._rg for t in dataset.tensors)
                     and all(t.dim() > 0 for t in dataset.tensors))

    def fetch(self, possibly_batched_index):
        if self.fast:
            return _gather(self.dataset, possibly_batched_index)
        if self.auto_collation:
            getitems = getattr(self.dataset, "__getitems__", None)
            if getitems is not None:
                data = getitems(possibly_batched_index)
            else:
                data = [self.dataset[idx] for idx in possibly_batched_index]
        else:
            data = self.dataset[possibly_batched_index]
        return self.collate_fn(data)


def _gather(dataset, index):
    if get_worker_info() is None or not isinstance(dataset.tensors[0]._data, np.ndarray):
        return dataset._gather(index)
    n = len(index)
    outs = [stack_into_shared(None, (n,) + t._data.shape[1:], t._data.dtype)
            for t in dataset.tensors]
    return dataset._gather(index, outs)


class _IterableDatasetFetcher:
    __slots__ = ("dataset", "auto_collation", "collate_fn", "drop_last", "dataset_iter",
                 "ended")

    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.dataset_iter = iter(dataset)
        self.ended = False

    def fetch(self, possibly_batched_index):
        if self.ended:
            raise StopIteration
        if self.auto_collation:
            data = []
            for _ in possibly_batched_index:
                try:
                    data.append(next(self.dataset_iter))
                except StopIteration:
                    self.ended = True
                    break
            if len(data) == 0 or (self.drop_last and len(data) < len(possibly_batched_index)):
                raise StopIteration
        else:
            data = next(self.dataset_iter)
        return self.collate_fn(data)


def create_fetcher(kind, dataset, auto_collation, collate_fn, drop_last):
    """The fetcher for a map-style (``'map'``) or iterable (``'iterable'``) dataset."""
    cls = _MapDatasetFetcher if kind == "map" else _IterableDatasetFetcher
    return cls(dataset, auto_collation, collate_fn, drop_last)
