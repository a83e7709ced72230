"""The cuda device on the strict CuPy stand-in: nn layers, losses, optimizers, save/load,
data loading, device mixing, ``ember.cuda`` and host reads per training step, each against cpu.

See ``test_cuda_standin.py`` for the stand-in and the op tables; with ``EMBER_TEST_REAL_CUDA=1``
these run on real CuPy.
"""
import numpy as np
import pytest

import ember
from ember.testing import standin_cupy as scp
from ember.testing.device_check import compare_grads_on_device, check_same_on_device

from cuda_standin_util import cuda_device, standin_only, REAL  # noqa: F401 (fixture)

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
        "maxpool2d_pad": (lambda: nn.MaxPool2d(3, stride=2, padding=1),
                          lambda m: m.randn(1, 2, 7, 7)),
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
            return F.cross_entropy(x, tgt, label_smoothing=0.1, weight=m.tensor([1., 2., 1., .5], dtype=x.dtype))
        if loss == "nll_loss":
            return F.nll_loss(F.log_softmax(x, 1), tgt, reduction="sum")
        if loss == "mse_loss":
            return F.mse_loss(x, m.ones(4, 4, dtype=x.dtype))
        if loss == "bce_with_logits":
            return F.binary_cross_entropy_with_logits(
                x, (m.arange(16).reshape(4, 4) % 2).to(x.dtype))
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
    assert x.is_cpu and ember.equal(y, ember.tensor([0, 1]))  # not pinned: plain host memory
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
    """Without CuPy, ember.cuda answers as PyTorch built without CUDA does."""
    from ember import _device
    old = _device._set_cuda_module(None)
    monkeypatch.setitem(__import__("sys").modules, "cupy", None)
    monkeypatch.delenv("EMBER_STANDIN_CUDA", raising=False)
    cuda = ember.cuda
    try:
        assert not cuda.is_available() and cuda.device_count() == 0
        assert not cuda.is_initialized()
        for make in (lambda: ember.zeros(1, device="cuda"), lambda: ember.ones(2).cuda(),
                     cuda.current_device, cuda.get_device_name, cuda.synchronize,
                     cuda.mem_get_info, cuda.initial_seed, cuda.init):
            with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
                make()
        assert (cuda.memory_allocated(), cuda.max_memory_allocated(), cuda.memory_reserved(),
                cuda.max_memory_reserved(), cuda.memory_stats()) == (0, 0, 0, 0, {})
        ember.manual_seed(3)
        a = ember.rand(2)
        ember.manual_seed(3)
        cuda.manual_seed(0)  # no GPU: does not touch the cpu stream (as PyTorch)
        cuda.manual_seed_all(0)
        cuda.empty_cache()
        cuda.reset_peak_memory_stats()
        assert ember.equal(ember.rand(2), a)
        with pytest.raises(RuntimeError, match="compiled without CUDA"):
            with cuda.device(0):
                pass
    finally:
        _device._set_cuda_module(old)


def test_no_cuda_errors_match_torch_types():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("torch sees a GPU")
    from ember import _device
    old = _device._set_cuda_module(None)
    saved = __import__("sys").modules.get("cupy", "absent")
    __import__("sys").modules["cupy"] = None
    try:
        for name in ("current_device", "get_device_name", "init", "initial_seed"):
            errors = []
            for mod in (torch, ember):
                try:
                    getattr(mod.cuda, name)()
                    errors.append(None)
                except Exception as exc:
                    errors.append(type(exc))
            assert errors[0] is errors[1], name
        for name in ("memory_allocated", "max_memory_allocated", "memory_reserved",
                     "device_count", "is_available"):
            assert getattr(ember.cuda, name)() == getattr(torch.cuda, name)(), name
    finally:
        if saved == "absent":
            del __import__("sys").modules["cupy"]
        else:
            __import__("sys").modules["cupy"] = saved
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
