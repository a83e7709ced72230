"""Work handles (``torch.distributed.Work``) for collectives started with ``async_op=True``, and
the glue that turns Ember tensors into the NumPy buffers MPI reads and writes."""
import numpy as np

from . import _mpi
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ..ops.creation import from_numpy

__all__ = ["Work"]


class Work:
    """An operation in flight: ``wait()`` blocks until it completes (then the output tensors hold
    the result), ``is_completed()`` polls it without blocking."""

    def __init__(self, requests, pg, what, finish=None, outputs=(), statuses=None):
        self._requests = list(requests)
        self._pg = pg
        self._what = what
        self._finish = finish
        self._outputs = list(outputs)
        self._statuses = statuses
        self._done = False
        self._error = None

    def _complete(self):
        self._done = True
        if self._finish is not None:
            finish, self._finish = self._finish, None
            finish()

    def wait(self, timeout=None):
        """Block until the operation completes; True. ``timeout`` (a ``timedelta``) overrides the
        group's timeout; on expiry a RuntimeError is raised."""
        if not self._done:
            limit = timeout.total_seconds() if timeout is not None else self._pg.timeout_s
            try:
                _mpi.wait_requests(self._requests, limit, self._what, self._statuses)
            except RuntimeError as exc:
                self._error = exc
                raise
            self._complete()
        return True

    def is_completed(self):
        """True when the operation has finished (drives MPI progress once)."""
        if not self._done and _mpi.test_requests(self._requests):
            self._complete()
        return self._done

    def is_success(self):
        """True when the operation finished without error."""
        return self.is_completed() and self._error is None

    def exception(self):
        """The error the operation failed with, or None."""
        return self._error

    def synchronize(self):
        """Same as ``wait()`` on CPU tensors."""
        self.wait()

    def result(self):
        """The operation's output tensors (after ``wait()``)."""
        self.wait()
        return list(self._outputs)

    def source_rank(self):
        """For a receive: the default-group rank the message came from."""
        self.wait()
        if self._statuses is None:
            raise RuntimeError("source_rank() is only available on the Work of a receive")
        return self._pg.ranks[self._statuses[0].Get_source()]


def check_tensor(t, param="tensor"):
    """TypeError (PyTorch's wording) unless ``t`` is an Ember tensor."""
    if not isinstance(t, Tensor):
        raise TypeError(f"Invalid function argument. Expected parameter `{param}` of type "
                        f"torch.Tensor\n             but got {type(t)} instead.")


def check_tensor_list(ts, param="tensor_list"):
    """TypeError unless ``ts`` is a list (or tuple) of Ember tensors."""
    if not isinstance(ts, (list, tuple)) or not all(isinstance(t, Tensor) for t in ts):
        raise TypeError(f"Invalid function argument. Expected parameter `{param}` of type "
                        f"List[torch.Tensor]\n             but got {type(ts)} instead.")


class Buffer:
    """The C-contiguous NumPy array MPI uses for ``tensor``: the tensor's own memory when it is
    a contiguous CPU tensor (no copy), else a contiguous copy that ``write_back()`` copies into
    the tensor after MPI has written it."""

    def __init__(self, tensor, fill=True):
        self.tensor = tensor
        t = tensor.detach()
        arr = t.numpy() if t.device.type == "cpu" else None
        if arr is not None and arr.flags.c_contiguous and arr.flags.writeable:
            self.array, self.staged = arr, False
        elif fill:
            host = arr if arr is not None else t.cpu().numpy()
            self.array, self.staged = np.ascontiguousarray(host).copy(), True
        else:
            self.array = np.empty(tuple(t.shape), dtype=t.dtype.np)
            self.staged = True

    def write_back(self):
        """Copy a staged array back into the tensor (nothing to do for an unstaged one)."""
        if self.staged:
            write(self.tensor, self.array)


def write(tensor, array):
    """``tensor.copy_(array)`` outside autograd (how collectives fill their outputs)."""
    with no_grad():
        tensor.copy_(from_numpy(np.ascontiguousarray(array)).reshape(tuple(tensor.shape)))


def numpy_dtype(tensor):
    """The NumPy dtype of ``tensor``'s elements."""
    return tensor.dtype.np


def host_copy(tensor):
    """A C-contiguous NumPy array with ``tensor``'s values (shares memory when it can; MPI only
    reads it)."""
    t = tensor.detach()
    arr = t.numpy() if t.device.type == "cpu" else t.cpu().numpy()
    return np.ascontiguousarray(arr)
