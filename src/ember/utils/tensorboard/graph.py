"""``add_graph``: one forward call recorded by ``ember.autograd.tracing`` as a TensorFlow GraphDef,
the format TensorBoard's Graphs tab draws.

Each recorded op becomes a node named ``<module scope>/<Op>`` (scopes like
``Net/Sequential[features]/Conv2d[0]``, so the Graphs tab folds them into boxes), carrying its
output shapes (``_output_shapes``), dtype and keyword parameters. Model inputs and outputs are
``input/*`` and ``output/*`` nodes ("IO Node"), parameters and buffers are nodes in their module's
scope, and any other tensor an op reads is a ``Constant``.
"""
import numbers

import numpy as np
from tensorboard.compat.proto.attr_value_pb2 import AttrValue
from tensorboard.compat.proto.graph_pb2 import GraphDef
from tensorboard.compat.proto.node_def_pb2 import NodeDef
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.compat.proto.versions_pb2 import VersionDef

__all__ = ["graph_def", "trace_graph"]

_TF_TYPES = {"float32": "DT_FLOAT", "float64": "DT_DOUBLE", "float16": "DT_HALF",
             "bfloat16": "DT_BFLOAT16", "int64": "DT_INT64", "int32": "DT_INT32",
             "int16": "DT_INT16", "int8": "DT_INT8", "uint8": "DT_UINT8", "bool": "DT_BOOL",
             "complex64": "DT_COMPLEX64", "complex128": "DT_COMPLEX128"}


def _dtype_name(t):
    return str(t.dtype).rsplit(".", 1)[-1]


def _shape_proto(t):
    return TensorShapeProto(dim=[TensorShapeProto.Dim(size=int(d)) for d in t.shape])


def _tensor_attrs(tensors):
    from tensorboard.compat.proto import types_pb2
    tensors = [t for t in tensors if t is not None and hasattr(t, "shape")]
    attrs = {"_output_shapes": AttrValue(list=AttrValue.ListValue(
        shape=[_shape_proto(t) for t in tensors]))}
    if tensors:
        name = _dtype_name(tensors[0])
        attrs["dtype"] = AttrValue(type=getattr(types_pb2, _TF_TYPES.get(name, "DT_INVALID")))
        attrs["ember_dtype"] = AttrValue(s=("torch." + name).encode())
    return attrs


def _param_text(v, limit=60):
    if isinstance(v, (bool, numbers.Number, str, type(None))):
        text = repr(v)
    elif isinstance(v, (tuple, list)) and all(isinstance(x, (numbers.Number, type(None)))
                                              for x in v):
        text = repr(tuple(v))
    elif isinstance(v, np.ndarray):
        text = f"array{v.shape}"
    else:
        text = type(v).__name__
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _scope_names(model):
    """module path ('' for the model, 'features.0' ...) -> TensorBoard scope name."""
    top = type(model).__name__
    names = {"": top}
    for path, sub in model.named_modules():
        if not path:
            continue
        parent, _, leaf = path.rpartition(".")
        names[path] = f"{names[parent]}/{type(sub).__name__}[{leaf}]"
    return names


def _flatten(out):
    if hasattr(out, "shape") and hasattr(out, "grad_fn"):
        return [out]
    if isinstance(out, dict):
        out = list(out.values())
    if isinstance(out, (list, tuple)):
        return [t for o in out for t in _flatten(o)]
    return []


def trace_graph(model, inputs):
    """Run ``model(*inputs)`` once under the op recorder; returns (trace, graph inputs, outputs)."""
    import ember  # lazy: the root package is a higher layer
    # lazy: ember.autograd.tracing is loaded on first use, not at import
    from ember.autograd.tracing import trace
    graph_inputs = []
    for i, x in enumerate(inputs):
        if not isinstance(x, ember.Tensor):
            raise TypeError(f"input_to_model[{i}] must be an ember Tensor, got {type(x).__name__}")
        x = x.detach()
        if x.is_floating_point():
            x.requires_grad_(True)  # so every op computed from it is recorded
        graph_inputs.append(x)
    with trace(module=model) as tr:
        out = model(*graph_inputs)
    return tr, graph_inputs, _flatten(out)


def graph_def(model, input_to_model):
    """The GraphDef of one forward call of ``model`` on ``input_to_model`` (tensor or tuple)."""
    inputs = input_to_model if isinstance(input_to_model, (tuple, list)) else (input_to_model,)
    tr, graph_inputs, outputs = trace_graph(model, inputs)
    scopes = _scope_names(model)
    nodes, taken = [], set()

    def unique(name):
        base, k = name, 0
        while name in taken:
            k += 1
            name = f"{base}_{k}"
        taken.add(name)
        return name

    def add(name, op, inputs=(), attrs=None):
        nodes.append(NodeDef(name=name, op=op, input=list(inputs), attr=attrs or {}))
        return name

    leaf_names = {}
    for i, x in enumerate(graph_inputs):
        leaf_names[id(x)] = add(unique(f"input/input.{i}"), "IO Node",
                                attrs=_tensor_attrs([x]))
    owners = [("Parameter", model.named_parameters()), ("Buffer", model.named_buffers())]
    param_of = {}
    for kind, named in owners:
        for full, t in named:
            path, _, leaf = full.rpartition(".")
            param_of.setdefault(id(t), (kind, f"{scopes.get(path, scopes[''])}/{leaf}", t))

    op_names = {}

    def source(t, scope):
        hit = tr.producer(t)
        if hit is not None:
            rec, k = hit
            return op_names[rec.index] + (f":{k}" if k else "")
        key = id(t)
        if key not in leaf_names:
            if key in param_of:
                kind, name, p = param_of[key]
                leaf_names[key] = add(unique(name), kind, attrs=_tensor_attrs([p]))
            else:
                attrs = _tensor_attrs([t])
                if t.numel() == 1:
                    attrs["value"] = AttrValue(s=repr(t.detach().numpy().reshape(()).item())
                                               .encode())
                leaf_names[key] = add(unique(f"{scope}/Constant"), "Constant", attrs=attrs)
        return leaf_names[key]

    for rec in tr.ops:
        scope = scopes.get(rec.scope, rec.scope_types or scopes[""])
        srcs = [source(t, scope) for t in rec.inputs if t is not None and hasattr(t, "shape")]
        attrs = _tensor_attrs(rec.outputs)
        if rec.params:
            text = ", ".join(f"{k}={_param_text(v)}" for k, v in sorted(rec.params.items()))
            attrs["params"] = AttrValue(s=text.encode())
        op_names[rec.index] = add(unique(f"{scope}/{rec.name}"), rec.name, srcs, attrs)
    for i, t in enumerate(outputs):
        add(unique(f"output/output.{i}"), "IO Node", [source(t, "output")],
            _tensor_attrs([t]))
    return GraphDef(node=nodes, versions=VersionDef(producer=22))
