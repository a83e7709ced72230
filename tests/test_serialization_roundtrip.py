"""ember.save / ember.load round trips: dtypes, views, non-contiguous, containers, robustness."""
import io
import os
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import ember
from ember.testing import assert_close

DTYPES = [ember.float32, ember.float64, ember.float16, ember.bfloat16, ember.int8, ember.int16,
          ember.int32, ember.int64, ember.uint8, ember.bool, ember.complex64, ember.complex128]


def _sample(dtype, shape=(3, 4)):
    rng = np.random.default_rng(0)
    a = rng.standard_normal(shape) * 10
    if dtype.is_complex:
        a = a + 1j * rng.standard_normal(shape)
    if dtype is ember.bool:
        a = a > 0
    return ember.tensor(a).to(dtype)


def _roundtrip(obj, **load_kw):
    buf = io.BytesIO()
    ember.save(obj, buf)
    buf.seek(0)
    return ember.load(buf, **load_kw)


@pytest.mark.parametrize("dtype", DTYPES, ids=[d.name for d in DTYPES])
def test_every_dtype_round_trips(dtype):
    t = _sample(dtype)
    r = _roundtrip(t)
    assert r.dtype is dtype and r.shape == t.shape
    assert_close(r, t, rtol=0, atol=0)


def test_views_share_one_storage_after_load():
    base = ember.arange(24, dtype=ember.float32).reshape(4, 6)
    obj = {"base": base, "row": base[1], "col": base[:, 2], "t": base.t(), "blk": base[1:3, 2:5]}
    buf = io.BytesIO()
    ember.save(obj, buf)
    n_records = sum(1 for n in _names(buf) if "/data/" in n)
    assert n_records == 1
    buf.seek(0)
    r = ember.load(buf)
    for k, v in obj.items():
        assert_close(r[k], v, rtol=0, atol=0)
        assert r[k].stride() == v.stride()
    with ember.no_grad():
        r["base"][1, 2] = 100.0
    assert float(r["row"][2]) == 100.0 and float(r["col"][1]) == 100.0
    assert float(r["t"][2, 1]) == 100.0 and float(r["blk"][0, 0]) == 100.0


def _names(buf):
    import zipfile
    return zipfile.ZipFile(io.BytesIO(buf.getvalue())).namelist()


def test_non_contiguous_and_expanded():
    x = ember.arange(12, dtype=ember.float64).reshape(3, 4)
    cases = [x.t(), x[:, ::2], x[::2], ember.ones(3, 1).expand(3, 5), x.reshape(-1)[3:7]]
    for c in cases:
        r = _roundtrip(c)
        assert_close(r, c, rtol=0, atol=0)
        assert r.shape == c.shape


def test_nested_containers_and_primitives():
    obj = OrderedDict(a=[1, 2.5, "s", None, True, False], b=(ember.ones(2), {"c": ember.zeros(1)}),
                      d={1: "one", (2, 3): [4.0]}, e=b"bytes\x00\xff", f=complex(1, 2),
                      g={1, 2}, h=ember.float64, i=ember.device("cpu"), j=ember.Size([2, 3]))
    r = _roundtrip(obj)
    assert type(r) is OrderedDict and list(r) == list(obj)
    assert r["a"] == obj["a"] and r["d"] == obj["d"] and r["e"] == obj["e"]
    assert r["f"] == obj["f"] and r["g"] == obj["g"] and r["h"] is ember.float64
    assert r["i"] == ember.device("cpu") and r["j"] == ember.Size([2, 3])
    assert isinstance(r["b"], tuple)
    assert_close(r["b"][0], ember.ones(2))
    assert_close(r["b"][1]["c"], ember.zeros(1))


def test_requires_grad_and_parameter():
    p = ember.nn.Parameter(ember.randn(3))
    t = ember.randn(2).requires_grad_()
    r = _roundtrip({"p": p, "t": t, "same": p})
    assert type(r["p"]) is ember.nn.Parameter and r["p"].requires_grad
    assert r["t"].requires_grad and r["t"].is_leaf
    assert r["same"] is r["p"]
    assert_close(r["p"].detach(), p.detach())


def test_paths_and_pathlib(tmp_path):
    t = ember.randn(4, 5)
    for f in (str(tmp_path / "a.pt"), tmp_path / "b.pt"):
        ember.save({"t": t}, f)
        assert_close(ember.load(f)["t"], t)
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]


def test_archive_folder_named_like_torch(tmp_path):
    import zipfile
    ember.save(ember.ones(1), tmp_path / "my.model.pt")
    names = zipfile.ZipFile(tmp_path / "my.model.pt").namelist()
    assert "my.model/data.pkl" in names and "my.model/version" in names
    assert "my.model/byteorder" in names and "my.model/data/0" in names


def test_mmap_and_map_location(tmp_path):
    path = tmp_path / "m.pt"
    sd = {"w": ember.randn(50, 40), "b": ember.arange(7)}
    ember.save(sd, path)
    r = ember.load(path, mmap=True)
    assert isinstance(r["w"]._data.base, np.memmap) or isinstance(r["w"]._data, np.memmap)
    assert_close(r["w"], sd["w"])
    assert_close(r["b"], sd["b"])
    with pytest.raises(ValueError, match="f must be a file path in order to use the mmap"):
        ember.load(io.BytesIO(path.read_bytes()), mmap=True)
    seen = []
    for ml in ("cpu", ember.device("cpu"), {"cpu": "cpu"},
               lambda s, loc: seen.append(loc) or s):
        assert_close(ember.load(path, map_location=ml)["w"], sd["w"])
    assert seen == ["cpu", "cpu"]


def test_interrupted_save_leaves_old_file(tmp_path):
    path = tmp_path / "ckpt.pt"
    old = ember.arange(5)
    ember.save(old, path)

    class Boom:
        def __reduce__(self):
            raise RuntimeError("boom while pickling")

    with pytest.raises(RuntimeError, match="boom"):
        ember.save({"t": ember.ones(3), "x": Boom()}, path)
    assert_close(ember.load(path), old)
    assert os.listdir(tmp_path) == ["ckpt.pt"]


def test_truncated_and_corrupted_files(tmp_path):
    path = tmp_path / "c.pt"
    ember.save({"w": ember.randn(100)}, path)
    raw = path.read_bytes()
    for cut in (0, 10, len(raw) // 2, len(raw) - 10):
        (tmp_path / "t.pt").write_bytes(raw[:cut])
        with pytest.raises(RuntimeError, match="zip archive|corrupted|truncated"):
            ember.load(tmp_path / "t.pt")
    data_at = raw.index(b"data/0") + 200  # somewhere inside the stored floats
    bad = bytearray(raw)
    idx = _record_offset(path, "c/data/0") + 17
    bad[idx] ^= 0xFF
    (tmp_path / "bad.pt").write_bytes(bytes(bad))
    with pytest.raises(RuntimeError, match="CRC-32 mismatch"):
        ember.load(tmp_path / "bad.pt")
    (tmp_path / "junk.pt").write_bytes(b"definitely not a checkpoint" * 10)
    with pytest.raises(RuntimeError, match="not a checkpoint"):
        ember.load(tmp_path / "junk.pt")
    assert data_at > 0


def _record_offset(path, name):
    import struct
    import zipfile
    info = zipfile.ZipFile(path).getinfo(name)
    with open(path, "rb") as fh:
        fh.seek(info.header_offset)
        h = fh.read(30)
    n, m = struct.unpack("<HH", h[26:30])
    return info.header_offset + 30 + n + m


def test_storage_alignment(tmp_path):
    path = tmp_path / "al.pt"
    ember.save({"a": ember.ones(3), "b": ember.ones(5, dtype=ember.float64)}, path)
    for key in ("0", "1"):
        assert _record_offset(path, f"al/data/{key}") % 64 == 0


def test_untyped_storage_of_views():
    x = ember.arange(10, dtype=ember.float32)
    v = x[2:5]
    assert v.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()
    assert x.untyped_storage().nbytes() == 40


def test_weights_only_false_loads_arbitrary_objects():
    obj = {"x": _Custom(3), "t": ember.ones(2)}
    r = _roundtrip(obj, weights_only=False)
    assert isinstance(r["x"], _Custom) and r["x"].v == 3
    with pytest.raises(pickle.UnpicklingError, match="Unsupported global"):
        _roundtrip(obj)


class _Custom:
    def __init__(self, v):
        self.v = v


def test_cuda_location_without_gpu_needs_map_location(monkeypatch):
    from ember import serialization as S
    orig = S._TorchNames.persistent_id

    def as_cuda(self, obj):
        pid = orig(self, obj)
        return None if pid is None else pid[:3] + ("cuda:0",) + pid[4:]
    monkeypatch.setattr(S._TorchNames, "persistent_id", as_cuda)
    buf = io.BytesIO()
    ember.save({"w": ember.arange(3.0)}, buf)
    monkeypatch.undo()
    if ember.cuda.is_available():
        pytest.skip("a GPU is present")
    buf.seek(0)
    with pytest.raises(RuntimeError, match="map_location"):
        ember.load(buf)
    buf.seek(0)
    assert_close(ember.load(buf, map_location="cpu")["w"], ember.arange(3.0))
    buf.seek(0)
    assert_close(ember.load(buf, map_location={"cuda:0": "cpu"})["w"], ember.arange(3.0))


def _zip_with_pickle(payload):
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("archive/data.pkl", payload)
        zf.writestr("archive/version", "3\n")
    buf.seek(0)
    return buf


def test_garbage_and_hostile_pickles_fail_cleanly(tmp_path):
    with pytest.raises(pickle.UnpicklingError):
        ember.load(_zip_with_pickle(b"\x80\x02garbage that is not a pickle"))
    with pytest.raises(pickle.UnpicklingError):
        ember.load(_zip_with_pickle(pickle.dumps([1, 2, 3], protocol=2)[:-3]))
    # bytearray(10**12) would allocate a terabyte: refused
    bomb = b"\x80\x02c__builtin__\nbytearray\nq\x00\x8a\x05\x00\x10\xa5\xd4\xe8\x85R."
    with pytest.raises(pickle.UnpicklingError, match="bytearray"):
        ember.load(_zip_with_pickle(bomb))
    # a storage claiming more elements than its record holds
    from ember import serialization as S
    pk_buf = io.BytesIO()
    pickler = S._Pickler(pk_buf)
    orig = pickler.persistent_id
    pickler.persistent_id = lambda obj: (lambda pid: pid and pid[:4] + (4096,))(orig(obj))
    pickler.dump(ember.ones(4))
    buf = io.BytesIO()
    S._write_zip(buf, "archive", pk_buf.getvalue(), pickler.records)
    buf.seek(0)
    with pytest.raises(RuntimeError, match="holds 16 bytes but the storage needs 16384"):
        ember.load(buf)
    with pytest.raises(RuntimeError, match="Parent directory .* does not exist"):
        ember.save(ember.ones(1), tmp_path / "missing" / "x.pt")


def test_empty_and_zero_dim_tensors(tmp_path):
    obj = {"e": ember.zeros(0, 3), "s": ember.tensor(3.5), "i": ember.tensor(7),
           "ev": ember.arange(5.0)[2:2]}
    ember.save(obj, tmp_path / "z.pt")
    for kw in ({}, {"mmap": True}):
        r = ember.load(tmp_path / "z.pt", **kw)
        for k, v in obj.items():
            assert r[k].shape == v.shape and r[k].dtype is v.dtype
            assert_close(r[k], v, rtol=0, atol=0)


def test_user_strings_that_look_like_stand_in_globals_survive(torch_mod):
    from ember import serialization as S
    old, new = S._standin("torch._utils", "_rebuild_tensor_v2")._rename
    tricky = old.decode()
    obj = {"t": ember.arange(3.0), "s": tricky, "d": "ctorch\nfloat32\n", "dt": ember.float32}
    buf = io.BytesIO()
    ember.save(obj, buf)
    buf.seek(0)
    r = ember.load(buf)
    assert r["s"] == tricky and r["d"] == obj["d"] and r["dt"] is ember.float32
    assert_close(r["t"], obj["t"])
    buf.seek(0)
    rt = torch_mod.load(buf)
    assert rt["s"] == tricky and rt["dt"] is torch_mod.float32
