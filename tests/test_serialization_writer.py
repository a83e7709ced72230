"""The checkpoint zip writer: records written in one pass (CRC on the array buffer, final
header once), stream and zip64 fallbacks, early writeback, and the owns-its-array fast path."""
import io
import struct
import zipfile
import zlib

import numpy as np
import pytest

import ember
from ember import serialization as S
from ember.testing import assert_close


def _mixed():
    rng = np.random.default_rng(3)
    big = ember.tensor(rng.standard_normal((300, 400)).astype(np.float32))   # > 64 KiB record
    base = ember.arange(24, dtype=ember.float64).reshape(4, 6)
    return {"big": big, "small": ember.tensor(rng.standard_normal(7)),
            "i8": ember.tensor(rng.integers(-5, 5, 33).astype(np.int8)),
            "base": base, "view": base[1:, ::2], "t": base.t(), "empty": ember.ones(0),
            "p": ember.nn.Parameter(ember.ones(2, 3))}


def _data_offsets(raw):
    """(name, data offset, CRC from the local header) of every record, from the raw bytes."""
    zf = zipfile.ZipFile(io.BytesIO(raw))
    out = []
    for info in zf.infolist():
        h = raw[info.header_offset:info.header_offset + 30]
        assert h[:4] == b"PK\x03\x04"
        crc, n, m = struct.unpack("<L", h[14:18])[0], *struct.unpack("<HH", h[26:30])
        out.append((info.filename, info.header_offset + 30 + n + m, crc, info))
    return out


def _check_archive(raw):
    zf = zipfile.ZipFile(io.BytesIO(raw))
    assert zf.testzip() is None                      # every CRC matches the stored bytes
    for name, off, crc, info in _data_offsets(raw):
        assert crc == info.CRC                       # local header agrees with the directory
        assert crc == zlib.crc32(raw[off:off + info.file_size])
        if "/data/" in name:
            assert off % 64 == 0, (name, off)


@pytest.mark.parametrize("target", ["path", "bytesio", "unicode_path"])
def test_records_valid_aligned_and_round_trip(tmp_path, target):
    obj = _mixed()
    if target == "bytesio":
        buf = io.BytesIO(b"prefix")                  # archive not at offset 0
        buf.seek(0, 2)
        ember.save(obj, buf)
        raw = buf.getvalue()[6:]
        buf.seek(6)
        back = ember.load(buf)
    else:
        path = tmp_path / ("ckpt.pt" if target == "path" else "пример_ü.pt")
        ember.save(obj, path)
        raw = path.read_bytes()
        back = ember.load(path)
    if target != "bytesio":
        _check_archive(raw)
    for k in obj:
        assert_close(back[k], obj[k], rtol=0, atol=0)
    assert back["view"].untyped_storage().data_ptr() == back["base"].untyped_storage().data_ptr()
    assert isinstance(back["p"], ember.nn.Parameter)


class _Stream:
    """A write-only, non-seekable file object (like a pipe or socket)."""

    def __init__(self):
        self.chunks = []

    def write(self, b):
        self.chunks.append(bytes(b))
        return len(b)

    def flush(self):
        pass


def test_non_seekable_stream_falls_back_and_loads():
    obj = _mixed()
    s = _Stream()
    ember.save(obj, s)
    raw = b"".join(s.chunks)
    assert zipfile.ZipFile(io.BytesIO(raw)).testzip() is None
    back = ember.load(io.BytesIO(raw))
    for k in obj:
        assert_close(back[k], obj[k], rtol=0, atol=0)


def test_same_bytes_as_zipfile_writer():
    """The one-pass writer emits exactly what zipfile.writestr would (same headers, padding)."""
    obj = _mixed()
    fast = io.BytesIO()
    ember.save(obj, fast)
    pkl, records = S._pickle_bytes(obj)
    ref = io.BytesIO()
    with zipfile.ZipFile(ref, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        entries = [("data.pkl", pkl), (".format_version", b"1"),
                   (".storage_alignment", b"64"), ("byteorder", b"little")]
        entries += [(f"data/{k}", a) for k, a in records] + [("version", b"3\n")]
        for name, data in entries:
            S._write_entry(zf, f"archive/{name}", data)
    assert fast.getvalue() == ref.getvalue()


def test_zip64_records(monkeypatch, torch_mod):
    """Records over the zip64 limit (shrunk here) get zip64 extras; both loaders read them."""
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 1000)
    x = ember.randn(3000, dtype=ember.float32)
    buf = io.BytesIO()
    ember.save({"x": x, "y": ember.ones(3)}, buf)
    raw = buf.getvalue()
    _check_archive(raw)
    info = zipfile.ZipFile(io.BytesIO(raw)).getinfo("archive/data/0")
    h = raw[info.header_offset:info.header_offset + 30]
    assert struct.unpack("<LL", h[18:26]) == (0xFFFFFFFF, 0xFFFFFFFF)
    monkeypatch.undo()
    assert_close(ember.load(io.BytesIO(raw))["x"], x, rtol=0, atol=0)
    r = torch_mod.load(io.BytesIO(raw), weights_only=True)
    np.testing.assert_array_equal(r["x"].numpy(), x.numpy())


def test_writeback_hook_called_and_optional(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(S, "_WRITEBACK_BYTES", 1000)
    real = S._start_writeback
    monkeypatch.setattr(S, "_start_writeback", lambda fh: (calls.append(fh.tell()), real(fh)))
    obj = {f"w{i}": ember.ones(500) for i in range(4)}  # 2000 bytes each
    ember.save(obj, tmp_path / "a.pt")
    assert len(calls) >= 4 and calls == sorted(calls)
    monkeypatch.setattr(S, "_sync_file_range", False)      # platform without sync_file_range
    monkeypatch.setattr(S, "_start_writeback", real)
    ember.save(obj, tmp_path / "b.pt")
    for k, v in ember.load(tmp_path / "b.pt").items():
        assert_close(v, obj[k], rtol=0, atol=0)


def test_owning_fast_path_shares_and_dedupes(tmp_path, torch_mod):
    """A tensor saved twice is one storage; a contiguous array with a size-1 dim whose numpy
    stride is unusual (from_numpy of a transpose) round-trips in Ember and torch."""
    a = ember.randn(5, 4)
    odd = ember.from_numpy(np.arange(3.0).reshape(3, 1).T)   # shape (1, 3), strides (8, 8)
    assert odd._base is None and odd._data.strides == (8, 8)
    obj = {"a": a, "again": a, "odd": odd}
    pkl, records = S._pickle_bytes(obj)
    assert len(records) == 2
    ember.save(obj, tmp_path / "s.pt")
    back = ember.load(tmp_path / "s.pt")
    assert back["a"].untyped_storage().data_ptr() == back["again"].untyped_storage().data_ptr()
    for k in obj:
        assert_close(back[k], obj[k], rtol=0, atol=0)
    r = torch_mod.load(tmp_path / "s.pt", weights_only=True)
    np.testing.assert_array_equal(r["odd"].numpy(), odd.numpy())
    np.testing.assert_array_equal(r["a"].numpy(), a.numpy())
