"""The digits LeNet (examples/digits_lenet.py) trained data-parallel on several ranks with
DistributedDataParallel and a DistributedSampler: each rank takes its share of every epoch, and
the averaged gradients keep the replicas identical.

    ember-run --nproc-per-node 2 examples/ddp_digits.py [--epochs N] [--quick]
    mpiexec -n 2 python examples/ddp_digits.py                   # same, without the launcher
    torchrun --nproc-per-node 2 examples/ddp_digits.py --backend torch   # the same script on PyTorch

Rank 0 prints the test accuracy (and the JSON summary) and saves the curve as ddp_digits.png.
"""
import time

import _common
from ember.vision import datasets


def main():
    args = _common.parse_args(__doc__, epochs=30)
    torch = _common.load_backend(args)
    import importlib
    dist = importlib.import_module(torch.__name__ + ".distributed")
    nn, F = torch.nn, torch.nn.functional
    data = importlib.import_module(torch.__name__ + ".utils.data")
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    t0 = time.time()
    epochs = args.epochs or (3 if args.quick else args.default_epochs)

    def load(train):
        ds = datasets.Digits(train=train)
        x = _common.to_backend(torch, ds.data).float().div(255.0).unsqueeze(1)
        return (x - 0.3) / 0.4, _common.to_backend(torch, ds.targets)

    x_train, y_train = load(True)
    x_test, y_test = load(False)

    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 2 * 2, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    ddp = nn.parallel.DistributedDataParallel(model)
    batch = 32 // world                          # per rank: the global batch stays 32
    sampler = data.DistributedSampler(range(len(x_train)), seed=args.seed)
    steps_per_epoch = (len(sampler) + batch - 1) // batch
    opt = torch.optim.Adam(ddp.parameters(), lr=3e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * steps_per_epoch)
    torch.manual_seed(args.seed + rank)          # each rank its own augmentation draws

    def shift(x):
        padded = F.pad(x, (1, 1, 1, 1))
        crops = torch.stack([padded[:, :, i:i + 8, j:j + 8] for i in range(3) for j in range(3)])
        return crops[torch.randint(0, 9, (len(x),)), torch.arange(len(x))]

    def accuracy(x, y):
        model.eval()
        with torch.no_grad():
            acc = (model(x).argmax(1) == y).float().mean().item()
        model.train()
        return acc

    history = []
    bar = _common.progress(range(epochs), args, desc=f"digits ddp x{world}", unit="epoch") \
        if rank == 0 else range(epochs)
    for epoch in bar:
        sampler.set_epoch(epoch)
        order = torch.tensor(list(sampler))
        total = torch.zeros(2, dtype=torch.float64)  # summed loss, samples on this rank
        for k in range(steps_per_epoch):
            idx = order[k * batch:(k + 1) * batch]
            loss = F.cross_entropy(ddp(shift(x_train[idx])), y_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += torch.tensor([loss.item() * len(idx), len(idx)], dtype=torch.float64)
        dist.all_reduce(total)
        history.append(((total[0] / total[1]).item(), accuracy(x_test, y_test)))
        if hasattr(bar, "set_postfix"):
            bar.set_postfix(loss=f"{history[-1][0]:.3f}", test_acc=f"{history[-1][1]:.3f}")

    test_acc = accuracy(x_test, y_test)
    replicas = [None] * world
    dist.all_gather_object(replicas, float(sum(p.double().sum().item() for p in model.parameters())))
    if rank == 0:
        plt = _common.pyplot()
        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.plot([h[0] for h in history], label="train loss")
        ax.plot([1 - h[1] for h in history], label="test error")
        ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_title(f"LeNet on digits, DDP on {world} ranks: test accuracy {test_acc:.1%}")
        ax.legend()
        fig.tight_layout()
        fig.savefig(_common.plot_path(args, "ddp_digits"), dpi=80)
        _common.summary("ddp_digits", args, t0, epochs=epochs, world_size=world,
                        test_accuracy=test_acc, final_train_loss=history[-1][0],
                        replicas_identical=len(set(replicas)) == 1)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
