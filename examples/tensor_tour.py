"""A one-second tour of tensors: creation, dtypes, views that share memory, broadcasting, in-place ops,
indexing, and autograd (first and second derivatives). Each step prints what it shows and checks it.

    python examples/tensor_tour.py [--backend torch]
"""
import time

import _common


def main():
    args = _common.parse_args(__doc__, epochs=1)
    torch = _common.load_backend(args)
    t0 = time.time()
    checks = 0
    writer = _common.summary_writer(args)  # with --logdir, each step also goes to the Text tab

    def show(title, value, ok):
        nonlocal checks
        if not ok:
            raise AssertionError(f"tensor tour: check failed at {title!r}")
        checks += 1
        print(f"--- {title}\n{value}")
        writer.add_text("tour", f"**{title}**\n\n    " + str(value).replace("\n", "\n    "),
                        checks)

    # creation and dtypes
    a = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    show("arange(6).reshape(2, 3)", a, a.shape == (2, 3) and a.dtype == torch.float32)
    i = torch.tensor([1, 2, 3])
    show("integer tensor + 0.5 promotes to float32", i + 0.5, (i + 0.5).dtype == torch.float32)
    show("zeros / ones / full / eye", torch.eye(3) + torch.full((3, 3), 0.5),
         torch.eye(3).sum().item() == 3)

    # views share storage
    v = a.t()
    v[0, 1] = 100.0
    show("a.t() is a view: writing v[0, 1] changes a[1, 0]", a, a[1, 0].item() == 100.0)
    row = a[1]
    row.mul_(0.5)
    show("in-place on a row view a[1].mul_(0.5)", a, a[1, 0].item() == 50.0)
    show("contiguity of the transposed view", v.is_contiguous(), not v.is_contiguous())

    # broadcasting
    col = torch.tensor([[1.0], [2.0]])
    show("(2, 3) * (2, 1) broadcasts to (2, 3)", a * col, (a * col).shape == (2, 3))
    x = torch.linspace(-1, 1, 5)
    outer = x.unsqueeze(1) - x.unsqueeze(0)
    show("pairwise differences via unsqueeze", outer, outer.shape == (5, 5) and outer.trace().item() == 0)

    # indexing and reductions
    m = torch.arange(12).reshape(3, 4)
    show("boolean mask m[m % 2 == 0]", m[m % 2 == 0], m[m % 2 == 0].tolist() == [0, 2, 4, 6, 8, 10])
    show("fancy index m[[0, 2], 1:3]", m[[0, 2], 1:3], m[[0, 2], 1:3].tolist() == [[1, 2], [9, 10]])
    show("sum over dim 0, max over dim 1", (m.sum(0), m.max(1).values),
         m.sum(0).tolist() == [12, 15, 18, 21] and m.max(1).values.tolist() == [3, 7, 11])

    # autograd
    w = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = (w ** 3).sum()
    (g,) = torch.autograd.grad(y, w, create_graph=True)
    show("d/dw sum(w^3) = 3 w^2", g, g.tolist() == [3.0, 12.0, 27.0])
    g.sum().backward()
    show("second derivative via create_graph: d/dw sum(3 w^2) = 6 w", w.grad,
         w.grad.tolist() == [6.0, -12.0, 18.0])
    z = torch.randn(4, 3)
    with torch.no_grad():
        nog = (z * 2).requires_grad
    show("no_grad() records nothing", nog, nog is False)

    writer.close()
    _common.summary("tensor_tour", args, t0, checks=checks)


if __name__ == "__main__":
    main()
