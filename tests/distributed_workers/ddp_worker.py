"""DDP scenarios for tests/test_distributed_ddp.py. Under ``ember-run --nproc-per-node 2
ddp_worker.py OUT_DIR`` each rank trains on its half of every batch and writes its final
parameters per scenario to ``OUT_DIR/rank<r>.json``; ``reference(name)`` trains the same model in
one process on the whole batches, for the test to compare."""
import json
import os
import sys

import numpy as np

import ember
import ember.nn as nn

BATCH, STEPS, MICRO = 8, 4, 3


class Net(nn.Module):
    """A small MLP, plus an ``unused`` layer that never runs and a ``branch`` that runs only where
    ``use_branch`` says (on rank 0's half of the batch, in the scenarios that use it)."""

    def __init__(self, extras):
        super().__init__()
        self.fc1 = nn.Linear(5, 8)
        self.fc2 = nn.Linear(8, 3)
        if extras:
            self.branch = nn.Linear(5, 3)
            self.unused = nn.Linear(5, 3)

    def forward(self, x, use_branch=False):
        out = self.fc2(ember.tanh(self.fc1(x)))
        return out + self.branch(x) if use_branch else out


def make_model(seed, extras=False):
    ember.manual_seed(seed)
    return Net(extras).double()


def batch(step, micro=0):
    rng = np.random.default_rng(100 * step + micro)
    x = ember.from_numpy(rng.normal(size=(BATCH, 5)))
    y = ember.from_numpy(rng.normal(size=(BATCH, 3)))
    return x, y


SCENARIOS = {
    # name: (optimizer, micro-batches per step (all but the last under no_sync), ddp kwargs,
    #        whether rank 0's half also runs ``branch``)
    "sgd_momentum_small_buckets": ("sgd", 1, dict(bucket_cap_mb=0.0002), False),
    "adam_default_buckets": ("adam", 1, {}, False),
    "sgd_no_sync_accumulation": ("sgd", MICRO, dict(bucket_cap_mb=0.0002), False),
    "adam_unused_parameters": ("adam", 1, dict(find_unused_parameters=True, bucket_cap_mb=0.0002),
                               True),
    "adam_no_sync_unused": ("adam", MICRO, dict(find_unused_parameters=True), True),
}


def optimizer(kind, params):
    if kind == "sgd":
        return ember.optim.SGD(params, lr=0.1, momentum=0.9)
    return ember.optim.Adam(params, lr=0.01)


def half_loss(model, x, y, half, use_branch):
    rows = slice(half * BATCH // 2, (half + 1) * BATCH // 2)
    return ember.nn.functional.mse_loss(model(x[rows], use_branch=use_branch and half == 0), y[rows])


def reference(name):
    """Parameters after training in one process: the loss of a step is the mean of the two
    halves' losses, which is what averaging the two ranks' gradients computes."""
    kind, micro, _, branch = SCENARIOS[name]
    model = make_model(0, extras=branch)
    opt = optimizer(kind, model.parameters())
    for step in range(STEPS):
        opt.zero_grad()
        for m in range(micro):
            x, y = batch(step, m)
            loss = 0.5 * (half_loss(model, x, y, 0, branch) + half_loss(model, x, y, 1, branch))
            loss.backward()
        opt.step()
    return snapshot(model)


def snapshot(model):
    """Every parameter's values, and (under "_grad_none") the names whose ``.grad`` is None."""
    out = {n: p.detach().tolist() for n, p in model.named_parameters()}
    out["_grad_none"] = sorted(n for n, p in model.named_parameters() if p.grad is None)
    return out


def train_ddp(name, rank):
    from ember.nn.parallel import DistributedDataParallel as DDP
    kind, micro, kwargs, branch = SCENARIOS[name]
    model = make_model(seed=rank, extras=branch)  # differs per rank: DDP must broadcast rank 0's
    ddp = DDP(model, **kwargs)
    opt = optimizer(kind, ddp.parameters())
    for step in range(STEPS):
        opt.zero_grad()
        for m in range(micro):
            x, y = batch(step, m)
            if m < micro - 1:
                with ddp.no_sync():
                    loss = ember.nn.functional.mse_loss(
                        ddp(x[rank * 4:(rank + 1) * 4], use_branch=branch and rank == 0),
                        y[rank * 4:(rank + 1) * 4])
                    loss.backward()
            else:
                loss = ember.nn.functional.mse_loss(
                    ddp(x[rank * 4:(rank + 1) * 4], use_branch=branch and rank == 0),
                    y[rank * 4:(rank + 1) * 4])
                loss.backward()
        opt.step()
    out = snapshot(model)
    out["_buckets"] = len(ddp.reducer.buckets)
    return out, ddp


def extra_checks(rank, ddp):
    """Behaviour beyond the numbers: state_dict keys, the error for unused parameters without
    find_unused_parameters, and the broadcast at construction."""
    import ember.distributed as dist
    from ember.nn.parallel import DistributedDataParallel as DDP
    checks = {}
    keys = list(ddp.state_dict())
    checks["state_dict_prefix"] = all(k.startswith("module.") for k in keys) and \
        sorted(k[len("module."):] for k in keys) == sorted(ddp.module.state_dict())
    checks["nn_alias"] = nn.DistributedDataParallel is DDP
    plain = DDP(make_model(seed=10 + rank, extras=True))
    x, y = batch(0)
    ember.nn.functional.mse_loss(plain(x), y).backward()
    try:
        plain(x)
        checks["unused_error"] = "no error"
    except RuntimeError as exc:
        checks["unused_error"] = str(exc)
    fresh = DDP(make_model(seed=20 + rank))
    everyone = [None] * dist.get_world_size()
    dist.all_gather_object(everyone, fresh.module.fc1.weight.tolist())
    checks["broadcast_at_construction"] = everyone[0] == everyone[1] and \
        everyone[0] == make_model(seed=20).fc1.weight.tolist()
    return checks


def main(out_dir):
    import ember.distributed as dist
    dist.init_process_group("gloo")
    rank = dist.get_rank()
    results = {}
    ddp = None
    for name in SCENARIOS:
        results[name], ddp = train_ddp(name, rank)
    results["_checks"] = extra_checks(rank, ddp)
    with open(os.path.join(out_dir, f"rank{rank}.json"), "w") as f:
        json.dump(results, f)
    dist.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1])
