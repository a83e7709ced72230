"""``ember.autograd.functional``: jacobian, hessian, vjp, jvp, hvp, vhp."""
from .api import grad
from .._tensor import Tensor
from .grad_mode import enable_grad

__all__ = ["jacobian", "hessian", "vjp", "jvp", "hvp", "vhp"]


def _tuple(x):
    return (x,) if isinstance(x, Tensor) else tuple(x)


def _prepare(inputs, create_graph):
    return tuple(t.detach().requires_grad_(True) if not create_graph or not t.requires_grad
                 else t for t in inputs)


def _grad_or_zeros(outs, ins, gos, create_graph):
    from ..ops.creation import zeros_like  # lazy: ember.ops.creation imports us
    diff_outs = [o for o in outs if o.requires_grad]
    if not diff_outs:
        return tuple(zeros_like(i) for i in ins)
    gos = [g for o, g in zip(outs, gos) if o.requires_grad]
    gs = grad(diff_outs, ins, gos, create_graph=create_graph, retain_graph=True,
              allow_unused=True)
    return tuple(zeros_like(i) if g is None else g for g, i in zip(gs, ins))


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J) (``torch.autograd.functional.vjp``)."""
    from ..ops.creation import ones_like  # lazy: ember.ops.creation imports us
    is_tuple = not hasattr(inputs, "shape")
    ins = _prepare(_tuple(inputs), create_graph)
    with enable_grad():
        out = func(*ins)
    outs = _tuple(out)
    vs = _tuple(v) if v is not None else tuple(ones_like(o) for o in outs)
    gs = _grad_or_zeros(outs, ins, vs, create_graph)
    out_d = out.detach() if not create_graph and hasattr(out, "detach") else out
    return out_d, (gs if is_tuple else gs[0])


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v) by the double-vjp trick (``torch.autograd.functional.jvp``)."""
    from ..ops.creation import zeros_like, ones_like  # lazy: ember.ops.creation imports us
    is_tuple = not hasattr(inputs, "shape")
    ins = _prepare(_tuple(inputs), create_graph)
    vs = _tuple(v) if v is not None else tuple(ones_like(i) for i in ins)
    with enable_grad():
        out = func(*ins)
        outs = _tuple(out)
        dummies = tuple(zeros_like(o).requires_grad_(True) for o in outs)
        gs = _grad_or_zeros(outs, ins, dummies, create_graph=True)
        diff = [(g, vv) for g, vv in zip(gs, vs) if g.requires_grad]
        if diff:
            jv = grad([g for g, _ in diff], dummies, [vv for _, vv in diff],
                      create_graph=create_graph, allow_unused=True)
        else:
            jv = (None,) * len(outs)
    jv = tuple(zeros_like(o) if j is None else j for j, o in zip(jv, outs))
    out_d = tuple(o.detach() for o in outs) if not create_graph else outs
    single = hasattr(out, "shape")
    return (out_d[0] if single else out_d), (jv[0] if single else jv)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """The Jacobian of func at inputs, shaped output.shape + input.shape."""
    from ..ops.creation import zeros_like  # lazy: ember.ops.creation imports us
    from ..ops.joining import stack  # lazy: ember.ops.joining imports us
    is_tuple_in = not hasattr(inputs, "shape")
    ins = _prepare(_tuple(inputs), create_graph)
    with enable_grad():
        out = func(*ins)
    is_tuple_out = not hasattr(out, "shape")
    outs = _tuple(out)
    result = []
    for o in outs:
        rows = [[] for _ in ins]
        for m in range(o.numel()):
            go = zeros_like(o)
            go._data.reshape(-1)[m] = 1
            gs = _grad_or_zeros((o,), ins, (go,), create_graph)
            for k, g in enumerate(gs):
                rows[k].append(g)
        per_in = tuple(stack(r).reshape(tuple(o.shape) + tuple(i.shape)) if r else
                       zeros_like(i).reshape(tuple(o.shape) + tuple(i.shape))
                       for r, i in zip(rows, ins))
        result.append(per_in if is_tuple_in else per_in[0])
    return tuple(result) if is_tuple_out else result[0]


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar function."""
    is_tuple_in = not hasattr(inputs, "shape")

    def gradient(*ins):
        with enable_grad():
            out = func(*ins)
        gs = _grad_or_zeros((out,), ins, (None,) if False else (out.new_ones(()),), True)
        return gs if is_tuple_in else gs[0]
    return jacobian(gradient, inputs, create_graph=create_graph)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T H)."""
    is_tuple = not hasattr(inputs, "shape")
    ins = _prepare(_tuple(inputs), create_graph)
    with enable_grad():
        out = func(*ins)
        gs = _grad_or_zeros((out,), ins, (out.new_ones(()),), True)
        vs = _tuple(v)
        hv = _grad_or_zeros(gs, ins, vs, create_graph)
    return out.detach(), (hv if is_tuple else hv[0])


hvp = vhp  # the Hessian is symmetric for twice-differentiable functions
