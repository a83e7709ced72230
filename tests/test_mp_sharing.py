"""ember.multiprocessing: tensors cross processes as shared memory; segment lifetime."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import ember
import ember.multiprocessing as mp
from ember.testing import assert_close

from mp_util import no_leaks, shm_segments  # noqa: F401 (no_leaks is a fixture)


def _modify(q, r):
    t = q.get()
    v = q.get()
    p = q.get()
    t.add_(1)
    v.mul_(10)
    r.put((v.is_shared(), p.requires_grad, type(p).__name__,
           v.data_ptr() - t.data_ptr() == 3 * 8))
    r.put(ember.full((2,), 7.0))
    q.get()  # wait until the parent has the reply


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_queue_shares_memory_both_ways(method, no_leaks):
    ctx = mp.get_context(method)
    q, r = ctx.Queue(), ctx.Queue()
    a = ember.zeros(2, 3, dtype=ember.float64)
    v = a[1]
    p = ember.nn.Parameter(ember.ones(2))
    proc = ctx.Process(target=_modify, args=(q, r))
    proc.start()
    q.put(a)
    q.put(v)
    q.put(p)
    flags = r.get(timeout=60)
    x = r.get(timeout=60)
    q.put("done")
    proc.join(60)
    assert proc.exitcode == 0
    assert flags == (True, True, "Parameter", True)
    assert_close(a, ember.tensor([[1.0, 1.0, 1.0], [10.0, 10.0, 10.0]], dtype=ember.float64))
    assert a.is_shared() and v.is_shared() and p.is_shared() and x.is_shared()
    assert_close(x, ember.full((2,), 7.0))
    del a, v, p, x


def test_share_memory_moves_root_and_views(no_leaks):
    base = ember.arange(6.0)
    view = base[2:5]
    alias = base.detach()
    assert not base.is_shared()
    assert base.share_memory_() is base
    seg = base._shared
    assert base.is_shared() and view.is_shared() and alias.is_shared()
    base.share_memory_()
    assert base._shared is seg  # already shared: not copied again
    view.add_(100)
    assert base.tolist() == [0, 1, 102, 103, 104, 5] and alias.tolist() == base.tolist()
    assert view.data_ptr() - base.data_ptr() == 2 * base.element_size()
    del base, view, alias, seg


def test_non_leaf_requiring_grad_refused():
    from multiprocessing.reduction import ForkingPickler
    w = ember.ones(3, requires_grad=True)
    y = w * 2
    with pytest.raises(RuntimeError, match="Cowardly refusing to serialize non-leaf tensor "
                                           "which requires_grad"):
        ForkingPickler.dumps(y)


def test_sharing_strategies():
    assert mp.get_all_sharing_strategies() == {"file_system", "file_descriptor"}
    old = mp.get_sharing_strategy()
    mp.set_sharing_strategy("file_system")
    assert mp.get_sharing_strategy() == "file_system"
    mp.set_sharing_strategy(old)
    for name in ("Process", "Queue", "SimpleQueue", "Pool", "Pipe", "get_context", "Event"):
        assert getattr(mp, name) is not None


def _square_into(i, out):
    out[i] = (i + 1) ** 2


def _raise(i):
    if i == 1:
        raise ValueError("child one failed")


def _hold_and_die(q):
    t = ember.arange(4.0)
    q.put(t)
    time.sleep(60)


def test_spawn_fn_and_errors(no_leaks):
    out = ember.zeros(3).share_memory_()
    mp.spawn(_square_into, args=(out,), nprocs=3, start_method="fork")
    assert out.tolist() == [1.0, 4.0, 9.0]
    with pytest.raises(mp.ProcessRaisedException, match="child one failed") as e:
        mp.spawn(_raise, nprocs=2, start_method="fork")
    assert "Process 1 terminated with the following error" in str(e.value)
    out.zero_()
    mp.spawn(_square_into, args=(out,), nprocs=2)  # default start method 'spawn'
    assert out.tolist() == [1.0, 4.0, 0.0]
    ctx = mp.spawn(_square_into, args=(out,), nprocs=1, join=False, start_method="fork")
    while not ctx.join():
        pass
    del out, ctx


def test_pool_map_returns_shared_tensors(no_leaks):
    with mp.get_context("fork").Pool(2) as pool:
        res = pool.map(ember.ones, [2, 3])
    assert [r.tolist() for r in res] == [[1.0, 1.0], [1.0, 1.0, 1.0]]
    assert all(r.is_shared() for r in res)
    del res


def test_sigkilled_child_holding_segment_leaves_nothing(no_leaks):
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    proc = ctx.Process(target=_hold_and_die, args=(q,))
    proc.start()
    t = q.get(timeout=30)
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(10)
    assert proc.exitcode == -signal.SIGKILL
    t.add_(1)  # the mapping stays valid after the creator died
    assert t.tolist() == [1.0, 2.0, 3.0, 4.0]
    del t


def test_child_that_raises_leaves_nothing(no_leaks):
    def body(q):
        x = ember.ones(5).share_memory_()
        q.put(x[1:3])
        raise RuntimeError("boom")
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    proc = ctx.Process(target=body, args=(q,))
    proc.start()
    got = q.get(timeout=30)
    proc.join(10)
    assert proc.exitcode == 1 and got.tolist() == [1.0, 1.0]
    del got


_TREE = textwrap.dedent("""
    import os, signal, time
    import ember, ember.multiprocessing as mp

    def child(q):
        q.put(ember.ones(1000))   # in flight when the child is killed
        q.put(ember.arange(3.0))
        time.sleep(60)

    if __name__ == "__main__":
        print(os.environ["EMBER_SHM_ROOT"], flush=True)
        ctx = mp.get_context("fork")
        q = ctx.Queue()
        p = ctx.Process(target=child, args=(q,))
        p.start()
        time.sleep(0.5)
        p.kill()
        p.join()
        kept = ember.zeros(10).share_memory_()   # still alive at exit
        print("ok", flush=True)
""")


def test_whole_tree_exit_unlinks_everything(tmp_path):
    script = tmp_path / "tree.py"
    script.write_text(_TREE)
    env = dict(os.environ)
    env.pop("EMBER_SHM_ROOT", None)
    res = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=60, env=env)
    assert res.returncode == 0, res.stderr
    root, ok = res.stdout.split()
    assert ok == "ok"
    assert shm_segments(root) == set()
    assert "leaked" not in res.stderr and res.stderr == ""


def _pipe_child(conn):
    t = conn.recv()
    t.fill_(5)
    conn.send("filled")


def test_pipe_shares_memory(no_leaks):
    ctx = mp.get_context("fork")
    a, b = ctx.Pipe()
    t = ember.zeros(4)
    proc = ctx.Process(target=_pipe_child, args=(b,))
    proc.start()
    a.send(t)
    assert a.recv() == "filled"
    proc.join(10)
    assert t.tolist() == [5.0] * 4
    del t
