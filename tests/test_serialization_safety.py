"""Safety of ember.save/ember.load: torch's weights-only allowlist, caps on what a checkpoint
may build, and cleanup of temporaries left by a writer killed mid-save."""
import collections
import io
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
import zipfile

import pytest

import ember
from ember import _save_temp


def _zip(payload):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("archive/data.pkl", payload)
        zf.writestr("archive/version", "3\n")
        zf.writestr("archive/byteorder", "little")
    buf.seek(0)
    return buf


# hand-written protocol-2 pickles (GLOBAL lines as torch.save writes them)
_SET_RANGE = b"\x80\x02cbuiltins\nset\ncbuiltins\nrange\nJ\x00\x00\x00@\x85R\x85R."
_OS_SYSTEM = b"\x80\x02cos\nsystem\nX\x04\x00\x00\x00true\x85R."
_GETATTR = b"\x80\x02cbuiltins\ngetattr\ncbuiltins\nobject\nX\x03\x00\x00\x00mro\x86R."
_RECONSTRUCTOR = b"\x80\x02ccopyreg\n_reconstructor\n."
_MALICIOUS = {
    "set(range(2**30))": _SET_RANGE,
    "frozenset": pickle.dumps(frozenset([1, 2]), protocol=2),
    "slice": pickle.dumps(slice(1, 2), protocol=2),
    "os.system": _OS_SYSTEM,
    "getattr": _GETATTR,
    "copyreg._reconstructor": _RECONSTRUCTOR,
    "protocol-4 set": pickle.dumps({1, 2}, protocol=4),
}


@pytest.mark.parametrize("name", sorted(_MALICIOUS))
def test_pickles_torch_refuses_are_refused(name):
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        ember.load(_zip(_MALICIOUS[name]))


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
@pytest.mark.parametrize("name", sorted(_MALICIOUS))
def test_refusals_agree_with_torch(name):
    torch = pytest.importorskip("torch")
    with pytest.raises(pickle.UnpicklingError):
        torch.load(_zip(_MALICIOUS[name]), weights_only=True)


def test_refusal_messages_name_the_global_as_torch_does():
    with pytest.raises(pickle.UnpicklingError, match=r"GLOBAL range was not an allowed global"):
        ember.load(_zip(_SET_RANGE))
    with pytest.raises(pickle.UnpicklingError, match=r"GLOBAL os.system whose module os is "
                                                     r"blocked"):
        ember.load(_zip(_OS_SYSTEM))


_ALLOWED_VALUES = [{1, 2}, collections.Counter("aab"), 1 + 2j, b"ab", bytearray(b"xy"),
                   collections.OrderedDict(a=1)]


@pytest.mark.parametrize("value", _ALLOWED_VALUES, ids=lambda v: type(v).__name__)
def test_values_torch_allows_still_load(value):
    assert ember.load(_zip(pickle.dumps(value, protocol=2))) == value


def test_allowed_values_match_torch():
    torch = pytest.importorskip("torch")
    for value in _ALLOWED_VALUES:
        assert torch.load(_zip(pickle.dumps(value, protocol=2)), weights_only=True) == value


def test_counter_state_round_trips():
    sched_state = {"milestones": collections.Counter([3, 5, 5])}
    buf = io.BytesIO()
    ember.save(sched_state, buf)
    buf.seek(0)
    assert ember.load(buf) == sched_state


def test_repeated_container_builds_are_capped(monkeypatch):
    from ember import _weights_only as W
    monkeypatch.setattr(W, "MAX_BUILT_ITEMS", 1000)
    # a list of 100 ints memoised once, then set(memo) built 200 times: 20000 items from a
    # pickle of 3.4 kB (budget 1000 + 4 per byte)
    items = b"".join(b"K" + bytes([i]) for i in range(100))
    body = b"\x80\x02]q\x00(" + items + b"e"  # memo 0 = the list
    body += b"](" + b"cbuiltins\nset\nh\x00\x85R" * 200 + b"e."
    with pytest.raises(pickle.UnpicklingError, match="cap on containers"):
        ember.load(_zip(body))
    # the same list built into one set fits
    assert ember.load(_zip(b"\x80\x02cbuiltins\nset\n]q\x00(" + items + b"e\x85R.")) == \
        set(range(100))


def test_bytearray_size_is_capped():
    huge = b"\x80\x02cbuiltins\nbytearray\n\x8a\x05\x00\x00\x00\x00\x01\x85R."  # 2**32
    with pytest.raises(pickle.UnpicklingError, match="bytearray"):
        ember.load(_zip(huge))
    assert ember.load(_zip(b"\x80\x02cbuiltins\nbytearray\nK\x03\x85R.")) == bytearray(3)


def test_temporary_names_are_recognisable(tmp_path, monkeypatch):
    seen = []
    real = _save_temp.create_temp

    def spy(path):
        fd, tmp = real(path)
        seen.append(os.path.basename(tmp))
        return fd, tmp
    monkeypatch.setattr("ember.serialization.create_temp", spy)
    ember.save({"w": ember.ones(2)}, tmp_path / "m.pt")
    assert seen and seen[0].startswith(f".m.pt.ember-tmp-{os.getpid()}-")
    assert os.listdir(tmp_path) == ["m.pt"]


def test_live_writers_temporaries_are_kept(tmp_path):
    mine = tmp_path / f".m.pt.ember-tmp-{os.getpid()}-abcd"
    mine.write_bytes(b"x")
    other = tmp_path / ".other.pt.ember-tmp-1-abcd"  # another target's name: not touched
    other.write_bytes(b"x")
    ember.save(ember.ones(1), tmp_path / "m.pt")
    assert mine.exists() and other.exists()


_WRITER = textwrap.dedent("""
    import sys, ember
    path = sys.argv[1]
    ember.save({"step": 0, "w": ember.arange(4.0)}, path)
    print("saved", flush=True)
    big = ember.zeros(8_000_000)
    step = 0
    while True:
        step += 1
        ember.save({"step": step, "w": big}, path)
""")


def _temps(folder):
    return [n for n in os.listdir(folder) if ".ember-tmp-" in n]


def test_writer_killed_mid_save_keeps_old_file_and_next_save_cleans(tmp_path):
    path = tmp_path / "ckpt.pt"
    for _attempt in range(20):
        proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(path)],
                                stdout=subprocess.PIPE, text=True)
        try:
            assert proc.stdout.readline().strip() == "saved"
            deadline = time.time() + 30
            while not _temps(tmp_path) and time.time() < deadline:
                time.sleep(0.002)
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            proc.kill()
            proc.wait(timeout=30)
            proc.stdout.close()
        if _temps(tmp_path):
            break
    left = _temps(tmp_path)
    assert left, "never caught the writer mid-save"
    assert left[0].startswith(f".ckpt.pt.ember-tmp-{proc.pid}-")
    old = ember.load(path)  # the previous complete checkpoint, intact
    assert set(old) == {"step", "w"}
    ember.save({"step": -1}, path)
    assert _temps(tmp_path) == []
    assert ember.load(path) == {"step": -1}
