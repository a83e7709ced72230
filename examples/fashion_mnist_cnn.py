"""A small CNN with batch normalisation on Fashion-MNIST (60,000 train / 10,000 test 28x28 images).

conv(3x3, 16)-BN-ReLU-pool, conv(3x3, 32)-BN-ReLU-pool, a 128-unit hidden layer with dropout and a
10-way classifier; Adam with a cosine learning-rate schedule and random horizontal flips. After
training it saves a checkpoint (model + optimizer state) with ``torch.save``, reloads it into a fresh
model with ``torch.load`` and checks the reloaded model scores the same. Saves the training curve as
fashion_mnist_cnn.png. Goal: >= 90% test accuracy in <= 5 minutes on a 2-core CPU.

The idx files are read from /usr/share/datasets/fashion-mnist (Debian package dataset-fashion-mnist)
or ``--root``; nothing is downloaded.

    python examples/fashion_mnist_cnn.py [--epochs N] [--quick] [--backend torch] [--root DIR]
"""
import os
import time

import _common
from ember.vision import datasets


def build(nn):
    """The network (a function so the checkpoint can be reloaded into a fresh copy)."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10))


def main():
    args = _common.parse_args(__doc__, epochs=4, extra=lambda p: p.add_argument(
        "--root", default="/usr/share/datasets/fashion-mnist", help="folder with the idx files"))
    torch = _common.load_backend(args)
    nn, F = torch.nn, torch.nn.functional
    t0 = time.time()
    epochs = args.epochs or (1 if args.quick else args.default_epochs)

    def load(train, limit):
        ds = datasets.FashionMNIST(args.root, train=train)
        x = _common.to_backend(torch, ds.data[:limit]).float().div(255.0).unsqueeze(1)
        return (x - 0.286) / 0.353, _common.to_backend(torch, ds.targets[:limit])

    x_train, y_train = load(True, 3000 if args.quick else None)
    x_test, y_test = load(False, 1000 if args.quick else None)

    model = build(nn)
    batch = 128
    steps_per_epoch = (len(x_train) + batch - 1) // batch
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * steps_per_epoch)

    def evaluate(m):
        m.eval()
        correct = 0
        with torch.no_grad():
            for k in range(0, len(x_test), 1000):
                correct += (m(x_test[k:k + 1000]).argmax(1) == y_test[k:k + 1000]).sum().item()
        m.train()
        return correct / len(x_test)

    losses, accs = [], []
    writer = _common.summary_writer(args)
    bar = _common.progress(range(epochs * steps_per_epoch), args, desc="fashion", unit="step")
    it = iter(bar)
    for epoch in range(epochs):
        perm = torch.randperm(len(x_train))
        for k in range(steps_per_epoch):
            next(it, None)
            idx = perm[k * batch:(k + 1) * batch]
            xb = x_train[idx]
            if torch.rand(()).item() < 0.5:
                xb = xb.flip(3)
            loss = F.cross_entropy(model(xb), y_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            losses.append(loss.item())
            writer.add_scalar("loss/train", losses[-1], len(losses))
            if hasattr(bar, "set_postfix") and k % 20 == 0:
                bar.set_postfix(epoch=epoch + 1, loss=f"{losses[-1]:.3f}")
        accs.append(evaluate(model))
        writer.add_scalar("accuracy/test", accs[-1], epoch + 1)
    if hasattr(bar, "close"):
        bar.close()
    test_acc = accs[-1]
    writer.close()
    train_s = time.time() - t0

    ckpt = os.path.join(args.out, "fashion_mnist_cnn.pt" if args.backend == "ember"
                        else f"fashion_mnist_cnn_{args.backend}.pt")
    torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": epochs}, ckpt)
    state = torch.load(ckpt)
    fresh = build(nn)
    fresh.load_state_dict(state["model"])
    opt2 = torch.optim.Adam(fresh.parameters(), lr=3e-3)
    opt2.load_state_dict(state["optimizer"])
    reloaded_acc = evaluate(fresh)
    if abs(reloaded_acc - test_acc) > 1e-9:
        raise RuntimeError(f"reloaded checkpoint scores {reloaded_acc} but the model scored {test_acc}")

    plt = _common.pyplot()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(8, 3.2))
    w = max(1, len(losses) // 50)
    smooth = [sum(losses[i:i + w]) / len(losses[i:i + w]) for i in range(0, len(losses), w)]
    a1.plot([i * w for i in range(len(smooth))], smooth)
    a1.set_xlabel("step")
    a1.set_ylabel("train loss")
    a2.plot(range(1, epochs + 1), [100 * a for a in accs], "o-")
    a2.set_xlabel("epoch")
    a2.set_ylabel("test accuracy (%)")
    fig.suptitle(f"Fashion-MNIST CNN: {test_acc:.2%} test accuracy")
    fig.tight_layout()
    fig.savefig(_common.plot_path(args, "fashion_mnist_cnn"), dpi=80)
    _common.summary("fashion_mnist_cnn", args, t0, epochs=epochs, test_accuracy=test_acc,
                    reloaded_accuracy=reloaded_acc, train_s=round(train_s, 1), checkpoint=ckpt)


if __name__ == "__main__":
    main()
