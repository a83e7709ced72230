"""The cuda device on the strict CuPy stand-in (``ember.testing.standin_cupy``).

The stand-in's arrays are not NumPy arrays and refuse implicit host copies, so every hidden
host round trip or bare NumPy call on a cuda tensor's data fails here, without a GPU. The op
tables of the core tests run on 'cuda' and are compared with their cpu results.
With ``EMBER_TEST_REAL_CUDA=1`` (``benchmarks/gpu_check.py`` sets it) the same tests run on
real CuPy instead, less the ones about the stand-in itself.
"""
import os

import numpy as np
import pytest

import ember
from ember.testing import use_standin_cuda, standin_cupy as scp
from ember.testing.device_check import (compare_on_device, compare_grads_on_device, on_device,
                                        check_same_on_device)

import test_core_math as core_math
import test_autograd_ops_table as ops_table
import test_core_grad as core_grad
import test_core_views as core_views
import test_core_view_chains as view_chains


REAL = os.environ.get("EMBER_TEST_REAL_CUDA") == "1"
standin_only = pytest.mark.skipif(REAL, reason="about the stand-in, not the GPU")


@pytest.fixture(autouse=True)
def _standin():
    if REAL:
        if not ember.cuda.is_available():
            pytest.skip("EMBER_TEST_REAL_CUDA=1 but no GPU is visible to CuPy")
        yield
        return
    with use_standin_cuda():
        yield


def _device_array(a):
    """True for a cuda array (the stand-in's or CuPy's), never a NumPy one."""
    return not isinstance(a, np.ndarray) and hasattr(a, "__cuda_array_interface__")


# ---- the stand-in itself is strict ----------------------------------------------------------
@standin_only
def test_standin_array_refuses_host_conversion():
    a = scp.asarray(np.arange(6.0).reshape(2, 3))
    assert not isinstance(a, np.ndarray)
    assert a.device.id == 0
    with pytest.raises(TypeError, match="Implicit conversion"):
        np.asarray(a)
    with pytest.raises(TypeError):
        a + np.ones(3)
    with pytest.raises(TypeError):
        np.ones(3) + a
    with pytest.raises(TypeError):
        scp.add(a, np.ones(3))
    assert not hasattr(a, "__array_interface__")
    np.testing.assert_array_equal(a.get(), np.arange(6.0).reshape(2, 3))


@standin_only
def test_standin_views_share_memory_and_broadcast_views_are_writable():
    a = scp.zeros((3, 4))
    v = a.T[1:]
    v[0] = 5.0
    assert float(a[0, 1]) == 5.0 and isinstance(v, scp.ndarray)
    b = scp.broadcast_to(scp.zeros((1, 4)), (3, 4))
    b[0, 0] = 1.0  # CuPy's broadcast views are writable
    assert isinstance(scp.sum(a), scp.ndarray) and scp.sum(a).ndim == 0


def test_tensor_on_cuda_is_device_array():
    x = ember.randn(3, 4, device="cuda")
    assert x.is_cuda and not x.is_cpu and str(x.device) == "cuda:0"
    assert x.get_device() == 0
    assert _device_array(x._data)
    with pytest.raises(TypeError, match="cpu"):
        x.numpy()
    assert x.cpu().device == ember.device("cpu")
    assert x.cuda() is x and x.to("cuda:0") is x
    np.testing.assert_array_equal(x.cpu().numpy(), np.asarray(x.tolist(), np.float32))


@pytest.mark.parametrize("name", ["zeros", "ones", "empty", "rand", "randn"])
def test_factories_take_device(name):
    t = getattr(ember, name)(2, 3, device="cuda")
    assert t.device == ember.device("cuda", 0) and _device_array(t._data)


@pytest.mark.parametrize("make", [
    lambda: ember.full((2,), 3.0, device="cuda"), lambda: ember.arange(5, device="cuda"),
    lambda: ember.linspace(0, 1, 5, device="cuda"), lambda: ember.eye(3, device="cuda"),
    lambda: ember.tensor([1, 2], device="cuda"), lambda: ember.randint(0, 5, (3,), device="cuda"),
    lambda: ember.randperm(4, device="cuda"), lambda: ember.zeros_like(ember.ones(2), device="cuda"),
    lambda: ember.ones(2, device="cuda").new_zeros(3), lambda: ember.empty(2, device="cuda:0"),
    lambda: ember.logspace(0, 1, 3, device="cuda"), lambda: ember.normal(0., 1., (2,), device="cuda"),
])
def test_more_factories_take_device(make):
    assert make().device.type == "cuda"


def test_same_seed_same_numbers_on_both_devices():
    ember.manual_seed(3)
    a = ember.randn(4, 5)
    ember.manual_seed(3)
    b = ember.randn(4, 5, device="cuda")
    assert ember.equal(a, b.cpu())


# ---- the op tables on cuda ------------------------------------------------------------------
_SKIP_MATH = {
    "out-exp",  # out= tensor made by m.empty on cuda: covered, keeps default device
}


@pytest.mark.parametrize("fn", [pytest.param(f, id=k) for k, f in core_math.TABLE.items()])
def test_unary_table(fn):
    compare_on_device(fn, "cuda")


@pytest.mark.parametrize("fn", [pytest.param(f, id=k) for k, f in core_math.BTABLE.items()])
def test_binary_table(fn):
    compare_on_device(fn, "cuda")


@pytest.mark.parametrize("expr", core_math.OPERATORS)
def test_operator_table(expr):
    compare_on_device(core_math._op(expr), "cuda")


@pytest.mark.parametrize("fn", [pytest.param(f, id=k) for k, f in core_math.PTABLE.items()])
def test_pointwise_table(fn):
    compare_on_device(fn, "cuda")


@pytest.mark.parametrize("fn", [pytest.param(f, id=k) for k, f in core_math.INPLACE.items()])
def test_inplace_table(fn):
    compare_on_device(fn, "cuda")


@pytest.mark.parametrize("fn,specs,opts", ops_table.ROWS)
def test_autograd_table_grads(fn, specs, opts, request):
    rng = np.random.default_rng(ops_table._seed(request))
    arrays = [ops_table._array(s, rng) for s in specs]
    compare_grads_on_device(fn, arrays, "cuda", rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", list(core_grad.GRAD))
def test_core_grad_table(name, monkeypatch):
    fn, makers = core_grad.GRAD[name][:2]
    consts = {c: getattr(core_grad, c) for c in ("IDX", "IDX_U", "MASK")}

    def place(dev):  # the table's index and mask tensors, on the device of the pass
        for c, t in consts.items():
            monkeypatch.setattr(core_grad, c, t.to(dev))
    arrays = [m(3, 4).detach().numpy() for m in makers]
    compare_grads_on_device(lambda m, *xs: fn(*xs), arrays, "cuda", rtol=1e-6, atol=1e-8,
                            setup=place)


def test_autograd_table_non_contiguous_inputs():
    # transposed device arrays through a few view-sensitive rows
    names = ("sum_dim", "softmax", "cumsum", "log_softmax")
    rows = [r for r in ops_table.ROWS if r.id in names]
    assert len(rows) == len(names)
    for r in rows:
        if True:
            fn, specs, _ = r.values
            rng = np.random.default_rng(5)
            arrays = [ops_table._array(s, rng) for s in specs]
            compare_grads_on_device(
                lambda m, *xs: fn(m, *[x.mT.contiguous().mT if x.dim() >= 2 else x for x in xs]),
                arrays, "cuda")


def test_gradcheck_runs_on_cuda():
    x = ember.randn(3, 4, dtype=ember.float64, device="cuda", requires_grad=True)
    w = ember.randn(4, 2, dtype=ember.float64, device="cuda", requires_grad=True)
    assert ember.autograd.gradcheck(lambda a, b: (a @ b).tanh().sum(dim=0), (x, w))
    assert ember.autograd.gradgradcheck(lambda a, b: (a @ b).sin(), (x, w))


# ---- nn layers, losses, optimizers -----------------------------------------------------------
def _layer_cases():
    nn = ember.nn
    return {
        "linear": (lambda: nn.Linear(5, 3), lambda m: m.randn(4, 5)),
        "conv2d": (lambda: nn.Conv2d(2, 3, 3, padding=1, stride=2), lambda m: m.randn(2, 2, 7, 7)),
        "conv1d": (lambda: nn.Conv1d(2, 3, 3, dilation=2), lambda m: m.randn(2, 2, 9)),
        "conv_transpose2d": (lambda: nn.ConvTranspose2d(2, 3, 3, stride=2),
                             lambda m: m.randn(1, 2, 4, 4)),
        "batchnorm2d": (lambda: nn.BatchNorm2d(3), lambda m: m.randn(4, 3, 5, 5)),
        "batchnorm1d": (lambda: nn.BatchNorm1d(3), lambda m: m.randn(6, 3)),
        "layernorm": (lambda: nn.LayerNorm(6), lambda m: m.randn(2, 3, 6)),
        "groupnorm": (lambda: nn.GroupNorm(2, 4), lambda m: m.randn(2, 4, 3, 3)),
        "maxpool2d": (lambda: nn.MaxPool2d(2), lambda m: m.randn(2, 3, 6, 6)),
        "maxpool2d_pad": (lambda: nn.MaxPool2d(3, stride=2, padding=1), lambda m: m.randn(1, 2, 7, 7)),
        "avgpool2d": (lambda: nn.AvgPool2d(2), lambda m: m.randn(2, 3, 6, 6)),
        "adaptive_avg": (lambda: nn.AdaptiveAvgPool2d((2, 3)), lambda m: m.randn(2, 3, 7, 8)),
        "lstm": (lambda: nn.LSTM(4, 5, num_layers=2, batch_first=True), lambda m: m.randn(3, 6, 4)),
        "lstm_bi": (lambda: nn.LSTM(4, 3, bidirectional=True), lambda m: m.randn(5, 2, 4)),
        "gru": (lambda: nn.GRU(4, 5), lambda m: m.randn(6, 3, 4)),
        "rnn": (lambda: nn.RNN(4, 5, nonlinearity="relu"), lambda m: m.randn(6, 3, 4)),
        "embedding": (lambda: nn.Embedding(10, 4, padding_idx=0),
                      lambda m: m.tensor([[1, 2, 0], [9, 2, 2]])),
        "dropout_eval": (lambda: nn.Sequential(nn.Dropout(0.5), nn.ReLU()).eval(),
                         lambda m: m.randn(4, 4)),
        "mha": (lambda: nn.MultiheadAttention(8, 2, batch_first=True), lambda m: m.randn(2, 3, 8)),
        "transformer_layer": (lambda: nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0,
                                                                 batch_first=True),
                              lambda m: m.randn(2, 3, 8)),
    }


def _first(out):
    while isinstance(out, tuple):
        out = out[0]
    return out


@pytest.mark.parametrize("name", list(_layer_cases()))
def test_layer_forward_backward(name):
    make, data = _layer_cases()[name]
    ember.manual_seed(0)
    ref = make()
    mod = make()
    mod.load_state_dict(ref.state_dict())
    mod = mod.cuda()
    assert all(p.is_cuda for p in mod.parameters()) and all(b.is_cuda for b in mod.buffers())
    ember.manual_seed(1)
    x_cpu = data(ember)
    x = x_cpu.to("cuda")
    for t in (x_cpu, x):
        if t.dtype.is_floating_point:
            t.requires_grad_()
    args = (x, x, x) if name == "mha" else (x,)
    args_cpu = (x_cpu, x_cpu, x_cpu) if name == "mha" else (x_cpu,)
    out, out_cpu = _first(mod(*args)), _first(ref(*args_cpu))
    check_same_on_device(out, out_cpu, "cuda", rtol=1e-4, atol=1e-5)
    g = ember.randn(*out_cpu.shape)
    out_cpu.backward(g)
    out.backward(g.cuda())
    for (n, p), (_, q) in zip(mod.named_parameters(), ref.named_parameters()):
        assert p.grad is not None and p.grad.is_cuda, n
        check_same_on_device(p.grad, q.grad, "cuda", rtol=1e-4, atol=1e-5, path=n)
    if x_cpu.requires_grad:
        check_same_on_device(x.grad, x_cpu.grad, "cuda", rtol=1e-4, atol=1e-5, path="input")
    for (n, b), (_, c) in zip(mod.named_buffers(), ref.named_buffers()):
        check_same_on_device(b, c, "cuda", rtol=1e-5, atol=1e-6, path=n)


@pytest.mark.parametrize("loss", ["cross_entropy", "cross_entropy_smooth", "nll_loss",
                                  "mse_loss", "bce_with_logits", "smooth_l1", "kl_div",
                                  "ctc_loss"])
def test_losses(loss):
    F = ember.nn.functional

    def case(m, x):
        tgt = m.tensor([1, 0, 3, 2])
        if loss == "cross_entropy":
            return F.cross_entropy(x, tgt)
        if loss == "cross_entropy_smooth":
            return F.cross_entropy(x, tgt, label_smoothing=0.1, weight=m.tensor([1., 2., 1., .5]))
        if loss == "nll_loss":
            return F.nll_loss(F.log_softmax(x, 1), tgt, reduction="sum")
        if loss == "mse_loss":
            return F.mse_loss(x, m.ones(4, 4, dtype=x.dtype))
        if loss == "bce_with_logits":
            return F.binary_cross_entropy_with_logits(x, (m.arange(16).reshape(4, 4) % 2).to(x.dtype))
        if loss == "smooth_l1":
            return F.smooth_l1_loss(x, m.zeros(4, 4, dtype=x.dtype))
        if loss == "kl_div":
            return F.kl_div(F.log_softmax(x, 1), F.softmax(m.ones(4, 4, dtype=x.dtype), 1),
                            reduction="batchmean")
        lp = F.log_softmax(x.reshape(2, 2, 4), 2)
        return F.ctc_loss(lp, m.tensor([[1, 2], [3, 3]]), m.tensor([2, 2]), m.tensor([1, 1]))
    arrays = [np.random.default_rng(2).standard_normal((4, 4))]
    compare_grads_on_device(case, arrays, "cuda", rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("opt", ["SGD", "SGD_momentum", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_optimizer_steps_match_cpu(opt):
    nn = ember.nn
    ember.manual_seed(0)
    ref = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2))
    mod = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2))
    mod.load_state_dict(ref.state_dict())
    mod.to("cuda")
    kw = {"SGD": dict(lr=0.1), "SGD_momentum": dict(lr=0.1, momentum=0.9, nesterov=True,
                                                    weight_decay=0.01),
          "Adam": dict(lr=0.01), "AdamW": dict(lr=0.01, amsgrad=True), "RMSprop": dict(lr=0.01),
          "Adagrad": dict(lr=0.1)}[opt]
    cls = getattr(ember.optim, opt.split("_")[0])
    opts = [cls(m.parameters(), **kw) for m in (ref, mod)]
    x, y = ember.randn(6, 4), ember.randn(6, 2)
    for _ in range(3):
        for m, o, dev in ((ref, opts[0], "cpu"), (mod, opts[1], "cuda")):
            o.zero_grad()
            ember.nn.functional.mse_loss(m(x.to(dev)), y.to(dev)).backward()
            o.step()
    for p, q in zip(mod.parameters(), ref.parameters()):
        check_same_on_device(p.detach(), q.detach(), "cuda", rtol=1e-5, atol=1e-6)
    for st in opts[1].state.values():
        for k, v in st.items():
            if isinstance(v, ember.Tensor) and v.dim() > 0:
                assert v.is_cuda, k


def test_lr_scheduler_and_clip_grad_on_cuda():
    nn = ember.nn
    m = nn.Linear(3, 3).cuda()
    o = ember.optim.SGD(m.parameters(), lr=1.0)
    s = ember.optim.lr_scheduler.StepLR(o, 1, gamma=0.5)
    m(ember.randn(2, 3, device="cuda")).pow(2).sum().backward()
    total = nn.utils.clip_grad_norm_(m.parameters(), 0.1)
    assert total.is_cuda
    norm = ember.sqrt(sum((p.grad ** 2).sum() for p in m.parameters()))
    assert abs(norm.item() - 0.1) < 1e-5
    o.step()
    s.step()
    assert o.param_groups[0]["lr"] == 0.5


# ---- save / load with map_location ---------------------------------------------------------
def test_save_load_map_location(tmp_path):
    m = ember.nn.Linear(3, 2).cuda()
    f = tmp_path / "m.pt"
    ember.save({"model": m.state_dict(), "x": ember.arange(4, device="cuda")}, f)
    on_cuda = ember.load(f)
    assert on_cuda["x"].is_cuda and on_cuda["model"]["weight"].is_cuda
    for loc in ("cpu", ember.device("cpu"), {"cuda:0": "cpu"}, lambda s, loc: s):
        ck = ember.load(f, map_location=loc)
        assert ck["x"].is_cpu and ck["model"]["weight"].is_cpu, loc
        assert ember.equal(ck["model"]["weight"], m.weight.detach().cpu())
    cpu_file = tmp_path / "c.pt"
    ember.save(ember.nn.Linear(3, 2).state_dict(), cpu_file)
    sd = ember.load(cpu_file, map_location="cuda")
    assert all(t.is_cuda for t in sd.values())
    sd = ember.load(cpu_file, map_location=ember.device("cuda", 0))
    assert all(t.is_cuda for t in sd.values())
    m2 = ember.nn.Linear(3, 2)
    m2.load_state_dict(ember.load(f, map_location="cpu")["model"])
    assert ember.equal(m2.weight, m.weight.detach().cpu())


def test_torch_loads_ember_cuda_checkpoint_on_cpu(tmp_path):
    torch = pytest.importorskip("torch")
    f = tmp_path / "e.pt"
    w = ember.randn(3, 4, device="cuda")
    ember.save({"w": w}, f)
    got = torch.load(f, map_location="cpu")["w"]
    np.testing.assert_array_equal(got.numpy(), w.cpu().numpy())


def test_pickle_and_deepcopy_of_cuda_tensor():
    import copy
    import pickle
    x = ember.randn(2, 3, device="cuda", requires_grad=True)
    y = pickle.loads(pickle.dumps(x))
    assert y.is_cuda and ember.equal(y.detach().cpu(), x.detach().cpu())
    z = copy.deepcopy(x)
    assert z.is_cuda and z.requires_grad


# ---- data loading ---------------------------------------------------------------------------
def test_dataloader_pin_memory_accepted():
    from ember.utils.data import DataLoader, TensorDataset
    ds = TensorDataset(ember.arange(10.0).reshape(5, 2), ember.arange(5))
    dl = DataLoader(ds, batch_size=2, pin_memory=True, pin_memory_device="cuda")
    batches = list(dl)
    assert len(batches) == 3
    x, y = batches[0]
    assert x.is_cpu and ember.equal(y, ember.tensor([0, 1]))  # Ember does not pin: plain host memory
    xc = x.to("cuda", non_blocking=True)
    assert xc.is_cuda and ember.equal(xc.cpu(), x)
    assert ember.equal(ember.ones(2).pin_memory(), ember.ones(2))


# ---- mixing devices -------------------------------------------------------------------------
_MIX_MSG = "Expected all tensors to be on the same device, but found at least two devices"


@pytest.mark.parametrize("case", [
    lambda c, h: c + h, lambda c, h: h * c, lambda c, h: ember.matmul(c, h.t()),
    lambda c, h: ember.cat([c, h]), lambda c, h: ember.stack([h, c]),
    lambda c, h: ember.where(c > 0, c, h), lambda c, h: c.add_(h),
    lambda c, h: ember.nn.functional.linear(h, c), lambda c, h: c.gather(1, h.long()),
    lambda c, h: c.masked_fill(h > 0, 1.0), lambda c, h: ember.maximum(c, h),
    lambda c, h: c.copy_(h) if False else ember.addcmul(c, h, c),
    lambda c, h: ember.einsum("ij,ij->i", c, h),
    lambda c, h: ember.nn.functional.mse_loss(c, h), lambda c, h: ember.lerp(c, h, 0.5),
])
def test_mixing_devices_raises(case):
    c = ember.randn(2, 2, device="cuda")
    h = ember.randn(2, 2)
    with pytest.raises(RuntimeError, match=_MIX_MSG):
        case(c, h)


def test_mixing_module_and_input_devices_raises():
    m = ember.nn.Linear(2, 2).cuda()
    with pytest.raises(RuntimeError, match=_MIX_MSG):
        m(ember.randn(1, 2))
    conv = ember.nn.Conv2d(1, 1, 3)
    with pytest.raises(RuntimeError, match=_MIX_MSG):
        conv(ember.randn(1, 1, 4, 4, device="cuda"))


def test_cpu_scalar_tensor_mixes_like_pytorch():
    c = ember.ones(3, device="cuda", requires_grad=True)
    s = ember.tensor(2.0, requires_grad=True)
    y = (c * s).sum()
    assert y.is_cuda
    y.backward()
    assert s.grad.is_cpu and s.grad.item() == 3.0 and c.grad.is_cuda
    assert ember.equal((c + ember.tensor(1.0)).cpu(), ember.full((3,), 2.0))


def test_cpu_index_tensor_on_cuda_tensor_like_pytorch():
    c = ember.arange(6.0, device="cuda").reshape(3, 2)
    idx = ember.tensor([2, 0])
    assert c[idx].is_cuda and c[idx].tolist() == [[4.0, 5.0], [0.0, 1.0]]
    c[idx] = 1.0
    assert c.sum().item() == 2.0 + 3.0 + 4.0


def test_copy_between_devices_is_allowed():
    c = ember.zeros(3, device="cuda")
    c.copy_(ember.arange(3.0))
    assert c.is_cuda and c.tolist() == [0.0, 1.0, 2.0]
    h = ember.zeros(3)
    h.copy_(c)
    assert h.tolist() == [0.0, 1.0, 2.0]
    c[1:] = ember.tensor([5.0, 6.0])
    assert c.tolist() == [0.0, 5.0, 6.0]


# ---- ember.cuda ----------------------------------------------------------------------------
@standin_only
def test_cuda_namespace():
    cuda = ember.cuda
    assert cuda.is_available() and cuda.is_initialized() and cuda.device_count() == 1
    assert cuda.current_device() == 0
    assert cuda.get_device_name() == cuda.get_device_name(0) == "Ember stand-in CUDA device"
    assert cuda.get_device_capability() == (8, 0)
    assert cuda.get_device_properties(0).total_memory > 0
    cuda.synchronize()
    cuda.set_device(0)
    with cuda.device(0):
        assert ember.zeros(1, device="cuda").is_cuda
    free, total = cuda.mem_get_info()
    assert 0 < free <= total
    assert ember.accelerator.is_available() and ember.accelerator.current_device_index() == 0
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        ember.zeros(2, device="cuda:1")


def test_cuda_manual_seed_reproduces():
    ember.cuda.manual_seed(5)
    a = ember.rand(3, device="cuda")
    ember.cuda.manual_seed_all(5)
    b = ember.rand(3, device="cuda")
    assert ember.equal(a.cpu(), b.cpu())
    assert ember.cuda.initial_seed() == 5


@standin_only
def test_cuda_memory_stats():
    cuda = ember.cuda
    cuda.empty_cache()
    cuda.reset_peak_memory_stats()
    base = cuda.memory_allocated()
    x = ember.empty(1000, dtype=ember.float32, device="cuda")
    assert cuda.memory_allocated() - base >= 4000
    y = ember.empty(2000, dtype=ember.float32, device="cuda")
    peak = cuda.max_memory_allocated()
    assert peak - base >= 12000
    del x, y
    assert cuda.memory_allocated() == base
    assert cuda.max_memory_allocated() == peak
    assert cuda.memory_reserved() >= peak
    assert cuda.max_memory_reserved() >= cuda.memory_reserved()
    cuda.empty_cache()
    assert cuda.memory_reserved() == cuda.memory_allocated()
    cuda.reset_peak_memory_stats()
    assert cuda.max_memory_allocated() == base
    assert set(cuda.memory_stats()) >= {"allocated_bytes.all.current", "allocated_bytes.all.peak"}


@standin_only
def test_cuda_unavailable_without_cupy(monkeypatch):
    from ember import _device
    old = _device._set_cuda_module(None)
    monkeypatch.setitem(__import__("sys").modules, "cupy", None)
    monkeypatch.delenv("EMBER_STANDIN_CUDA", raising=False)
    try:
        assert not ember.cuda.is_available() and ember.cuda.device_count() == 0
        with pytest.raises(RuntimeError, match="CUDA"):
            ember.zeros(1, device="cuda")
        with pytest.raises(RuntimeError, match="CUDA"):
            ember.cuda.memory_allocated()
    finally:
        _device._set_cuda_module(old)


def test_printing_and_type_names():
    x = ember.tensor([1.0, 2.0], device="cuda")
    assert repr(x) == "tensor([1., 2.], device='cuda:0')"
    assert x.type() == "torch.cuda.FloatTensor"
    assert ember.zeros(2, 2, device="cuda", dtype=ember.int64).sum().item() == 0


@standin_only
def test_env_var_switches_standin_on():
    import os
    import subprocess
    import sys
    code = ("import ember; x = ember.ones(2, device='cuda'); "
            "print(type(x._data).__module__, ember.cuda.is_available())")
    env = dict(os.environ, EMBER_STANDIN_CUDA="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["ember.testing.standin_cupy", "True"]


# ---- a wider sweep: indexing, sorting, selection, random, nn.functional -------------------
def _x(m):
    return m.tensor(np.random.default_rng(4).standard_normal((4, 5)).astype(np.float32))


MISC = {
    "bool-mask-index": lambda m: _x(m)[_x(m) > 0],
    "int-index": lambda m: _x(m)[m.tensor([3, 0, 0])],
    "index-2d": lambda m: _x(m)[m.tensor([0, 1]), m.tensor([4, 2])],
    "setitem-mask": lambda m: _x(m).masked_fill_(_x(m) < 0, 0.0),
    "index_put": lambda m: _x(m).index_put_((m.tensor([0, 0]),), m.ones(5), accumulate=True),
    "index_add": lambda m: _x(m).index_add(0, m.tensor([1, 1]), m.ones(2, 5)),
    "index_select": lambda m: _x(m).index_select(1, m.tensor([4, 0])),
    "scatter_reduce": lambda m: m.zeros(2, 5).scatter_reduce(0, m.tensor([[0, 1, 0, 1, 0]] * 4),
                                                           _x(m), "amax", include_self=False),
    "take_along_dim": lambda m: m.take_along_dim(_x(m), _x(m).argsort(1), 1),
    "nonzero": lambda m: (_x(m) > 0).nonzero(),
    "argwhere": lambda m: m.argwhere(_x(m) > 0.5),
    "sort": lambda m: _x(m).sort(1, descending=True),
    "argsort-stable": lambda m: m.tensor([3, 1, 3, 1, 2]).argsort(stable=True),
    "topk": lambda m: _x(m).topk(2, dim=1),
    "kthvalue": lambda m: _x(m).kthvalue(2, 1),
    "median": lambda m: _x(m).median(1),
    "mode": lambda m: m.tensor([[1, 2, 2, 3], [4, 4, 1, 1]]).mode(1),
    "cummax": lambda m: _x(m).cummax(1),
    "unique": lambda m: m.unique(m.tensor([3, 1, 3, 2, 1]), return_inverse=True,
                                 return_counts=True),
    "unique_consecutive": lambda m: m.unique_consecutive(m.tensor([1, 1, 2, 2, 1])),
    "bincount": lambda m: m.bincount(m.tensor([0, 2, 2, 5])),
    "histc": lambda m: m.histc(_x(m), bins=4, min=-2, max=2),
    "searchsorted": lambda m: m.searchsorted(m.tensor([1., 3., 5.]), m.tensor([2., 6.])),
    "bucketize": lambda m: m.bucketize(_x(m), m.tensor([-1., 0., 1.])),
    "argmax": lambda m: (_x(m).argmax(), _x(m).argmin(1), _x(m).max(0)),
    "all-any": lambda m: ((_x(m) > -5).all(), (_x(m) > 5).any(1)),
    "count_nonzero": lambda m: m.count_nonzero(_x(m) > 0, 1),
    "flip-roll": lambda m: (_x(m).flip(0), _x(m).roll(2, 1), _x(m).rot90()),
    "tril-triu": lambda m: (_x(m).tril(), _x(m).triu(1), m.tril_indices(3, 3)),
    "repeat_interleave": lambda m: m.tensor([1, 2]).repeat_interleave(m.tensor([2, 3])),
    "diag": lambda m: (m.diag(_x(m)[0]), _x(m).diagonal(), m.diag_embed(_x(m)[:2])),
    "cdist": lambda m: m.cdist(_x(m), _x(m) + 1),
    "kron-tensordot": lambda m: (m.kron(_x(m)[:2, :2], _x(m)[:2, :2]),
                                 m.tensordot(_x(m), _x(m), dims=([1], [1]))),
    "norms": lambda m: (m.linalg.norm(_x(m)), m.linalg.vector_norm(_x(m), 1, dim=1),
                        m.linalg.matrix_norm(_x(m))),
    "solve-cholesky": lambda m: (m.linalg.cholesky(_x(m) @ _x(m).T + m.eye(4)),
                                 m.linalg.solve(_x(m) @ _x(m).T + m.eye(4), _x(m))),
    "lstsq": lambda m: m.linalg.lstsq(_x(m).T, m.ones(5, 1)).solution,
    "lu": lambda m: m.linalg.lu_factor(_x(m)[:, :4]),
    "matrix_exp": lambda m: m.linalg.matrix_exp(_x(m)[:, :4] * 0.1),
    "one_hot": lambda m: m.nn.functional.one_hot(m.tensor([0, 2, 1]), 4),
    "pad": lambda m: (m.nn.functional.pad(_x(m), (1, 2), value=3.0),
                      m.nn.functional.pad(_x(m)[None], (1, 1), mode="reflect")),
    "interpolate": lambda m: (m.nn.functional.interpolate(_x(m)[None, None], scale_factor=2,
                                                          mode="bilinear", align_corners=False),
                              m.nn.functional.interpolate(_x(m)[None], size=7, mode="linear")),
    "grid_sample": lambda m: m.nn.functional.grid_sample(
        _x(m)[None, None], m.arange(20.).reshape(1, 2, 5, 2) * 0.1 - 0.9, align_corners=False),
    "unfold-fold": lambda m: m.nn.functional.fold(
        m.nn.functional.unfold(_x(m)[None, None], 2), (4, 5), 2),
    "pixel_shuffle": lambda m: m.nn.functional.pixel_shuffle(m.arange(16.).reshape(1, 4, 2, 2), 2),
    "normalize": lambda m: m.nn.functional.normalize(_x(m), dim=1),
    "cosine_similarity": lambda m: m.nn.functional.cosine_similarity(_x(m), _x(m) + 1),
    "embedding_bag": lambda m: m.nn.functional.embedding_bag(m.tensor([1, 2, 0, 3]), _x(m),
                                                             m.tensor([0, 2]), mode="mean"),
    "softmax-family": lambda m: (m.softmax(_x(m), 1), m.log_softmax(_x(m), 0),
                                 m.nn.functional.gumbel_softmax(_x(m), hard=True).sum()),
    "activations": lambda m: tuple(getattr(m.nn.functional, f)(_x(m)) for f in (
        "gelu", "silu", "mish", "elu", "selu", "softplus", "hardswish", "leaky_relu",
        "logsigmoid", "softsign", "tanhshrink", "relu6")),
    "dropout-train": lambda m: m.nn.functional.dropout(m.ones(4, 5), 0.5, training=True),
    "bernoulli": lambda m: m.bernoulli(m.full((3, 4), 0.5)),
    "multinomial": lambda m: m.multinomial(m.tensor([0.1, 0.5, 0.4]), 5, replacement=True),
    "rand_like": lambda m: (m.rand_like(_x(m)), m.randn_like(_x(m)), m.randint_like(_x(m), 5)),
    "normal_": lambda m: (m.empty(3).normal_(), m.empty(3).uniform_(-1, 1),
                          m.empty(3).exponential_(), m.empty(2, dtype=m.int64).random_(0, 9)),
    "clone-contiguous": lambda m: (_x(m).t().contiguous(), _x(m).t().clone()),
    "to-dtype": lambda m: (_x(m).half(), _x(m).double(), _x(m).long(), _x(m).bool(),
                           _x(m).to(m.bfloat16).float()),
    "complex": lambda m: (m.complex(_x(m), _x(m)).abs(), m.view_as_real(m.complex(_x(m), _x(m)))),
    "item-tolist": lambda m: (_x(m).sum().item(), _x(m)[0].tolist(), float(_x(m)[0, 0]),
                              int(m.tensor(3)), bool(m.tensor(True))),
    "equal-allclose": lambda m: (m.equal(_x(m), _x(m)), m.allclose(_x(m), _x(m) + 1e-9),
                                 m.isclose(_x(m), _x(m)).all()),
    "chunk-split": lambda m: (_x(m).chunk(2, 1), _x(m).split([1, 3], 0), _x(m).unbind(1)),
    "meshgrid": lambda m: m.meshgrid(m.arange(3), m.arange(2), indexing="ij"),
    "stack-cat": lambda m: (m.stack([_x(m), _x(m)]), m.cat([_x(m), _x(m)], 1),
                            m.hstack([_x(m), _x(m)]), m.vstack([_x(m), _x(m)])),
    "expand-write": lambda m: m.zeros(1, 5).expand(4, 5).clone().add_(_x(m)),
    "as_strided": lambda m: _x(m).as_strided((2, 2), (1, 2), 1),
    "unfold-view": lambda m: _x(m).unfold(1, 2, 1),
    "nan-reductions": lambda m: (m.nansum(m.tensor([1., float("nan")])),
                                 m.nanmean(m.tensor([1., float("nan"), 3.]))),
    "var-std": lambda m: (m.var_mean(_x(m), 1), m.std(_x(m), 0, correction=0)),
    "logcumsumexp": lambda m: m.logcumsumexp(_x(m), 1),
    "quantile": lambda m: m.quantile(_x(m), m.tensor([0.25, 0.5]), dim=1),
    "special": lambda m: (m.erf(_x(m)), m.erfinv(_x(m).tanh() * 0.9), m.lgamma(_x(m).abs() + 1),
                          m.digamma(_x(m).abs() + 1), m.polygamma(1, _x(m).abs() + 1)),
    "bitwise": lambda m: (m.tensor([5, 3]) & m.tensor([1, 2]), m.tensor([5]) << 2),
    "where-0d-scalar": lambda m: m.where(_x(m) > 0, _x(m), m.tensor(0.0)),
    "clamp-0d": lambda m: _x(m).clamp(min=m.tensor(-0.5)),
}


@pytest.mark.parametrize("fn", [pytest.param(f, id=k) for k, f in MISC.items()])
def test_misc_table(fn):
    compare_on_device(fn, "cuda", rtol=1e-5, atol=1e-5, must_succeed=True)


def test_tensor_from_list_of_cuda_scalars():
    parts = [ember.tensor(1.0, device="cuda"), ember.tensor(2.0, device="cuda")]
    t = ember.tensor(parts)
    assert t.is_cpu and t.tolist() == [1.0, 2.0]
    assert ember.tensor(parts, device="cuda").is_cuda
    assert ember.tensor([ember.tensor(3), ember.tensor(4)], device="cuda").tolist() == [3, 4]


def test_assert_close_checks_device():
    from ember.testing import assert_close
    with pytest.raises(AssertionError, match="device"):
        assert_close(ember.ones(2, device="cuda"), ember.ones(2))
    assert_close(ember.ones(2, device="cuda"), ember.ones(2), check_device=False)
    assert_close(ember.ones(2, device="cuda"), ember.ones(2, device="cuda"))


# ---- views and indexing on cuda: the core view tables ----------------------------------------
_VIEW_TABLES = {
    "ATTRS": lambda f: f,
    "VIEWS": core_views._view_case,
    "GET": lambda k: core_views._getitem(k),
    "SET": lambda kv: core_views._setitem(*kv),
    "IDXTAB": lambda f: f,
    "SHAPE_API": core_views._with_layout,
    "COMPLEX_VIEWS": core_views._with_layout,
}
_VIEW_CASES = [pytest.param(make(entry), id=f"{table}-{k}")
               for table, make in _VIEW_TABLES.items()
               for k, entry in getattr(core_views, table).items()]


@pytest.mark.parametrize("fn", _VIEW_CASES)
def test_view_and_index_tables(fn):
    compare_on_device(fn, "cuda")


def test_random_view_chains_on_cuda():
    import random
    for trial in range(150):
        gen = random.Random(10_000 + trial)
        seq = [gen.randrange(len(view_chains.OPS)) for _ in range(gen.randint(1, 5))]
        compare_on_device(lambda m: view_chains._run(m, seq, trial), "cuda")


def test_views_share_device_memory_and_version():
    base = ember.zeros(3, 4, device="cuda")
    v = base.t()[1:]
    v.add_(1.0)
    assert base._version is v._version and base[1].sum().item() == 3.0
    w = base.view(12)
    w[0] = 7.0
    assert base[0, 0].item() == 7.0
    assert _device_array(v._data) and v.untyped_storage().data_ptr() == \
        base.untyped_storage().data_ptr()


def test_inplace_on_view_backward_on_cuda():
    for dev in ("cpu", "cuda"):
        x = ember.arange(12.0, device=dev).reshape(3, 4).requires_grad_()
        y = x * 2
        y[1].mul_(3)
        y.t()[0].zero_()
        y.sum().backward()
        if dev == "cpu":
            ref = x.grad
        else:
            assert x.grad.is_cuda and ember.equal(x.grad.cpu(), ref)


@standin_only
def test_standin_integer_index_is_a_view():
    a = scp.zeros((2, 3))
    v = a[1, 2]
    assert isinstance(v, scp.ndarray) and v.ndim == 0
    v[...] = 4.0
    w = a[..., 0, 1]
    w[...] = 2.0
    assert float(a[1, 2]) == 4.0 and float(a[0, 1]) == 2.0


# ---- every other parity table of the core and nn tests: ``fn(m)`` dicts, found by shape ------
_TABLE_MODULES = ["test_coreops_joining", "test_coreops_linalg", "test_coreops_reduce",
                  "test_coreops_sorting", "test_core_reduce", "test_core_creation",
                  "test_core_api", "test_gaps_math_extra", "test_gaps_methods",
                  "test_fidelity_return_types", "test_fidelity_halfmath",
                  "test_nn_core_functional", "test_nn_conv_functional", "test_nn_core_losses",
                  "test_core_errors"]
# rows about the cpu device itself, or that hand a NumPy array to a cuda tensor
_DEVICE_SPECIFIC = {"MISC:numpy-dtype", "MISC:matmul-numpy", "MISC:Tensor-np",
                    "CREATE:tensor-device", "CONVERT:to-device", "CONVERT:to-device-dtype",
                    "CONVERT:to-kw", "CONVERT:cpu-is-self", "CONVERT:device-attr"}


def _fn_of_m_tables():
    import importlib
    import types
    out = []
    for name in _TABLE_MODULES:
        mod = importlib.import_module(name)
        for tname, table in list(vars(mod).items()):
            if not isinstance(table, dict) or not table or not all(
                    isinstance(f, types.FunctionType) and f.__code__.co_argcount == 1
                    and f.__code__.co_varnames[0] == "m" for f in table.values()):
                continue
            for key, fn in table.items():
                if f"{tname}:{key}" in _DEVICE_SPECIFIC or (tname == "CREATE" and
                                                           key.startswith("legacy-")):
                    continue  # legacy constructors (FloatTensor ...) always make cpu tensors
                out.append(pytest.param(fn, id=f"{name[5:]}-{tname}-{key}"))
    return out


_MORE_TABLES = _fn_of_m_tables()


def test_more_tables_were_found():
    assert len(_MORE_TABLES) > 600


@pytest.mark.parametrize("fn", _MORE_TABLES)
def test_more_tables(fn):
    compare_on_device(fn, "cuda", rtol=1e-5, atol=1e-5)


_FACTORY_ARGS = {
    "tensor": ([1.0],), "as_tensor": ([1.0],), "asarray": ([1.0],), "zeros": (2,), "ones": (2,),
    "empty": (2,), "full": ((2,), 1.0), "arange": (3,), "range": (0, 2), "linspace": (0, 1, 3),
    "logspace": (0, 1, 3), "eye": (2,), "rand": (2,), "randn": (2,), "randint": (0, 3, (2,)),
    "randperm": (3,), "normal": (0.0, 1.0, (2,)), "scalar_tensor": (1.0,),
    "tril_indices": (3, 3), "triu_indices": (3, 3), "empty_strided": ((2,), (1,)),
    "zeros_like": "like", "ones_like": "like", "empty_like": "like", "rand_like": "like",
    "randn_like": "like", "full_like": ("like", 2.0), "randint_like": ("like", 5),
}


@pytest.mark.parametrize("name", list(_FACTORY_ARGS))
def test_every_factory_takes_device(name):
    """PyTorch's factories with a ``device=`` argument (those Ember has) make cuda tensors."""
    spec = _FACTORY_ARGS[name]
    like = ember.ones(2, 3)
    args = (like,) if spec == "like" else tuple(like if a == "like" else a for a in spec)
    t = getattr(ember, name)(*args, device="cuda")
    assert t.is_cuda and _device_array(t._data)


def test_ctc_lengths_may_be_tuples_or_cpu_tensors():
    F = ember.nn.functional
    lp = F.log_softmax(ember.randn(5, 2, 4), 2)
    tg = ember.tensor([[1, 2], [3, 3]])
    ref = F.ctc_loss(lp, tg, (5, 5), (2, 2))
    for il, tl in (((5, 5), (2, 2)), (ember.tensor([5, 5]), ember.tensor([2, 2])),
                   (ember.tensor([5, 5], device="cuda"), ember.tensor([2, 2], device="cuda"))):
        got = F.ctc_loss(lp.cuda(), tg.cuda(), il, tl)
        check_same_on_device(got, ref, "cuda")


def test_cuda_peak_sees_transient_allocations():
    cuda = ember.cuda
    cuda.reset_peak_memory_stats()
    base = cuda.memory_allocated()
    ember.empty(25_000, dtype=ember.float64, device="cuda").sum()  # freed right away
    assert REAL or cuda.memory_allocated() == base
    assert cuda.max_memory_allocated() >= base + 200_000


def test_resnet8_training_step_matches_cpu():
    from ember.vision.models import resnet8
    ember.manual_seed(0)
    ref = resnet8(num_classes=4, width=4)
    net = resnet8(num_classes=4, width=4)
    net.load_state_dict(ref.state_dict())
    net.cuda()
    x, y = ember.randn(2, 3, 16, 16), ember.tensor([1, 3])
    for m, dev in ((ref, "cpu"), (net, "cuda")):
        opt = ember.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
        for _ in range(2):
            opt.zero_grad()
            ember.nn.functional.cross_entropy(m(x.to(dev)), y.to(dev)).backward()
            opt.step()
    for (n, p), (_, q) in zip(net.state_dict().items(), ref.state_dict().items()):
        check_same_on_device(p, q, "cuda", rtol=1e-4, atol=1e-5, path=n)


def test_optimizer_state_from_cpu_checkpoint_moves_to_cuda():
    m = ember.nn.Linear(3, 2)
    opt = ember.optim.Adam(m.parameters())
    m(ember.randn(1, 3)).sum().backward()
    opt.step()
    m2 = ember.nn.Linear(3, 2).cuda()
    opt2 = ember.optim.Adam(m2.parameters())
    opt2.load_state_dict(opt.state_dict())
    for st in opt2.state.values():
        assert st["exp_avg"].is_cuda and st["exp_avg_sq"].is_cuda
    m2(ember.randn(1, 3, device="cuda")).sum().backward()
    opt2.step()


# ---- device-to-host reads in a training step (each one is a GPU synchronisation) -------------
def _host_reads_per_step(step, n=2):
    step()
    scp.transfers["to_host"] = 0
    for _ in range(n):
        step()
    return scp.transfers["to_host"] / n


# today's counts: the index bounds checks of cross_entropy (2: min and max of the targets),
# embedding (2) and max pooling's NaN test (1); PyTorch checks these on the device instead
@pytest.mark.parametrize("case,budget", [("mlp", 2), ("conv", 3), ("embedding", 4), ("lstm", 2)])
@standin_only
def test_training_step_host_reads(case, budget):
    nn = ember.nn
    nets = {
        "mlp": (lambda: nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4)),
                lambda: ember.randn(5, 8)),
        "conv": (lambda: nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4),
                                       nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                                       nn.Linear(64, 4)), lambda: ember.randn(5, 3, 8, 8)),
        "embedding": (lambda: nn.Sequential(nn.Embedding(10, 4), nn.Flatten(),
                                            nn.Linear(12, 4)),
                      lambda: ember.randint(0, 10, (5, 3))),
        "lstm": (lambda: nn.Sequential(nn.LSTM(4, 5), _LastStep(), nn.Linear(5, 4)),
                 lambda: ember.randn(6, 5, 4)),
    }
    make, data = nets[case]
    net = make().cuda()
    x, y = data().cuda(), ember.tensor([0, 1, 2, 3, 0], device="cuda")
    opt = ember.optim.Adam(net.parameters())

    def step():
        opt.zero_grad()
        ember.nn.functional.cross_entropy(net(x), y).backward()
        opt.step()
    assert _host_reads_per_step(step) <= budget


class _LastStep(ember.nn.Module):
    def forward(self, out):
        return out[0][-1]


@standin_only
def test_standin_counts_host_reads():
    a = scp.ones((2,))
    before = scp.transfers["to_host"]
    a.get(), a.sum().item(), float(a[0]), bool(a[1])
    assert scp.transfers["to_host"] - before == 4
