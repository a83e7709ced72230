"""A two-layer ReLU network fit to random data three ways, as in PyTorch's "Learning PyTorch with
examples": (1) tensors with a hand-written backward pass, (2) autograd, (3) ``nn`` + ``optim``.

All three start from the same weights and take the same SGD steps, so (1) and (2) must agree to
rounding; (3) uses ``nn.Linear`` layers (with biases) and ``optim.SGD``. Prints each variant's loss
and a one-line JSON summary, saves the three loss curves as two_layer_net.png.

    python examples/two_layer_net.py [--epochs N] [--quick] [--backend torch]
"""
import time

import _common


def main():
    args = _common.parse_args(__doc__, epochs=500)
    torch = _common.load_backend(args)
    t0 = time.time()
    steps = args.epochs or (50 if args.quick else args.default_epochs)
    N, D_in, H, D_out = 64, 1000, 100, 10
    lr = 1e-6
    x = torch.randn(N, D_in)
    y = torch.randn(N, D_out)
    w1_init = torch.randn(D_in, H)
    w2_init = torch.randn(H, D_out)
    curves = {}

    # 1. manual forward and backward with tensor ops
    w1, w2 = w1_init.clone(), w2_init.clone()
    curve = []
    for _ in range(steps):
        h = x.mm(w1)
        h_relu = h.clamp(min=0)
        y_pred = h_relu.mm(w2)
        loss = (y_pred - y).pow(2).sum()
        curve.append(loss.item())
        grad_y_pred = 2.0 * (y_pred - y)
        grad_w2 = h_relu.t().mm(grad_y_pred)
        grad_h = grad_y_pred.mm(w2.t())
        grad_h[h < 0] = 0
        grad_w1 = x.t().mm(grad_h)
        w1 -= lr * grad_w1
        w2 -= lr * grad_w2
    curves["manual"] = curve
    manual_w1 = w1

    # 2. autograd computes the backward pass
    w1 = w1_init.clone().requires_grad_(True)
    w2 = w2_init.clone().requires_grad_(True)
    curve = []
    for _ in range(steps):
        loss = (x.mm(w1).clamp(min=0).mm(w2) - y).pow(2).sum()
        curve.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w1 -= lr * w1.grad
            w2 -= lr * w2.grad
            w1.grad.zero_()
            w2.grad.zero_()
    curves["autograd"] = curve
    max_diff = (w1.detach() - manual_w1).abs().max().item()
    if max_diff > 1e-3 * manual_w1.abs().max().item():
        raise RuntimeError(f"autograd and manual backward disagree (max weight difference {max_diff})")

    # 3. nn.Sequential + loss module + optimizer
    model = torch.nn.Sequential(torch.nn.Linear(D_in, H), torch.nn.ReLU(), torch.nn.Linear(H, D_out))
    loss_fn = torch.nn.MSELoss(reduction="sum")
    opt = torch.optim.SGD(model.parameters(), lr=1e-4, momentum=0.9)
    curve = []
    for _ in range(steps):
        loss = loss_fn(model(x), y)
        curve.append(loss.item())
        opt.zero_grad()
        loss.backward()
        opt.step()
    curves["nn+optim"] = curve

    with _common.summary_writer(args) as writer:
        for name, c in curves.items():
            for step, value in enumerate(c):
                writer.add_scalar(f"loss/{name}", value, step)
    for name, c in curves.items():
        print(f"{name:>9}: loss {c[0]:.4g} -> {c[-1]:.4g}")
    plt = _common.pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for name, c in curves.items():
        ax.semilogy(c, label=name, ls="--" if name == "autograd" else "-")
    ax.set_xlabel("step")
    ax.set_ylabel("sum of squared errors")
    ax.set_title("Two-layer net on random data")
    ax.legend()
    fig.tight_layout()
    fig.savefig(_common.plot_path(args, "two_layer_net"), dpi=80)
    _common.summary("two_layer_net", args, t0, steps=steps,
                    **{f"{k.replace('+', '_')}_loss": (c[0], c[-1]) for k, c in curves.items()},
                    manual_vs_autograd_max_diff=max_diff)


if __name__ == "__main__":
    main()
