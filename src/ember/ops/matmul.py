"""Matrix products: matmul (PyTorch's batching and broadcasting rules), mm, bmm, einsum ..."""
from .. import _dtype as D
from ..autograd.node import Op
from ._operands import promote, as_operand, named
from ._inplace import handle_out
from .creation import ones
from .._tensor import Tensor
from ._registry import register



class Matmul(Op):
    """Batched matrix product of arrays with >= 2 dims (1-d cases are reshaped by ``matmul``)."""
    _name = "MmBackward0"
    save = (0, 1)

    def forward(ctx, a, b):
        r = ctx.xp.matmul(a, b)
        return r if r.dtype == a.dtype else r.astype(a.dtype)  # bfloat16 computes in float32

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        ga = g.matmul(b.mT.conj()) if need_a else None
        gb = a.mT.conj().matmul(g) if need_b else None
        return ga, gb


def _check_float_like(a, b):
    if a.dtype is D.bool_ or b.dtype is D.bool_:
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")
    if a.dtype is not b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{a.dtype.name if a.dtype.name != 'float32' else 'float'} != "
                           f"{b.dtype.name if b.dtype.name != 'float32' else 'float'}")


@register(dunder="__matmul__")
def matmul(input, other, *, out=None):
    """Matrix product with PyTorch's rules for 1-d, 2-d and batched (broadcast) operands."""
    a, b = input, as_operand(other)
    if b is not other:  # a NumPy operand: PyTorch lets NumPy compute, in the promoted dtype
        (a, b), _ = promote(a, b)
    if a._data.ndim == 0 or b._data.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{a._data.ndim}D and {b._data.ndim}D")
    _check_float_like(a, b)
    sa, sb = a._data.shape, b._data.shape
    ka = sa[-1]
    kb = sb[0] if b._data.ndim == 1 else sb[-2]
    if ka != kb:
        if a._data.ndim == 1 and b._data.ndim == 1:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{sa[0]}] and src "
                               f"[{sb[0]}] to have the same number of elements, but got {sa[0]} "
                               f"and {sb[0]} elements respectively")
        ra = f"{sa[-2] if a._data.ndim > 1 else 1}x{ka}"
        if a._data.ndim > 2:
            ra = f"{a._data.size // ka}x{ka}"
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({ra} and "
                           f"{kb}x{sb[-1] if b._data.ndim > 1 else 1})")
    if a._data.ndim == 1 and b._data.ndim == 1:
        r = (a * b).sum()
        return handle_out(named(r if r.dtype is a.dtype else r.to(a.dtype), "DotBackward0"), out)
    if a._data.ndim == 1:
        return handle_out(Matmul.apply(a.unsqueeze(0), b).squeeze(-2), out)
    if b._data.ndim == 1:
        return handle_out(Matmul.apply(a, b.unsqueeze(-1)).squeeze(-1), out)
    return handle_out(Matmul.apply(a, b), out)


@register
def mm(input, mat2, *, out=None):
    """Product of two 2-d matrices (``torch.mm``)."""
    if input.dim() != 2 or mat2.dim() != 2:
        raise RuntimeError(f"{'self' if input.dim() != 2 else 'mat2'} must be a matrix")
    return matmul(input, mat2, out=out)


@register
def bmm(input, mat2, *, out=None):
    """Batched product of 3-d tensors with equal batch size (``torch.bmm``)."""
    if input.dim() != 3 or mat2.dim() != 3:
        raise RuntimeError("batch1 must be a 3D tensor" if input.dim() != 3 else
                           "batch2 must be a 3D tensor")
    if input.shape[0] != mat2.shape[0] or input.shape[2] != mat2.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{input.shape[0]}, {input.shape[2]}] but got: "
                           f"[{mat2.shape[0]}, {mat2.shape[1]}].")
    return matmul(input, mat2, out=out)


@register
def mv(input, vec, *, out=None):
    """Matrix-vector product (``torch.mv``)."""
    if input.dim() != 2 or vec.dim() != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input.dim()}, {vec.dim()}")
    if input.shape[1] != vec.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({input.shape[0]}), mat "
                           f"({input.shape[0]}x{input.shape[1]}), vec ({vec.shape[0]})")
    return matmul(input, vec, out=out)


@register
def dot(input, tensor, *, out=None):
    """Inner product of two 1-d tensors (``torch.dot``)."""
    other = tensor
    if input.dim() != 1 or other.dim() != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.dim()}D and {other.dim()}D "
                           "tensors")
    return matmul(input, other, out=out)


@register
def vdot(input, other, *, out=None):
    """dot with the first argument conjugated."""
    return dot(input.conj(), other, out=out)


@register
def inner(input, other, *, out=None):
    """Sum of products over the last dims (``torch.inner``)."""
    if input.dim() == 0 or other.dim() == 0:
        return handle_out(input * other, out)
    return handle_out(tensordot(input, other, dims=([-1], [-1])), out)


@register
def outer(input, vec2, *, out=None):
    """Outer product of two 1-d tensors (``torch.outer``)."""
    for name, v in (("self", input), ("vec2", vec2)):
        if v.dim() != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {v.dim()}-D")
    (a, b), _ = promote(input, vec2)
    return handle_out(a.unsqueeze(1) * b.unsqueeze(0), out)


ger = outer
register("ger", ger)


@register(inplace=True)
def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat1 @ mat2) (``torch.addmm``)."""
    prod = mm(mat1, mat2)
    return handle_out(_scaled_sum(input, prod, beta, alpha), out)


def _scaled_sum(input, prod, beta, alpha):
    if alpha != 1:
        prod = prod * alpha
    if beta == 0:  # PyTorch ignores input (even NaN) when beta is 0
        return prod
    return (input if beta == 1 else input * beta) + prod


@register(inplace=True, inplace_function=True)
def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat @ vec)."""
    return handle_out(_scaled_sum(input, mv(mat, vec), beta, alpha), out)


@register(inplace=True)
def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * sum_b(batch1[b] @ batch2[b])."""
    return handle_out(_scaled_sum(input, bmm(batch1, batch2).sum(0), beta, alpha), out)


@register(inplace=True)
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (batch1 @ batch2), batched."""
    return handle_out(_scaled_sum(input, bmm(batch1, batch2), beta, alpha), out)


@register(inplace=True)
def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * outer(vec1, vec2)."""
    return handle_out(_scaled_sum(input, outer(vec1, vec2), beta, alpha), out)


class Einsum(Op):
    """einsum over any number of operands; each operand's gradient is another einsum."""

    def forward(ctx, *arrays, spec):
        ctx.spec = spec
        return ctx.xp.einsum(spec, *arrays, optimize=len(arrays) > 2)

    def backward(ctx, g):
        ins, out = ctx.spec.split("->")
        terms = ins.split(",")
        operands = ctx.saved_tensors
        grads = []
        for i, term in enumerate(terms):
            if not ctx.needs_input_grad[i]:
                grads.append(None)
                continue
            others = [t for j, t in enumerate(terms) if j != i]
            ops = [operands[j] for j in range(len(terms)) if j != i]
            # letters of this operand missing from the others and the output are summed away
            # in forward: they come back through a broadcast of ones
            present = set(out) | set("".join(others))
            missing = [c for c in term if c not in present]
            spec = ",".join([out] + others) + "->" + "".join(c for c in term if c not in missing)
            gi = einsum(spec, g, *ops)
            if missing or len(set(term)) != len(term):
                gi = _expand_back(gi, term, missing, operands[i])
            grads.append(gi)
        return tuple(grads)


def _expand_back(gi, term, missing, operand):
    kept = "".join(c for c in dict.fromkeys(term) if c not in missing)
    sizes = {c: n for c, n in zip(term, operand.shape)}
    shape_letters = "".join(dict.fromkeys(term))
    full = einsum(f"{kept},{''.join(missing)}->{shape_letters}", gi,
                  ones([sizes[c] for c in missing], dtype=gi.dtype, device=gi.device)) if missing else gi
    if len(set(term)) != len(term):  # repeated letter (a diagonal): scatter onto it
        raise NotImplementedError("einsum backward with a repeated index in one operand")
    return full


def _normalize_spec(spec, operands):
    spec = spec.replace(" ", "")
    if "->" not in spec:
        ins = spec
        letters = [c for c in ins if c.isalpha()]
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
        if "..." in ins:
            out = "..." + out
        spec = ins + "->" + out
    if "..." in spec:
        ins, out = spec.split("->")
        terms = ins.split(",")
        used = set(c for c in spec if c.isalpha())
        free = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in used]
        max_ell = max((op.dim() - (len(t) - 3) for t, op in zip(terms, operands) if "..." in t),
                      default=0)
        # right-align ellipsis dims across operands
        new_terms = []
        for term, op in zip(terms, operands):
            if "..." in term:
                n = op.dim() - (len(term) - 3)
                new_terms.append(term.replace("...", "".join(free[max_ell - n:max_ell])))
            else:
                new_terms.append(term)
        out = out.replace("...", "".join(free[:max_ell]))
        spec = ",".join(new_terms) + "->" + out
    return spec


@register
def einsum(equation, *operands):
    """Einstein summation (``torch.einsum``), differentiable in every operand."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    spec = _normalize_spec(equation, operands)
    _check_einsum_sizes(spec, operands)
    ops, dt = promote(*operands)
    spec, ops = _take_diagonals(spec, ops)
    if dt is D.bool_:
        raise NotImplementedError("\"bmm\" not implemented for 'Bool'")
    if dt is D.bfloat16:  # NumPy's einsum has no bfloat16 loops: compute in float32
        ops = [o.float() for o in ops]
        return _einsum_op(len(ops)).apply(*ops, spec=spec).to(dt)
    return _einsum_op(len(ops)).apply(*ops, spec=spec)


def _check_einsum_sizes(spec, operands):
    """PyTorch's error when one subscript letter has sizes that do not broadcast."""
    seen = {}
    for k, (term, op) in enumerate(zip(spec.split("->")[0].split(","), operands)):
        head, _, tail = term.partition("...")
        shape = tuple(op.shape)
        pairs = list(zip(head, shape)) + (list(zip(tail, shape[len(shape) - len(tail):]))
                                          if tail else [])
        for c, n in pairs:
            prev = seen.get(c)
            if prev is not None and n != prev and n != 1 and prev != 1:
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {k} which "
                                   f"does not broadcast with previously seen size {prev}")
            if prev is None or prev == 1:
                seen[c] = n


def _take_diagonals(spec, ops):
    """Rewrite operands with a repeated letter ("ii") as their diagonals, so every operand's
    letters are distinct and each gradient is a plain einsum (then a diagonal scatter)."""
    ins, out = spec.split("->")
    terms = ins.split(",")
    if all(len(set(t)) == len(t) for t in terms):
        return spec, ops
    ops = list(ops)
    for k, term in enumerate(terms):
        while len(set(term)) != len(term):
            c = next(ch for ch in term if term.count(ch) > 1)
            i = term.index(c)
            j = term.index(c, i + 1)
            ops[k] = ops[k].diagonal(0, i, j)  # the diagonal becomes the last dim
            term = term[:i] + term[i + 1:j] + term[j + 1:] + c
        terms[k] = term
    return ",".join(terms) + "->" + out, ops


_EINSUM_BY_ARITY = {}


def _einsum_op(n):
    """The Einsum op class saving all ``n`` operands."""
    if n not in _EINSUM_BY_ARITY:
        _EINSUM_BY_ARITY[n] = type("Einsum", (Einsum,), {"save": tuple(range(n))})
    return _EINSUM_BY_ARITY[n]


@register
def tensordot(a, b, dims=2, out=None):
    """Sum of products over the given dims of a and b (``torch.tensordot``)."""
    if not isinstance(dims, (int, list, tuple)):
        if not isinstance(dims, Tensor):
            raise RuntimeError("tensordot expects dims to be int or tuple[list[int], list[int]] "
                               f"or list[list[int]] containing two lists, but got dims={dims}")
        # PyTorch: one element is a count of dims (read as an int), more are the two lists
        dims = int(dims.item()) if dims.numel() == 1 else dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a.dim(), b.dim()):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        da = list(range(-dims, 0))
        db = list(range(dims))
    else:
        da, db = dims
        for v, name, pos in ((da, "dims_self", 3), (db, "dims_other", 4)):
            if not isinstance(v, (list, tuple)):
                raise TypeError(f"tensordot(): argument '{name}' (position {pos}) must be tuple "
                                f"of ints, not {type(v).__name__}")
        if len(da) != len(db):
            raise RuntimeError("both dimension lists should have same length")
    for i, j in zip(da, db):
        if a.shape[i] != b.shape[j]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a.shape[i]} in dim {i} and second has size {b.shape[j]} in "
                               f"dim {j}")
    da = [d % a.dim() for d in da]
    db = [d % b.dim() for d in db]
    letters = "abcdefghijklmnopqrstuvwxyz"
    la = list(letters[:a.dim()])
    lb = list(letters[a.dim():a.dim() + b.dim()])
    for i, j in zip(da, db):
        lb[j] = la[i]
    out_letters = [c for k, c in enumerate(la) if k not in da] + \
                  [c for k, c in enumerate(lb) if k not in db]
    return handle_out(einsum("".join(la) + "," + "".join(lb) + "->" + "".join(out_letters), a, b),
                      out)


@register
def kron(input, other, *, out=None):
    """Kronecker product (``torch.kron``)."""
    nd = max(input.dim(), other.dim())
    a = input.reshape((1,) * (nd - input.dim()) + tuple(input.shape))
    b = other.reshape((1,) * (nd - other.dim()) + tuple(other.shape))
    ea = a.reshape(sum(([n, 1] for n in a.shape), []))
    eb = b.reshape(sum(([1, n] for n in b.shape), []))
    return handle_out((ea * eb).reshape([x * y for x, y in zip(a.shape, b.shape)]), out)
