"""Issues 2-8, part 2: everyday calls spelled with PyTorch's keyword names, and listed
behaviours/errors, run under both real torch and Ember; results (or exception type and message)
must match. Skips cleanly when torch is missing.
"""

import collections
import io
import pickle
import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


# ---------------------------------------------------------------- save/load and vision ---------
def test_save_load_interop_bytesio():
    sd = {
        "w": ember.arange(6.0).reshape(2, 3).t(),
        "b": ember.tensor([True, False]),
        "h": ember.ones(2, dtype=ember.bfloat16),
        "n": [1, 2.5, "x"],
    }
    buf = io.BytesIO()
    ember.save(sd, buf)
    buf.seek(0)
    back = torch.load(buf, weights_only=True)
    assert back["w"].tolist() == sd["w"].tolist() and back["w"].stride() == (1, 3)
    assert back["b"].dtype == torch.bool and back["h"].dtype == torch.bfloat16
    buf = io.BytesIO()
    torch.save(torch.nn.Linear(3, 2).state_dict(), buf)
    buf.seek(0)
    esd = ember.load(buf, map_location="cpu")
    assert list(esd) == ["weight", "bias"] and isinstance(esd["weight"], ember.Tensor)


def test_weights_only_rejects_unsafe_pickle():
    import pickle

    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    buf = io.BytesIO()
    torch.save({"x": Evil()}, buf)
    for lib in (torch, ember):
        buf.seek(0)
        with pytest.raises(pickle.UnpicklingError):
            lib.load(buf, weights_only=True)


# ---------------------------------------------------------------- issue 8: vision --------------
def test_vision_surface():
    import ember.vision as V

    for n in (
        "Compose",
        "ToTensor",
        "Normalize",
        "RandomCrop",
        "RandomHorizontalFlip",
        "Resize",
        "RandomRotation",
    ):
        assert hasattr(V.transforms, n), f"vision.transforms.{n} missing"
    for n in ("FashionMNIST", "Digits"):
        assert hasattr(V.datasets, n), f"vision.datasets.{n} missing"
    for n in ("LeNet", "ResNet", "resnet18"):
        assert hasattr(V.models, n), f"vision.models.{n} missing"
    img = (np.arange(28 * 28 * 3) % 256).astype(np.uint8).reshape(28, 28, 3)
    t = V.transforms.Compose(
        [V.transforms.ToTensor(), V.transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))]
    )(img)
    assert tuple(t.shape) == (3, 28, 28) and t.dtype == ember.float32
    expected = (img.transpose(2, 0, 1).astype(np.float32) / 255 - 0.5) / 0.5
    np.testing.assert_allclose(t.numpy(), expected, rtol=1e-6, atol=1e-6)
    out = V.models.LeNet()(ember.zeros(2, 1, 28, 28))
    assert tuple(out.shape)[0] == 2


def test_fashion_mnist_missing_root_error(tmp_path):
    import ember.vision as V

    with pytest.raises((FileNotFoundError, RuntimeError)) as ei:
        V.datasets.FashionMNIST(root=str(tmp_path), train=True)
    assert "fashion" in str(ei.value).lower()


def test_grad_mode_objects_work_as_decorators():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in ("no_grad", "enable_grad", "inference_mode"):

            @getattr(ember, name)()
            def f(x):
                return (x * 2).requires_grad

            assert f(ember.ones(1, requires_grad=True)) == (name == "enable_grad")
        with ember.set_grad_enabled(False):
            assert not ember.is_grad_enabled()


# ---------------------------------------------------------------- keyword names, both libraries --
def _clip(L):
    p = L.nn.Parameter(L.ones(3))
    p.grad = L.ones(3) * 3
    return L.nn.utils.clip_grad_norm_(
        [p], max_norm=1.0, norm_type=float("inf"), error_if_nonfinite=True
    )


def X(L):
    return L.tensor([[1.5, -2.0, 3.0], [0.5, 4.0, -1.0]])


def I(L):
    return L.tensor([[0, 2, 1], [1, 0, 2]])


KW_CASES = {
    "Tensor.multinomial": lambda L: L.tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]).multinomial(
        num_samples=2, replacement=True
    ),
    "Tensor.bernoulli": lambda L: L.tensor([[0.0, 1.0], [1.0, 0.0]]).bernoulli(),
    "swapaxes axis0 axis1": lambda L: L.swapaxes(L.ones(2, 3), axis0=0, axis1=1),
    "Tensor.swapaxes axis0": lambda L: L.ones(2, 3).swapaxes(axis0=1, axis1=0),
    "swapdims dim0": lambda L: L.swapdims(L.ones(2, 3), dim0=0, dim1=1),
    "tile dims": lambda L: L.tile(L.arange(2.0), dims=(2,)),
    "Tensor.tile dims": lambda L: L.arange(2.0).tile(dims=(2, 1)),
    "Tensor.repeat repeats": lambda L: L.arange(2.0).repeat(repeats=(2,)),
    "Tensor.dot tensor": lambda L: L.arange(3.0).dot(tensor=L.ones(3)),
    "dot tensor": lambda L: L.dot(L.arange(3.0), tensor=L.ones(3)),
    "linalg.norm input": lambda L: L.linalg.norm(input=X(L), ord=2, dim=1),
    "promote_types type1": lambda L: L.zeros(
        1, dtype=L.promote_types(type1=L.int32, type2=L.float16)
    ),
    "add alpha": lambda L: L.add(X(L), X(L), alpha=2),
    "sub alpha input=": lambda L: L.sub(input=X(L), other=X(L) * 2, alpha=0.5),
    "add out": lambda L: (lambda o: (L.add(X(L), 1, out=o), o)[1])(L.empty(2, 3)),
    "sum dim tuple keepdim dtype": lambda L: L.sum(X(L), dim=(0, 1), keepdim=True, dtype=L.float64),
    "mean dim": lambda L: X(L).mean(dim=1, keepdim=True),
    "std correction": lambda L: L.std(X(L), dim=1, correction=0),
    "var unbiased": lambda L: X(L).var(1, unbiased=False),
    "max dim": lambda L: L.max(X(L), dim=1, keepdim=False).indices,
    "min dim values": lambda L: X(L).min(dim=0).values,
    "amax": lambda L: L.amax(X(L), dim=(0,), keepdim=True),
    "argmax": lambda L: L.argmax(X(L), dim=1, keepdim=True),
    "median dim": lambda L: L.median(X(L), dim=1).values,
    "mode": lambda L: L.mode(L.tensor([1, 2, 2, 3]), dim=0).values,
    "kthvalue": lambda L: L.kthvalue(X(L), k=2, dim=1, keepdim=False).values,
    "quantile": lambda L: L.quantile(X(L), q=0.3, dim=1, keepdim=True, interpolation="midpoint"),
    "logsumexp": lambda L: L.logsumexp(X(L), dim=1, keepdim=False),
    "norm p dim": lambda L: L.norm(X(L), p=1, dim=1),
    "all dim": lambda L: L.all(X(L) > 0, dim=1),
    "count_nonzero": lambda L: L.count_nonzero(X(L), dim=0),
    "cumsum dtype": lambda L: L.cumsum(X(L), dim=1, dtype=L.float64),
    "cummax": lambda L: L.cummax(X(L), dim=1).indices,
    "diff": lambda L: L.diff(X(L), n=1, dim=-1, prepend=X(L)[:, :1]),
    "sort": lambda L: L.sort(X(L), dim=1, descending=True, stable=True).indices,
    "argsort": lambda L: L.argsort(X(L), dim=0, descending=True),
    "topk": lambda L: L.topk(X(L), k=2, dim=1, largest=False, sorted=True).values,
    "unique": lambda L: L.unique(
        L.tensor([3, 1, 3, 2]), sorted=True, return_inverse=True, return_counts=True
    )[2],
    "unique_consecutive": lambda L: L.unique_consecutive(
        L.tensor([1, 1, 2, 2, 1]), return_counts=True
    )[1],
    "bincount": lambda L: L.bincount(
        L.tensor([0, 1, 1, 3]), weights=L.tensor([1.0, 2, 3, 4]), minlength=5
    ),
    "histc": lambda L: L.histc(X(L), bins=4, min=-2, max=4),
    "searchsorted": lambda L: L.searchsorted(L.tensor([1.0, 2, 3]), L.tensor([2.5, 0]), right=True),
    "bucketize": lambda L: L.bucketize(L.tensor([2.5, 0]), L.tensor([1.0, 2, 3]), right=False),
    "floor_divide": lambda L: L.floor_divide(L.tensor([-7, 7]), 2),
    "remainder": lambda L: L.remainder(L.tensor([-7.0, 7]), 3),
    "fmod": lambda L: L.fmod(L.tensor([-7.0, 7]), 3),
    "div rounding": lambda L: L.div(L.tensor([-7.0, 7]), 2, rounding_mode="trunc"),
    "round decimals": lambda L: L.round(X(L) * 1.234, decimals=2),
    "clamp tensor": lambda L: L.clamp(X(L), min=L.zeros(3), max=L.full((3,), 2.0)),
    "clip": lambda L: X(L).clip(min=-1),
    "lerp": lambda L: L.lerp(X(L), L.ones(3), weight=0.3),
    "addcmul value": lambda L: L.addcmul(X(L), X(L), X(L), value=0.5),
    "addcdiv": lambda L: L.addcdiv(X(L), X(L), X(L) + 10, value=2),
    "nan_to_num": lambda L: L.nan_to_num(
        L.tensor([float("nan"), float("inf")]), nan=1.0, posinf=2.0, neginf=3.0
    ),
    "isclose": lambda L: L.isclose(X(L), X(L) + 1e-6, rtol=1e-5, atol=1e-8, equal_nan=True),
    "allclose": lambda L: L.tensor(L.allclose(X(L), X(L), rtol=1e-5, atol=1e-8, equal_nan=False)),
    "logit eps": lambda L: L.logit(L.tensor([0.0, 0.5]), eps=1e-6),
    "cat dim": lambda L: L.cat((X(L), X(L)), dim=1),
    "concat": lambda L: L.concat([X(L), X(L)], dim=0),
    "stack": lambda L: L.stack([X(L), X(L)], dim=2),
    "repeat_interleave": lambda L: L.repeat_interleave(X(L), repeats=2, dim=0),
    "roll": lambda L: L.roll(X(L), shifts=(1,), dims=(1,)),
    "rot90": lambda L: L.rot90(X(L), k=1, dims=[0, 1]),
    "tril diagonal": lambda L: L.tril(X(L), diagonal=-1),
    "diag_embed": lambda L: L.diag_embed(X(L), offset=1, dim1=0, dim2=2),
    "meshgrid": lambda L: L.meshgrid(L.arange(2), L.arange(3), indexing="xy")[0],
    "tensor_split indices": lambda L: L.tensor_split(X(L), indices=[1], dim=1)[1],
    "tensor_split sections": lambda L: X(L).tensor_split(sections=3, dim=1)[2],
    "flatten": lambda L: L.flatten(X(L), start_dim=0, end_dim=-1),
    "unflatten": lambda L: L.unflatten(L.arange(6), dim=0, sizes=(2, 3)),
    "movedim": lambda L: L.movedim(X(L), source=0, destination=1),
    "narrow": lambda L: L.narrow(X(L), dim=1, start=1, length=2),
    "unfold": lambda L: L.arange(7.0).unfold(dimension=0, size=3, step=2),
    "diagonal": lambda L: L.diagonal(X(L), offset=1, dim1=0, dim2=1),
    "gather": lambda L: L.gather(X(L), dim=1, index=I(L)),
    "scatter reduce": lambda L: L.zeros(2, 3).scatter(dim=1, index=I(L), src=X(L), reduce="add"),
    "scatter_reduce": lambda L: L.zeros(2, 3).scatter_reduce(
        1, I(L), X(L), reduce="amax", include_self=False
    ),
    "index_add alpha": lambda L: L.zeros(3, 3).index_add(0, L.tensor([0, 2]), X(L), alpha=2),
    "index_fill": lambda L: X(L).index_fill(1, L.tensor([0]), -1.0),
    "masked_fill": lambda L: X(L).masked_fill(mask=X(L) > 0, value=0.0),
    "take_along_dim": lambda L: L.take_along_dim(X(L), I(L), dim=1),
    "nonzero as_tuple": lambda L: L.nonzero(X(L) > 0, as_tuple=True)[1],
    "where": lambda L: L.where(X(L) > 0, X(L), 0.0),
    "matmul": lambda L: L.matmul(L.ones(2, 1, 3, 4), L.ones(5, 4, 2)),
    "addmm beta alpha": lambda L: L.addmm(L.ones(2, 2), X(L), X(L).t(), beta=0.5, alpha=2),
    "baddbmm": lambda L: L.baddbmm(L.ones(1, 2, 2), X(L)[None], X(L).t()[None], beta=0.0),
    "einsum list": lambda L: L.einsum("ij,kj->ik", X(L), X(L)),
    "tensordot dims": lambda L: L.tensordot(X(L), X(L), dims=([1], [1])),
    "cross dim": lambda L: L.cross(X(L), X(L).flip(1), dim=1),
    "linalg.norm ord": lambda L: L.linalg.norm(X(L), ord="fro"),
    "vector_norm": lambda L: L.linalg.vector_norm(X(L), ord=3, dim=1, keepdim=True),
    "matrix_norm": lambda L: L.linalg.matrix_norm(X(L), ord="nuc"),
    "solve left": lambda L: L.linalg.solve(L.eye(2) * 2, L.ones(2, 3), left=True),
    "cholesky upper": lambda L: L.linalg.cholesky(L.eye(2) * 4, upper=True),
    "qr mode": lambda L: L.linalg.qr(L.eye(3), mode="reduced").R,
    "svd full": lambda L: L.linalg.svd(L.eye(3), full_matrices=False).S,
    "eigh UPLO": lambda L: L.linalg.eigh(L.eye(2) * 3, UPLO="U").eigenvalues,
    "pinv hermitian": lambda L: L.linalg.pinv(L.eye(2) * 2, hermitian=True),
    "lstsq": lambda L: L.linalg.lstsq(L.eye(2), L.ones(2, 1)).solution,
    "matrix_rank tol": lambda L: L.linalg.matrix_rank(L.eye(3), hermitian=False),
    "linspace dtype": lambda L: L.linspace(0, 1, steps=5, dtype=L.float64),
    "logspace base": lambda L: L.logspace(0, 2, steps=3, base=2.0),
    "arange step": lambda L: L.arange(start=0, end=1, step=0.25),
    "full": lambda L: L.full((2,), fill_value=3),
    "eye m": lambda L: L.eye(2, m=3, dtype=L.int32),
    "zeros_like dtype": lambda L: L.zeros_like(X(L), dtype=L.int64),
    "randint shape": lambda L: L.randint(low=0, high=5, size=(3,)).shape,
    "tensor requires_grad": lambda L: L.tensor(
        [1.0], dtype=L.float64, device="cpu", requires_grad=True
    ).requires_grad,
    "FloatTensor": lambda L: L.FloatTensor([[1, 2]]),
    "LongTensor": lambda L: L.LongTensor([1, 2]),
    "Tensor(5,3)": lambda L: L.Tensor(5, 3).shape,
    "size dim": lambda L: X(L).size(dim=1),
    "Size numel": lambda L: X(L).shape.numel(),
    "to dtype": lambda L: X(L).to(dtype=L.float64, copy=True),
    "to device str": lambda L: X(L).to("cpu", L.int32),
    "type str": lambda L: X(L).type("torch.DoubleTensor"),
    "type()": lambda L: X(L).type().split(".")[-1],
    "expand": lambda L: L.ones(3, 1).expand(-1, 4),
    "repeat": lambda L: X(L).repeat(2, 1),
    "squeeze dim tuple": lambda L: L.ones(1, 2, 1).squeeze(dim=(0, 2)),
    "sum input kw": lambda L: L.sum(input=X(L)),
    "softmax dtype": lambda L: L.softmax(X(L), dim=1, dtype=L.float64),
    "F.softmax": lambda L: L.nn.functional.log_softmax(X(L), dim=-1, dtype=L.float64),
    "F.pad reflect": lambda L: L.nn.functional.pad(X(L)[None], (1, 1), mode="reflect"),
    "F.interpolate": lambda L: L.nn.functional.interpolate(
        X(L)[None, None], scale_factor=2, mode="bilinear", align_corners=False
    ),
    "F.one_hot": lambda L: L.nn.functional.one_hot(L.tensor([0, 2]), num_classes=4),
    "F.normalize": lambda L: L.nn.functional.normalize(X(L), p=2.0, dim=1, eps=1e-12),
    "F.cross_entropy": lambda L: L.nn.functional.cross_entropy(
        X(L),
        L.tensor([0, 2]),
        weight=L.tensor([1.0, 2, 3]),
        ignore_index=-100,
        reduction="sum",
        label_smoothing=0.1,
    ),
    "F.gelu tanh": lambda L: L.nn.functional.gelu(X(L), approximate="tanh"),
    "F.sdpa": lambda L: L.nn.functional.scaled_dot_product_attention(
        L.ones(1, 2, 3), L.ones(1, 2, 3), X(L)[None], is_causal=True
    ),
    "clip_grad_norm_": lambda L: _clip(L),
    "set_printoptions": lambda L: (
        L.set_printoptions(precision=2),
        repr(X(L) / 3),
        L.set_printoptions(profile="default"),
    )[1],
    "repr large": lambda L: repr(L.arange(2000.0)),
    "repr rg": lambda L: repr(L.tensor([1e-5, 1e5], requires_grad=True)),
    "repr int": lambda L: repr(L.tensor([1, 2], dtype=L.int32)),
}


@pytest.mark.parametrize("case", list(KW_CASES))
def test_keyword_calls_match_torch(case):
    """The call, spelled with PyTorch's keyword names, gives torch's value, dtype and shape."""
    fn = KW_CASES[case]
    t, e = fn(torch), fn(ember)
    if isinstance(t, torch.Tensor):
        assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
        assert tuple(e.shape) == tuple(t.shape)
        ember.testing.assert_close(
            e.detach().double(),
            ember.tensor(t.detach().double().numpy()),
            rtol=1e-5,
            atol=1e-6,
            equal_nan=True,
        )
    elif isinstance(t, torch.Size):
        assert tuple(e) == tuple(t)
    else:
        assert e == t


# ---------------------------------------------------------------- behaviour, both libraries ------
# Each case runs under torch and Ember; the result (or exception type and message) must be equal,
# with "ember" spelled "torch" in reprs.
BEH_CASES = {}


def _gf(L):
    x = L.ones(2, requires_grad=True)
    y = (x * 2).sum()
    return (
        y.grad_fn.name(),
        [f.name() for f, _ in y.grad_fn.next_functions],
        [n for _, n in y.grad_fn.next_functions],
    )


BEH_CASES["grad_fn names"] = _gf


def gf(L):
    x = L.ones(2, requires_grad=True)
    y = (x * 2).sum()
    return (
        y.grad_fn.name(),
        [type(f).__name__ if f else None for f, _ in y.grad_fn.next_functions],
        [n for _, n in y.grad_fn.next_functions],
    )


def nonleafgrad(L):
    x = L.ones(2, requires_grad=True)
    y = x * 2
    y.sum().backward()
    return y.grad


BEH_CASES["nonleaf grad"] = nonleafgrad


def hookrep(L):
    x = L.ones(2, requires_grad=True)
    x.register_hook(lambda g: g * 10)
    (x * 3).sum().backward()
    return x.grad.tolist()


BEH_CASES["hook replace"] = hookrep


def inplace_saved(L):
    x = L.ones(2, requires_grad=True)
    y = x * 1
    z = y.exp()
    y.add_(1)
    z.sum().backward()


BEH_CASES["inplace modified"] = inplace_saved


def zg(L):
    m = L.nn.Linear(2, 2)
    m(L.ones(1, 2)).sum().backward()
    m.zero_grad()
    return m.weight.grad


BEH_CASES["zero_grad None"] = zg
BEH_CASES["getattr msg"] = lambda L: L.nn.Linear(2, 2).foo
BEH_CASES["get_submodule err"] = lambda L: L.nn.Sequential(L.nn.Linear(2, 2)).get_submodule("0.x")
BEH_CASES["get_parameter err"] = lambda L: L.nn.Sequential(L.nn.Linear(2, 2)).get_parameter("0.foo")


def sdprefix(L):
    m = L.nn.Sequential(L.nn.BatchNorm1d(2))
    m.register_buffer("nb", L.ones(1), persistent=False)
    sd = m.state_dict(prefix="p.", keep_vars=True)
    return list(sd), type(sd["p.0.weight"]).__name__


BEH_CASES["state_dict prefix keep_vars"] = sdprefix


def lsd(L):
    m = L.nn.Linear(2, 2)
    r = m.load_state_dict({"weight": L.ones(2, 2), "extra": L.ones(1)}, strict=False)
    return type(r).__name__, r.missing_keys, r.unexpected_keys, repr(r)


BEH_CASES["load_state_dict result"] = lsd
BEH_CASES["load_state_dict strict err"] = lambda L: L.nn.Linear(2, 2).load_state_dict(
    {"weight": L.ones(2, 2)}
)
BEH_CASES["Parameter repr"] = lambda L: repr(L.nn.Parameter(L.ones(2)))


def seq(L):
    s = L.nn.Sequential(L.nn.ReLU(), L.nn.Tanh())
    s.append(L.nn.Sigmoid())
    s.insert(1, L.nn.Identity())
    return repr(s[1:3]), len(s), repr(s[-1])


BEH_CASES["Sequential ops"] = seq


def pick(L):
    m = L.nn.Sequential(L.nn.Linear(2, 3))
    m2 = pickle.loads(pickle.dumps(m))
    return repr(m2), m2[0].weight.shape


BEH_CASES["pickle module"] = pick


def hooks(L):
    m = L.nn.Linear(2, 2)
    log = []
    m.register_forward_pre_hook(lambda mod, inp: log.append("pre"))
    m.register_forward_hook(lambda mod, inp, out: log.append("post"))
    m.register_full_backward_hook(lambda mod, gi, go: log.append(("bw", len(gi), len(go))))
    m(L.ones(1, 2, requires_grad=True)).sum().backward()
    return log


BEH_CASES["module hooks"] = hooks


def osd(L):
    m = L.nn.Linear(2, 1)
    o = L.optim.Adam(m.parameters(), lr=0.1)
    m(L.ones(1, 2)).sum().backward()
    o.step()
    sd = o.state_dict()
    return (
        list(sd),
        sorted(sd["param_groups"][0]),
        sd["param_groups"][0]["params"],
        sorted(sd["state"][0]),
        type(sd["state"][0]["step"]).__name__,
        str(sd["state"][0]["step"].dtype),
    )


BEH_CASES["optimizer state_dict"] = osd


def sched_warn(L):
    m = L.nn.Linear(2, 1)
    o = L.optim.SGD(m.parameters(), lr=0.1)
    s = L.optim.lr_scheduler.StepLR(o, 2)
    s.step()
    return s.get_last_lr(), s.last_epoch, sorted(s.state_dict())


BEH_CASES["scheduler warn"] = sched_warn


def sched_sd(L):
    m = L.nn.Linear(2, 1)
    o = L.optim.SGD(m.parameters(), lr=0.1)
    res = {}
    for name, kw in [
        ("CosineAnnealingLR", dict(T_max=10)),
        ("OneCycleLR", dict(max_lr=1.0, total_steps=10)),
        ("CyclicLR", dict(base_lr=0.01, max_lr=0.1)),
        ("ReduceLROnPlateau", {}),
        ("LinearLR", {}),
        ("ConstantLR", {}),
        ("PolynomialLR", {}),
        ("CosineAnnealingWarmRestarts", dict(T_0=3)),
    ]:
        s = getattr(L.optim.lr_scheduler, name)(o, **kw)
        res[name] = sorted(k for k in s.state_dict() if not k.startswith("_"))
    return res


BEH_CASES["scheduler state_dict keys"] = sched_sd
BEH_CASES["worker_info"] = lambda L: L.utils.data.get_worker_info()


def rsplit(L):
    g = L.Generator().manual_seed(0)
    a, b = L.utils.data.random_split(range(10), [0.7, 0.3], generator=g)
    return len(a), len(b)


BEH_CASES["random_split fractions"] = rsplit


def coll(L):
    P = collections.namedtuple("P", "a b")
    b = L.utils.data.default_collate(
        [{"x": np.ones(2), "s": "hi", "n": 1, "f": 1.5, "p": P(1, L.ones(1))}] * 2
    )
    return {
        k: (
            type(v).__name__,
            getattr(v, "dtype", None) and str(v.dtype),
            v if isinstance(v, list) else None,
        )
        for k, v in b.items()
        if k != "p"
    }, type(b["p"]).__name__


BEH_CASES["default_collate"] = coll
BEH_CASES["default_convert"] = lambda L: str(L.utils.data.default_convert(np.ones(2)).dtype)


def maploc(L):
    buf = io.BytesIO()
    L.save({"a": L.ones(2)}, buf)
    out = []
    for ml in ["cpu", L.device("cpu"), {"cpu": "cpu"}, lambda s, loc: s]:
        buf.seek(0)
        out.append(L.load(buf, map_location=ml)["a"].tolist())
    return out


BEH_CASES["map_location"] = maploc
BEH_CASES["DataLoader bad arg"] = lambda L: L.utils.data.DataLoader(
    range(3), batch_size=2, shuffle=True, sampler=[0, 1]
)
BEH_CASES["DataLoader batch_sampler conflict"] = lambda L: L.utils.data.DataLoader(
    range(3), batch_size=2, batch_sampler=[[0]]
)
BEH_CASES["DataLoader prefetch nw0"] = lambda L: L.utils.data.DataLoader(
    range(3), prefetch_factor=2
)
BEH_CASES["DataLoader persist nw0"] = lambda L: L.utils.data.DataLoader(
    range(3), persistent_workers=True
)
BEH_CASES["no_grad thread"] = lambda L: L.is_grad_enabled()
BEH_CASES["Variable"] = lambda L: type(L.autograd.Variable(L.ones(1), requires_grad=True)).__name__
BEH_CASES["Size"] = lambda L: (repr(L.ones(2, 3).size()), L.Size([2, 3]).numel())
BEH_CASES["repr bf16"] = lambda L: repr(L.ones(2, dtype=L.bfloat16))
BEH_CASES["repr nonCPU? device"] = lambda L: repr(L.device("cpu"))
BEH_CASES["default dtype set"] = lambda L: (
    L.set_default_dtype(L.float64),
    str(L.tensor([1.0]).dtype),
    L.set_default_dtype(L.float32),
)[1]
BEH_CASES["neg step"] = lambda L: L.arange(4)[::-2]
BEH_CASES["bool multi"] = lambda L: bool(L.ones(2))
BEH_CASES["leaf inplace"] = lambda L: L.ones(2, requires_grad=True).mul_(2)
BEH_CASES["nonscalar backward"] = lambda L: (L.ones(2, requires_grad=True) * 2).backward()
BEH_CASES["view error"] = lambda L: L.ones(2, 3).t().view(-1)
BEH_CASES["cat mismatch"] = lambda L: L.cat([L.ones(2, 3), L.ones(2, 4)])
BEH_CASES["add shape mismatch"] = lambda L: L.ones(2, 3) + L.ones(4)
BEH_CASES["inplace dtype"] = lambda L: L.ones(2, dtype=L.int64).add_(0.5)
BEH_CASES["optim non-leaf"] = lambda L: L.optim.SGD([L.ones(2, requires_grad=True) * 2], lr=1)
BEH_CASES["optim dup"] = lambda L: (lambda p: L.optim.SGD([p, p], lr=1))(L.nn.Parameter(L.ones(2)))
BEH_CASES["optim neg lr"] = lambda L: L.optim.Adam([L.nn.Parameter(L.ones(2))], lr=-1)
BEH_CASES["optim bad beta"] = lambda L: L.optim.Adam([L.nn.Parameter(L.ones(2))], betas=(0.9, 1.0))
BEH_CASES["optim neg eps"] = lambda L: L.optim.Adam([L.nn.Parameter(L.ones(2))], eps=-1)
BEH_CASES["optim neg wd"] = lambda L: L.optim.SGD(
    [L.nn.Parameter(L.ones(2))], lr=0.1, weight_decay=-1
)
BEH_CASES["nesterov err"] = lambda L: L.optim.SGD(
    [L.nn.Parameter(L.ones(2))], lr=0.1, nesterov=True
)
BEH_CASES["optim named params"] = (
    lambda L: L.optim.SGD(L.nn.Linear(1, 1).named_parameters(), lr=0.1)
    .param_groups[0]
    .get("param_names")
)
BEH_CASES["optim differentiable"] = lambda L: L.optim.SGD(
    [L.nn.Parameter(L.ones(2))], lr=0.1, foreach=True
).defaults["foreach"]


@pytest.mark.parametrize("case", list(BEH_CASES))
def test_behaviour_matches_torch(case):
    """Same result, or same exception type and message, under torch and Ember."""
    fn = BEH_CASES[case]
    res = []
    for L in (torch, ember):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                r = fn(L)
            except Exception as ex:  # noqa: BLE001 - the exception itself is compared
                r = ("raised", type(ex).__name__, str(ex)[:150])
        res.append(repr(r).replace("ember", "torch"))
    assert res[1] == res[0]
