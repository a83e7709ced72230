"""Whole models, optimizers and schedulers pickled by real PyTorch (``torch.save(model)``) load into
Ember, with ``weights_only=False`` and with ``safe_globals([...Ember classes...])``, and compute
what PyTorch computes. The pickles name classes by torch's defining modules
(``torch.nn.modules.linear.Linear``), which Ember has at the same paths."""
import collections
import pickle

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _models():
    torch.manual_seed(0)
    cnn = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.BatchNorm2d(4),
                              torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
                              torch.nn.Linear(4 * 4 * 4, 5), torch.nn.Dropout(0.1),
                              torch.nn.LogSoftmax(dim=1))
    with torch.no_grad():           # non-trivial BatchNorm running statistics
        cnn.train()(torch.randn(6, 3, 8, 8))
    x = np.random.default_rng(0).standard_normal((2, 3, 8, 8)).astype(np.float32)
    seq = np.random.default_rng(1).standard_normal((2, 7, 4)).astype(np.float32)
    q = np.random.default_rng(2).standard_normal((2, 5, 8)).astype(np.float32)
    return {
        "cnn": (cnn, [x], lambda o: o),
        "lstm": (torch.nn.LSTM(4, 5, num_layers=2, batch_first=True), [seq], lambda o: o[0]),
        "gru": (torch.nn.GRU(4, 3, bidirectional=True), [seq], lambda o: o[0]),
        "mha": (torch.nn.MultiheadAttention(8, 2, batch_first=True), [q, q, q],
                lambda o: o[0]),
        "embedding": (torch.nn.Sequential(torch.nn.Embedding(10, 3), torch.nn.LayerNorm(3)),
                      [np.array([[1, 2], [3, 9]])], lambda o: o),
        "encoder": (torch.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0,
                                                     batch_first=True), [q], lambda o: o),
        "modulelist": (torch.nn.Sequential(collections.OrderedDict(
            [("blocks", torch.nn.Sequential(*[torch.nn.Linear(8, 8) for _ in range(2)])),
             ("act", torch.nn.GELU())])), [q], lambda o: o),
    }


MODELS = _models()

# Ember classes a user lists to load each model with weights_only=True.
SAFE = {
    "cnn": lambda: [ember.nn.Sequential, ember.nn.Conv2d, ember.nn.BatchNorm2d, ember.nn.ReLU,
                    ember.nn.MaxPool2d, ember.nn.Flatten, ember.nn.Linear, ember.nn.Dropout,
                    ember.nn.LogSoftmax],
    "lstm": lambda: [ember.nn.LSTM],
    "gru": lambda: [ember.nn.GRU],
    "mha": lambda: [ember.nn.MultiheadAttention,
                    ember.nn.modules.linear.NonDynamicallyQuantizableLinear],
    "embedding": lambda: [ember.nn.Sequential, ember.nn.Embedding, ember.nn.LayerNorm],
    "encoder": lambda: [ember.nn.TransformerEncoderLayer, ember.nn.MultiheadAttention,
                        ember.nn.modules.linear.NonDynamicallyQuantizableLinear,
                        ember.nn.Linear, ember.nn.Dropout, ember.nn.LayerNorm,
                        ember.nn.functional.relu],
    "modulelist": lambda: [ember.nn.Sequential, ember.nn.Linear, ember.nn.GELU],
}


def _check_forward(name, loaded):
    tmodel, inputs, pick = MODELS[name]
    tmodel.eval()
    loaded.eval()
    with torch.no_grad():
        want = pick(tmodel(*[torch.from_numpy(v) for v in inputs])).numpy()
    got = pick(loaded(*[ember.tensor(v) for v in inputs])).detach().numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_whole_model_weights_only_false(name, tmp_path):
    path = tmp_path / f"{name}.pt"
    torch.save(MODELS[name][0], path)
    loaded = ember.load(path, weights_only=False)
    assert isinstance(loaded, ember.nn.Module)
    assert type(loaded).__name__ == type(MODELS[name][0]).__name__
    _check_forward(name, loaded)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_whole_model_safe_globals(name, tmp_path):
    path = tmp_path / f"{name}.pt"
    torch.save(MODELS[name][0], path)
    with pytest.raises(pickle.UnpicklingError, match=r"torch\.nn\.modules\.\w+\.\w+"):
        ember.load(path)                      # weights_only=True refuses the classes ...
    with ember.serialization.safe_globals(SAFE[name]()):
        loaded = ember.load(path)             # ... until the Ember classes are allowed
    _check_forward(name, loaded)
    assert ember.serialization.get_safe_globals() == []


def test_safe_globals_needs_the_right_class(tmp_path):
    """Allowing one Ember class does not allow another torch class in the file."""
    path = tmp_path / "cnn.pt"
    torch.save(MODELS["cnn"][0], path)
    with ember.serialization.safe_globals([ember.nn.Sequential, ember.nn.Linear]):
        with pytest.raises(pickle.UnpicklingError, match="torch.nn.modules.conv.Conv2d"):
            ember.load(path)


def test_add_safe_globals_with_torch_name(tmp_path):
    """``(obj, "torch.path.Name")`` pairs work as in PyTorch."""
    path = tmp_path / "lstm.pt"
    torch.save(MODELS["lstm"][0], path)
    ember.serialization.add_safe_globals([(ember.nn.LSTM, "torch.nn.modules.rnn.LSTM")])
    try:
        _check_forward("lstm", ember.load(path))
    finally:
        ember.serialization.clear_safe_globals()


def _train_state():
    torch.manual_seed(1)
    model = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Tanh(), torch.nn.Linear(6, 2))
    opt = torch.optim.Adam(model.parameters(), lr=0.05, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    x = torch.randn(8, 4)
    for _ in range(3):
        opt.zero_grad()
        model(x).pow(2).mean().backward()
        opt.step()
        sched.step()
    return model, opt, sched, x


@pytest.mark.parametrize("weights_only", [False, True])
def test_model_optimizer_scheduler_resume(weights_only, tmp_path):
    """A training checkpoint of whole objects resumes in Ember exactly where torch goes on."""
    model, opt, sched, x = _train_state()
    path = tmp_path / "ckpt.pt"
    torch.save({"model": model, "opt": opt, "sched": sched}, path)
    if weights_only:
        allowed = [ember.nn.Sequential, ember.nn.Linear, ember.nn.Tanh, ember.optim.Adam,
                   ember.optim.lr_scheduler.StepLR, collections.defaultdict, dict]
        with ember.serialization.safe_globals(allowed):
            ck = ember.load(path)
    else:
        ck = ember.load(path, weights_only=False)
    emodel, eopt, esched = ck["model"], ck["opt"], ck["sched"]
    assert isinstance(eopt, ember.optim.Adam) and isinstance(esched,
                                                             ember.optim.lr_scheduler.StepLR)
    assert eopt.param_groups[0]["params"][0] is next(emodel.parameters())
    assert esched.optimizer is eopt and esched.last_epoch == sched.last_epoch == 3
    ex = ember.tensor(x.numpy())
    for _ in range(3):
        for o, m, inp in ((opt, model, x), (eopt, emodel, ex)):
            o.zero_grad()
            m(inp).pow(2).mean().backward()
            o.step()
        sched.step()
        esched.step()
        assert esched.get_last_lr() == pytest.approx(sched.get_last_lr())
    for p, q in zip(model.parameters(), emodel.parameters()):
        np.testing.assert_allclose(q.detach().numpy(), p.detach().numpy(), rtol=1e-5, atol=1e-6)
