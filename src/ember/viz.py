"""``ember.viz``: pictures of a model without a server.

``make_dot(output, params=dict(model.named_parameters()))`` draws the autograd graph behind
``output`` as a ``graphviz.Digraph`` (torchviz's interface): one box per ``grad_fn`` node, leaves
(``AccumulateGrad.variable``) in blue with their parameter names and shapes, outputs in green and,
with ``show_saved=True``, the tensors each node saved for backward in orange. ``to_dot`` gives
the same graph as DOT source text and needs no graphviz Python package. The walk is iterative (a
graph of any depth works) and only reads the graph: nothing is freed or changed.

``plot_history(history, path)`` writes a PNG of training curves (matplotlib's Agg renderer,
without touching pyplot's global state).
"""
import math
import numbers

__all__ = ["make_dot", "to_dot", "plot_history"]

_NODE_ATTR = {"style": "filled", "shape": "box", "align": "left", "fontsize": "10",
              "ranksep": "0.1", "height": "0.2", "fontname": "monospace"}
_LEAF, _OUTPUT, _SAVED = "lightblue", "darkolivegreen1", "orange"


def _size(t):
    return "(" + ", ".join(str(int(d)) for d in t.shape) + ")"


def _is_tensor(v):
    return hasattr(v, "grad_fn") and hasattr(v, "shape")


def _short(value, limit):
    text = str(value)
    return text if len(text) <= limit else text[:max(limit - 3, 0)] + "..."


def _saved_of(fn):
    """(label, tensor-or-array) pairs a node keeps for backward, read without unpacking checks
    that could raise (a freed graph simply shows nothing)."""
    out = []
    try:
        saved = fn.saved_tensors
    except RuntimeError:  # freed by backward, or modified in place since
        saved = ()
    for i, t in enumerate(saved or ()):
        if t is not None:
            out.append((f"saved[{i}]", t))
    for k, v in sorted(getattr(fn, "__dict__", {}).items()):
        if not k.startswith("_") and (_is_tensor(v) or type(v).__name__ == "ndarray"):
            out.append((k, v))
    return out


def _attrs_of(fn):
    """A node's plain (non-tensor) attributes set by its forward, for ``show_attrs``."""
    return [(k, v) for k, v in sorted(getattr(fn, "__dict__", {}).items())
            if not k.startswith("_") and not _is_tensor(v) and type(v).__name__ != "ndarray"
            and not callable(v)]


def _outputs(output):
    if _is_tensor(output):
        return [output]
    if isinstance(output, (list, tuple)):
        tensors = [t for t in output if _is_tensor(t)]
        if len(tensors) == len(output) and tensors:
            return tensors
    raise TypeError("output must be a tensor or a non-empty tuple/list of tensors, got "
                    f"{type(output).__name__}")


def build_graph(output, params=None, show_attrs=False, show_saved=False, max_attr_chars=50):
    """The drawing as plain data: ``(nodes, edges)``, nodes as ``(id, label, fillcolor or None)``
    and edges as ``(from_id, to_id, undirected)``, from the outputs back to the leaves."""
    if params is not None:
        if not isinstance(params, dict):
            raise TypeError(f"params must be a dict of name -> tensor (e.g. "
                            f"dict(model.named_parameters())), got {type(params).__name__}")
        names = {id(v): k for k, v in params.items()}
    else:
        names = {}
    nodes, edges, seen = [], [], set()

    def tensor_label(t, name=None):
        name = names.get(id(t), "") if name is None else name
        return f"{name}\n {_size(t)}"

    def add_node(key, label, color=None):
        if key not in seen:
            seen.add(key)
            nodes.append((key, label, color))

    stack = []
    for t in _outputs(output):
        add_node(str(id(t)), tensor_label(t), _OUTPUT)
        if t.grad_fn is not None:
            edges.append((str(id(t.grad_fn)), str(id(t)), False))
            stack.append(t.grad_fn)
    while stack:
        fn = stack.pop()
        key = str(id(fn))
        if key in seen:
            continue
        label = fn.name() if hasattr(fn, "name") else type(fn).__name__
        if show_attrs:
            for k, v in _attrs_of(fn):
                label += f"\n{k}: {_short(v, max_attr_chars)}"
        add_node(key, label)
        var = getattr(fn, "variable", None)
        if var is not None:  # AccumulateGrad: the leaf it accumulates into
            add_node(str(id(var)), tensor_label(var), _LEAF)
            edges.append((str(id(var)), key, False))
        if show_saved:
            for k, v in _saved_of(fn):
                vk = str(id(v))
                if id(v) in names:  # a parameter saved as it is: keep its name and colour
                    add_node(vk, tensor_label(v), _LEAF)
                else:
                    add_node(vk, tensor_label(v, k) if _is_tensor(v) else f"{k}\n {_size(v)}",
                             _SAVED)
                edges.append((key, vk, True))
        # reversed so the first input is drawn (and walked) first
        for nxt, _ in reversed(fn.next_functions):
            if nxt is not None:
                edges.append((str(id(nxt)), key, False))
                if str(id(nxt)) not in seen:
                    stack.append(nxt)
    return nodes, edges


def _graph_size(n_nodes):
    """Grow the drawing with the graph, as torchviz does (about 0.15 inch per node per side)."""
    side = max(12.0, 0.15 * math.sqrt(n_nodes) * 12)
    return f"{side:.1f},{side:.1f}"


def _quote(s):
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(output, params=None, show_attrs=False, show_saved=False, max_attr_chars=50):
    """DOT source text of ``make_dot``'s drawing (no graphviz Python package needed)."""
    nodes, edges = build_graph(output, params, show_attrs, show_saved, max_attr_chars)
    lines = ["digraph {", f"\tgraph [size={_quote(_graph_size(len(nodes)))}]",
             "\tnode [" + " ".join(f"{k}={_quote(v)}" for k, v in _NODE_ATTR.items()) + "]"]
    for key, label, color in nodes:
        extra = f" fillcolor={_quote(color)}" if color else ""
        lines.append(f"\t{_quote(key)} [label={_quote(label)}{extra}]")
    for a, b, undirected in edges:
        lines.append(f"\t{_quote(a)} -> {_quote(b)}" + (' [dir="none"]' if undirected else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


def make_dot(output, params=None, show_attrs=False, show_saved=False, max_attr_chars=50):
    """The autograd graph behind ``output`` (a tensor or tuple of tensors) as a
    ``graphviz.Digraph``, as torchviz's ``make_dot``: ``params`` names the leaves
    (``dict(model.named_parameters())``); ``show_attrs`` adds each node's attributes,
    ``show_saved`` the tensors it saved for backward. Render with ``.render()`` or ``.pipe()``."""
    try:
        import graphviz
    except ImportError as e:
        raise ImportError("make_dot needs the graphviz Python package (pip install graphviz, or "
                          "the ember[viz] extra); ember.viz.to_dot gives DOT text "
                          "without it") from e
    nodes, edges = build_graph(output, params, show_attrs, show_saved, max_attr_chars)
    dot = graphviz.Digraph(node_attr=dict(_NODE_ATTR),
                           graph_attr={"size": _graph_size(len(nodes))})
    for key, label, color in nodes:
        dot.node(key, label, **({"fillcolor": color} if color else {}))
    for a, b, undirected in edges:
        dot.edge(a, b, **({"dir": "none"} if undirected else {}))
    return dot


# ---- training curves ---------------------------------------------------------------------
def _series(history):
    """history -> {name: (steps, values)} from a dict of sequences or a list of per-step dicts."""
    if isinstance(history, dict):
        items = list(history.items())
    elif isinstance(history, (list, tuple)) and all(isinstance(h, dict) for h in history):
        keys = list(dict.fromkeys(k for h in history for k in h))
        items = [(k, [(i, h[k]) for i, h in enumerate(history) if k in h]) for k in keys]
    else:
        raise TypeError("history must be a dict of name -> list of values, or a list of "
                        f"per-epoch dicts, got {type(history).__name__}")
    if not items:
        raise ValueError("history is empty: nothing to plot")
    out = {}
    for name, seq in items:
        if not isinstance(name, str):
            raise TypeError(f"history keys must be str, got {type(name).__name__}")
        try:
            seq = list(seq)
        except TypeError:
            raise TypeError(f"history[{name!r}] must be a sequence, "
                            f"got {type(seq).__name__}") from None
        if not seq:
            raise ValueError(f"history[{name!r}] is empty")
        steps, values = [], []
        for i, v in enumerate(seq):
            step = i
            if isinstance(v, (tuple, list)) and len(v) == 2:
                step, v = v
            if hasattr(v, "item") and not isinstance(v, numbers.Number):
                v = v.item()
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or \
                    isinstance(step, bool) or not isinstance(step, numbers.Real):
                raise TypeError(f"history[{name!r}][{i}] must be a number or a (step, number) "
                                f"pair, got {v!r}")
            steps.append(float(step))
            values.append(float(v))
        out[name] = (steps, values)
    return out


def plot_history(history, path, title=None, xlabel="epoch", logy=False, dpi=80):
    """Write a PNG of training curves to ``path`` and return ``path``.

    ``history`` is ``{"train loss": [...], "test acc": [...]}`` (values, or ``(step, value)``
    pairs) or a list of per-epoch dicts. Each name gets its own panel; ``logy`` is True (all
    panels), False, or the names to draw on a log scale.
    """
    series = _series(history)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    n = len(series)
    cols = min(n, 3)
    rows = -(-n // cols)
    fig = Figure(figsize=(3.6 * cols, 2.8 * rows + (0.3 if title else 0)))
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax, (name, (steps, values)) in zip(axes.flat, series.items()):
        ax.plot(steps, values, marker="o" if len(values) <= 30 else None, ms=3)
        ax.set_title(name)
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3)
        wants_log = logy is True or (not isinstance(logy, bool) and name in logy)
        if wants_log and all(v > 0 for v in values if math.isfinite(v)):
            ax.set_yscale("log")
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    return path
