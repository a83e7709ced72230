"""The classes of argument defects of issue 16, one direct test each: Ember refuses bad input
with PyTorch's exception class (the table's expectation was read from torch 2.13), never
answering silently, hanging or raising an internal error. With torch installed, the same table
runs on it too, so the expectations stay PyTorch's."""
import math

import pytest

import ember


def _ds(T):
    return T.utils.data.TensorDataset(T.ones(4))


def _param(T):
    return [T.nn.Parameter(T.ones(1))]


F = lambda T: T.nn.functional  # noqa: E731
X = lambda T: T.ones(3, 2)  # noqa: E731

# (case, call(T), class PyTorch raises or "ok")
CASES = [
    # integer sizes past int64
    ("arange(2**63)", lambda T: T.arange(2 ** 63), RuntimeError),
    ("one_hot(t, 2**63)", lambda T: F(T).one_hot(T.tensor([0, 1, 2, 3]), 2 ** 63), ValueError),
    ("x.split(2**63)", lambda T: X(T).split(2 ** 63), ValueError),
    ("DataLoader(batch_size=2**63)",
     lambda T: list(T.utils.data.DataLoader(_ds(T), batch_size=2 ** 63)), ValueError),
    ("full((2,), nan, int64)", lambda T: T.full((2,), math.nan, dtype=T.int64), RuntimeError),
    ("zeros(2**63)", lambda T: T.zeros(2 ** 63), TypeError),
    ("x.permute(2**63, 0)", lambda T: X(T).permute(2 ** 63, 0), TypeError),
    ("tensor_split(x, 2**63)", lambda T: T.tensor_split(X(T), 2 ** 63), ValueError),
    # loose types
    ("zeros(tensor(3.))", lambda T: T.zeros(T.tensor(3.)), TypeError),
    ("cat(ones(3, 2))", lambda T: T.cat(T.ones(3, 2)), TypeError),
    ("conv2d(stride=1.5)", lambda T: F(T).conv2d(T.ones(1, 1, 4, 4), T.ones(1, 1, 2, 2),
                                                 stride=1.5), TypeError),
    ("max_pool2d(x, True)", lambda T: F(T).max_pool2d(T.ones(1, 1, 4, 4), True), TypeError),
    ("tensor(dtype='float32')", lambda T: T.tensor([1.0], dtype="float32"), TypeError),
    ("set_grad_enabled('x')", lambda T: T.set_grad_enabled("x"), TypeError),
    ("x.topk(1.5)", lambda T: X(T).topk(1.5), TypeError),
    ("x.sum(1, keepdim=1)", lambda T: X(T).sum(1, keepdim=1), TypeError),
    ("sum(3)", lambda T: T.sum(3), TypeError),
    ("x.split([1.5])", lambda T: X(T).split([1.5]), TypeError),
    ("x.to(dtype='float32')", lambda T: X(T).to(dtype="float32"), TypeError),
    ("x.view(True, -1)", lambda T: X(T).view(True, -1), TypeError),
    ("F.pad(x, (1, 1), 1)", lambda T: F(T).pad(X(T), (1, 1), 1), TypeError),
    ("LSTM(3, 4, bias=1)", lambda T: T.nn.LSTM(3, 4, bias=1), TypeError),
    ("masked_fill(m, 'a')", lambda T: X(T).masked_fill(X(T) > 0, "a"), TypeError),
    # invalid values
    ("huber_loss(delta=-1)", lambda T: F(T).huber_loss(X(T), X(T), delta=-1.0), RuntimeError),
    ("interpolate(size=-1)", lambda T: F(T).interpolate(T.ones(1, 1, 4, 4), size=-1),
     RuntimeError),
    ("as_strided negative stride", lambda T: X(T).as_strided((2, 2), (-1, 1)), RuntimeError),
    ("Adam(betas=(0.9, 0))", lambda T: T.optim.Adam(_param(T), betas=(0.9, 0)), ValueError),
    ("Adam(betas=(0.9, 1.0))", lambda T: T.optim.Adam(_param(T), betas=(0.9, 1.0)), ValueError),
    ("dropout(p=nan)", lambda T: F(T).dropout(X(T), p=math.nan), RuntimeError),
    ("dropout(p=tensor(2.))", lambda T: F(T).dropout(X(T), p=T.tensor(2.0)), ValueError),
    ("uniform_(1, 0)", lambda T: X(T).uniform_(1.0, 0.0), RuntimeError),
    ("normal_(std=-1)", lambda T: X(T).normal_(0.0, -1.0), RuntimeError),
    ("mse_loss(reduction='avg')", lambda T: F(T).mse_loss(X(T), X(T), reduction="avg"),
     ValueError),
    ("tril_indices(-1, 3)", lambda T: T.tril_indices(-1, 3), RuntimeError),
    ("F.unfold(kernel_size=0)", lambda T: F(T).unfold(T.ones(1, 1, 4, 4), 0), RuntimeError),
    ("pixel_shuffle(x, 0)", lambda T: F(T).pixel_shuffle(T.ones(1, 4, 2, 2), 0), RuntimeError),
    # missing shape checks
    ("index_add_ mismatched source", lambda T: T.zeros(3, 2).index_add_(
        0, T.tensor([0, 1]), T.ones(3, 2)), RuntimeError),
    ("index_add_ source dtype", lambda T: T.zeros(3, 2).index_add_(
        0, T.tensor([0, 1, 2]), T.ones(3, 2, dtype=T.float64)), RuntimeError),
    ("outer of non-vectors", lambda T: T.outer(T.ones(2, 2), T.ones(2)), RuntimeError),
    ("tensordot(dims=-1)", lambda T: T.tensordot(X(T), X(T).t(), dims=-1), RuntimeError),
    ("tensordot(dims=1.5)", lambda T: T.tensordot(X(T), X(T).t(), dims=1.5), RuntimeError),
    ("batch_norm wrong-size stats", lambda T: F(T).batch_norm(X(T), T.zeros(3), T.ones(3)),
     RuntimeError),
    ("layer_norm(x, [])", lambda T: F(T).layer_norm(X(T), []), RuntimeError),
    ("layer_norm wrong weight", lambda T: F(T).layer_norm(X(T), (2,), T.ones(3)),
     RuntimeError),
    ("LSTM zero-length sequence", lambda T: T.nn.LSTM(2, 3)(T.ones(0, 1, 2)), RuntimeError),
    ("nll_loss class weight size", lambda T: F(T).nll_loss(
        T.zeros(2, 3), T.tensor([0, 1]), T.ones(4)), RuntimeError),
    ("hstack([])", lambda T: T.hstack([]), RuntimeError),
    ("adaptive_avg_pool2d(x, (1, 1, 1))", lambda T: F(T).adaptive_avg_pool2d(
        T.ones(1, 1, 4, 4), (1, 1, 1, 1, 1)), ValueError),
    ("layer_norm on int64", lambda T: F(T).layer_norm(T.ones(2, 4, dtype=T.int64), (4,)),
     NotImplementedError),
    # data loss and hangs
    ("DataLoader(num_workers=1, prefetch_factor=0)", lambda T: list(T.utils.data.DataLoader(
        _ds(T), num_workers=1, prefetch_factor=0)), AssertionError),
    ("adaptive_avg_pool2d(x, 10**12)",
     lambda T: F(T).adaptive_avg_pool2d(T.ones(1, 1, 4, 4), 10 ** 12), RuntimeError),
    ("zeros(10**12)", lambda T: T.zeros(10 ** 12), RuntimeError),
    ("linspace(0, 1, 10**12)", lambda T: T.linspace(0, 1, 10 ** 12), RuntimeError),
    # wrong exception types
    ("x.to('cpu:5')", lambda T: X(T).to("cpu:5"), "ok"),
    ("tensor(None)", lambda T: T.tensor(None), RuntimeError),
    ("tensor([['a']])", lambda T: T.tensor([["a"]]), ValueError),
    ("eye(3, -1)", lambda T: T.eye(3, -1), RuntimeError),
    ("max_pool2d(padding=-1)", lambda T: F(T).max_pool2d(T.ones(1, 1, 4, 4), 2, padding=-1),
     RuntimeError),
    ("linear bias of another shape", lambda T: F(T).linear(X(T), T.ones(4, 2), T.ones(5)),
     RuntimeError),
    ("einsum bad subscripts", lambda T: T.einsum("ij->iz", X(T)), RuntimeError),
    ("inference_mode(1) decorates", lambda T: T.inference_mode(1), "ok"),
]


def _outcome(T, call):
    try:
        call(T)
    except Exception as exc:  # noqa: BLE001 - the class is what is checked
        return exc
    return "ok"


@pytest.mark.parametrize("case,call,want", CASES, ids=[c[0] for c in CASES])
def test_ember_raises_torchs_class(case, call, want):
    got = _outcome(ember, call)
    if want == "ok":
        assert got == "ok", f"{case}: {got!r}"
    else:
        assert isinstance(got, want), f"{case}: expected {want.__name__}, got {got!r}"


@pytest.mark.parametrize("case,call,want", CASES, ids=[c[0] for c in CASES])
def test_table_is_torchs(case, call, want):
    torch = pytest.importorskip("torch")
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = _outcome(torch, call)
    if want == "ok":
        assert got == "ok", f"{case}: {got!r}"
    else:
        assert isinstance(got, want), f"{case}: torch raised {got!r}"


def test_messages_name_the_argument():
    with pytest.raises(TypeError, match=r"topk\(\): argument 'k' \(position 1\) must be int, "
                                        r"not float"):
        ember.ones(3).topk(1.5)
    with pytest.raises(TypeError, match="argument 'input' .* must be Tensor, not list"):
        ember.sum([1.0, 2.0])
    with pytest.raises(RuntimeError, match="running_mean should contain 2 elements not 3"):
        ember.nn.functional.batch_norm(ember.ones(3, 2), ember.zeros(3), ember.ones(3))


def test_allocation_errors_stay_memory_errors():
    """NumPy's MemoryError becomes PyTorch's RuntimeError, still catchable as MemoryError."""
    with pytest.raises(MemoryError):
        ember.linspace(0, 1, 10 ** 12)
    with pytest.raises(RuntimeError):
        ember.eye(10 ** 12)
