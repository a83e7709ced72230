"""ember.viz: make_dot / to_dot draw the grad_fn graph (checked node by node, rendered by the real
``dot`` binary), deep graphs without recursion, the graph left intact; plot_history's PNG."""
import re
import shutil
import subprocess

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember import viz


def small_cnn():
    ember.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(3 * 4 * 4, 5))


def parse_dot(text):
    """{node id: (label, fillcolor)} and [(from, to, undirected)] from to_dot's text."""
    nodes, edges = {}, []
    for line in text.splitlines():
        m = re.fullmatch(r'\t"(\d+)" \[label="((?:[^"\\]|\\.)*)"(?: fillcolor="(\w+)")?\]', line)
        if m:
            nodes[m.group(1)] = (m.group(2).replace("\\n", "\n"), m.group(3))
            continue
        m = re.fullmatch(r'\t"(\d+)" -> "(\d+)"( \[dir="none"\])?', line)
        if m:
            edges.append((m.group(1), m.group(2), bool(m.group(3))))
    return nodes, edges


def walk(fn):
    """Every grad_fn node reachable from ``fn`` (breadth first, for the test's own count)."""
    seen, todo = {id(fn): fn}, [fn]
    while todo:
        for nxt, _ in todo.pop().next_functions:
            if nxt is not None and id(nxt) not in seen:
                seen[id(nxt)] = nxt
                todo.append(nxt)
    return seen


def test_dot_text_matches_the_graph():
    model = small_cnn()
    out = model(ember.randn(2, 1, 8, 8)).sum()
    params = dict(model.named_parameters())
    nodes, edges = parse_dot(viz.to_dot(out, params=params))
    fns = walk(out.grad_fn)
    leaves = {id(f.variable): f.variable for f in fns.values() if hasattr(f, "variable")}
    assert set(nodes) == {str(k) for k in fns} | {str(k) for k in leaves} | {str(id(out))}
    for k, f in fns.items():
        assert nodes[str(k)] == (f.name(), None)
        for nxt, _ in f.next_functions:            # every edge of the graph, input -> user
            if nxt is not None:
                assert (str(id(nxt)), str(k), False) in edges
    for name, p in params.items():                 # leaves: name, shape, blue, into AccumulateGrad
        shape = "(" + ", ".join(map(str, p.shape)) + ")"
        assert nodes[str(id(p))] == (f"{name}\n {shape}", "lightblue")
        acc = next(k for k, f in fns.items() if getattr(f, "variable", None) is p)
        assert (str(id(p)), str(acc), False) in edges
    assert nodes[str(id(out))] == ("\n ()", "darkolivegreen1")
    assert {f.name() for f in fns.values()} >= {"SumBackward0", "ConvolutionBackward0",
                                                "ReluBackward0", "AccumulateGrad"}
    assert len(edges) == sum(1 for f in fns.values() for n, _ in f.next_functions
                             if n is not None) + len(leaves) + 1


def test_show_saved_and_attrs_leave_graph_usable():
    x = ember.randn(4, 3, requires_grad=True)
    w = ember.randn(3, 2, requires_grad=True)
    y = (x @ w).tanh().sum()
    nodes, edges = parse_dot(viz.to_dot(y, params={"x": x, "w": w}, show_saved=True,
                                        show_attrs=True))
    saved = [(k, v) for k, v in nodes.items() if v[1] == "orange"]
    assert any(label.startswith("saved[0]\n (4, 2)") for _, (label, _) in saved)  # tanh output
    assert all(undirected for a, b, undirected in edges if b in dict(saved))
    assert nodes[str(id(x))] == ("x\n (4, 3)", "lightblue")  # saved as itself: keeps its name
    y.backward()                                    # nothing was freed by drawing
    np.testing.assert_allclose(w.grad.numpy(), x.detach().numpy().T
                               @ (1 - np.tanh(x.detach().numpy() @ w.detach().numpy()) ** 2),
                               rtol=1e-5)
    # after backward the saved tensors are freed: the graph still draws, without them
    nodes, _ = parse_dot(viz.to_dot(y, show_saved=True))
    assert not any(c == "orange" and l.startswith("saved[") for l, c in nodes.values())


def test_ten_thousand_node_graph_without_recursion():
    x = ember.randn(3, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    text = viz.to_dot(y)
    assert text.count("MulBackward0") == 10_000
    pytest.importorskip("graphviz")
    dot = viz.make_dot(y)
    assert dot.source.count("MulBackward0") == 10_000
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full(3, 1.0001 ** 10_000), rtol=1e-3)


def test_make_dot_renders_png_with_dot_binary(tmp_path):
    graphviz = pytest.importorskip("graphviz")
    if shutil.which("dot") is None:
        pytest.skip("the graphviz `dot` binary is not installed (apt-get install graphviz)")
    model = small_cnn()
    out = model(ember.randn(1, 1, 8, 8))
    dot = viz.make_dot(out, params=dict(model.named_parameters()), show_saved=True)
    assert isinstance(dot, graphviz.Digraph)
    path = dot.render(str(tmp_path / "cnn"), format="png")
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width > 100 and height > 300      # a tall chain of boxes
    # the same graph as to_dot's text: dot accepts it too
    proc = subprocess.run(["dot", "-Tsvg"], input=viz.to_dot(out).encode(), capture_output=True,
                          timeout=60)
    assert proc.returncode == 0 and b"ConvolutionBackward0" in proc.stdout


def test_bad_input():
    with pytest.raises(TypeError, match="output must be a tensor"):
        viz.to_dot("x")
    x = ember.randn(2, requires_grad=True)
    with pytest.raises(TypeError, match="params must be a dict"):
        viz.to_dot(x * 2, params=[x])


def test_plot_history_png(tmp_path):
    PIL = pytest.importorskip("PIL.Image")
    pytest.importorskip("matplotlib")
    path = tmp_path / "curves.png"
    history = [{"loss": 1.0 / (i + 1), "accuracy": 0.1 * i} for i in range(8)]
    assert viz.plot_history(history, str(path), title="run", logy=["loss"]) == str(path)
    img = np.asarray(PIL.open(path).convert("RGB"))
    assert img.shape[1] > img.shape[0] > 100            # two panels side by side
    left, right = img[:, : img.shape[1] // 2], img[:, img.shape[1] // 2:]
    blue = lambda a: np.sum((a[..., 2] > 150) & (a[..., 0] < 100))  # matplotlib's line colour
    assert blue(left) > 50 and blue(right) > 50
    viz.plot_history({"loss": [(0, 2.0), (5, 1.0), (10, float("nan"))]}, str(tmp_path / "b.png"))
    assert (tmp_path / "b.png").read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match="history is empty"):
        viz.plot_history({}, str(tmp_path / "c.png"))
    with pytest.raises(TypeError, match=r"history\['loss'\]\[1\]"):
        viz.plot_history({"loss": [1.0, "bad"]}, str(tmp_path / "c.png"))
    with pytest.raises(TypeError, match="history must be"):
        viz.plot_history(3, str(tmp_path / "c.png"))
