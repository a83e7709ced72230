"""``export``: trace the model twice, convert each recorded op with its registered converter,
then write the graph (inputs and outputs with symbolic dimensions, unused nodes pruned)."""
import os

import numpy as np

from .errors import OnnxExporterError, UnsupportedOperatorError
from ._graph import Graph
from ._registry import lookup
from ._trace import run_trace, second_args
from . import _ops_nn, _ops_tensor, _ops_rnn, _ops_math  # noqa: F401  (register converters)

__all__ = ["export"]

OPSETS = (17, 18, 19, 20)


def _names(given, n, base, what):
    if given is None:
        return [base] if n == 1 else [f"{base}_{i}" for i in range(n)]
    given = list(given)
    if len(given) > n:
        raise ValueError(f"{len(given)} {what} names given for {n} {what}s")
    return given + [f"{base}_{i}" for i in range(len(given), n)]


def _dynamic(dynamic_axes, names):
    """{name: {axis: symbol}} from torch's dynamic_axes (dicts, or lists of axes)."""
    out = {}
    for name, axes in (dynamic_axes or {}).items():
        if name not in names:
            raise ValueError(f"dynamic_axes names '{name}', which is not an input or output "
                             f"name ({', '.join(names)})")
        if isinstance(axes, dict):
            out[name] = {int(a): str(s) for a, s in axes.items()}
        else:
            out[name] = {int(a): f"{name}_dynamic_axes_{k + 1}" for k, a in enumerate(axes)}
    return out


def _ranked(axes, nd, name):
    res = {}
    for a, s in axes.items():
        if not -nd <= a < nd:
            raise IndexError(f"dynamic axis {a} is out of range for '{name}' with {nd} dims")
        res[a % nd] = s
    return res


def export(model, args, f, *, input_names=None, output_names=None, dynamic_axes=None,
           opset_version=17, export_params=True, training=None,
           keep_initializers_as_inputs=False):
    """See ``ember.onnx.export``."""
    import onnx
    import ember  # lazy: the root package is a higher layer
    if opset_version is None:
        opset_version = 17
    if opset_version not in OPSETS:
        raise ValueError(f"ember.onnx.export supports opset_version {OPSETS[0]} to "
                         f"{OPSETS[-1]}, got {opset_version}")
    if isinstance(args, ember.Tensor):
        args = (args,)
    elif isinstance(args, list):
        args = tuple(args)
    elif not isinstance(args, tuple):
        args = (args,)
    tensors = [a for a in args if isinstance(a, ember.Tensor)]
    if args and isinstance(args[-1], dict):
        tensors += [v for v in args[-1].values() if isinstance(v, ember.Tensor)]
    if hasattr(model, "parameters"):
        tensors += list(model.parameters()) + list(model.buffers())
    off = sorted({str(t.device) for t in tensors if t.device.type != "cpu"})
    if off:
        raise RuntimeError(f"ember.onnx.export traces on the CPU; the model or its inputs are on "
                           f"{', '.join(off)}: call model.cpu() and pass CPU tensors")
    n_in = sum(isinstance(a, ember.Tensor) for a in args) + (
        sum(isinstance(v, ember.Tensor) for v in args[-1].values())
        if args and isinstance(args[-1], dict) else 0)
    in_names = _names(input_names, n_in, "input", "input")
    modes = [(m, m.training) for m in model.modules()] if hasattr(model, "modules") else []
    mode = str(getattr(training, "name", training)).upper()
    if mode != "PRESERVE":
        for m, _ in modes:
            m.training = mode in ("TRAINING", "TRUE")
    try:
        tr, gin, outs, geoms = run_trace(model, args)
        out_names = _names(output_names, len(outs), "output", "output")
        dyn = _dynamic(dynamic_axes, in_names + out_names)
        dyn_in = {i: _ranked(dyn.get(n, {}), gin[i].dim(), n) for i, n in enumerate(in_names)}
        try:
            tr2, gin2, outs2, _ = run_trace(model, second_args(args, dyn_in))
        except Exception as e:
            raise OnnxExporterError(
                f"the model failed when traced again with its dynamic axes resized "
                f"({type(e).__name__}: {e}); axes whose sizes must agree need the same name in "
                "dynamic_axes") from e
    finally:
        for m, mode in modes:
            m.training = mode
    if len(tr.ops) != len(tr2.ops) or any(a.op is not b.op for a, b in zip(tr.ops, tr2.ops)) \
            or len(outs) != len(outs2):
        raise OnnxExporterError("the model ran different ops when traced again with other input "
                                "values/sizes (control flow that depends on the inputs); "
                                "ember.onnx.export records one path only")
    named = (list(model.named_parameters()) + list(model.named_buffers())
             if hasattr(model, "named_parameters") else [])
    params = {}
    for name, p in named:
        params.setdefault(id(p), name)
    g = Graph(onnx, tr, tr2, opset_version, params, geoms)
    g.taken.update(in_names + out_names)
    graph_inputs = _declare_inputs(g, gin, gin2, in_names, dyn_in)
    param_inputs = {}
    if not export_params:
        for p in {id(p): p for _, p in named}.values():
            name = params[id(p)]
            g.taken.add(name)
            g.vals[("i", id(p))] = name
            param_inputs[name] = _value_info(onnx, name, p._data.dtype, list(p.shape))
    _convert_ops(g)
    dyn_syms = {(v1, v2): dyn_in[in_names.index(nm)][a] for v1, v2, nm, a in g.dim_sources}
    graph_outputs = [_declare_output(g, i, t, t2, name, _ranked(dyn.get(name, {}), t.dim(),
                                                                   name), dyn_syms)
                     for i, (t, t2, name) in enumerate(zip(outs, outs2, out_names))]
    nodes, inits, need = _prune(g.nodes, g.inits, out_names)
    graph_inputs += [v for n, v in param_inputs.items() if n in need]
    if keep_initializers_as_inputs:
        graph_inputs += [onnx.helper.make_tensor_value_info(t.name, t.data_type, list(t.dims))
                         for t in inits]
    return _write(onnx, onnx.helper.make_graph(nodes, type(model).__name__, graph_inputs,
                                               graph_outputs, inits), opset_version, f)


def _value_info(onnx, name, np_dtype, dims):
    return onnx.helper.make_tensor_value_info(
        name, onnx.helper.np_dtype_to_tensor_dtype(np_dtype), dims)


def _declare_inputs(g, gin, gin2, in_names, dyn_in):
    """Graph inputs with their symbolic dims; the dynamic axes become size sources."""
    infos = []
    for i, (x, x2, name) in enumerate(zip(gin, gin2, in_names)):
        g.set_value(x, name)
        axes = dyn_in[i]
        infos.append(_value_info(g.onnx, name, x._data.dtype,
                                 [axes.get(a, int(d)) for a, d in enumerate(x.shape)]))
        for a in axes:
            g.dim_sources.append((int(x.shape[a]), int(x2.shape[a]), name, a))
    return infos


def _convert_ops(g):
    """Run the converter of every recorded op that reads a live value or a changing constant;
    the others only read fixed constants and are folded."""
    for rec in g.tr.ops:
        n = range(len(rec.inputs))
        bad = [g.poison[g.in_key(rec, j)] for j in n if hasattr(rec.inputs[j], "_data")
               and g.in_key(rec, j) in g.poison]
        if bad:  # reads a value that could not be exported: so is this one, if used
            for k in range(len(rec.outputs)):
                g.poison[("r", rec.index, k)] = bad[0]
            continue
        live = any(g.is_live_input(rec, j) for j in n)
        if not live and not any(g.varies(rec, j) for j in n) and not g.params_vary(rec):
            continue
        conv = lookup(rec.op)
        where = f" (in module '{rec.scope}' of type {rec.scope_types.rsplit('/', 1)[-1]})" \
            if rec.scope else ""
        g.rec = rec
        try:
            if conv is None:
                raise UnsupportedOperatorError(
                    f"Exporting the operator '{rec.name}' to ONNX opset version {g.opset} is "
                    f"not supported by ember.onnx{where}")
            res = conv(g, rec)
        except OnnxExporterError as e:
            if live:
                raise type(e)(f"{e}{where}") from None
            # reads only constants (some changing with the inputs): an error only if used
            err = type(e)(f"{e}{where}")
            for k in range(len(rec.outputs)):
                g.poison[("r", rec.index, k)] = err
            continue
        res = res if isinstance(res, (list, tuple)) else [res]
        for k, (t, name) in enumerate(zip(rec.outputs, res)):
            if name is not None and t is not None:
                g.vals[("r", rec.index, k)] = name
    g.rec = None


def _declare_output(g, i, t, t2, name, given, dyn_syms):
    """An Identity onto the output name and its value info (symbolic dims where the size
    changed between the traces: the input symbol of the same size, else ``<name>_dim_<k>``)."""
    if g.key(t) in g.poison:
        raise g.poison[g.key(t)]
    if g.is_live(t):
        src = g.vals[g.key(t)]
    else:
        if t2.shape != t.shape or not np.array_equal(
                t._data, t2._data, equal_nan=t._data.dtype.kind in "fc"):
            raise OnnxExporterError(
                f"output {i} ('{name}') was not computed by ops ember.onnx records (it changed "
                "with the inputs but no recorded op made it); the graph would return the "
                "traced values")
        src = g.const(t._data, "const_output")
    g.nodes.append(g.helper.make_node("Identity", [src], [name], name=g.fresh("output_node")))
    dims = []
    for a, (d1, d2) in enumerate(zip(t.shape, t2.shape)):
        if a in given:
            dims.append(given[a])
        elif d1 != d2:
            dims.append(dyn_syms.get((int(d1), int(d2)), f"{name}_dim_{a}"))
        else:
            dims.append(int(d1))
    return _value_info(g.onnx, name, t._data.dtype, dims)


def _write(onnx, graph, opset_version, f):
    """The ModelProto (checked), written to the path or binary file object ``f``."""
    import ember  # lazy: the root package is a higher layer
    helper = onnx.helper
    opsets = [helper.make_opsetid("", opset_version)]
    model_proto = helper.make_model(graph, opset_imports=opsets, producer_name="ember",
                                    producer_version=getattr(ember, "__version__", ""))
    model_proto.ir_version = min(model_proto.ir_version,
                                 helper.find_min_ir_version_for(opsets, True))
    onnx.checker.check_model(model_proto)
    data = model_proto.SerializeToString()
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as fh:
            fh.write(data)
    elif f is not None:
        f.write(data)
    return model_proto


def _prune(nodes, inits, outputs):
    """Drop nodes and initializers that no graph output depends on."""
    need = set(outputs)
    kept = []
    for n in reversed(nodes):
        if any(o in need for o in n.output):
            kept.append(n)
            need.update(i for i in n.input if i)
    kept.reverse()
    return kept, [t for t in inits if t.name in need], need

