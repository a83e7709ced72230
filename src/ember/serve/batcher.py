"""Dynamic batching: requests waiting on the event loop are stacked into one forward call.

``await batcher.submit(array)`` queues a request (any number of rows) and returns exactly its own
rows of the output. One collector task takes the oldest request, then adds queued requests in
arrival order until the batch holds ``max_batch`` rows or ``max_delay`` seconds have passed since
the oldest one arrived, and hands the stacked batch to a worker thread (NumPy, onnxruntime and
BLAS release the GIL, so the event loop keeps parsing requests meanwhile). A new batch is formed
only when the previous forward call has finished, so requests that arrive during a call join the
next one. A request larger than ``max_batch`` runs alone; requests whose shapes beyond the batch
dimension differ go to different batches.

When a batched call raises, each of its requests is run again alone, so only the request that
makes the model fail gets the error.
"""
import asyncio
import collections
import concurrent.futures
import time

import numpy as np

__all__ = ["Batcher"]


class _Item:
    __slots__ = ("array", "future", "t")

    def __init__(self, array, future, t):
        self.array, self.future, self.t = array, future, t


class Batcher:
    """Collects requests for ``predict(batch) -> array`` (see the module docstring).

    ``metrics`` (optional) gets ``batch(rows)`` per forward call, ``model_error()`` per call that
    raised and ``set_queue_depth(rows)``.
    Start it with :meth:`start` inside a running event loop; :meth:`stop` ends the collector
    after the queue is empty."""

    def __init__(self, predict, max_batch=64, max_delay=0.005, metrics=None):
        if max_batch < 1:
            raise ValueError(f"max_batch must be at least 1, got {max_batch}")
        if max_delay < 0:
            raise ValueError(f"max_delay must be >= 0, got {max_delay}")
        self.predict = predict
        self.max_batch = int(max_batch)
        self.max_delay = float(max_delay)
        self.metrics = metrics
        self._queue = collections.deque()
        self._rows = 0                  # rows waiting in _queue
        self._wake = None
        self._task = None
        self._pool = None

    def start(self):
        """Start the collector task and the worker thread on the running loop."""
        self._wake = asyncio.Event()
        self._pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="ember-serve")
        self._task = asyncio.get_running_loop().create_task(self._collect())

    async def stop(self):
        """Finish the queued requests, then stop the collector and the worker thread."""
        while self._queue:
            await asyncio.sleep(0.01)
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    async def submit(self, array):
        """Queue ``array`` (rows on dimension 0) and return the model's rows for it."""
        fut = asyncio.get_running_loop().create_future()
        self._queue.append(_Item(array, fut, time.monotonic()))
        self._rows += array.shape[0]
        self._depth()
        self._wake.set()
        return await fut

    def _depth(self):
        if self.metrics is not None:
            self.metrics.set_queue_depth(self._rows)

    def _fits(self, batch, rows, item):
        first = batch[0].array
        return (rows + item.array.shape[0] <= self.max_batch and
                item.array.shape[1:] == first.shape[1:] and item.array.dtype == first.dtype)

    async def _collect(self):
        loop = asyncio.get_running_loop()
        while True:
            while not self._queue:
                self._wake.clear()
                await self._wake.wait()
            first = self._queue.popleft()
            batch, rows = [first], first.array.shape[0]
            deadline = first.t + self.max_delay
            while rows < self.max_batch:
                if self._queue:
                    if not self._fits(batch, rows, self._queue[0]):
                        break
                    item = self._queue.popleft()
                    batch.append(item)
                    rows += item.array.shape[0]
                    continue
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), left)
                except asyncio.TimeoutError:
                    break
            self._rows -= rows
            self._depth()
            await self._run(loop, batch, rows)

    async def _run(self, loop, batch, rows):
        live = [it for it in batch if not it.future.done()]    # a caller may have gone away
        if not live:
            return
        arrays = [it.array for it in live]
        stacked = arrays[0] if len(arrays) == 1 else np.concatenate(arrays, axis=0)
        try:
            out = await loop.run_in_executor(self._pool, self.predict, stacked)
        except Exception as e:
            if self.metrics is not None:
                self.metrics.model_error()
            if len(live) == 1:
                _fail(live[0], e)
                return
            for it in live:            # find the request that fails; the others still get answers
                await self._run(loop, [it], it.array.shape[0])
            return
        if self.metrics is not None:
            self.metrics.batch(stacked.shape[0])
        start = 0
        for it in live:
            n = it.array.shape[0]
            if not it.future.done():
                it.future.set_result(out[start:start + n])
            start += n


def _fail(item, exc):
    if not item.future.done():
        item.future.set_exception(exc)
