"""nn.Module system vs torch: registration, iteration order, state_dict keys and loading,
error messages, repr of nested models, hooks, modes, conversion, pickling, containers."""
import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.testing import assert_close
from nn_core_util import copy_weights, compare_modules, rnd


def build(m):
    """The same nested model in ember (m=ember) or torch (m=torch)."""
    class Block(m.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = m.nn.Linear(4, 4)
            self.norm = m.nn.BatchNorm1d(4)
            self.register_buffer("scale", m.ones(4))
            self.register_buffer("tmp", m.zeros(1), persistent=False)
            self.gain = m.nn.Parameter(m.ones(1) * 2)

        def forward(self, x):
            return self.norm(self.fc(x)) * self.scale * self.gain

    class Net(m.nn.Module):
        def __init__(self):
            super().__init__()
            self.inp = m.nn.Linear(3, 4)
            self.blocks = m.nn.ModuleList([Block(), Block()])
            self.head = m.nn.Sequential(OrderedDict(act=m.nn.ReLU(), out=m.nn.Linear(4, 2)))
            self.extra = m.nn.ModuleDict({"drop": m.nn.Dropout(0.0), "id": m.nn.Identity()})
            self.plist = m.nn.ParameterList([m.nn.Parameter(m.zeros(2)), m.nn.Parameter(m.ones(3))])
            self.pdict = m.nn.ParameterDict({"a": m.nn.Parameter(m.ones(1))})
            self.shared = self.inp          # shared module: listed once

        def forward(self, x):
            x = self.inp(x)
            for b in self.blocks:
                x = b(x)
            return self.extra["id"](self.head(x)) + self.plist[0].sum() + self.pdict["a"]

    return Net()


def test_nested_model_structure_matches_torch(torch_mod):
    e, t = build(ember), build(torch_mod)
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())
    assert [k for k, _ in e.named_parameters()] == [k for k, _ in t.named_parameters()]
    assert [k for k, _ in e.named_buffers()] == [k for k, _ in t.named_buffers()]
    assert [k for k, _ in e.named_modules()] == [k for k, _ in t.named_modules()]
    assert [k for k, _ in e.named_children()] == [k for k, _ in t.named_children()]
    assert [k for k, _ in e.named_parameters(remove_duplicate=False)] == \
        [k for k, _ in t.named_parameters(remove_duplicate=False)]
    assert [k for k, _ in e.named_modules(remove_duplicate=False)] == \
        [k for k, _ in t.named_modules(remove_duplicate=False)]
    assert [k for k, _ in e.named_parameters(recurse=False)] == []
    assert len(list(e.parameters())) == len(list(t.parameters()))
    assert isinstance(e.state_dict(), OrderedDict)
    compare_modules(e, t, rnd(5, 3), atol=1e-5)


def test_state_dict_options_and_load(torch_mod):
    e = build(ember)
    sd = e.state_dict(prefix="model.")
    assert all(k.startswith("model.") for k in sd)
    kv = e.state_dict(keep_vars=True)
    assert kv["inp.weight"] is e.inp.weight
    assert e.state_dict()["inp.weight"] is not e.inp.weight and not e.state_dict()["inp.weight"].requires_grad
    e2 = build(ember)
    res = e2.load_state_dict(e.state_dict())
    assert repr(res) == "<All keys matched successfully>"
    assert res.missing_keys == [] and res.unexpected_keys == []
    for (k, a), (_, b) in zip(e.state_dict().items(), e2.state_dict().items()):
        assert_close(a, b)


def test_load_state_dict_errors_match_torch(torch_mod):
    for m in (ember, torch_mod):
        pass
    e, t = ember.nn.Linear(3, 2), torch_mod.nn.Linear(3, 2)

    def bad(m, lin):
        sd = {"weight": m.zeros(2, 4), "foo": m.zeros(1)}
        return lin.load_state_dict(sd)
    with pytest.raises(RuntimeError) as ee:
        bad(ember, e)
    with pytest.raises(RuntimeError) as te:
        bad(torch_mod, t)
    assert str(ee.value) == str(te.value)
    r_e = e.load_state_dict({"weight": ember.zeros(2, 3), "foo": ember.ones(1)}, strict=False)
    r_t = t.load_state_dict({"weight": torch_mod.zeros(2, 3), "foo": torch_mod.ones(1)}, strict=False)
    assert r_e.missing_keys == r_t.missing_keys and r_e.unexpected_keys == r_t.unexpected_keys
    assert repr(r_e) == repr(r_t)
    assert float(e.weight.abs().sum()) == 0


def test_load_state_dict_assign_and_foreign_arrays():
    a = nn.Linear(2, 2)
    w = ember.ones(2, 2)
    a.load_state_dict({"weight": w, "bias": ember.zeros(2)}, assign=True)
    assert isinstance(a.weight, nn.Parameter) and a.weight.requires_grad
    assert a.weight.data_ptr() == w.data_ptr()
    b = nn.Linear(2, 2)
    b.load_state_dict({"weight": np.eye(2, dtype=np.float32), "bias": np.zeros(2, np.float32)})
    assert_close(b.weight, ember.eye(2))
    p = b.weight
    b.load_state_dict(a.state_dict())
    assert b.weight is p        # copied in place, identity kept


def test_registration_rules_and_errors(torch_mod):
    m = nn.Module()
    m.w = nn.Parameter(ember.ones(2))
    m.sub = nn.Linear(1, 1)
    m.register_buffer("buf", ember.zeros(2))
    m.plain = ember.ones(1)          # a plain tensor attribute is not registered
    assert [k for k, _ in m.named_parameters()] == ["w", "sub.weight", "sub.bias"]
    assert list(m.state_dict()) == ["w", "buf", "sub.weight", "sub.bias"]
    m.buf = ember.ones(2)            # reassigning a buffer keeps it a buffer
    assert "buf" in m._buffers and float(m.buf.sum()) == 2
    m.nb = nn.Buffer(ember.ones(1), persistent=False)
    assert "nb" in dict(m.named_buffers()) and "nb" not in m.state_dict()
    with pytest.raises(TypeError, match="cannot assign 'torch.FloatTensor' as parameter 'w'"):
        m.w = ember.ones(2)
    m.w = None
    assert m.w is None and "w" not in dict(m.named_parameters())
    del m.sub
    assert not hasattr(m, "sub")
    with pytest.raises(AttributeError) as ee:
        nn.Linear(1, 1).foo
    with pytest.raises(AttributeError) as te:
        torch_mod.nn.Linear(1, 1).foo
    assert str(ee.value) == str(te.value) == "'Linear' object has no attribute 'foo'"
    with pytest.raises(KeyError, match="attribute 'plain' already exists"):
        m.register_buffer("plain", ember.ones(1))
    with pytest.raises(KeyError):
        m.add_module("a.b", nn.ReLU())
    with pytest.raises(TypeError):
        m.add_module("x", 3)
    with pytest.raises(ValueError, match="Cannot assign non-leaf Tensor"):
        m.register_parameter("q", nn.Parameter(ember.ones(1)) * 2 if False else _nonleaf_param())
    assert "w" in dir(m) or "buf" in dir(m)
    assert "buf" in dir(m)
    with pytest.raises(NotImplementedError):
        nn.Module()(1)


def _nonleaf_param():
    p = nn.Parameter(ember.ones(1))
    q = p * 2
    q.__class__ = nn.Parameter
    return q


def test_parameter_basics(torch_mod):
    p = nn.Parameter(ember.tensor([1.0, 2.0]))
    tp = torch_mod.nn.Parameter(torch_mod.tensor([1.0, 2.0]))
    assert repr(p) == repr(tp)
    assert p.requires_grad and p.is_leaf and isinstance(p, ember.Tensor)
    assert not nn.Parameter(ember.ones(1), requires_grad=False).requires_grad
    assert type(p * 2) is ember.Tensor
    assert type(copy.deepcopy(p)) is nn.Parameter
    assert nn.Parameter().shape == (0,)


def test_modes_grad_and_conversion():
    m = build(ember)
    assert m.training and all(c.training for c in m.modules())
    m.eval()
    assert not any(c.training for c in m.modules())
    m.train()
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        m.train("yes")
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())
    m.requires_grad_()
    m(ember.randn(3, 3)).sum().backward()
    assert [k for k, p in m.named_parameters() if p.grad is None] == ["plist.1"]   # unused
    m.zero_grad(set_to_none=False)
    assert all(float(p.grad.abs().sum()) == 0 for p in m.parameters() if p.grad is not None)
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    w = m.inp.weight
    m.double()
    assert m.inp.weight is w and w.dtype is ember.float64
    assert m.blocks[0].norm.num_batches_tracked.dtype is ember.int64
    m.to(ember.float32)
    assert w.dtype is ember.float32
    m.to("cpu", dtype=ember.float64)
    assert w.dtype is ember.float64
    m.float().cpu()
    assert m.blocks[0].scale.dtype is ember.float32
    with pytest.raises(TypeError, match="floating point or complex"):
        m.to(ember.int64)
    seen = []
    m.apply(lambda mod: seen.append(type(mod).__name__))
    assert seen[-1] == "Net" and seen[0] == "Linear"


def test_submodule_access(torch_mod):
    e, t = build(ember), build(torch_mod)
    assert e.get_submodule("blocks.1.fc") is e.blocks[1].fc
    assert e.get_parameter("blocks.0.fc.bias") is e.blocks[0].fc.bias
    assert e.get_buffer("blocks.0.scale") is e.blocks[0].scale
    for call in [lambda m: m.get_submodule("blocks.x"), lambda m: m.get_parameter("blocks.0.scale"),
                 lambda m: m.get_buffer("inp.weight")]:
        with pytest.raises(AttributeError) as ee:
            call(e)
        with pytest.raises(AttributeError) as te:
            call(t)
        assert str(ee.value) == str(te.value)


class _Pickled(nn.Module):
    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(3, 4)
        self.shared = self.inp
        self.seq = nn.Sequential(nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))

    def forward(self, x):
        return self.seq(self.shared(x))


def test_pickle_and_deepcopy():
    m = _Pickled()
    x = ember.randn(2, 3)
    m.eval()
    y = m(x)
    for clone in (copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        assert_close(clone(x), y)
        assert clone.inp.weight is not m.inp.weight
        assert isinstance(clone.inp.weight, nn.Parameter)
        assert clone.shared is clone.inp


def test_share_memory():
    m = nn.Linear(3, 2)
    w = m.weight
    assert m.share_memory() is m
    assert m.weight is w and w.is_shared()


def test_forward_hooks(torch_mod):
    calls = []
    m = nn.Linear(2, 2)
    h1 = m.register_forward_pre_hook(lambda mod, args: calls.append(("pre", len(args))))
    h2 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 0,))
    h3 = m.register_forward_hook(lambda mod, args, out: out + 1)
    h4 = m.register_forward_hook(lambda mod, args, kwargs, out: calls.append(("kw", kwargs)),
                                 with_kwargs=True, prepend=True)
    h5 = m.register_forward_pre_hook(lambda mod, args, kwargs: (args, kwargs), with_kwargs=True)
    y = m(ember.ones(1, 2))
    assert_close(y, m.bias.detach().reshape(1, 2) + 1)
    assert calls == [("pre", 1), ("kw", {})]
    for h in (h1, h2, h3, h4, h5):
        h.remove()
    assert_close(m(ember.ones(1, 2)), nn.functional.linear(ember.ones(1, 2), m.weight, m.bias))
    with m.register_forward_hook(lambda mod, a, o: o * 0):
        assert float(m(ember.ones(1, 2)).abs().sum()) == 0
    assert float(m(ember.ones(1, 2)).abs().sum()) != 0


def test_full_backward_hooks(torch_mod):
    def run(m):
        lin = m.nn.Linear(3, 2)
        lin.weight.data.copy_(m.tensor([[1., 2., 3.], [4., 5., 6.]]))
        out = {}
        lin.register_full_backward_pre_hook(lambda mod, go: (go[0] * 2,))
        lin.register_full_backward_hook(
            lambda mod, gi, go: out.update(gi=gi[0].detach().clone(), go=go[0].detach().clone()))
        x = m.tensor([[1., 0., -1.], [2., 1., 0.]], requires_grad=True)
        lin(x).sum().backward()
        return out, x.grad
    (eo, eg), (to, tg) = run(ember), run(torch_mod)
    assert_close(eo["go"], to["go"])
    assert_close(eo["gi"], to["gi"])
    assert_close(eg, tg)
    # replacing grad_input
    lin = nn.Linear(2, 2)
    lin.register_full_backward_hook(lambda mod, gi, go: (gi[0] * 0,))
    x = ember.ones(1, 2, requires_grad=True)
    lin(x).sum().backward()
    assert float(x.grad.abs().sum()) == 0


def test_state_dict_hooks():
    m = nn.Linear(2, 2)
    m.register_state_dict_post_hook(lambda mod, sd, prefix, meta: sd.__setitem__(prefix + "extra", ember.ones(1)))
    assert "extra" in m.state_dict()
    seen = []
    m.register_load_state_dict_post_hook(lambda mod, keys: seen.append(list(keys.unexpected_keys)))
    m.load_state_dict(m.state_dict(), strict=False)
    assert seen == [["extra"]]


def test_containers_behave_like_torch(torch_mod):
    def ops(m):
        s = m.nn.Sequential(m.nn.Linear(1, 2), m.nn.ReLU(), m.nn.Linear(2, 3), m.nn.Tanh())
        r = [len(s), type(s[-1]).__name__, repr(s[1:3]), type(s[1:3]).__name__]
        s.append(m.nn.Sigmoid())
        s.insert(1, m.nn.ELU())
        del s[2]
        s.extend([m.nn.Identity()])
        r += [repr(s), list(dict(s.named_children()))]
        s[0] = m.nn.Linear(1, 5)
        r.append(repr(s[0]))
        r.append(s.pop(1).__class__.__name__)
        r.append(repr(s + m.nn.Sequential(m.nn.ReLU())))
        ml = m.nn.ModuleList([m.nn.ReLU(), m.nn.ReLU(), m.nn.Tanh()])
        ml.insert(0, m.nn.Tanh())
        ml.append(m.nn.Tanh())
        ml += [m.nn.Tanh()]
        del ml[1]
        r += [repr(ml), len(ml), repr(ml[1:]), repr(m.nn.ModuleList())]
        md = m.nn.ModuleDict({"b": m.nn.ReLU(), "a": m.nn.Tanh()})
        md["c"] = m.nn.ELU()
        md.update([("d", m.nn.ReLU())])
        r += [repr(md), list(md.keys()), "a" in md, type(md.pop("a")).__name__, len(md)]
        pl = m.nn.ParameterList([m.nn.Parameter(m.ones(2, 3)), m.zeros(3)])
        pl.append(m.ones(1))
        r += [repr(pl), len(pl), type(pl[1]).__name__, list(pl.state_dict())]
        pd = m.nn.ParameterDict({"x": m.nn.Parameter(m.ones(2)), "y": m.ones(1)})
        pd["z"] = m.nn.Parameter(m.zeros(1))
        r += [repr(pd), list(pd.keys()), type(pd["y"]).__name__, list(pd.state_dict())]
        return r
    for a, b in zip(ops(ember), ops(torch_mod)):
        assert a == b
    with pytest.raises(IndexError, match="index 5 is out of range"):
        nn.Sequential(nn.ReLU())[5]


def test_sequential_forward_and_flatten(torch_mod):
    def mk(m):
        return m.nn.Sequential(m.nn.Flatten(), m.nn.Linear(12, 5), m.nn.GELU(), m.nn.Dropout(0.0),
                               m.nn.Linear(5, 6), m.nn.Unflatten(1, (2, 3)), m.nn.LayerNorm(3))
    e, t = mk(ember), mk(torch_mod)
    assert repr(e) == repr(t)
    compare_modules(e, t, rnd(4, 3, 4), atol=1e-5)


def test_global_forward_hooks():
    from ember.nn.modules.module import register_module_forward_hook, register_module_forward_pre_hook
    seen = []
    m = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    h1 = register_module_forward_pre_hook(lambda mod, args: seen.append(type(mod).__name__))
    h2 = register_module_forward_hook(lambda mod, args, out: out * 0 if isinstance(mod, nn.ReLU) else None)
    y = m(ember.ones(1, 2))
    assert seen == ["Sequential", "Linear", "ReLU"] and float(y.abs().sum()) == 0
    h1.remove()
    h2.remove()
    seen.clear()
    m(ember.ones(1, 2))
    assert seen == []


def test_always_call_hook_and_extra_state():
    class Boom(nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    seen = []
    b = Boom()
    b.register_forward_hook(lambda m, a, o: seen.append(o), always_call=True)
    with pytest.raises(ValueError, match="boom"):
        b(ember.ones(1))
    assert seen == [None]

    class WithExtra(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(1, 1)
            self.counter = 3

        def get_extra_state(self):
            return {"counter": self.counter}

        def set_extra_state(self, state):
            self.counter = state["counter"]

    a, c = WithExtra(), WithExtra()
    a.counter = 7
    sd = a.state_dict()
    assert list(sd) == ["_extra_state", "lin.weight", "lin.bias"]      # as torch
    c.load_state_dict(sd)
    assert c.counter == 7
