"""Float64 finite-difference gradient checks (first and second order) for the core ops."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck

RNG = np.random.default_rng(7)


def _t(*shape, low=-2.0, high=2.0):
    return ember.tensor(RNG.uniform(low, high, size=shape), dtype=ember.float64,
                        requires_grad=True)


def _pos(*shape):
    return _t(*shape, low=0.5, high=2.0)


def _unit(*shape):
    return _t(*shape, low=-0.8, high=0.8)


IDX = ember.tensor([[0, 2, 1], [2, 0, 0]])
IDX_U = ember.tensor([[0, 2, 1], [2, 0, 3]])  # no repeats within a row: scatter is well defined
MASK = ember.tensor([[True, False, True], [False, True, False]])

# name: (function, input makers); inputs are (3, 4)-ish float64 tensors unless stated
GRAD = {
    "neg": (lambda x: -x, [_t]),
    "abs": (lambda x: x.abs(), [_pos]),
    "square": (lambda x: x.square(), [_t]),
    "sqrt": (lambda x: x.sqrt(), [_pos]),
    "rsqrt": (lambda x: x.rsqrt(), [_pos]),
    "exp": (lambda x: x.exp(), [_t]),
    "exp2": (lambda x: x.exp2(), [_t]),
    "expm1": (lambda x: x.expm1(), [_t]),
    "log": (lambda x: x.log(), [_pos]),
    "log2": (lambda x: x.log2(), [_pos]),
    "log10": (lambda x: x.log10(), [_pos]),
    "log1p": (lambda x: x.log1p(), [_pos]),
    "sin": (lambda x: x.sin(), [_t]),
    "cos": (lambda x: x.cos(), [_t]),
    "tan": (lambda x: x.tan(), [_unit]),
    "asin": (lambda x: x.asin(), [_unit]),
    "acos": (lambda x: x.acos(), [_unit]),
    "atan": (lambda x: x.atan(), [_t]),
    "sinh": (lambda x: x.sinh(), [_t]),
    "cosh": (lambda x: x.cosh(), [_t]),
    "tanh": (lambda x: x.tanh(), [_t]),
    "asinh": (lambda x: x.asinh(), [_t]),
    "acosh": (lambda x: (x + 1.5).acosh(), [_pos]),
    "atanh": (lambda x: x.atanh(), [_unit]),
    "sigmoid": (lambda x: x.sigmoid(), [_t]),
    "erf": (lambda x: x.erf(), [_t]),
    "erfc": (lambda x: x.erfc(), [_t]),
    "erfinv": (lambda x: x.erfinv(), [_unit]),
    "lgamma": (lambda x: x.lgamma(), [_pos]),
    "digamma": (lambda x: x.digamma(), [_pos]),
    "reciprocal": (lambda x: x.reciprocal(), [_pos]),
    "relu": (lambda x: x.relu(), [_pos]),
    "frac": (lambda x: (x * 0.3).frac(), [_pos]),
    "logit": (lambda x: (x * 0.5 + 0.5).logit(), [_unit]),
    "sinc": (lambda x: x.sinc(), [_pos]),
    "add": (lambda a, b: a + b, [_t, _t]),
    "add-alpha": (lambda a, b: ember.add(a, b, alpha=2.5), [_t, _t]),
    "sub-bcast": (lambda a, b: a - b[0], [_t, _t]),
    "mul": (lambda a, b: a * b, [_t, _t]),
    "div": (lambda a, b: a / b, [_t, _pos]),
    "pow": (lambda a, b: a ** b, [_pos, _t]),
    "pow-scalar": (lambda a: a ** 3, [_t]),
    "rpow": (lambda a: 2.0 ** a, [_t]),
    "atan2": (lambda a, b: ember.atan2(a, b), [_t, _pos]),
    "hypot": (lambda a, b: ember.hypot(a, b), [_pos, _pos]),
    "maximum": (lambda a, b: ember.maximum(a, b), [_t, _t]),
    "minimum": (lambda a, b: ember.minimum(a, b), [_t, _t]),
    "fmax": (lambda a, b: ember.fmax(a, b), [_t, _t]),
    "logaddexp": (lambda a, b: ember.logaddexp(a, b), [_t, _t]),
    "logaddexp2": (lambda a, b: ember.logaddexp2(a, b), [_t, _t]),
    "remainder": (lambda a, b: ember.remainder(a, b), [_pos, _pos]),
    "fmod": (lambda a, b: ember.fmod(a, b), [_pos, _pos]),
    "xlogy": (lambda a, b: ember.xlogy(a, b), [_t, _pos]),
    "copysign": (lambda a, b: ember.copysign(a, b), [_pos, _t]),
    "clamp": (lambda x: x.clamp(-1, 1), [_t]),
    "clamp-tensor": (lambda x, lo: x.clamp(min=lo), [_t, _t]),
    "lerp": (lambda a, b: ember.lerp(a, b, 0.3), [_t, _t]),
    "lerp-tensor": (lambda a, b, w: ember.lerp(a, b, w), [_t, _t, _unit]),
    "addcmul": (lambda a, b, c: ember.addcmul(a, b, c, value=0.5), [_t, _t, _t]),
    "addcdiv": (lambda a, b, c: ember.addcdiv(a, b, c, value=2), [_t, _t, _pos]),
    "where": (lambda a, b: ember.where(a > 0, a, b), [_t, _t]),
    "sum": (lambda x: x.sum(), [_t]),
    "sum-dim": (lambda x: x.sum(1, keepdim=True), [_t]),
    "mean": (lambda x: x.mean((0, 1)), [_t]),
    "prod": (lambda x: x.prod(1), [_t]),
    "prod-all": (lambda x: x.prod(), [_t]),
    "var": (lambda x: x.var(0), [_t]),
    "std": (lambda x: x.std(1, correction=0), [_t]),
    "amax": (lambda x: x.amax(1), [_t]),
    "max-dim": (lambda x: x.max(0).values, [_t]),
    "min-all": (lambda x: x.min(), [_t]),
    "logsumexp": (lambda x: x.logsumexp(1), [_t]),
    "cumsum": (lambda x: x.cumsum(1), [_t]),
    "cumprod": (lambda x: x.cumprod(0), [_t]),
    "softmax": (lambda x: x.softmax(1), [_t]),
    "log_softmax": (lambda x: x.log_softmax(0), [_t]),
    "view": (lambda x: x.view(4, 3) * 2, [_t]),
    "reshape-t": (lambda x: x.t().reshape(-1), [_t]),
    "permute": (lambda x: x.unsqueeze(0).permute(2, 0, 1), [_t]),
    "expand": (lambda x: x[:, :1].expand(3, 5), [_t]),
    "squeeze": (lambda x: x[:1].squeeze(0), [_t]),
    "narrow": (lambda x: x.narrow(1, 1, 2), [_t]),
    "select": (lambda x: x.select(1, 2), [_t]),
    "unbind": (lambda x: x.unbind(0)[1], [_t]),
    "split": (lambda x: x.split(2, 1)[1], [_t]),
    "chunk": (lambda x: x.chunk(2, 0)[0], [_t]),
    "unfold": (lambda x: x.unfold(1, 2, 1), [_t]),
    "diagonal": (lambda x: x.diagonal(1), [_t]),
    "as_strided": (lambda x: x.as_strided((2, 2), (1, 2), 1), [_t]),
    "getitem-slice": (lambda x: x[1:, ::2], [_t]),
    "getitem-index": (lambda x: x[[0, 2, 0]], [_t]),
    "getitem-mask": (lambda x: x[x > 0], [_t]),
    "index_select": (lambda x: x.index_select(1, ember.tensor([0, 3, 0])), [_t]),
    "gather": (lambda x: x.gather(1, IDX), [_t]),
    "scatter": (lambda x, s: x.scatter(1, IDX_U, s), [_t, _t]),
    "scatter_add": (lambda x, s: x.scatter_add(1, IDX, s[:2, :3]), [_t, _t]),
    "index_add": (lambda x, s: x.index_add(0, ember.tensor([0, 0, 2]), s), [_t, _t]),
    "masked_fill": (lambda x: x[:2, :3].masked_fill(MASK, 0.5), [_t]),
    "masked_select": (lambda x: x[:2, :3].masked_select(MASK), [_t]),
    "take": (lambda x: ember.take(x, ember.tensor([0, 5, 5])), [_t]),
    "cat": (lambda a, b: ember.cat([a, b], 1), [_t, _t]),
    "stack": (lambda a, b: ember.stack([a, b], 0), [_t, _t]),
    "flip": (lambda x: x.flip(0), [_t]),
    "roll": (lambda x: x.roll(1, 1), [_t]),
    "repeat": (lambda x: x.repeat(2, 1), [_t]),
    "tile": (lambda x: x.tile((1, 2)), [_t]),
    "tril": (lambda x: x.tril(), [_t]),
    "triu": (lambda x: x.triu(1), [_t]),
    "matmul": (lambda a, b: a @ b.t(), [_t, _t]),
    "matmul-1d": (lambda a, b: a[0] @ b.t(), [_t, _t]),
    "bmm": (lambda a, b: ember.bmm(a.unsqueeze(0), b.t().unsqueeze(0)), [_t, _t]),
    "mv": (lambda a, b: ember.mv(a, b[0]), [_t, _t]),
    "dot": (lambda a, b: ember.dot(a[0], b[1]), [_t, _t]),
    "outer": (lambda a, b: ember.outer(a[0], b[1]), [_t, _t]),
    "addmm": (lambda c, a, b: ember.addmm(c[:, :3], a, b.t()[:, :3], beta=0.5, alpha=2),
              [_t, _t, _t]),
    "einsum": (lambda a, b: ember.einsum("ij,kj->ik", a, b), [_t, _t]),
    "tensordot": (lambda a, b: ember.tensordot(a, b, dims=([1], [1])), [_t, _t]),
    "kron": (lambda a, b: ember.kron(a[:2, :2], b[:2, :2]), [_t, _t]),
    "setitem": (lambda x, v: _setitem(x, v), [_t, _t]),
    "inplace-mul_": (lambda x, y: (x * 1).mul_(y).add_(y), [_t, _t]),
    "inplace-view": (lambda x, y: _inplace_view(x, y), [_t, _t]),
    "clone-contig": (lambda x: x.t().contiguous().clone(), [_t]),
    "to-same": (lambda x: x.to(ember.float64).double() * 1, [_t]),
}


def _setitem(x, v):
    y = x * 1
    y[1] = v[0] * 2
    y[:, 0] = v[1, 0]
    return y


def _inplace_view(x, y):
    z = x * 1
    z.t()[1].mul_(y[0, :3])
    z.diagonal().add_(1)
    return z


@pytest.mark.parametrize("name", list(GRAD))
def test_gradcheck(name):
    fn, makers = GRAD[name]
    inputs = tuple(mk(3, 4) for mk in makers)
    assert gradcheck(fn, inputs)


SECOND = ["mul", "div", "exp", "log", "sin", "tanh", "sigmoid", "pow", "sqrt", "sum-dim", "prod",
          "var", "logsumexp", "softmax", "matmul", "gather", "getitem-index", "cumprod",
          "atan2", "maximum", "expand", "where", "addcdiv", "erf", "lgamma"]


@pytest.mark.parametrize("name", SECOND)
def test_gradgradcheck(name):
    fn, makers = GRAD[name]
    inputs = tuple(mk(3, 4) for mk in makers)
    assert gradgradcheck(fn, inputs)


def test_noncontiguous_inputs_gradcheck():
    x, y = _t(4, 3), _t(3, 8)
    assert not x.t().is_contiguous() and not y[:, ::2].is_contiguous()
    for fn in (lambda a, b: a.t() * b[:, ::2], lambda a, b: (a.t() @ b[:, 1::2].t()).sum(0),
               lambda a, b: a.t().exp() / b[:, ::2].cosh(),
               lambda a, b: ember.cat([a.t(), b[:, ::2]]).max(0).values):
        assert gradcheck(fn, (x, y))


SETITEM_KEYS = {
    "int": lambda m: 1, "slice": lambda m: slice(0, 2), "tuple": lambda m: (0, slice(1, 3)),
    "list": lambda m: [0, 2], "tensor": lambda m: m.tensor([2, 0]),
    "mask": lambda m: m.tensor([True, False, True]),
    "int-and-tensor": lambda m: (1, m.tensor([0, 3])), "ellipsis": lambda m: (Ellipsis, 1),
    "none": lambda m: (None, 0), "2d-mask": lambda m: m.tensor([[True, False, True, False]] * 3),
}


@pytest.mark.parametrize("name", list(SETITEM_KEYS))
def test_setitem_gradients_match_torch(name, torch_mod):
    """y[key] = v inside a graph: the gradients reaching x and v are PyTorch's."""
    from core_parity import check_same
    w = np.arange(12.0).reshape(3, 4) / 7
    res = []
    for m in (ember, torch_mod):
        x = m.tensor(w, requires_grad=True)
        y = x * 2
        key = SETITEM_KEYS[name](m)
        v = m.tensor(np.full(tuple(y[key].shape), 3.0), requires_grad=True)
        y[key] = v * v
        (y * m.tensor(np.arange(12.0).reshape(3, 4))).sum().backward()
        res.append((y.detach(), x.grad, v.grad))
    check_same(res[0], res[1])
