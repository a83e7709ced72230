"""``backward`` and ``grad``: run the engine from outputs with PyTorch's argument handling."""
from .._tensor import Tensor, _wrap
from .engine import run_backward

__all__ = ["backward", "grad", "Variable"]


def _as_tuple(x):
    if x is None:
        return None
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _make_grads(outputs, grads):
    result = []
    for i, out in enumerate(outputs):
        g = grads[i] if grads is not None and i < len(grads) else None
        if g is None:
            data = out._data
            if out._rg and data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if out._rg and data.dtype.kind not in "fc" and not out.dtype.is_floating_point:
                raise RuntimeError(f"grad can be implicitly created only for real scalar outputs "
                                   f"but got {out.dtype}")
            g = _wrap(out._backend().ones(data.shape, dtype=data.dtype))
        elif not isinstance(g, Tensor):
            raise TypeError(f"gradients can be either Tensors or None, but got "
                            f"{type(g).__name__}")
        elif tuple(g.shape) != tuple(out.shape):
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                               f"{g.shape} and output[{i}] has a shape of {out.shape}.")
        result.append(g)
    return result


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             grad_variables=None, inputs=None):
    """Accumulate d(tensors)/d(leaf) into each leaf's ``.grad`` (``torch.autograd.backward``).
    ``grad_variables`` is PyTorch's deprecated name for ``grad_tensors``."""
    if grad_variables is not None:
        import warnings
        warnings.warn("`grad_variables` is deprecated. Use `grad_tensors` instead.",
                      FutureWarning, stacklevel=2)
        if grad_tensors is not None:
            raise RuntimeError("`grad_tensors` and `grad_variables` (deprecated) arguments both "
                               "passed to `backward()`. Please only use `grad_tensors`.")
        grad_tensors = grad_variables
    outputs = _as_tuple(tensors)
    grads = _as_tuple(grad_tensors)
    if retain_graph is None:
        retain_graph = create_graph
    inputs = _as_tuple(inputs)
    if inputs is not None and len(inputs) == 0:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    for out in outputs:
        if not out._rg:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a "
                               "grad_fn")
    run_backward(outputs, _make_grads(outputs, grads), retain_graph, create_graph, inputs=inputs)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Gradients of ``outputs`` with respect to ``inputs``, returned (``torch.autograd.grad``)."""
    outs = _as_tuple(outputs)
    ins = _as_tuple(inputs)
    for out in outs:
        if not isinstance(out, Tensor):
            raise AssertionError("Expected output to be a torch.Tensor")
    for t in ins:
        if not isinstance(t, Tensor):
            raise RuntimeError(f"all inputs have to be Tensors or GradientEdges, but got "
                               f"{type(t).__name__}")
    if allow_unused is None:
        allow_unused = materialize_grads
    if retain_graph is None:
        retain_graph = create_graph
    for t in ins:
        if not t._rg:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    for out in outs:
        if not out._rg:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a "
                               "grad_fn")
    result = run_backward(outs, _make_grads(outs, _as_tuple(grad_outputs)), retain_graph,
                          create_graph, inputs=ins, capture=True, allow_unused=allow_unused)
    if materialize_grads:
        from ..ops.creation import zeros_like  # lazy: ember.ops.creation imports us
        result = tuple(zeros_like(i) if g is None else g for g, i in zip(result, ins))
    return result


def Variable(data, requires_grad=False, volatile=False):
    """Legacy wrapper: returns the tensor itself (optionally requiring grad), as PyTorch does."""
    if not isinstance(data, Tensor):
        raise TypeError("Variable data has to be a tensor, but got " + type(data).__name__)
    if requires_grad:
        data.requires_grad_(True)
    return data
