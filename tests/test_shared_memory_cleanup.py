"""Shared-memory names do not outlive a SIGKILLed top-level process (the watcher processes of
ember.multiprocessing._tracker remove them)."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from mp_util import shm_segments

_ROOT = textwrap.dedent("""
    import os, sys, time
    import ember, ember.multiprocessing as mp

    def child(q):
        t = ember.arange(6.0).share_memory_()
        q.put(t)   # one handle consumed by the root,
        q.put(t)   # one left in flight
        time.sleep(120)

    if __name__ == "__main__":
        kept = [ember.ones(1000).share_memory_() for _ in range(4)]
        q = mp.get_context(sys.argv[1]).Queue()
        q.put(ember.zeros(3))  # a handle the root sends itself
        if sys.argv[2] == "child":
            p = mp.get_context(sys.argv[1]).Process(target=child, args=(q,), daemon=True)
            p.start()
            q.get()  # the root's own tensor
            got = q.get()  # the child's, mapped here
            print("child", p.pid, flush=True)
        else:
            prefix = f"ember_{os.getpid()}_"
            while sum(n.startswith(prefix) for n in os.listdir("/dev/shm")) < 5:
                time.sleep(0.01)  # the queue's feeder thread has pickled the handle in flight
        print("ready", flush=True)
        time.sleep(120)
""")


def _wait_gone(root, timeout=10.0):
    deadline = time.time() + timeout
    while shm_segments(root) and time.time() < deadline:
        time.sleep(0.05)
    return shm_segments(root)


def _start(tmp_path, method, with_child):
    script = tmp_path / "root.py"
    script.write_text(_ROOT)
    proc = subprocess.Popen([sys.executable, str(script), method,
                             "child" if with_child else "alone"],
                            stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "EMBER_SHM_ROOT": ""})
    return proc


def _kill(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def test_sigkilled_root_leaves_no_segments(tmp_path):
    proc = _start(tmp_path, "spawn", with_child=False)
    try:
        assert proc.stdout.readline().strip() == "ready"
        assert len(shm_segments(str(proc.pid))) >= 5
        _kill(proc.pid)
        proc.wait(timeout=30)
    finally:
        proc.kill()
        proc.wait(timeout=30)
        proc.stdout.close()
    assert _wait_gone(str(proc.pid)) == set()


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_sigkilled_root_and_worker_leave_no_segments(tmp_path, method):
    proc = _start(tmp_path, method, with_child=True)
    child = None
    try:
        line = proc.stdout.readline().split()
        assert line[0] == "child", line
        child = int(line[1])
        assert proc.stdout.readline().strip() == "ready"
        root = str(proc.pid)
        names = shm_segments(root)
        assert any(f"_{child}_" in n for n in names)  # the child's in-flight tensor
        _kill(proc.pid)
        proc.wait(timeout=30)
        time.sleep(0.3)
        # the live child may still use its names: they are not removed under it
        assert {n for n in shm_segments(root) if f"_{child}_" in n}
        _kill(child)
    finally:
        proc.kill()
        proc.wait(timeout=30)
        proc.stdout.close()
        if child is not None:
            _kill(child)
    assert _wait_gone(str(proc.pid)) == set()
