"""The backward engine: walks the graph from outputs to leaves without recursion.

It counts each node's incoming edges, runs a node once all gradients for it have arrived,
sums broadcast gradients back to each input's shape, casts them to the input's dtype,
accumulates ``.grad`` on leaves, and frees saved tensors unless ``retain_graph``.
"""
import warnings

from .._tensor import _wrap
from .grad_mode import STATE
from .broadcast import sum_to
from .._backend.quiet import QUIET as _QUIET, quiet_on as _quiet_on, quiet_off as _quiet_off
from .node import AccumulateGrad, Op, edge_of, _FREED_MSG
from .._dtype import from_numpy_dtype

__all__ = ["run_backward"]


def _fix_grad(grad, meta, node, i):
    shape, np_dtype = meta
    if grad._data.shape != shape:
        try:
            grad = sum_to(grad, shape)
        except Exception:
            raise RuntimeError(f"Function {node.name()} returned an invalid gradient at index {i} "
                               f"- got {list(grad.shape)} but expected shape compatible with "
                               f"{list(shape)}") from None
    if grad._data.dtype != np_dtype:
        grad = grad.to(from_numpy_dtype(np_dtype))
    return grad


def _collect(roots):
    """Dependency counts (incoming edges) of every node reachable from ``roots``."""
    deps = {}
    stack = list(dict.fromkeys(roots))
    root_set = set(stack)
    while stack:
        for fn, _ in stack.pop().next_functions:
            if fn is None:
                continue
            if fn in deps:
                deps[fn] += 1
            else:
                deps[fn] = 1
                if fn not in root_set:
                    stack.append(fn)
    return deps, root_set


def _needed(seen, targets):
    """Nodes from which some target node can be reached (only they need to run)."""
    needed = set(targets)
    # Process in an order where children are resolved before parents: iterate to a fixpoint
    # with an explicit post-order traversal.
    state = {}
    for start in seen:
        if start in state:
            continue
        stack = [(start, iter(start.next_functions))]
        state[start] = 0
        while stack:
            node, it = stack[-1]
            advanced = False
            for fn, _ in it:
                if fn is None:
                    continue
                if fn not in state:
                    state[fn] = 0
                    stack.append((fn, iter(fn.next_functions)))
                    advanced = True
                    break
            if advanced:
                continue
            stack.pop()
            if node not in needed:
                for fn, _ in node.next_functions:
                    if fn is not None and fn in needed:
                        needed.add(node)
                        break
    return needed


def _call_tensor_pre_hooks(node, grads):
    for table in (node._tensor_pre_hooks, node._retain_hooks):
        if table:
            for nr, hooks in table.items():
                for hook in list(hooks):
                    if grads[nr] is None:
                        continue
                    new = hook(grads[nr])
                    if new is not None:
                        grads[nr] = new
    return grads


def _accumulate(node, grad, create_graph):
    var = node.variable
    if var._hooks:
        for hook in list(var._hooks):
            new = hook(grad)
            if new is not None:
                grad = new
    old = var._grad
    if old is None:
        # A fresh tensor: the same gradient may reach several leaves, and users and
        # optimizers modify .grad in place.
        var._grad = grad if create_graph else _wrap(grad._data.copy())
    elif create_graph:
        var._grad = old + grad
    elif old._rg:
        var._grad = (old + grad).detach()
    else:
        old.add_(grad)  # grad mode is off here (no create_graph)
    if var._post_acc_hooks:
        for hook in list(var._post_acc_hooks):
            hook(var)


def run_backward(outputs, grad_outputs, retain_graph=False, create_graph=False, inputs=None,
                 capture=False, allow_unused=False):
    """Backpropagate from ``outputs``; accumulate into leaves, or return grads for ``inputs``.

    With ``capture`` the gradients flowing into ``inputs`` are returned instead of being
    accumulated (``autograd.grad``); with ``inputs`` and no capture, only those leaves
    accumulate (``backward(inputs=...)``).
    """
    roots = []
    buffers = {}
    for out, g in zip(outputs, grad_outputs):
        fn, nr = edge_of(out)
        if fn is None:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a "
                               "grad_fn")
        roots.append(fn)
        _add_to_buffer(buffers, fn, nr, g)
    deps, root_set = _collect(roots)

    targets = None
    captured = None
    needed = None
    if inputs is not None:
        targets = {}
        for i, t in enumerate(inputs):
            fn, nr = edge_of(t)
            if fn is None:
                if capture and not allow_unused:
                    raise RuntimeError("One of the differentiated Tensors does not require grad")
                continue
            targets.setdefault(fn, []).append((i, nr))
        needed = _needed(root_set.union(deps), targets)
        captured = [None] * len(inputs)

    ready = [r for r in dict.fromkeys(roots) if deps.get(r, 0) == 0]
    prev_mode = STATE.enabled
    STATE.enabled = bool(create_graph)
    anomaly = STATE.anomaly
    token = _quiet_on(_QUIET)  # derivatives are silent about inf/nan, as PyTorch is
    try:
        while ready:
            node = ready.pop()
            grads = buffers.pop(node, None) or [None]
            if needed is not None and node not in needed:
                continue
            hooked = node._hooked
            if hooked:
                grads = _call_tensor_pre_hooks(node, grads)
            is_leaf_node = type(node) is AccumulateGrad
            if targets is not None and node in targets:
                for i, nr in targets[node]:
                    if nr < len(grads):
                        captured[i] = grads[nr]
                if capture and (is_leaf_node or not _leads_further(node, needed)):
                    continue
            if is_leaf_node:
                g0 = grads[0]
                if hooked and node._pre_hooks:
                    for hook in node._pre_hooks:
                        new = hook((g0,))
                        if new is not None:
                            g0 = new[0]
                if g0 is not None and (targets is None or node in targets):
                    _accumulate(node, g0, create_graph)
                if hooked and node._hooks:
                    for hook in node._hooks:
                        hook((), (g0,))
                continue
            if grads[0] is None and all(g is None for g in grads) and isinstance(node, Op):
                grad_inputs = (None,) * len(node.next_functions)
            elif hooked or anomaly or len(grads) != 1 or grads[0] is None or node._freed:
                grad_inputs = _run_node(node, grads, retain_graph)
            else:  # the common case, inlined: one incoming gradient, no hooks
                grad_inputs = node.backward(grads[0])
                if type(grad_inputs) is not tuple:
                    grad_inputs = (grad_inputs,)
                if len(grad_inputs) != len(node.next_functions):
                    grad_inputs = _check_count(node, grad_inputs)
                if not retain_graph:
                    node._release()
            metas = node._in_meta
            n_meta = len(metas)
            i = 0
            for (fn, nr), g in zip(node.next_functions, grad_inputs):
                if fn is not None and (needed is None or fn in needed):
                    if g is not None:
                        if i < n_meta:
                            meta = metas[i]
                            if meta is not None:
                                data = g._data
                                if data.shape != meta[0] or data.dtype != meta[1]:
                                    g = _fix_grad(g, meta, node, i)
                        buf = buffers.get(fn)
                        if buf is None and nr == 0 and fn._n_outputs == 1:
                            buffers[fn] = [g]
                        else:
                            _add_to_buffer(buffers, fn, nr, g)
                    left = deps[fn] - 1
                    deps[fn] = left
                    if not left:
                        ready.append(fn)
                i += 1
    finally:
        STATE.enabled = prev_mode
        _quiet_off(token)
    if capture:
        for i, g in enumerate(captured):
            if g is None and not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have "
                                   "been used in the graph. Set allow_unused=True if this is the "
                                   "desired behavior.")
        return tuple(captured)
    return None


def _leads_further(node, needed):
    return any(fn is not None and fn in needed for fn, _ in node.next_functions)


def _add_to_buffer(buffers, fn, nr, g):
    buf = buffers.get(fn)
    if buf is None:
        n = max(nr + 1, fn._n_outputs)
        buf = [None] * n
        buffers[fn] = buf
    elif nr >= len(buf):
        buf.extend([None] * (nr + 1 - len(buf)))
    if g is None:
        return
    buf[nr] = g if buf[nr] is None else buf[nr] + g


def _run_node(node, grads, retain_graph):
    if node._pre_hooks:
        for hook in node._pre_hooks:
            new = hook(tuple(grads))
            if new is not None:
                grads = list(new)
    if node._freed:
        raise RuntimeError(_FREED_MSG)
    if node.materialize_grads and any(g is None for g in grads):
        grads = _materialize(node, grads)
    if STATE.anomaly:
        try:
            result = _check_count(node, node.backward(*grads))
        except Exception:  # name the forward op whose backward failed, as PyTorch does
            _warn_forward_trace(node)
            raise
    else:
        result = _check_count(node, node.backward(*grads))
    if STATE.anomaly:
        _check_anomaly(node, result)
    if node._hooks:
        for hook in node._hooks:
            new = hook(result, tuple(grads))
            if new is not None:
                result = tuple(new)
    if not retain_graph:
        node._release()
    return result


def _check_count(node, result):
    """``result`` as a tuple with one entry per input edge, or PyTorch's error."""
    n_in = len(node.next_functions)
    if type(result) is not tuple:
        result = (result,)
    if len(result) != n_in:
        if len(result) > n_in and all(r is None for r in result[n_in:]):
            return result[:n_in]
        raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients "
                           f"(expected {n_in}, got {len(result)})")
    return result


def _materialize(node, grads):
    shapes = getattr(node, "_out_meta", None)
    if shapes is None:
        return grads
    from ..ops.creation import zeros  # lazy: ember.ops.creation imports us
    return [zeros(shapes[i][0], dtype=shapes[i][1], device=shapes[i][2]) if g is None else g
            for i, g in enumerate(grads)]


def _check_anomaly(node, result):
    for i, g in enumerate(result):
        if g is None:
            continue
        xp = g._backend()
        if g.dtype.is_floating_point and bool(xp.isnan(g._data).any()):
            _warn_forward_trace(node)
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")


def _warn_forward_trace(node):
    trace = node._anomaly_trace or "(no forward trace recorded)"
    warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused the "
                  f"error:\n{trace}", UserWarning, stacklevel=4)
