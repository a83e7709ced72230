"""Walk PyTorch's everyday public module tree and check Ember has every name at the same path.

A name torch has and Ember lacks must be listed in docs/unsupported.md (as the exact
``torch.path.name`` or a glob such as ``torch.fft.*``); anything else fails this test, so a new gap
is either filled or written down. Classes must also be importable from the module torch defines
them in (``torch.nn.modules.linear.Linear`` -> ``ember.nn.modules.linear.Linear``), which is where
pickles of whole models and ``safe_globals`` lists name them.
"""
import fnmatch
import importlib
import inspect
import os
import re
import types

import pytest

torch = pytest.importorskip("torch")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UNSUPPORTED_MD = os.path.join(ROOT, "docs", "unsupported.md")

# The everyday public namespaces (torch.nn.modules.* and the other defining modules are
# covered by test_classes_importable_from_defining_module).
MODULES = [
    "torch", "torch.nn", "torch.nn.functional", "torch.nn.init", "torch.nn.parameter",
    "torch.nn.utils", "torch.nn.utils.rnn", "torch.nn.utils.parametrize",
    "torch.nn.utils.parametrizations", "torch.nn.utils.stateless", "torch.nn.parallel",
    "torch.optim", "torch.optim.lr_scheduler", "torch.optim.swa_utils",
    "torch.utils.data", "torch.autograd", "torch.autograd.functional", "torch.autograd.graph",
    "torch.linalg", "torch.fft", "torch.special", "torch.random", "torch.testing",
    "torch.cuda", "torch.multiprocessing", "torch.distributed", "torch.onnx",
    "torch.utils.tensorboard", "torch.distributions", "torch.serialization", "torch.amp",
    "torch.backends", "torch.utils.checkpoint", "torch.accelerator", "torch.storage",
    "torch.functional", "torch.utils.hooks", "torch.nn.modules", "torch.utils.data.dataset",
    "torch.utils.data.sampler", "torch.utils.data.dataloader", "torch.nn.utils.clip_grad",
    "torch.nn.utils.spectral_norm", "torch.nn.utils.weight_norm", "torch.optim.optimizer",
]


def _unsupported_patterns():
    """(main, in_progress): the backquoted ``torch...`` names/globs opening each list item of
    docs/unsupported.md (an item may continue on indented lines), split by whether they sit
    under the "In progress" heading."""
    main, progress = [], []
    items = []                       # [section, text] per list item
    section = main
    with open(UNSUPPORTED_MD, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                section = progress if "in progress" in line.lower() else main
                items.append(None)
            elif re.match(r"[-*]\s", line):
                items.append([section, line[2:].strip()])
            elif line.startswith("  ") and items and items[-1] is not None:
                items[-1][1] += " " + line.strip()
            else:
                items.append(None)
    for item in filter(None, items):
        m = re.match(r"((?:`torch[^`]*`[,\s]*)+)", item[1])
        if m:
            item[0].extend(re.findall(r"`(torch[^`]*)`", m.group(1)))
    return main, progress


MAIN, IN_PROGRESS = _unsupported_patterns()
PATTERNS = MAIN + IN_PROGRESS


def _listed(full, patterns=PATTERNS):
    """Whether ``full`` matches an entry; ``torch.nn.modules.X`` counts as ``torch.nn.X``."""
    if full.startswith("torch.nn.modules.") and full.count(".") == 3:
        full = "torch.nn." + full.rsplit(".", 1)[1]
    return any(fnmatch.fnmatchcase(full, p) for p in patterns)


def _public_names(mod):
    """torch's public names of ``mod``: ``__all__`` when it has one, else the classes and
    functions defined somewhere in torch (not re-exported typing/stdlib helpers)."""
    names = getattr(mod, "__all__", None)
    if names is not None:
        return [n for n in names if not isinstance(getattr(mod, n, None), types.ModuleType)]
    out = []
    for n in dir(mod):
        if n.startswith("_"):
            continue
        obj = getattr(mod, n, None)
        if isinstance(obj, types.ModuleType) or not callable(obj):
            continue
        owner = getattr(obj, "__module__", None) or ""
        if owner.split(".")[0] == "torch":
            out.append(n)
    return out


def _ember_module(torch_name):
    try:
        return importlib.import_module("ember" + torch_name[5:])
    except ImportError:
        return None


def _torch_module(name):
    try:
        return importlib.import_module(name)
    except Exception:  # noqa: BLE001  (a torch build without this part)
        return None


def _missing_at(name):
    """torch's public names of module ``name`` that Ember lacks at the same path."""
    tmod = _torch_module(name)
    if tmod is None:
        return []
    emod = _ember_module(name)
    names = _public_names(tmod)
    if emod is None:
        return [f"{name}.{n}" for n in names] or [f"{name}.*"]
    return [f"{name}.{n}" for n in names if not hasattr(emod, n)]


def test_unsupported_md_parses():
    assert len(MAIN) > 20 and all(p.startswith("torch") for p in PATTERNS)
    assert "torch.fft.*" in MAIN and "torch.jit.*" in MAIN and "torch.special.airy_ai" in MAIN
    assert _listed("torch.fft.rfft") and _listed("torch.nn.modules.LazyConv2d")
    assert not _listed("torch.nn.Linear")


@pytest.mark.parametrize("name", MODULES)
def test_every_public_name_present_or_listed(name):
    gaps = [full for full in _missing_at(name) if not _listed(full)]
    assert not gaps, (f"{len(gaps)} public names of {name} are neither in Ember nor listed in "
                      f"docs/unsupported.md: {' '.join(gaps)}")


def _walked_classes():
    """(defining module, name, torch class) for the public classes of MODULES that Ember has
    at the public path, plus the classes pickles name by their defining module."""
    seen = {}
    for name in MODULES:
        tmod, emod = _torch_module(name), _ember_module(name)
        if tmod is None or emod is None:
            continue
        for n in _public_names(tmod):
            obj = getattr(tmod, n, None)
            if not inspect.isclass(obj) or not hasattr(emod, n):
                continue
            owner = obj.__module__
            if owner == name or any(p.startswith("_") for p in owner.split(".")[1:]):
                continue
            if owner.split(".")[0] == "torch":
                seen[(owner, obj.__qualname__)] = obj
    return seen


def test_classes_importable_from_defining_module():
    """``torch.nn.modules.linear.Linear`` resolves as ``ember.nn.modules.linear.Linear``, and
    to the very class Ember exports at the public path."""
    classes = _walked_classes()
    assert len(classes) > 150
    bad = []
    for (owner, qual) in sorted(classes):
        full = f"{owner}.{qual}"
        if _listed(full):
            continue
        emod = _ember_module(owner)
        if emod is None or not hasattr(emod, qual):
            bad.append(full)
    assert not bad, f"classes not importable from torch's defining module in Ember: {bad}"


@pytest.mark.parametrize("full", [
    "torch._tensor.Tensor", "torch.nn.parameter.Parameter", "torch.nn.parameter.Buffer",
    "torch.nn.modules.module.Module", "torch.nn.modules.container.Sequential",
    "torch.nn.modules.container.ModuleList", "torch.nn.modules.container.ModuleDict",
    "torch.nn.modules.container.ParameterList", "torch.nn.modules.container.ParameterDict",
    "torch.nn.modules.activation.MultiheadAttention",
    "torch.nn.modules.linear.NonDynamicallyQuantizableLinear",
    "torch.nn.modules.batchnorm._BatchNorm", "torch.nn.modules.conv._ConvNd",
    "torch.nn.modules.rnn.RNNBase", "torch.nn.modules.instancenorm.InstanceNorm2d",
    "torch.nn.modules.channelshuffle.ChannelShuffle", "torch.optim.adam.Adam",
    "torch.optim.adamw.AdamW", "torch.optim.sgd.SGD", "torch.optim.optimizer.Optimizer",
    "torch.optim.lr_scheduler.LRScheduler", "torch.optim.lr_scheduler.StepLR",
    "torch.utils.data.dataset.TensorDataset", "torch.utils.data.dataloader.DataLoader",
    "torch.utils.data.sampler.RandomSampler", "torch.storage.UntypedStorage",
    "torch.serialization.safe_globals", "torch.serialization.add_safe_globals",
    "torch.functional.einsum", "torch.functional.split",
])
def test_pickle_paths(full):
    """The paths pickles and ``safe_globals`` lists name resolve to the same Ember object as
    the public name (``torch.nn.modules.linear.NonDynamicallyQuantizableLinear`` included)."""
    module, _, name = full.rpartition(".")
    emod = importlib.import_module("ember" + module[5:])
    obj = getattr(emod, name)
    assert obj is not None
    tobj = getattr(importlib.import_module(module), name)
    assert obj.__name__ == tobj.__name__


def test_listed_names_really_missing():
    """An exact name in docs/unsupported.md (outside "In progress") that Ember now has is stale:
    remove it from the list."""
    stale = []
    for p in MAIN:
        if any(c in p for c in "*?["):
            continue
        module, _, name = p.rpartition(".")
        emod = _ember_module(module) if module else None
        if emod is not None and hasattr(emod, name):
            stale.append(p)
    assert not stale, f"docs/unsupported.md lists names Ember has: {stale}"
