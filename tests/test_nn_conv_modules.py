"""Conv/pool/padding/upsampling layers vs real PyTorch (after loading torch's state_dict),
default init, errors, and a LeNet-style CNN that learns sklearn's digits."""
import math
import time

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.testing import assert_close


def _load(em, tm):
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})


def _parity(torch, em, tm, shape, seed=0, call=None):
    """Same weights, same float64 input: compare output, input grad and every parameter grad."""
    em.double()
    tm.double()
    _load(em, tm)
    x = np.random.default_rng(seed).standard_normal(shape)
    ex = ember.tensor(x, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    ey = em(ex) if call is None else call(em, ex)
    ty = tm(tx) if call is None else call(tm, tx)
    if isinstance(ty, tuple):
        ey, ty = ey[0], ty[0]
    assert_close(ey.detach(), ember.tensor(ty.detach().numpy()), atol=1e-10, rtol=1e-8)
    g = np.random.default_rng(seed + 1).standard_normal(tuple(ty.shape))
    ey.backward(ember.tensor(g))
    ty.backward(torch.tensor(g))
    assert_close(ex.grad, ember.tensor(tx.grad.numpy()), atol=1e-10, rtol=1e-8)
    tparams = dict(tm.named_parameters())
    for name, p in em.named_parameters():
        assert_close(p.grad, ember.tensor(tparams[name].grad.numpy()), atol=1e-10, rtol=1e-8)


CONV_LAYERS = [
    ("Conv1d", (3, 4, 3), dict(stride=2, padding=1), (2, 3, 9)),
    ("Conv1d", (4, 4, 3), dict(padding="same", padding_mode="circular", groups=2), (2, 4, 7)),
    ("Conv2d", (3, 6, 3), dict(padding=1, padding_mode="reflect"), (2, 3, 6, 5)),
    ("Conv2d", (3, 6, (2, 3)), dict(padding="same", padding_mode="replicate", dilation=2),
     (2, 3, 7, 8)),
    ("Conv2d", (4, 6, 3), dict(stride=2, groups=2, bias=False), (2, 4, 7, 7)),
    ("Conv2d", (3, 6, 3), dict(padding=(1, 2), padding_mode="circular"), (3, 6, 5)),
    ("Conv3d", (2, 3, 2), dict(stride=(1, 2, 1), padding=1), (1, 2, 4, 4, 3)),
    ("ConvTranspose1d", (3, 4, 3), dict(stride=2, padding=1, output_padding=1), (2, 3, 5)),
    ("ConvTranspose2d", (4, 6, 3), dict(stride=2, groups=2, dilation=2), (2, 4, 3, 4)),
    ("ConvTranspose3d", (2, 3, 2), dict(stride=2), (1, 2, 2, 3, 2)),
]


@pytest.mark.parametrize("name,args,kw,shape", CONV_LAYERS)
def test_conv_layers_match_torch(torch_mod, name, args, kw, shape):
    em = getattr(nn, name)(*args, **kw)
    tm = getattr(torch_mod.nn, name)(*args, **kw)
    assert [n for n, _ in em.named_parameters()] == [n for n, _ in tm.named_parameters()]
    for (_, a), (_, b) in zip(em.named_parameters(), tm.named_parameters()):
        assert tuple(a.shape) == tuple(b.shape)
    assert repr(em) == repr(tm)
    _parity(torch_mod, em, tm, shape)


def test_conv_transpose_output_size(torch_mod):
    em, tm = nn.ConvTranspose2d(2, 3, 3, stride=2), torch_mod.nn.ConvTranspose2d(2, 3, 3, stride=2)
    _parity(torch_mod, em, tm, (1, 2, 4, 4), call=lambda m, x: m(x, output_size=[10, 9]))
    with pytest.raises(ValueError):
        em(ember.zeros(1, 2, 4, 4, dtype=ember.float64), output_size=[12, 12])


def test_default_init_bounds():
    m = nn.Conv2d(3, 8, 5)
    bound = 1 / math.sqrt(3 * 25)
    assert m.weight.abs().max().item() <= bound and m.bias.abs().max().item() <= bound
    assert m.weight.std().item() > bound / 3  # uniform over the whole range, not constant
    t = nn.ConvTranspose2d(4, 6, 3, groups=2)
    assert tuple(t.weight.shape) == (4, 3, 3, 3)
    assert t.weight.abs().max().item() <= 1 / math.sqrt(3 * 9)
    assert m.weight.dtype == ember.float32 and nn.Conv1d(1, 1, 1, dtype=ember.float64).weight.dtype \
        == ember.float64


LAYERS = [
    ("MaxPool2d", (3,), dict(stride=2, padding=1, ceil_mode=True), (2, 3, 7, 7)),
    ("MaxPool1d", (2,), {}, (2, 3, 7)),
    ("MaxPool3d", (2,), {}, (1, 2, 4, 4, 4)),
    ("AvgPool2d", (3,), dict(stride=2, padding=1, count_include_pad=False), (2, 3, 7, 7)),
    ("AvgPool2d", (2,), dict(divisor_override=3), (2, 3, 6, 6)),
    ("AvgPool1d", (3,), dict(stride=1, padding=1), (2, 3, 7)),
    ("AvgPool3d", (2,), {}, (1, 2, 4, 4, 4)),
    ("AdaptiveAvgPool2d", ((2, 3),), {}, (2, 3, 7, 7)),
    ("AdaptiveAvgPool1d", (4,), {}, (2, 3, 7)),
    ("AdaptiveMaxPool2d", (3,), {}, (2, 3, 7, 7)),
    ("AdaptiveMaxPool1d", (3,), {}, (2, 3, 7)),
    ("LPPool2d", (2, 2), {}, (2, 3, 6, 6)),
    ("ZeroPad2d", ((1, 2, 0, 3),), {}, (2, 3, 4, 4)),
    ("ConstantPad1d", (2, 3.5), {}, (2, 3, 4)),
    ("ConstantPad3d", (1, -1.0), {}, (1, 2, 2, 2, 2)),
    ("ReflectionPad1d", ((2, 1),), {}, (2, 3, 4)),
    ("ReflectionPad2d", (1,), {}, (2, 3, 4, 4)),
    ("ReplicationPad2d", ((1, 0, 2, 1),), {}, (2, 3, 4, 4)),
    ("ReplicationPad3d", (1,), {}, (1, 2, 3, 3, 3)),
    ("CircularPad2d", (1,), {}, (2, 3, 4, 4)),
    ("Upsample", (), dict(scale_factor=2, mode="nearest"), (2, 3, 4, 4)),
    ("Upsample", (), dict(size=(5, 7), mode="bilinear", align_corners=True), (2, 3, 4, 4)),
    ("UpsamplingNearest2d", (), dict(scale_factor=2), (2, 3, 3, 3)),
    ("UpsamplingBilinear2d", (), dict(size=5), (2, 3, 3, 3)),
    ("PixelShuffle", (2,), {}, (2, 8, 3, 3)),
    ("PixelUnshuffle", (2,), {}, (2, 2, 4, 6)),
    ("Unfold", (2,), dict(padding=1, stride=2), (2, 3, 5, 5)),
    ("Fold", ((4, 4), 2), {}, (2, 12, 9)),
]


@pytest.mark.parametrize("name,args,kw,shape", LAYERS)
def test_layers_match_torch(torch_mod, name, args, kw, shape):
    em = getattr(nn, name)(*args, **kw)
    tm = getattr(torch_mod.nn, name)(*args, **kw)
    assert repr(em) == repr(tm)
    _parity(torch_mod, em, tm, shape)


def test_maxpool_unpool_layers(torch_mod):
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 6))
    pool, unpool = nn.MaxPool2d(2, return_indices=True), nn.MaxUnpool2d(2)
    y, i = pool(ember.tensor(x))
    ty, ti = torch_mod.nn.MaxPool2d(2, return_indices=True)(torch_mod.tensor(x))
    np.testing.assert_array_equal(i.numpy(), ti.numpy())
    u = unpool(y, i)
    assert_close(u, ember.tensor(torch_mod.nn.MaxUnpool2d(2)(ty, ti).numpy()))


@pytest.mark.parametrize("build,exc,match", [
    (lambda: nn.Conv2d(3, 4, 3, groups=2), ValueError, "in_channels must be divisible"),
    (lambda: nn.Conv2d(4, 3, 3, groups=2), ValueError, "out_channels must be divisible"),
    (lambda: nn.Conv2d(3, 4, 3, groups=0), ValueError, "groups must be a positive integer"),
    (lambda: nn.Conv2d(3, 4, 3, padding="full"), ValueError, "Invalid padding string"),
    (lambda: nn.Conv2d(3, 4, 3, padding="same", stride=2), ValueError, "strided"),
    (lambda: nn.Conv2d(3, 4, 3, padding_mode="mirror"), ValueError, "padding_mode must be"),
    (lambda: nn.ConvTranspose2d(3, 4, 3, padding_mode="reflect"), ValueError, "zeros"),
])
def test_layer_construction_errors(build, exc, match):
    with pytest.raises(exc, match=match):
        build()


@pytest.mark.parametrize("call,match", [
    (lambda: F.conv2d(ember.zeros(2, 3), ember.zeros(6, 3, 2, 2)),
     r"Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d, but got input of size: "
     r"\[2, 3\]"),
    (lambda: F.conv2d(ember.zeros(2, 3, 5, 5), ember.zeros(6, 1, 2, 2)),
     r"expected input\[2, 3, 5, 5\] to have 1 channels, but got 3 channels instead"),
    (lambda: F.conv2d(ember.zeros(2, 3, 5, 5), ember.zeros(6, 3, 7, 7)),
     r"Kernel size can't be greater than actual input size"),
    (lambda: F.conv2d(ember.zeros(2, 3, 5, 5), ember.zeros(6, 3, 2, 2), bias=ember.zeros(5)),
     r"expected bias to be 1-dimensional with 6 elements, but got bias of size \[5\]"),
    (lambda: F.conv2d(ember.zeros(2, 3, 5, 5, dtype=ember.float64), ember.zeros(6, 3, 2, 2)),
     "expected scalar type Double but found Float"),
    (lambda: nn.Conv2d(1, 2, 3)(ember.zeros(1, 1, 5, 5, dtype=ember.float64)),
     r"Input type \(double\) and bias type \(float\) should be the same"),
    (lambda: F.conv2d(ember.zeros(2, 3, 5, 5), ember.zeros(6, 3, 2, 2), stride=2,
                      padding="same"), "padding='same' is not supported for strided"),
    (lambda: F.conv2d(ember.zeros(2, 3, 5, 5), ember.zeros(6, 3, 2, 2), stride=0),
     "non-positive stride is not supported"),
    (lambda: F.max_pool2d(ember.zeros(2, 3, 5, 5), 3, padding=2),
     "pad should be at most half of effective kernel size, but got pad=2, kernel_size=3"),
    (lambda: F.max_pool2d(ember.zeros(2, 3, 2, 2), 3), r"Output size is too small"),
    (lambda: F.avg_pool2d(ember.zeros(1, 3, 2, 2), 3), r"Output size is too small"),
    (lambda: F.max_unpool2d(ember.zeros(1, 1, 2, 2), ember.full((1, 1, 2, 2), 30,
                                                                dtype=ember.int64), 2),
     "Found an invalid max index: 30"),
    (lambda: F.pad(ember.zeros(1, 1, 4), (5, 5), mode="reflect"),
     "Padding size should be less than the corresponding input dimension"),
    (lambda: F.pad(ember.zeros(1, 1, 4), (1,)), "Padding length must be divisible by 2"),
    (lambda: F.adaptive_avg_pool2d(ember.zeros(3, 2), 3), r"Expected 3D or 4D tensor"),
])
def test_functional_errors_match_torch_runtime_error(call, match):
    with pytest.raises(RuntimeError, match=match):
        call()


def test_error_types_agree_with_torch(torch_mod):
    tF = torch_mod.nn.functional
    for ours, theirs in [
            (lambda: F.interpolate(ember.zeros(1, 1, 4), scale_factor=2, mode="bilinear"),
             lambda: tF.interpolate(torch_mod.zeros(1, 1, 4), scale_factor=2, mode="bilinear")),
            (lambda: F.pad(ember.zeros(4), (1, 1), mode="reflect"),
             lambda: tF.pad(torch_mod.zeros(4), (1, 1), mode="reflect")),
            (lambda: F.conv1d(ember.zeros(2, 3, 5, 5), ember.zeros(6, 3, 2)),
             lambda: tF.conv1d(torch_mod.zeros(2, 3, 5, 5), torch_mod.zeros(6, 3, 2)))]:
        with pytest.raises(Exception) as a:
            ours()
        with pytest.raises(Exception) as b:
            theirs()
        assert type(a.value) is type(b.value)


def test_lenet_learns_digits():
    sk = pytest.importorskip("sklearn.datasets")
    digits = sk.load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None]
    y = digits.target.astype(np.int64)
    perm = np.random.default_rng(0).permutation(len(y))
    x, y = x[perm], y[perm]
    xtr, ytr, xte, yte = x[:1400], y[:1400], x[1400:], y[1400:]
    ember.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 2 * 2, 64), nn.ReLU(), nn.Linear(64, 10))
    opt = ember.optim.SGD(model.parameters(), lr=0.03, momentum=0.9)
    lossf = nn.CrossEntropyLoss()
    start = time.perf_counter()
    for epoch in range(10):
        order = np.random.default_rng(epoch).permutation(len(ytr))
        for i in range(0, len(ytr), 32):
            b = order[i:i + 32]
            opt.zero_grad()
            loss = lossf(model(ember.tensor(xtr[b])), ember.tensor(ytr[b]))
            loss.backward()
            opt.step()
    model.eval()
    with ember.no_grad():
        acc = (model(ember.tensor(xte)).argmax(1).numpy() == yte).mean()
    assert time.perf_counter() - start < 60
    assert acc >= 0.95, acc
