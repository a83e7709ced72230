"""Grad modes (context managers, decorators, thread-local) and autograd hooks."""
import threading

import pytest

import ember
from ember.testing import assert_close


def _x():
    return ember.tensor([1.0, 2.0, 3.0], dtype=ember.float64, requires_grad=True)


# ---- grad modes ---------------------------------------------------------------------------
def test_no_grad_and_enable_grad_context_managers():
    x = _x()
    assert ember.is_grad_enabled()
    with ember.no_grad():
        assert not ember.is_grad_enabled()
        assert not (x * 2).requires_grad
        with ember.enable_grad():
            assert ember.is_grad_enabled()
            assert (x * 2).requires_grad
        assert not ember.is_grad_enabled()
    assert ember.is_grad_enabled()


def test_grad_modes_as_decorators():
    @ember.no_grad()
    def f():
        return ember.is_grad_enabled()

    @ember.no_grad
    def f_bare():
        return ember.is_grad_enabled()

    @ember.enable_grad()
    def g():
        return ember.is_grad_enabled()

    @ember.set_grad_enabled(False)
    def h():
        return ember.is_grad_enabled()

    @ember.inference_mode()
    def i():
        return ember.is_grad_enabled(), ember.is_inference_mode_enabled()

    assert f() is False and f_bare() is False and h() is False
    assert ember.is_grad_enabled()  # decorating with set_grad_enabled(False) did not leak
    assert i() == (False, True)
    with ember.no_grad():
        assert g() is True
    assert f.__name__ == "f"


def test_decorated_generator_keeps_mode_per_step():
    @ember.no_grad()
    def gen():
        for _ in range(2):
            yield ember.is_grad_enabled()

    assert list(gen()) == [False, False]
    assert ember.is_grad_enabled()


def test_set_grad_enabled_function_and_context_manager():
    ember.set_grad_enabled(False)
    try:
        assert not ember.is_grad_enabled()
    finally:
        ember.set_grad_enabled(True)
    with ember.set_grad_enabled(False):
        assert not ember.is_grad_enabled()
        with ember.set_grad_enabled(True):
            assert ember.is_grad_enabled()
        assert not ember.is_grad_enabled()
    assert ember.is_grad_enabled()


def test_inference_mode():
    x = _x()
    with ember.inference_mode():
        assert not ember.is_grad_enabled() and ember.is_inference_mode_enabled()
        y = x * 2
    assert not y.requires_grad
    with ember.inference_mode(False):
        assert ember.is_grad_enabled()
    assert not ember.is_inference_mode_enabled()


def test_mode_restored_after_exception():
    with pytest.raises(ValueError):
        with ember.no_grad():
            raise ValueError
    assert ember.is_grad_enabled()


def test_grad_mode_is_thread_local():
    seen = {}

    def worker():
        seen["start"] = ember.is_grad_enabled()
        with ember.no_grad():
            seen["inside"] = ember.is_grad_enabled()
            barrier.wait()
            barrier.wait()

    barrier = threading.Barrier(2)
    with ember.no_grad():
        t = threading.Thread(target=worker)
        t.start()
        barrier.wait()
        main_inside = ember.is_grad_enabled()
    main_after = ember.is_grad_enabled()  # the worker still holds no_grad
    barrier.wait()
    t.join()
    assert seen == {"start": True, "inside": False}
    assert main_inside is False and main_after is True


# ---- tensor hooks --------------------------------------------------------------------------
def test_tensor_hook_on_leaf_can_replace_grad_and_be_removed():
    x = _x()
    h = x.register_hook(lambda g: g * 10)
    (x * x).sum().backward()
    assert_close(x.grad, 20 * x.detach())
    h.remove()
    x.grad = None
    (x * x).sum().backward()
    assert_close(x.grad, 2 * x.detach())


def test_tensor_hook_on_non_leaf_changes_upstream_grad(torch_mod):
    res = []
    for mod in (ember, torch_mod):
        x = mod.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        seen = []
        y.register_hook(lambda g: seen.append(g.clone()))
        y.register_hook(lambda g: g + 1)
        (y * y).sum().backward()
        res.append((x.grad, seen[0]))
    assert_close(res[0][0], res[1][0])
    assert_close(res[0][1], res[1][1])


def test_hook_needs_requires_grad():
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        ember.ones(2).register_hook(lambda g: g)


def test_post_accumulate_grad_hook():
    x = _x()
    calls = []
    h = x.register_post_accumulate_grad_hook(lambda p: calls.append(p.grad.clone()))
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    assert len(calls) == 2
    assert_close(calls[1], ember.full((3,), 6.0, dtype=ember.float64))
    h.remove()
    (x * 3).sum().backward()
    assert len(calls) == 2
    with pytest.raises(RuntimeError, match="non-leaf"):
        (x * 2).register_post_accumulate_grad_hook(lambda p: None)


def test_node_hook_and_prehook(torch_mod):
    res = []
    for mod in (ember, torch_mod):
        x = mod.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        log = []
        h1 = y.grad_fn.register_hook(lambda gi, go: log.append((len(gi), len(go))))
        y.grad_fn.register_prehook(lambda go: (go[0] * 3,))
        y.sum().backward()
        res.append((x.grad.clone(), log))
        h1.remove()
        x.grad = None
        (x * 2).sum().backward()
    assert_close(res[0][0], res[1][0])
    assert res[0][1] == res[1][1] == [(2, 1)]


def test_node_hook_can_replace_grad_inputs():
    x = _x()
    y = x.exp()
    y.grad_fn.register_hook(lambda gi, go: (gi[0] * 0 + 7,))
    y.sum().backward()
    assert_close(x.grad, ember.full((3,), 7.0, dtype=ember.float64))


def test_handle_as_context_manager():
    x = _x()
    with x.register_hook(lambda g: g * 0):
        (x * 1).sum().backward()
    assert_close(x.grad, ember.zeros(3, dtype=ember.float64))
    (x * 1).sum().backward()
    assert_close(x.grad, ember.ones(3, dtype=ember.float64))


def test_hooks_on_accumulate_grad_node(torch_mod):
    res = []
    for mod in (ember, torch_mod):
        x = mod.ones(2, requires_grad=True)
        y = x * 2
        acc = y.grad_fn.next_functions[0][0]
        seen = []
        acc.register_prehook(lambda go: (go[0] * 10,))
        acc.register_hook(lambda gi, go: seen.append((len(gi), go[0].clone())))
        y.sum().backward()
        res.append((x.grad, seen))
    assert_close(res[0][0], res[1][0])
    assert res[0][1][0][0] == res[1][1][0][0] == 0
    assert_close(res[0][1][0][1], res[1][1][0][1])
