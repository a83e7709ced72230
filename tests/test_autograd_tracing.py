"""ember.autograd.tracing: the op recorder that exporters (ONNX, TensorBoard graphs) build on."""
import numpy as np

import ember
import ember.nn as nn
from ember.autograd.tracing import trace
from ember.autograd.node import Op


def test_records_ops_in_order_with_producers():
    x = ember.randn(3, 4, requires_grad=True)
    w = ember.randn(4, 2)
    with trace() as tr:
        y = (x @ w).tanh()
        z = y * 2.0 + y
    names = [r.name for r in tr]
    assert names[:2] == ["Matmul", "Tanh"], names
    assert len(tr) == len(names) >= 4
    mm = tr.ops[0]
    assert mm.inputs[0] is x and mm.inputs[1] is w
    assert tr.producer(x) is None and tr.producer(w) is None
    rec, k = tr.producer(z)
    assert rec is tr.ops[-1] and k == 0 and rec.name == "Add"
    # both inputs of the final add come from recorded ops, the tanh among them
    srcs = {tr.producer(t)[0].name for t in rec.inputs}
    assert "Tanh" in srcs
    np.testing.assert_allclose(z.detach().numpy(), 3 * np.tanh(x.detach().numpy() @ w.numpy()),
                               rtol=1e-6)


def test_inplace_ops_are_followed_through_grad_fn():
    x = ember.randn(5, requires_grad=True)
    with trace() as tr:
        y = x * 1.5
        y.relu_()
        z = y.sum()
    rec, _ = tr.producer(z)
    prev, _ = tr.producer(rec.inputs[0])
    assert rec.name.startswith("Sum") and "Relu" in prev.name, (rec, prev)


def test_module_scopes_and_params():
    m = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(50, 3))
    with trace(m) as tr:
        m(ember.randn(2, 1, 5, 5))
    conv = tr.ops[0]
    assert conv.name == "Conv" and conv.scope == "0" and conv.scope_types == "Sequential/Conv2d"
    assert conv.inputs[1] is m[0].weight and "geom" in conv.params
    assert tr.ops[-1].scope == "3" and tr.ops[-1].scope_types == "Sequential/Linear"
    assert m[0]._forward_pre_hooks == {} or len(m[0]._forward_pre_hooks) == 0


def test_custom_function_is_one_op_and_tracing_is_undone():
    class Double(ember.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2 + 0

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = ember.randn(3, requires_grad=True)
    before = Op.__dict__["apply"]
    with trace() as tr:
        Double.apply(x).exp()
    assert [r.name for r in tr] == ["Double", "Exp"]
    assert Op.__dict__["apply"] is before
    # after the block nothing is recorded
    (x * 3).sum()
    assert len(tr) == 2


def test_multi_output_ops_record_every_output():
    a = ember.randn(4, 4, dtype=ember.float64, requires_grad=True)
    with trace() as tr:
        q, r = ember.linalg.qr(a)
        s = q.sum() + r.sum()
    qr = tr.producer(q)[0]
    assert tr.producer(r)[0] is qr and len(qr.outputs) == 2 and tr.producer(r)[1] == 1
    assert s.requires_grad


def test_sources_keep_each_inputs_producer_from_when_the_op_ran():
    x = ember.randn(2, 3, requires_grad=True)
    with trace() as tr:
        y = x * 2
        z = y + 1       # reads y as made by the Mul
        y.relu_()       # re-points y at the in-place op's node
        w = y * z
    mul, add, relu, mul2 = tr.ops
    assert add.sources[0][0] is mul and add.sources[1] is None  # the 1 is a constant
    assert tr.producer(y)[0] is relu  # producer() follows y to its latest node ...
    assert mul2.sources[0][0] is relu and mul2.sources[1][0] is add
    assert mul.sources == (None, None)  # ... sources give x (a leaf) and the 2 as None
    assert w.requires_grad
