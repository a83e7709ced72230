"""The digits LeNet (examples/digits_lenet.py) trained with everything logged for TensorBoard.

Logged into --logdir (default: runs/tensorboard_demo next to this script): the model graph, a batch
of training images, the training loss and learning rate at every step, test loss and accuracy and
weight/gradient histograms every epoch, and at the end a confusion-matrix figure, one PR curve
per digit, a Projector embedding of the 84-d features of the test images (with labels and
thumbnails), the run's hyperparameters and a text summary. Watch it with

    python examples/tensorboard_demo.py [--epochs N] [--quick] [--backend torch] [--logdir DIR]
    tensorboard --logdir examples/runs
"""
import os
import time

import _common
from ember.vision import datasets


def main():
    args = _common.parse_args(__doc__, epochs=15)
    if args.logdir is None:
        args.logdir = os.path.join(args.out, "runs", "tensorboard_demo")
    torch = _common.load_backend(args)
    nn, F = torch.nn, torch.nn.functional
    t0 = time.time()
    epochs = args.epochs or (2 if args.quick else args.default_epochs)
    lr, batch = 3e-3, 32

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
    steps_per_epoch = (len(x_train) + batch - 1) // batch
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * steps_per_epoch)

    writer = _common.summary_writer(args)
    writer.add_graph(model, x_train[:4])
    writer.add_images("train/images", (x_train[:32] * 0.4 + 0.3).clamp(0, 1), 0)

    def evaluate():
        model.eval()
        with torch.no_grad():
            logits = model(x_test)
            loss = F.cross_entropy(logits, y_test).item()
            acc = (logits.argmax(1) == y_test).float().mean().item()
        model.train()
        return loss, acc, logits

    history = {"train loss": [], "test loss": [], "test accuracy": []}
    step = 0
    bar = _common.progress(range(epochs), args, desc="demo", unit="epoch")
    for epoch in bar:
        perm = torch.randperm(len(x_train))
        total = 0.0
        for k in range(steps_per_epoch):
            idx = perm[k * batch:(k + 1) * batch]
            loss = F.cross_entropy(model(x_train[idx]), y_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            writer.add_scalar("train/loss", loss.item(), step)
            writer.add_scalar("train/lr", sched.get_last_lr()[0], step)
            sched.step()
            total += loss.item() * len(idx)
            step += 1
        test_loss, test_acc, _ = evaluate()
        history["train loss"].append(total / len(x_train))
        history["test loss"].append(test_loss)
        history["test accuracy"].append(test_acc)
        writer.add_scalar("test/loss", test_loss, step)
        writer.add_scalar("test/accuracy", test_acc, step)
        for name, p in model.named_parameters():
            writer.add_histogram(f"weights/{name}", p, step)
            writer.add_histogram(f"grads/{name}", p.grad, step)
        if hasattr(bar, "set_postfix"):
            bar.set_postfix(loss=f"{history['train loss'][-1]:.3f}", test_acc=f"{test_acc:.3f}")

    test_loss, test_acc, logits = evaluate()
    probs = F.softmax(logits, dim=1)
    pred = logits.argmax(1)
    for digit in range(10):
        writer.add_pr_curve(f"pr/digit_{digit}", y_test == digit, probs[:, digit], step)
    confusion = torch.zeros(10, 10)
    for t, p in zip(y_test.tolist(), pred.tolist()):
        confusion[t, p] += 1
    plt = _common.pyplot()
    fig, ax = plt.subplots(figsize=(4, 4))
    ax.imshow(confusion.numpy(), cmap="Blues")
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"test accuracy {test_acc:.1%}")
    writer.add_figure("test/confusion_matrix", fig, step)
    model.eval()
    with torch.no_grad():
        features = model[:-1](x_test[:200])       # the 84-d input of the last layer
    writer.add_embedding(features, metadata=y_test[:200].tolist(),
                         label_img=(x_test[:200] * 0.4 + 0.3).clamp(0, 1), global_step=step,
                         tag="features")
    writer.add_hparams({"lr": lr, "batch": batch, "epochs": epochs, "optimizer": "Adam"},
                       {"hparam/test_accuracy": test_acc, "hparam/test_loss": test_loss},
                       run_name="hparams")
    writer.add_text("summary", f"Trained {epochs} epochs ({step} steps) with **{args.backend}**: "
                    f"test accuracy **{test_acc:.2%}**.", step)
    writer.close()
    plot = _common.plot_history(args, history, "tensorboard_demo",
                                title=f"digits LeNet: test accuracy {test_acc:.1%}",
                                logy=["train loss", "test loss"])
    _common.summary("tensorboard_demo", args, t0, epochs=epochs, steps=step,
                    test_accuracy=test_acc, logdir=args.logdir, plot=plot)


if __name__ == "__main__":
    main()
