"""``DistributedDataParallel``: data-parallel training over ``ember.distributed`` (one model
replica per rank; gradients averaged across ranks during backward)."""
from contextlib import contextmanager

from ... import distributed as dist
from ...autograd.grad_mode import is_grad_enabled, no_grad
from ...ops.joining import cat
from ..module import Module
from ._reducer import Reducer

__all__ = ["DistributedDataParallel"]


class DistributedDataParallel(Module):
    """Wrap ``module`` for data-parallel training (``torch.nn.parallel.DistributedDataParallel``).

    At construction every rank checks that it holds the same parameter shapes, then rank 0's
    parameters and buffers are broadcast to all. Each backward through the wrapper averages the
    gradients over the process group in buckets of about ``bucket_cap_mb`` MB, each all-reduce
    started as soon as its gradients are ready. ``no_sync()`` skips the averaging (gradients
    accumulate locally until the next synced backward). ``find_unused_parameters=True`` allows
    parameters that the forward did not use. The wrapped model is ``self.module``; state_dict
    keys carry the ``module.`` prefix as in PyTorch.
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=True,
                 init_sync=True, process_group=None, bucket_cap_mb=None,
                 find_unused_parameters=False, check_reduction=False, gradient_as_bucket_view=False,
                 static_graph=False, delay_all_reduce_named_params=None,
                 param_to_hook_all_reduce=None, mixed_precision=None, device_mesh=None):
        super().__init__()
        if not dist.is_initialized():
            raise ValueError("Default process group has not been initialized, please make sure "
                             "to call init_process_group.")
        params = [p for p in _unique(module.parameters()) if p.requires_grad]
        if not params:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't have "
                               "any parameter that requires a gradient.")
        self.module = module
        self.device_ids = device_ids
        self.output_device = output_device
        self.dim = dim
        self.process_group = process_group
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.static_graph = static_graph
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        self.bucket_bytes_cap = int((25 if bucket_cap_mb is None else bucket_cap_mb) * 1024 * 1024)
        _check_same_shapes(module, process_group)
        if init_sync:
            _broadcast_coalesced(list(module.parameters()) + list(module.buffers()),
                                 process_group)
        self.reducer = Reducer(params, self.bucket_bytes_cap, process_group,
                               find_unused_parameters)

    def forward(self, *inputs, **kwargs):
        """Run the wrapped module; when grad mode is on and sync is wanted, arm the gradient
        averaging for the next backward (buffers are first re-broadcast from rank 0)."""
        self.reducer.prepare_for_forward()
        if self.broadcast_buffers and self.require_forward_param_sync:
            buffers = list(self.module.buffers())
            if buffers and dist.get_world_size(self.process_group) > 1:
                _broadcast_coalesced(buffers, self.process_group)
        outputs = self.module(*inputs, **kwargs)
        if is_grad_enabled() and self.require_backward_grad_sync:
            self.reducer.prepare_for_backward(outputs)
        return outputs

    @contextmanager
    def no_sync(self):
        """Within this context backward only accumulates gradients locally; the first synced
        backward after it averages the accumulated gradients."""
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous

    def __getstate__(self):
        raise RuntimeError("DistributedDataParallel cannot be pickled: save "
                           "ddp_model.module.state_dict() instead")


def _unique(params):
    seen = set()
    for p in params:
        if id(p) not in seen:
            seen.add(id(p))
            yield p


def _check_same_shapes(module, group):
    """RuntimeError naming the first rank whose parameters differ in shape or dtype from rank 0's."""
    mine = [(name, tuple(p.shape), str(p.dtype)) for name, p in module.named_parameters()]
    everyone = [None] * dist.get_world_size(group)
    dist.all_gather_object(everyone, mine, group=group)
    for rank, theirs in enumerate(everyone):
        if theirs != everyone[0]:
            diff = next(((a, b) for a, b in zip(everyone[0], theirs) if a != b),
                        (f"{len(everyone[0])} parameters", f"{len(theirs)} parameters"))
            raise RuntimeError(f"DistributedDataParallel: rank {rank}'s model differs from rank "
                               f"0's: {diff[1]} vs {diff[0]}")


def _broadcast_coalesced(tensors, group, cap_bytes=250 * 1024 * 1024):
    """Broadcast ``tensors`` from rank 0 in place, a few flat messages per dtype."""
    by_dtype = {}
    for t in tensors:
        by_dtype.setdefault(t.dtype, []).append(t)
    with no_grad():
        for same in by_dtype.values():
            chunk, size = [], 0
            for t in same + [None]:
                if t is not None and (not chunk or size + t.numel() * t.element_size() <= cap_bytes):
                    chunk.append(t)
                    size += t.numel() * t.element_size()
                    continue
                flat = cat([c.detach().reshape(-1) for c in chunk])
                dist.broadcast(flat, src=dist.get_global_rank(group, 0) if group else 0,
                               group=group)
                offset = 0
                for c in chunk:
                    c.copy_(flat[offset:offset + c.numel()].view(c.shape))
                    offset += c.numel()
                chunk, size = ([t], t.numel() * t.element_size()) if t is not None else ([], 0)
