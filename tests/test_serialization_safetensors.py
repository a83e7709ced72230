"""ember.utils.safetensors: round trips, torch-written files, missing-package error."""
import sys

import numpy as np
import pytest

import ember
from ember.testing import assert_close

pytest.importorskip("safetensors")
from ember.utils import safetensors as est  # noqa: E402

DTYPES = [ember.float32, ember.float64, ember.float16, ember.bfloat16, ember.int64, ember.int32,
          ember.int16, ember.int8, ember.uint8, ember.bool, ember.complex64]


def _tensors():
    rng = np.random.default_rng(0)
    out = {}
    for d in DTYPES:
        a = rng.standard_normal((2, 3)) * 4
        if d.is_complex:
            a = a + 1j
        out[d.name] = ember.tensor(a > 0 if d is ember.bool else a).to(d)
    out["noncontig"] = ember.arange(12.0).reshape(3, 4).t()
    return out


def test_file_round_trip(tmp_path):
    ts = _tensors()
    est.save_file(ts, tmp_path / "m.safetensors", metadata={"format": "pt"})
    r = est.load_file(tmp_path / "m.safetensors")
    assert set(r) == set(ts)
    for k, v in ts.items():
        assert r[k].dtype is v.dtype
        assert_close(r[k], v, rtol=0, atol=0)


def test_bytes_round_trip():
    ts = {"a": ember.randn(3, 2), "b": ember.arange(4)}
    r = est.load(est.save(ts))
    for k in ts:
        assert_close(r[k], ts[k], rtol=0, atol=0)


def test_torch_written_file_loads(torch_mod, tmp_path):
    st = pytest.importorskip("safetensors.torch")
    t = {"w": torch_mod.randn(4, 3), "h": torch_mod.randn(2).to(torch_mod.bfloat16),
         "i": torch_mod.arange(5)}
    st.save_file(t, str(tmp_path / "t.safetensors"))
    r = est.load_file(tmp_path / "t.safetensors")
    for k in t:
        assert_close(r[k], t[k], rtol=0, atol=0)
    est.save_file(r, tmp_path / "e.safetensors")
    back = st.load_file(str(tmp_path / "e.safetensors"))
    for k in t:
        assert torch_mod.equal(back[k], t[k])


def test_errors(monkeypatch):
    with pytest.raises(TypeError, match="complex128"):
        est.save({"c": ember.zeros(2, dtype=ember.complex128)})
    with pytest.raises(ValueError, match="expected ember.Tensor"):
        est.save({"x": np.zeros(2)})
    monkeypatch.setitem(sys.modules, "safetensors", None)
    with pytest.raises(ImportError, match="pip install safetensors"):
        est.save({"a": ember.ones(1)})
