"""DistributedDataParallel's gradient reducer: parameters in buckets of about ``bucket_cap_mb``
(filled in reverse registration order, roughly the order backward produces their gradients);
a bucket's all-reduce is started by the post-accumulate-grad hook of its last parameter, so
communication runs while backward computes the earlier layers' gradients."""
from ... import distributed as dist
from ..._dtype import int32
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ...ops.creation import zeros
from ...ops.joining import cat


class _Bucket:
    def __init__(self, params):
        self.params = params
        self.numels = [p.numel() for p in params]
        self.flat = None
        self.work = None
        self.pending = 0


class Reducer:
    """Averages the gradients of ``params`` over ``process_group`` during each backward."""

    def __init__(self, params, bucket_cap_bytes, process_group, find_unused_parameters):
        self.params = list(params)
        self.pg = process_group
        self.world = dist.get_world_size(process_group)
        self.find_unused = find_unused_parameters
        self.buckets = self._make_buckets(bucket_cap_bytes)
        self.bucket_of = {}
        for b, bucket in enumerate(self.buckets):
            for p in bucket.params:
                self.bucket_of[id(p)] = b
        self.index_of = {id(p): i for i, p in enumerate(self.params)}
        self.active = False
        self.handles = [p.register_post_accumulate_grad_hook(self._on_grad_ready)
                        for p in self.params]

    def _make_buckets(self, cap_bytes):
        """Buckets in reverse parameter order, one dtype each, each at most ``cap_bytes``
        (a parameter larger than the cap gets a bucket of its own)."""
        buckets, current, size = [], [], 0
        for p in reversed(self.params):
            nbytes = p.numel() * p.element_size()
            if current and (size + nbytes > cap_bytes or p.dtype != current[0].dtype):
                buckets.append(_Bucket(current))
                current, size = [], 0
            current.append(p)
            size += nbytes
        if current:
            buckets.append(_Bucket(current))
        return buckets

    # ---- one iteration -------------------------------------------------------------------------

    def prepare_for_forward(self):
        """Refuse to start an iteration while the previous one's reduction is unfinished."""
        if self.active:
            unready = [i for i, p in enumerate(self.params) if not self.ready[i]]
            raise RuntimeError(
                "Expected to have finished reduction in the prior iteration before starting a new "
                "one. This error indicates that your module has parameters that were not used in "
                "producing loss. You can enable unused parameter detection by passing the keyword "
                "argument `find_unused_parameters=True` to "
                "`torch.nn.parallel.DistributedDataParallel`. Parameter indices which did not "
                f"receive grad: {' '.join(map(str, unready))}")

    def prepare_for_backward(self, outputs):
        """Arm the hooks for the coming backward. With ``find_unused_parameters`` the autograd
        graph of ``outputs`` is searched: parameters outside it count as ready now."""
        self.active = True
        self.ready = [False] * len(self.params)
        self.used = zeros(len(self.params), dtype=int32)
        self.next_bucket = 0
        for bucket in self.buckets:
            bucket.pending = len(bucket.params)
            bucket.work = None
        if self.find_unused:
            reachable = _reachable_leaves(outputs)
            for i, p in enumerate(self.params):
                if id(p) not in reachable:
                    self._mark_ready(i)

    def _on_grad_ready(self, param):
        if not self.active:
            return  # outside a synced DDP forward (no_sync, or a plain backward)
        i = self.index_of[id(param)]
        if self.ready[i]:
            raise RuntimeError(
                f"Expected to mark a variable ready only once. Parameter {i} ({tuple(param.shape)}) "
                "received its gradient twice in one iteration (reentrant backward, or the model "
                "output used in two backward passes?).")
        self.used[i] = 1
        self._mark_ready(i)
        for bucket in self.buckets[:self.next_bucket]:
            if bucket.work is not None:
                bucket.work.is_completed()  # let MPI progress the buckets in flight

    def _mark_ready(self, i):
        self.ready[i] = True
        bucket = self.buckets[self.bucket_of[id(self.params[i])]]
        bucket.pending -= 1
        # Every rank launches buckets in the same order, so their all-reduces pair up.
        while self.next_bucket < len(self.buckets) and self.buckets[self.next_bucket].pending == 0:
            self._launch(self.buckets[self.next_bucket])
            self.next_bucket += 1
        if self.next_bucket == len(self.buckets):
            self._finalize()

    def _launch(self, bucket):
        grads = []
        for p, n in zip(bucket.params, bucket.numels):
            g = p.grad
            grads.append(zeros(n, dtype=p.dtype, device=p.device) if g is None
                         else g.detach().reshape(-1))
        bucket.flat = cat(grads) if len(grads) > 1 else grads[0].clone()
        bucket.work = dist.all_reduce(bucket.flat, group=self.pg, async_op=True)

    def _finalize(self):
        """Wait for every bucket and write the averaged gradients into ``.grad``."""
        used_work = None
        if self.find_unused:
            used_work = dist.all_reduce(self.used, group=self.pg, async_op=True)
        for bucket in self.buckets:
            bucket.work.wait()
        if used_work is not None:
            used_work.wait()
        globally_used = self.used.tolist()
        with no_grad():
            for bucket in self.buckets:
                bucket.flat.div_(self.world)
                offset = 0
                for p, n in zip(bucket.params, bucket.numels):
                    averaged = bucket.flat[offset:offset + n].view(p.shape)
                    offset += n
                    if not globally_used[self.index_of[id(p)]]:
                        continue  # no rank produced a gradient: leave .grad as it is
                    if p.grad is None:
                        p.grad = averaged.clone()
                    else:
                        p.grad.copy_(averaged)
                bucket.flat = None
                bucket.work = None
        self.active = False

    def remove_hooks(self):
        """Detach the reducer from the parameters."""
        for h in self.handles:
            h.remove()


def _reachable_leaves(outputs):
    """ids of the leaf tensors whose AccumulateGrad nodes the graph of ``outputs`` reaches."""
    stack = [t.grad_fn for t in _tensors_in(outputs) if t.grad_fn is not None]
    seen, leaves = set(), set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        variable = getattr(node, "variable", None)
        if variable is not None:
            leaves.add(id(variable))
        stack.extend(fn for fn, _ in node.next_functions if fn is not None)
    return leaves


def _tensors_in(obj):
    if isinstance(obj, Tensor):
        return [obj]
    if isinstance(obj, dict):
        obj = list(obj.values())
    if isinstance(obj, (list, tuple)):
        return [t for item in obj for t in _tensors_in(item)]
    return []
