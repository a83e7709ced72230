"""Files move both ways between Ember and real PyTorch; malicious pickles are rejected."""
import io
import os
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import ember
from ember.testing import assert_close

DTYPES = ["float32", "float64", "float16", "bfloat16", "int8", "int16", "int32", "int64",
          "uint8", "bool", "complex64", "complex128"]


def _np(n, kind):
    a = np.random.default_rng(1).standard_normal(n) * 5
    return a + 1j if kind.startswith("complex") else a


@pytest.mark.parametrize("name", DTYPES)
def test_ember_file_loads_in_torch(torch_mod, name, tmp_path):
    t = ember.tensor(_np(12, name)).to(getattr(ember, name)).reshape(3, 4)
    obj = {"t": t, "view": t[:, 1:3], "tt": t.t()}
    ember.save(obj, tmp_path / "e.pt")
    r = torch_mod.load(tmp_path / "e.pt", weights_only=True)
    for k in obj:
        assert str(r[k].dtype) == f"torch.{name}"
        assert_close(r[k], obj[k], rtol=0, atol=0)
    assert r["view"].untyped_storage().data_ptr() == r["t"].untyped_storage().data_ptr()


@pytest.mark.parametrize("name", DTYPES)
def test_torch_file_loads_in_ember(torch_mod, name):
    t = torch_mod.tensor(_np(12, name)).to(getattr(torch_mod, name)).reshape(3, 4)
    buf = io.BytesIO()
    torch_mod.save({"t": t, "col": t[:, 1], "tt": t.t()}, buf)
    buf.seek(0)
    r = ember.load(buf)
    for k, v in (("t", t), ("col", t[:, 1]), ("tt", t.t())):
        assert r[k].dtype.name == name
        assert_close(r[k], v, rtol=0, atol=0)
    assert r["col"]._base is r["t"]


def test_torch_containers_and_optimizer_state(torch_mod):
    lin = torch_mod.nn.Linear(3, 2)
    opt = torch_mod.optim.Adam(lin.parameters(), lr=0.01)
    lin(torch_mod.randn(4, 3)).sum().backward()
    opt.step()
    obj = {"od": OrderedDict(a=1, b=[2.0, "x", None, True]), "tup": (1, (2, 3)),
           "opt": opt.state_dict(), "dt": torch_mod.float16, "dev": torch_mod.device("cpu"),
           "size": torch_mod.Size([2, 3]), "param": torch_mod.nn.Parameter(torch_mod.ones(2))}
    buf = io.BytesIO()
    torch_mod.save(obj, buf)
    buf.seek(0)
    r = ember.load(buf)
    assert r["od"] == obj["od"] and type(r["od"]) is OrderedDict and r["tup"] == (1, (2, 3))
    assert r["dt"] is ember.float16 and r["dev"] == ember.device("cpu")
    assert r["size"] == ember.Size([2, 3])
    assert isinstance(r["param"], ember.nn.Parameter) and r["param"].requires_grad
    so, st = r["opt"], obj["opt"]
    assert so["param_groups"] == st["param_groups"]
    for i in st["state"]:
        for k, v in st["state"][i].items():
            assert_close(so["state"][i][k], v, rtol=0, atol=0)


def test_torch_model_state_dict_gives_identical_outputs(torch_mod):
    tnn, enn = torch_mod.nn, ember.nn
    torch_mod.manual_seed(0)
    tm = tnn.Sequential(tnn.Conv2d(1, 3, 3), tnn.BatchNorm2d(3), tnn.ReLU(), tnn.Flatten(),
                        tnn.Linear(3 * 6 * 6, 5))
    tm.train()
    tm(torch_mod.randn(4, 1, 8, 8))  # update BatchNorm running stats
    tm.eval()
    buf = io.BytesIO()
    torch_mod.save(tm.state_dict(), buf)
    buf.seek(0)
    em = enn.Sequential(enn.Conv2d(1, 3, 3), enn.BatchNorm2d(3), enn.ReLU(), enn.Flatten(),
                        enn.Linear(3 * 6 * 6, 5))
    em.load_state_dict(ember.load(buf))
    em.eval()
    x = np.random.default_rng(0).standard_normal((2, 1, 8, 8)).astype(np.float32)
    with torch_mod.no_grad():
        expected = tm(torch_mod.tensor(x))
    with ember.no_grad():
        got = em(ember.tensor(x))
    assert_close(got, expected, rtol=1e-5, atol=1e-5)


def test_ember_model_state_dict_loads_into_torch_model(torch_mod, tmp_path):
    em = ember.nn.Sequential(ember.nn.Linear(4, 8), ember.nn.Tanh(), ember.nn.Linear(8, 2))
    ember.save(em.state_dict(), tmp_path / "m.pt")
    tm = torch_mod.nn.Sequential(torch_mod.nn.Linear(4, 8), torch_mod.nn.Tanh(),
                                 torch_mod.nn.Linear(8, 2))
    tm.load_state_dict(torch_mod.load(tmp_path / "m.pt", weights_only=True))
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    with torch_mod.no_grad():
        expected = tm(torch_mod.tensor(x))
    with ember.no_grad():
        got = em(ember.tensor(x))
    assert_close(got, expected, rtol=1e-6, atol=1e-6)


class _System:
    def __reduce__(self):
        return (os.system, (f"touch {self.path}",))

    def __init__(self, path):
        self.path = path


class _WriteFile:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (_writer, (self.path,))


def _writer(path):
    with open(path, "w") as fh:
        fh.write("pwned")


def _evil_checkpoint(payload):
    buf = io.BytesIO()
    ember.save({"w": ember.ones(2), "evil": payload}, buf)
    return buf


@pytest.mark.parametrize("make", [_System, _WriteFile])
def test_malicious_pickle_is_rejected_and_nothing_runs(tmp_path, make):
    marker = tmp_path / "pwned"
    buf = _evil_checkpoint(make(str(marker)))
    buf.seek(0)
    with pytest.raises(pickle.UnpicklingError, match="(?i)unsupported global") as e:
        ember.load(buf)
    assert "system" in str(e.value) or "_writer" in str(e.value)
    assert not marker.exists()


def test_stack_global_and_raw_malicious_pickles_rejected(tmp_path):
    import zipfile
    marker = tmp_path / "pwned2"
    payload = pickle.dumps(_System(str(marker)), protocol=4)  # STACK_GLOBAL form
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("archive/data.pkl", payload)
        zf.writestr("archive/version", "3\n")
    buf.seek(0)
    with pytest.raises(pickle.UnpicklingError, match="system"):
        ember.load(buf)
    assert not marker.exists()


def test_safe_globals_api():
    from ember import serialization as S
    S.clear_safe_globals()
    buf = io.BytesIO()
    ember.save({"p": _Point(1, 2)}, buf)
    buf.seek(0)
    with pytest.raises(pickle.UnpicklingError, match="_Point"):
        ember.load(buf)
    buf.seek(0)
    with S.safe_globals([_Point]):
        assert S.get_safe_globals() == [_Point]
        r = ember.load(buf)
    assert isinstance(r["p"], _Point) and (r["p"].x, r["p"].y) == (1, 2)
    assert S.get_safe_globals() == []
    S.add_safe_globals([_Point])
    buf.seek(0)
    assert ember.load(buf)["p"].y == 2
    S.clear_safe_globals()
    assert S.get_safe_globals() == []


class _Point:
    def __init__(self, x, y):
        self.x, self.y = x, y


def test_torch_pickled_module_maps_to_ember_with_weights_only_false(torch_mod):
    tm = torch_mod.nn.Sequential(torch_mod.nn.Linear(3, 4), torch_mod.nn.ReLU())
    buf = io.BytesIO()
    torch_mod.save(tm, buf)
    buf.seek(0)
    with pytest.raises(pickle.UnpicklingError, match="Sequential"):
        ember.load(buf)
    buf.seek(0)
    em = ember.load(buf, weights_only=False)
    assert isinstance(em, ember.nn.Sequential) and isinstance(em[0], ember.nn.Linear)
    x = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)
    with torch_mod.no_grad():
        expected = tm(torch_mod.tensor(x))
    with ember.no_grad():
        assert_close(em(ember.tensor(x)), expected, rtol=1e-6, atol=1e-6)


def test_ember_module_pickle_round_trip():
    m = ember.nn.Sequential(ember.nn.Linear(3, 2), ember.nn.Sigmoid())
    buf = io.BytesIO()
    ember.save(m, buf)
    buf.seek(0)
    m2 = ember.load(buf, weights_only=False)
    x = ember.randn(4, 3)
    with ember.no_grad():
        assert_close(m2(x), m(x), rtol=0, atol=0)


def test_legacy_torch_format_gives_clear_error(torch_mod):
    buf = io.BytesIO()
    torch_mod.save(torch_mod.ones(2), buf, _use_new_zipfile_serialization=False)
    buf.seek(0)
    with pytest.raises(RuntimeError, match="legacy"):
        ember.load(buf)


def test_ember_file_mmaps_in_torch_and_keeps_parameters(torch_mod, tmp_path):
    obj = {"w": ember.nn.Parameter(ember.randn(64, 32)), "b": ember.arange(10),
           "h": ember.randn(7).to(ember.float16)}
    ember.save(obj, tmp_path / "m.pt")
    r = torch_mod.load(tmp_path / "m.pt", mmap=True, weights_only=True)
    assert isinstance(r["w"], torch_mod.nn.Parameter) and r["w"].requires_grad
    for k, v in obj.items():
        assert_close(r[k].detach(), v.detach(), rtol=0, atol=0)
