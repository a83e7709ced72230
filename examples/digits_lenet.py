"""LeNet-style CNN on scikit-learn's 8x8 handwritten digits (1,438 train / 359 test images).

Two conv(3x3)+ReLU+max-pool stages and a 120-84-10 classifier, trained with Adam and a cosine
learning-rate schedule, light augmentation (random 1-pixel shifts). Prints the test accuracy and saves
the training curve as digits_lenet.png. Goal: >= 97% test accuracy in well under a minute.

    python examples/digits_lenet.py [--epochs N] [--quick] [--backend torch]
"""
import time

import _common
from ember.vision import datasets


def main():
    args = _common.parse_args(__doc__, epochs=30)
    torch = _common.load_backend(args)
    nn, F = torch.nn, torch.nn.functional
    t0 = time.time()
    epochs = args.epochs or (3 if args.quick else args.default_epochs)

    def load(train):
        ds = datasets.Digits(train=train)
        x = _common.to_backend(torch, ds.data).float().div(255.0).unsqueeze(1)
        return (x - 0.3) / 0.4, _common.to_backend(torch, ds.targets)

    x_train, y_train = load(True)
    x_test, y_test = load(False)

    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),      # 16 x 4 x 4
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),     # 32 x 2 x 2
        nn.Flatten(), nn.Linear(32 * 2 * 2, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    batch = 32
    steps_per_epoch = (len(x_train) + batch - 1) // batch
    opt = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * steps_per_epoch)

    def shift(x):
        """Random +-1 pixel translation of each image (pad by 1, crop 8x8 at a random offset)."""
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
    writer = _common.summary_writer(args)
    bar = _common.progress(range(epochs), args, desc="digits", unit="epoch")
    for epoch in bar:
        perm = torch.randperm(len(x_train))
        total = 0.0
        for k in range(steps_per_epoch):
            idx = perm[k * batch:(k + 1) * batch]
            loss = F.cross_entropy(model(shift(x_train[idx])), y_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        history.append((total / len(x_train), accuracy(x_test, y_test)))
        writer.add_scalar("loss/train", history[-1][0], epoch)
        writer.add_scalar("accuracy/test", history[-1][1], epoch)
        if hasattr(bar, "set_postfix"):
            bar.set_postfix(loss=f"{history[-1][0]:.3f}", test_acc=f"{history[-1][1]:.3f}")

    test_acc = accuracy(x_test, y_test)
    writer.close()
    plt = _common.pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot([h[0] for h in history], label="train loss")
    ax.plot([1 - h[1] for h in history], label="test error")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_title(f"LeNet on 8x8 digits: test accuracy {test_acc:.1%}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(_common.plot_path(args, "digits_lenet"), dpi=80)
    _common.summary("digits_lenet", args, t0, epochs=epochs, test_accuracy=test_acc,
                    final_train_loss=history[-1][0])


if __name__ == "__main__":
    main()
