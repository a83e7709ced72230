"""Finite-difference checks of gradients (``gradcheck``) and second derivatives (``gradgradcheck``)."""
import numpy as np

from .grad_mode import no_grad, enable_grad
from .._backend import to_host
from .._tensor import Tensor, _wrap
from .api import grad

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised when analytical and numerical gradients disagree."""


def _as_tuple(x):
    return (x,) if isinstance(x, Tensor) else tuple(x)


def _outputs(func, inputs):
    out = func(*inputs)
    return tuple(o for o in _as_tuple(out) if isinstance(o, Tensor))


def _numerical_jacobian(func, inputs, eps):
    """J[i][j]: d(output j, flattened) / d(input i, flattened), by central differences.

    Each element is perturbed in place in the input's own array, so non-contiguous inputs
    (transposes, slices) are checked as they are.
    """
    diff_inputs = [t for t in inputs if _diff(t)]
    with no_grad():
        outs = _outputs(func, inputs)
        jac = [[np.zeros((t.numel(), o.numel())) for o in outs] for t in diff_inputs]
        for i, t in enumerate(diff_inputs):
            arr = t._data
            for k, pos in enumerate(np.ndindex(*arr.shape)):
                orig = arr[pos].copy()
                arr[pos] = orig + eps
                plus = [_flat64(o) for o in _outputs(func, inputs)]
                arr[pos] = orig - eps
                minus = [_flat64(o) for o in _outputs(func, inputs)]
                arr[pos] = orig
                for j in range(len(outs)):
                    jac[i][j][k] = (plus[j] - minus[j]) / (2 * eps)
    return jac


def _flat64(o):
    return np.array(to_host(o._data), dtype=np.complex128 if o._data.dtype.kind == "c" else np.float64
                    ).reshape(-1)


def _diff(t):
    return isinstance(t, Tensor) and t.requires_grad


def _analytical_jacobian(func, inputs):
    from ..ops.creation import zeros_like  # lazy: ember.ops.creation imports us
    diff_inputs = [t for t in inputs if _diff(t)]
    with enable_grad():
        outs = _outputs(func, inputs)
    jac = [[np.zeros((t.numel(), o.numel())) for o in outs] for t in diff_inputs]
    for j, o in enumerate(outs):
        if not o.requires_grad:
            continue
        for m in range(o.numel()):
            go = zeros_like(o).contiguous()  # one-hot writes need a C-contiguous buffer
            go._data.reshape(-1)[m] = 1
            gs = grad(o, diff_inputs, go, retain_graph=True, allow_unused=True)
            for i, g in enumerate(gs):
                if g is not None:
                    jac[i][j][:, m] = to_host(g._data).astype(np.float64).reshape(-1)
    return jac


def _show(jac):
    return repr(_wrap(jac))  # rows: input elements, columns: output elements (as PyTorch)


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False,
              check_forward_ad=False, check_backward_ad=True, fast_mode=False, masked=None):
    """Compare autograd's gradients of ``func`` with central finite differences.

    Inputs that require grad should be float64 (``torch.autograd.gradcheck``). Returns True,
    or raises ``GradcheckError`` naming the input, output and the two Jacobians.
    """
    inputs = _as_tuple(inputs)
    if not any(_diff(t) for t in inputs):
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of them have requires_grad=True.")
    for t in inputs:
        if _diff(t) and t.dtype.name not in ("float64", "complex128"):
            import warnings
            warnings.warn(f"Input #{inputs.index(t)} requires gradient and is not a double "
                          "precision floating point. As a result, numerical gradient checks may "
                          "fail.", UserWarning, stacklevel=2)
    numerical = _numerical_jacobian(func, inputs, eps)
    analytical = _analytical_jacobian(func, inputs)
    for i, (num_row, ana_row) in enumerate(zip(numerical, analytical)):
        for j, (n, a) in enumerate(zip(num_row, ana_row)):
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                if raise_exception:
                    raise GradcheckError(
                        f"Jacobian mismatch for output {j} with respect to input {i},\n"
                        f"numerical:{_show(n)}\nanalytical:{_show(a)}\n")
                return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False,
                  check_batched_grad=False, check_fwd_over_rev=False, check_rev_over_rev=True,
                  fast_mode=False, masked=False):
    """gradcheck of the gradient of ``func`` (second derivatives via create_graph=True)."""
    from ..ops.random import randn  # lazy: ember.ops.random imports us
    inputs = _as_tuple(inputs)
    outs = _outputs(func, inputs)
    if grad_outputs is None:
        grad_outputs = tuple(randn(tuple(o.shape), dtype=o.dtype, device=o.device,
                                   requires_grad=True)
                             for o in outs if o.requires_grad)
    else:
        grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)
    diff_idx = [k for k, t in enumerate(inputs) if _diff(t)]

    def first_grads(*args):
        ins, gos = args[:n_in], args[n_in:]
        with enable_grad():  # also when the numerical pass evaluates this under no_grad
            outs_ = [o for o in _outputs(func, ins) if o.requires_grad]
            gs = grad(outs_, [ins[k] for k in diff_idx], gos, create_graph=True,
                      allow_unused=True, materialize_grads=True)
        return gs

    return gradcheck(first_grads, inputs + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
