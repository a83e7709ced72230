"""Ember's layers, bottom up, and the imports between them (issue 11, item 5).

dtype/device/backend -> tensor -> autograd core -> ops -> public namespace -> nn ->
optim/data/serialization/multiprocessing -> vision and tools. The root package
``ember/__init__.py`` sits above them all: it re-exports every layer, as ``torch/__init__.py``
does. Every module of ``src/ember`` is parsed (ast, nothing imported) and mapped to a layer by
its longest matching prefix; a module-level import from a lower layer to a higher one fails,
unless it is in ``KNOWN_VIOLATIONS`` (the debt, to shrink). A function-level import that goes
up (run at call time, to break an import cycle) must be covered by ``ALLOWED_LAZY``, which
says why; function-level imports of the root package are always allowed (it is complete by
the time any function runs).
"""
import ast
import os

import pytest

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")

LAYERS = [
    ("dtype/device/backend", ["ember._dtype", "ember._device", "ember._backend", "ember._finfo",
                              "ember._size", "ember._checks", "ember._unsupported", "ember.version",
                              "ember.testing.standin_cupy",
                              "ember.testing._standin_cuda"]),
    ("tensor", ["ember._tensor", "ember._tensor_str", "ember._storage", "ember._grad_utils",
                "ember._tensor_pickle"]),
    ("autograd core", ["ember.autograd"]),
    ("ops", ["ember.ops"]),
    ("public namespace", ["ember._tensor_methods",
                          "ember._inplace_functions", "ember._legacy", "ember.linalg",
                          "ember.random", "ember.cuda", "ember.accelerator", "ember.testing",
                          "ember.amp", "ember.backends", "ember.storage", "ember.special",
                          "ember._signatures", "ember._signature_table"]),
    ("nn", ["ember.nn"]),
    ("optim/data/serialization/multiprocessing",
     ["ember.optim", "ember.utils", "ember.serialization", "ember._weights_only",
      "ember._save_temp", "ember.multiprocessing"]),
    ("vision and tools", ["ember.vision", "ember.viz", "ember.utils.tensorboard",
                          "ember.distributed", "ember.nn.parallel", "ember.onnx", "ember.serve"]),
]
ROOT_LAYER = len(LAYERS)  # ember/__init__.py
# Above the root: packages ``import ember`` does not load, imported on first use once the root
# package is complete (``ember.distributions`` through the root's __getattr__, the command-line
# tools), so they may import ``ember`` itself at module level.
ON_DEMAND = ["ember.distributions", "ember.compat", "ember.cli", "ember.__main__"]
# Parts of the root namespace itself, imported at the end of ember/__init__.py (they re-export
# names the root has by then, as torch.functional does).
ROOT_PARTS = ["ember.functional", "ember._torch_names"]
ON_DEMAND_LAYER = ROOT_LAYER + 1

# (importer, imported) module-level imports that go up today (the debt; none left). A pair
# added here must come with the reason, and test_known_violations_are_still_real keeps the
# count honest.
KNOWN_VIOLATIONS = set()
KNOWN_COUNT = 0

# (importer prefix, imported prefix): function-level imports up the layers, and why.
ALLOWED_LAZY = {
    ("ember._signatures", "ember.nn.functional"): "the argument checks wrap nn.functional too, "
                                                  "installed once the root has loaded nn",
    ("ember._checks", "ember.ops"): "argument checks reuse the ops' dim wrapping and dtype helpers",
    ("ember._checks", "ember._tensor"): "argument checks tell tensors from numbers",
    ("ember._dtype", "ember._tensor"): "result_type tells tensors from Python scalars",
    ("ember._tensor", "ember.ops"): "Tensor() and size(dim) delegate to ops, which build on "
                                    "the Tensor class",
    ("ember.autograd", "ember.ops"): "the engine, grad API and gradcheck make zero/one/random "
                                     "gradients with ops, and ops build on autograd nodes",
    ("ember._inplace_functions", "ember.nn.functional"): "the in-place activations of the "
                                                         "namespace (relu_ ...) live in nn",
    ("ember._tensor_methods", "ember.multiprocessing"): "Tensor.share_memory_",
    ("ember.nn", "ember.nn.parallel"): "nn.parallel (DDP, a distributed tool) is loaded on "
                                       "first use by ember.nn's __getattr__, as torch.nn.parallel",
}


def _layer(mod):
    if mod == "ember" or mod in ROOT_PARTS:
        return ROOT_LAYER
    if any(mod == p or mod.startswith(p + ".") for p in ON_DEMAND):
        return ON_DEMAND_LAYER
    best, found = -1, None
    for i, (_, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if (mod == p or mod.startswith(p + ".")) and len(p) > best:
                best, found = len(p), i
    return found


def _modules():
    mods = {}
    for d, _, files in os.walk(os.path.join(SRC, "ember")):
        for f in files:
            if f.endswith(".py"):
                path = os.path.join(d, f)
                name = os.path.relpath(path, SRC)[:-3].replace(os.sep, ".")
                is_pkg = name.endswith(".__init__")
                mods[name[:-len(".__init__")] if is_pkg else name] = (path, is_pkg)
    return mods


def _targets(mod, is_pkg, node, mods):
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.split(".")[0] == "ember"]
    if node.level:
        parts = mod.split(".") if is_pkg else mod.split(".")[:-1]
        parts = parts[:len(parts) - node.level + 1]
        pkg = ".".join(parts + ([node.module] if node.module else []))
    else:
        pkg = node.module or ""
    if pkg.split(".")[0] != "ember":
        return []
    return [f"{pkg}.{a.name}" if f"{pkg}.{a.name}" in mods else pkg for a in node.names]


def _imports(tree):
    """(import node, at module level?) for every import statement in the tree."""
    todo = [(n, True) for n in tree.body]
    while todo:
        node, top = todo.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node, top
        inner = top and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        todo.extend((c, inner) for c in ast.iter_child_nodes(node))


def _scan():
    mods = _modules()
    upward_top, upward_lazy = set(), {}
    for mod, (path, is_pkg) in sorted(mods.items()):
        with open(path, encoding="utf-8") as fh:
            tree = ast.parse(fh.read(), path)
        low = _layer(mod)
        for node, top in _imports(tree):
            for target in _targets(mod, is_pkg, node, mods):
                high = _layer(target)
                if high is None or low is None or high <= low:
                    continue
                if top:
                    upward_top.add((mod, target))
                elif target != "ember":
                    upward_lazy.setdefault((mod, target), node.lineno)
    return mods, upward_top, upward_lazy


MODS, UPWARD_TOP, UPWARD_LAZY = _scan()


def _covered(mod, target):
    return any((mod == a or mod.startswith(a + ".")) and (target == b or target.startswith(b + "."))
               for a, b in ALLOWED_LAZY)


def test_every_module_has_a_layer():
    unmapped = sorted(m for m in MODS if _layer(m) is None)
    assert not unmapped, f"modules with no layer (add them to LAYERS): {unmapped}"


def test_no_new_module_level_import_goes_up():
    new = sorted(UPWARD_TOP - KNOWN_VIOLATIONS)
    assert not new, "module-level imports from a lower layer to a higher one:\n" + "\n".join(
        f"  {a} ({LAYERS[_layer(a)][0]}) imports {b} ({_name(b)})" for a, b in new)


def test_known_violations_are_still_real():
    fixed = sorted(KNOWN_VIOLATIONS - UPWARD_TOP)
    assert not fixed, f"fixed (remove from KNOWN_VIOLATIONS and lower the TODO count): {fixed}"
    assert len(KNOWN_VIOLATIONS) == KNOWN_COUNT


def test_lazy_upward_imports_are_documented():
    bad = sorted((a, b, line) for (a, b), line in UPWARD_LAZY.items() if not _covered(a, b))
    assert not bad, ("function-level imports up the layers not in ALLOWED_LAZY (add one with "
                     "the cycle it breaks, or move the code):\n" +
                     "\n".join(f"  {a}:{line} imports {b}" for a, b, line in bad))


def test_allowed_lazy_entries_are_used():
    unused = sorted(k for k in ALLOWED_LAZY if not any(
        (a == k[0] or a.startswith(k[0] + ".")) and (b == k[1] or b.startswith(k[1] + "."))
        for a, b in UPWARD_LAZY))
    assert not unused, f"ALLOWED_LAZY entries nothing needs any more: {unused}"


@pytest.mark.parametrize("source,expected", [
    ("from .ops import creation", ("ember._tensor", "ember.ops.creation")),
    ("from ember.nn import functional", ("ember._tensor", "ember.nn.functional")),
    ("import ember.optim", ("ember._tensor", "ember.optim")),
])
def test_scanner_sees_upward_imports(source, expected):
    tree = ast.parse(source)
    (node, top), = list(_imports(tree))
    assert top
    target, = _targets("ember._tensor", False, node, MODS)
    assert (expected[0], target) == expected and _layer(target) > _layer(expected[0])


def _name(mod):
    i = _layer(mod)
    return {ROOT_LAYER: "root package", ON_DEMAND_LAYER: "on demand"}.get(i) or LAYERS[i][0]


def test_import_ember_loads_no_on_demand_package():
    import subprocess
    import sys
    code = ("import sys, ember; print(sorted(m for m in sys.modules if any(m == p or "
            f"m.startswith(p + '.') for p in {ON_DEMAND!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": SRC}, check=True).stdout
    assert out.strip() == "[]", out


def test_nn_parallel_loads_on_first_use():
    """``import ember.nn`` leaves nn.parallel (and ember.distributed) unloaded; the attribute
    and the ``from`` import both load it, and give the same class."""
    import subprocess
    import sys
    code = ("import sys, ember.nn as nn; "
            "before = any(m in sys.modules for m in ('ember.nn.parallel', 'ember.distributed')); "
            "ddp = nn.parallel.DistributedDataParallel; "
            "from ember.nn.parallel import DistributedDataParallel; "
            "print(before, ddp is DistributedDataParallel, nn.DistributedDataParallel is ddp, "
            "hasattr(nn, 'NoSuchLayer'), 'parallel' in dir(nn))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": SRC}, check=True).stdout
    assert out.split() == ["False", "True", "True", "False", "True"], out
