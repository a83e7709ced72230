"""``python -m ember.compat script.py args`` runs a PyTorch script unchanged with ``import torch``
resolving to Ember's modules (the same objects), and prints what the Ember spelling prints.

Everything runs in subprocesses (with timeouts): the hook changes ``sys.modules`` for good.
"""
import json
import os
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")
ENV = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
           MPLBACKEND="Agg", PYTHONPATH=os.pathsep.join(
               [os.path.join(ROOT, "src")] + [p for p in os.environ.get("PYTHONPATH", "")
                                              .split(os.pathsep) if p]))
ENV.pop("EMBER_EXAMPLES_BACKEND", None)


def _run(args, cwd=None, timeout=120):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True,
                          timeout=timeout, env=ENV, cwd=cwd or ROOT)


def _compat(args, **kw):
    return _run(["-m", "ember.compat", *args], **kw)


TRAIN = """\
{imports}
torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(4, 8), nn.Linear(8, 3)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


x = torch.randn(32, 4)
y = (x[:, 0] > 0).long() + (x[:, 1] > 0).long()
loader = DataLoader(TensorDataset(x, y), batch_size=8, shuffle=True)
model = Net()
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
for epoch in range(3):
    for xb, yb in loader:
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
    sched.step()
    print(epoch, f"{{loss.item():.6f}}", sched.get_last_lr())
path = sys.argv[1]
torch.save(model, path)
again = torch.load(path, weights_only=False)
print(type(again).__name__, torch.equal(again(x), model(x)))
print(repr(model(x[:2]).detach()))
"""
IMPORTS = {
    "compat": "import sys\nimport torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"
              "from torch.utils.data import DataLoader, TensorDataset",
    "ember": "import sys\nimport ember as torch\nimport ember.nn as nn\n"
             "import ember.nn.functional as F\nfrom ember.utils.data import DataLoader, "
             "TensorDataset",
}


def test_torch_script_prints_what_ember_prints(tmp_path):
    """A training script written for torch gives, under the hook, Ember's output exactly."""
    outs = {}
    for kind, imports in IMPORTS.items():
        script = tmp_path / f"train_{kind}.py"
        script.write_text(TRAIN.format(imports=imports))
        ckpt = str(tmp_path / f"{kind}.pt")
        proc = (_compat([str(script), ckpt]) if kind == "compat"
                else _run([str(script), ckpt]))
        assert proc.returncode == 0, proc.stderr[-3000:]
        outs[kind] = proc.stdout
    assert outs["compat"] == outs["ember"]
    assert "Net True" in outs["compat"] and "tensor(" in outs["compat"]


def test_same_module_objects_and_main_conventions(tmp_path):
    """torch.* are Ember's module objects; the script sees argv, __file__, __name__ and
    sys.path[0] as under ``python script.py``; its exit status comes back."""
    sub = tmp_path / "proj"
    sub.mkdir()
    (sub / "helper.py").write_text("VALUE = 7\n")
    script = sub / "check.py"
    script.write_text(textwrap.dedent("""\
        import json, os, pickle, sys
        import torch
        import torch.nn.functional
        import torch.nn.modules.linear
        import torch.utils.data.dataloader
        import ember
        import helper  # found through sys.path[0], the script's folder
        lin = pickle.loads(b"ctorch.nn.modules.linear\\nLinear\\n.")
        print(json.dumps({
            "name": torch.__name__, "file": torch.__file__, "is_ember": torch is ember,
            "tensor": torch.Tensor is ember.Tensor,
            "functional": torch.nn.functional is ember.nn.functional,
            "linear_mod": sys.modules["torch.nn.modules.linear"] is ember.nn.modules.linear,
            "loader": torch.utils.data.dataloader.DataLoader is ember.utils.data.DataLoader,
            "pickled_class": lin is ember.nn.Linear, "spec": torch.nn.__spec__.name,
            "argv": sys.argv, "file_": __file__, "main": __name__, "path0": sys.path[0],
            "helper": helper.VALUE}))
        sys.exit(5)
        """))
    proc = _compat([str(script), "--flag", "x y"], cwd=str(tmp_path))
    assert proc.returncode == 5, proc.stderr[-3000:]
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    assert info.pop("name") == "ember"
    assert os.path.realpath(info.pop("file")).startswith(os.path.join(ROOT, "src", "ember"))
    assert info.pop("spec") == "ember.nn"
    assert info.pop("argv") == [str(script), "--flag", "x y"]
    assert info.pop("file_") == str(script) and info.pop("main") == "__main__"
    assert os.path.realpath(info.pop("path0")) == os.path.realpath(str(sub))
    assert info.pop("helper") == 7
    assert all(v is True for v in info.values()), info


def test_missing_torch_module_names_it(tmp_path):
    script = tmp_path / "fft.py"
    script.write_text("import torch\nimport torch.fft\n")
    proc = _compat([str(script)])
    assert proc.returncode == 1
    assert "ModuleNotFoundError: No module named 'torch.fft'" in proc.stderr
    assert "docs/unsupported.md" in proc.stderr
    script.write_text("import torch\ntorch.nn.LazyConv2d\n")
    proc = _compat([str(script)])
    assert proc.returncode == 1
    assert "AttributeError: module 'ember.nn' has no attribute 'LazyConv2d'" in proc.stderr
    assert "docs/unsupported.md" in proc.stderr


def test_child_interpreters_get_ember_as_torch(tmp_path):
    """A fresh interpreter the script starts (subprocess, spawn) also imports Ember as torch."""
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent("""\
        import multiprocessing as mp, subprocess, sys
        import torch


        def work(n):
            return torch.__name__, float(torch.arange(n).sum())


        if __name__ == "__main__":
            code = ("import torch, torch.nn.functional as F, sys; "
                    "print(torch.__name__, F.__name__, sys.modules['torch.nn'] is torch.nn)")
            print(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 timeout=60).stdout.strip())
            with mp.get_context("spawn").Pool(1) as pool:
                print(pool.map(work, [3, 4]))
        """))
    proc = _compat([str(script)])
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().splitlines() == ["ember ember.nn.functional True",
                                                "[('ember', 3.0), ('ember', 6.0)]"]


def test_run_module_and_usage(tmp_path):
    pkg = tmp_path / "mypkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "tool.py").write_text("import sys, torch\nprint(torch.__name__, sys.argv[1:])\n")
    proc = _compat(["-m", "mypkg.tool", "a"], cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == "ember ['a']"
    proc = _compat([])
    assert proc.returncode == 2 and "usage" in proc.stderr
    proc = _compat([str(tmp_path / "nope.py")])
    assert proc.returncode == 2 and "No such file" in proc.stderr


def test_main_in_process_returns_status(tmp_path):
    """``ember.compat.main(argv)`` (what ``ember run`` calls) returns the script's status."""
    script = tmp_path / "s.py"
    script.write_text("import torch\nraise SystemExit(torch.tensor([2, 1]).sum().item())\n")
    code = f"import sys, ember.compat as c; r = c.main([{str(script)!r}]); print('rc', r)"
    proc = _run(["-c", code])
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == "rc 3"


WRAPPER = """\
# Runs an example as `python examples/<name>.py --backend torch ...` would, after checking that
# `import torch` is Ember's package.
import os, runpy, sys
import torch
import ember
assert torch is ember and torch.__name__ == "ember", torch
assert os.path.realpath(torch.__file__).startswith({src!r}), torch.__file__
example = sys.argv[1]
sys.argv = sys.argv[1:]
sys.path[0] = os.path.dirname(example)
runpy.run_path(example, run_name="__main__")
"""


def _need(*modules):
    import importlib.util
    for m in modules:
        if importlib.util.find_spec(m) is None:
            pytest.skip(f"optional module {m} is not installed")


@pytest.mark.parametrize("name,needs", [("two_layer_net", ()), ("tensor_tour", ()),
                                        ("airline_lstm", ("matplotlib",))])
def test_example_with_backend_torch_runs_on_ember(name, needs, tmp_path):
    """``--backend torch`` makes the example `import torch`; under the hook that is Ember, so
    the run matches ``--backend ember`` number for number."""
    _need(*needs)
    wrapper = tmp_path / "wrapper.py"
    wrapper.write_text(WRAPPER.format(src=os.path.join(ROOT, "src", "ember")))
    common = ["--quick", "--no-progress", "--threads", "1"]
    example = os.path.join(EXAMPLES, name + ".py")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    hooked = _compat([str(wrapper), example, *common, "--backend", "torch",
                      "--out", str(tmp_path / "a")])
    assert hooked.returncode == 0, hooked.stderr[-3000:]
    plain = _run([example, *common, "--backend", "ember", "--out", str(tmp_path / "b")])
    assert plain.returncode == 0, plain.stderr[-3000:]
    got = json.loads(hooked.stdout.strip().splitlines()[-1])
    want = json.loads(plain.stdout.strip().splitlines()[-1])
    assert got.pop("backend") == "torch" and want.pop("backend") == "ember"
    for d in (got, want):
        d.pop("wall_s", None)
        for k in [k for k, v in d.items() if isinstance(v, str) and str(tmp_path) in v]:
            d.pop(k)
    assert got == want
