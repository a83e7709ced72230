"""The issues 5-7 surface against real PyTorch: optimizers, schedulers, swa_utils,
ember.utils.data, ember.multiprocessing, save/load signatures (helpers in api_surface_util).
Skips cleanly when torch is missing.
"""

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

from api_surface_util import _check_signature, _raises_like, _same_default, _split  # noqa: E402

# ---------------------------------------------------------------- issue 5: optim ---------------
OPTIMIZERS = _split(
    "Optimizer SGD Adam AdamW Adamax NAdam RAdam RMSprop Adagrad Adadelta Rprop " "ASGD LBFGS"
)
SCHEDULERS = _split("""LRScheduler LambdaLR MultiplicativeLR StepLR MultiStepLR ConstantLR LinearLR
ExponentialLR PolynomialLR CosineAnnealingLR CosineAnnealingWarmRestarts CyclicLR OneCycleLR
ReduceLROnPlateau SequentialLR ChainedScheduler""")


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizer_signature_and_defaults(name):
    assert hasattr(ember.optim, name), f"ember.optim.{name} is missing"
    _check_signature(
        f"optim.{name}", getattr(torch.optim, name).__init__, getattr(ember.optim, name).__init__
    )
    if name in ("Optimizer",):
        return
    tp, ep = torch.nn.Parameter(torch.ones(2)), ember.nn.Parameter(ember.ones(2))
    kw = {"lr": 0.1} if name == "SGD" else {}
    to, eo = getattr(torch.optim, name)([tp], **kw), getattr(ember.optim, name)([ep], **kw)
    for k, v in to.defaults.items():
        assert k in eo.defaults, f"{name}.defaults lacks {k}"
        if not isinstance(v, torch.Tensor):
            assert _same_default(v, eo.defaults[k]), f"{name}.defaults[{k}] {v} vs {eo.defaults[k]}"
    assert sorted(eo.param_groups[0]) == sorted(to.param_groups[0])


@pytest.mark.parametrize(
    "name",
    _split(
        "add_param_group zero_grad step state_dict load_state_dict "
        "register_step_pre_hook register_step_post_hook"
    ),
)
def test_optimizer_method_signature(name):
    _check_signature(
        f"Optimizer.{name}",
        getattr(torch.optim.Optimizer, name),
        getattr(ember.optim.Optimizer, name),
        skip_first=True,
    )


@pytest.mark.parametrize("name", SCHEDULERS)
def test_scheduler_signature_and_defaults(name):
    assert hasattr(ember.optim.lr_scheduler, name), f"lr_scheduler.{name} is missing"
    _check_signature(
        f"lr_scheduler.{name}",
        getattr(torch.optim.lr_scheduler, name).__init__,
        getattr(ember.optim.lr_scheduler, name).__init__,
    )


def test_optimizer_errors_match_torch():
    _raises_like(lambda L: L.optim.SGD([L.nn.Parameter(L.ones(2))], lr=-1.0))
    _raises_like(lambda L: L.optim.Adam([L.nn.Parameter(L.ones(2))], betas=(1.5, 0.9)))
    _raises_like(lambda L: L.optim.SGD([L.nn.Parameter(L.ones(2)) * 2], lr=0.1))

    def twice(L):
        p = L.nn.Parameter(L.ones(2))
        L.optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)

    _raises_like(twice)


def test_swa_utils_surface():
    for n in ("AveragedModel", "SWALR", "update_bn"):
        assert hasattr(ember.optim.swa_utils, n), n
        obj_t, obj_e = getattr(torch.optim.swa_utils, n), getattr(ember.optim.swa_utils, n)
        _check_signature(
            f"swa_utils.{n}",
            obj_t.__init__ if isinstance(obj_t, type) else obj_t,
            obj_e.__init__ if isinstance(obj_e, type) else obj_e,
            check_defaults=False,
        )


# ---------------------------------------------------------------- issue 6: data / mp ----------
DATA_NAMES = _split("""Dataset IterableDataset TensorDataset ConcatDataset ChainDataset Subset
StackDataset random_split SequentialSampler RandomSampler SubsetRandomSampler WeightedRandomSampler
BatchSampler DistributedSampler default_collate default_convert get_worker_info DataLoader""")


@pytest.mark.parametrize("name", DATA_NAMES)
def test_data_signature(name):
    import torch.utils.data as TD
    import ember.utils.data as ED

    assert hasattr(ED, name), f"ember.utils.data.{name} is missing"
    t, e = getattr(TD, name), getattr(ED, name)
    if isinstance(t, type):
        t, e = t.__init__, e.__init__
    _check_signature(f"data.{name}", t, e)


def test_dataloader_accepts_all_torch_arguments():
    import ember.utils.data as ED

    x = ember.arange(20.0).reshape(10, 2)
    ds = ED.TensorDataset(x, ember.arange(10))
    dl = ED.DataLoader(
        ds,
        batch_size=3,
        shuffle=True,
        sampler=None,
        batch_sampler=None,
        num_workers=0,
        collate_fn=None,
        pin_memory=True,
        drop_last=True,
        timeout=0,
        worker_init_fn=None,
        multiprocessing_context=None,
        generator=ember.Generator().manual_seed(1),
        prefetch_factor=None,
        persistent_workers=False,
        pin_memory_device="",
        in_order=True,
    )
    assert len(dl) == 3
    batches = list(dl)
    assert len(batches) == 3 and tuple(batches[0][0].shape) == (3, 2)
    assert sorted(np.concatenate([b[1].numpy() for b in batches]).tolist()) == sorted(
        set(np.concatenate([b[1].numpy() for b in batches]).tolist())
    )
    assert len(ED.DataLoader(ds, batch_size=None)) == 10


def test_multiprocessing_surface():
    import multiprocessing
    import ember.multiprocessing as EMP

    for n in (
        "get_context",
        "spawn",
        "Process",
        "Queue",
        "SimpleQueue",
        "Pool",
        "Pipe",
        "get_sharing_strategy",
        "set_sharing_strategy",
        "get_all_sharing_strategies",
        "set_start_method",
        "get_start_method",
    ):
        assert hasattr(EMP, n), n
    assert set(multiprocessing.get_all_start_methods()) <= {"fork", "spawn", "forkserver"}
    assert EMP.get_sharing_strategy() in EMP.get_all_sharing_strategies()
    t = ember.ones(3).share_memory_()
    assert t.is_shared()
    assert hasattr(ember.nn.Module, "share_memory")


# ---------------------------------------------------------------- issue 7: save/load -----------
@pytest.mark.parametrize("name", ["save", "load"])
def test_save_load_signatures(name):
    _check_signature(name, getattr(torch, name), getattr(ember, name))


def test_safe_globals_and_safetensors_surface():
    import ember.serialization as S

    for n in ("add_safe_globals", "safe_globals", "get_safe_globals", "clear_safe_globals"):
        assert hasattr(S, n), n
    pytest.importorskip("safetensors")
    import ember.utils.safetensors as ST

    assert hasattr(ST, "save_file") and hasattr(ST, "load_file")
