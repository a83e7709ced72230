"""Every LR scheduler's 100-epoch learning-rate sequence against real PyTorch (exact)."""
import math
import warnings

import numpy as np
import pytest

import ember
from ember.optim import lr_scheduler as ES


def _opt(lib, name="SGD", lrs=(0.1, 0.05), **kw):
    groups = [{"params": [lib.zeros(2, requires_grad=True)], "lr": lr} for lr in lrs]
    return getattr(lib.optim, name)(groups, lr=lrs[0], **kw)


def _make(lib, case):
    S = lib.optim.lr_scheduler
    name, kind = case
    opt = _opt(lib, "Adam" if kind == "adam" else "SGD",
               **({"momentum": 0.9} if kind == "momentum" else {}))
    makers = {
        "LambdaLR": lambda: S.LambdaLR(opt, lambda e: 0.95 ** e),
        "MultiplicativeLR": lambda: S.MultiplicativeLR(opt, lambda e: 0.97),
        "StepLR": lambda: S.StepLR(opt, step_size=7, gamma=0.3),
        "MultiStepLR": lambda: S.MultiStepLR(opt, milestones=[10, 30, 30, 80], gamma=0.5),
        "ConstantLR": lambda: S.ConstantLR(opt, factor=0.3, total_iters=13),
        "LinearLR": lambda: S.LinearLR(opt, start_factor=0.1, end_factor=0.9, total_iters=37),
        "ExponentialLR": lambda: S.ExponentialLR(opt, gamma=0.93),
        "PolynomialLR": lambda: S.PolynomialLR(opt, total_iters=60, power=2.0),
        "CosineAnnealingLR": lambda: S.CosineAnnealingLR(opt, T_max=17, eta_min=0.001),
        "CosineAnnealingWarmRestarts": lambda: S.CosineAnnealingWarmRestarts(
            opt, T_0=5, T_mult=2, eta_min=1e-4),
        "CyclicLR": lambda: S.CyclicLR(opt, base_lr=0.01, max_lr=[0.1, 0.2], step_size_up=7,
                                       step_size_down=5, mode="triangular2"),
        "CyclicLR-exp": lambda: S.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=4,
                                           mode="exp_range", gamma=0.99),
        "CyclicLR-adam": lambda: S.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=6),
        "OneCycleLR": lambda: S.OneCycleLR(opt, max_lr=[0.5, 1.0], total_steps=101),
        "OneCycleLR-3": lambda: S.OneCycleLR(opt, max_lr=0.5, total_steps=101,
                                             anneal_strategy="linear", three_phase=True),
        "SequentialLR": lambda: S.SequentialLR(
            opt, [S.LinearLR(opt, start_factor=0.2, total_iters=10),
                  S.ExponentialLR(opt, gamma=0.9), S.CosineAnnealingLR(opt, T_max=20)],
            milestones=[10, 40]),
        "ChainedScheduler": lambda: S.ChainedScheduler(
            [S.ExponentialLR(opt, gamma=0.98), S.StepLR(opt, step_size=9, gamma=0.5),
             S.CosineAnnealingLR(opt, T_max=30)]),
    }
    return opt, makers[name]()


CASES = [("LambdaLR", ""), ("MultiplicativeLR", ""), ("StepLR", ""), ("MultiStepLR", ""),
         ("ConstantLR", ""), ("LinearLR", ""), ("ExponentialLR", ""), ("PolynomialLR", ""),
         ("CosineAnnealingLR", ""), ("CosineAnnealingWarmRestarts", ""),
         ("CyclicLR", "momentum"), ("CyclicLR-exp", "momentum"), ("CyclicLR-adam", "adam"),
         ("OneCycleLR", "momentum"), ("OneCycleLR-3", "adam"), ("SequentialLR", ""),
         ("ChainedScheduler", "")]


def _sequence(lib, case, epochs=100):
    opt, sched = _make(lib, case)
    seq = [list(sched.get_last_lr())]
    moms = []
    for _ in range(epochs):
        opt.step()
        sched.step()
        seq.append([float(v) for v in sched.get_last_lr()])
        moms.append([g.get("momentum", g.get("betas", (None,))[0]) for g in opt.param_groups])
    return seq, moms


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_lr_sequence_matches_torch_exactly(torch_mod, case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, our_m = _sequence(ember, case)
        ref, ref_m = _sequence(torch_mod, case)
    assert ours == ref
    assert our_m == ref_m


def test_reduce_lr_on_plateau_matches_torch(torch_mod):
    metrics = [1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8] * 8
    out = []
    for lib in (ember, torch_mod):
        for mode, tmode in (("min", "rel"), ("max", "abs")):
            opt = _opt(lib)
            s = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, mode=mode, factor=0.5, patience=2,
                                                         threshold_mode=tmode, cooldown=1,
                                                         min_lr=[0.002, 0.001])
            seq = []
            for m in metrics:
                s.step(m)
                seq.append(s.get_last_lr())
            out.append(seq)
    assert out[:2] == out[2:]


def test_closed_form_epoch_argument_matches_torch(torch_mod):
    res = []
    for lib in (ember, torch_mod):
        opt = _opt(lib)
        s = lib.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            opt.step()
            s.step(7)
        assert any("epoch parameter" in str(x.message) for x in w)
        res.append(s.get_last_lr())
    assert res[0] == res[1] == [0.1 * 0.5 ** 2, 0.05 * 0.5 ** 2]


def test_warns_when_scheduler_steps_before_optimizer():
    opt = _opt(ember)
    s = ES.StepLR(opt, 2)
    with pytest.warns(UserWarning, match=r"lr_scheduler.step\(\)` before `optimizer.step\(\)"):
        s.step()
    opt2 = _opt(ember)
    s2 = ES.StepLR(opt2, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt2.step()
        s2.step()


def test_state_dict_round_trip_continues_identically():
    opt, s = _make(ember, ("CosineAnnealingWarmRestarts", ""))
    for _ in range(13):
        opt.step()
        s.step()
    sd, osd = s.state_dict(), opt.state_dict()
    expected = []
    for _ in range(20):
        opt.step()
        s.step()
        expected.append(s.get_last_lr())
    opt2, s2 = _make(ember, ("CosineAnnealingWarmRestarts", ""))
    opt2.load_state_dict(osd)
    s2.load_state_dict(sd)
    got = []
    for _ in range(20):
        opt2.step()
        s2.step()
        got.append(s2.get_last_lr())
    assert got == expected


def test_hand_computed_values():
    opt = _opt(ember, lrs=(1.0,))
    s = ES.CosineAnnealingLR(opt, T_max=10)
    for e in range(1, 11):
        opt.step()
        s.step()
        assert math.isclose(s.get_last_lr()[0], (1 + math.cos(math.pi * e / 10)) / 2,
                            abs_tol=1e-12)
    opt = _opt(ember, lrs=(1.0,))
    s = ES.StepLR(opt, step_size=2, gamma=0.5)
    got = []
    for _ in range(6):
        opt.step()
        s.step()
        got.append(s.get_last_lr()[0])
    np.testing.assert_allclose(got, [1.0, 0.5, 0.5, 0.25, 0.25, 0.125])


def test_errors_match_torch():
    opt = _opt(ember)
    with pytest.raises(TypeError, match="is not an Optimizer"):
        ES.StepLR(object(), 2)
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        ES.LambdaLR(opt, [lambda e: 1.0])
    with pytest.raises(KeyError, match="initial_lr"):
        ES.StepLR(_opt(ember), 2, last_epoch=3)
    with pytest.raises(ValueError, match="Expected positive integer T_0, but got 0"):
        ES.CosineAnnealingWarmRestarts(opt, T_0=0)
    with pytest.raises(ValueError, match="Factor should be < 1.0"):
        ES.ReduceLROnPlateau(opt, factor=1.5)
    s = ES.OneCycleLR(_opt(ember), max_lr=1.0, total_steps=2)
    s.optimizer.step()
    s.step()
    s.step()
    with pytest.raises(ValueError, match="Tried to step 3 times"):
        s.step()


@pytest.mark.parametrize("strategy,epochs", [("cos", 10), ("linear", 7), ("cos", 0)])
def test_swalr_matches_torch(torch_mod, strategy, epochs):
    seqs = []
    for lib in (ember, torch_mod):
        opt = _opt(lib)
        swa = lib.optim.swa_utils.SWALR(opt, swa_lr=[0.01, 0.02], anneal_epochs=epochs,
                                        anneal_strategy=strategy)
        seq = []
        for _ in range(20):
            opt.step()
            swa.step()
            seq.append(swa.get_last_lr())
        seqs.append(seq)
    assert seqs[0] == seqs[1]


def test_averaged_model_matches_torch(torch_mod):
    rng = np.random.default_rng(0)
    states = [rng.standard_normal((3, 2)).astype(np.float32) for _ in range(4)]
    for ema in (False, True):
        out = []
        for lib in (ember, torch_mod):
            model = lib.nn.Linear(2, 3, bias=False)
            fn = lib.optim.swa_utils.get_ema_multi_avg_fn(0.9) if ema else None
            avg = lib.optim.swa_utils.AveragedModel(model, multi_avg_fn=fn)
            for s in states:
                with lib.no_grad():
                    model.weight.copy_(lib.tensor(s))
                avg.update_parameters(model)
            out.append(avg.module.weight.detach().numpy().copy())
            assert int(avg.n_averaged) == 4
        np.testing.assert_allclose(out[0], out[1], rtol=1e-6, atol=1e-7)
        if not ema:
            np.testing.assert_allclose(out[0], np.mean(states, 0), rtol=1e-6, atol=1e-6)


def test_swa_mean_hand_computed():
    from ember.optim.swa_utils import AveragedModel
    model = ember.nn.Linear(2, 2)
    avg = AveragedModel(model)
    for k in range(3):
        with ember.no_grad():
            model.weight.fill_(float(k))
        avg.update_parameters(model)
    np.testing.assert_allclose(avg.module.weight.detach().numpy(), np.full((2, 2), 1.0))
