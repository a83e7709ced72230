"""The model behind ``ember serve``: an exported ``.onnx`` file run with onnxruntime, or an Ember
``nn.Module`` made by ``module.path:factory`` (weights from ``--checkpoint``, run in ``eval()``
mode under ``no_grad``).

Both are wrapped as a :class:`ServedModel`: one input array whose first dimension is the batch, one
output array with as many rows. :meth:`ServedModel.check` validates a request against the input's
shape and dtype (so a wrong request is a 422, not an exception inside the model), and
:meth:`ServedModel.predict` runs one (batched) forward call.
"""
import importlib
import os
from collections.abc import Mapping

import numpy as np

from .codecs import BodyError
from .. import nn

__all__ = ["ServedModel", "TensorSpec", "load_model", "check_model_spec"]

_ONNX_DTYPES = {
    "tensor(float)": np.float32, "tensor(double)": np.float64, "tensor(float16)": np.float16,
    "tensor(int8)": np.int8, "tensor(int16)": np.int16, "tensor(int32)": np.int32,
    "tensor(int64)": np.int64, "tensor(uint8)": np.uint8, "tensor(bool)": np.bool_,
}


class TensorSpec:
    """Name, shape (``None`` for a free dimension, the batch first; ``shape=None`` when unknown)
    and NumPy dtype of a model input or output."""
    __slots__ = ("name", "shape", "dtype")

    def __init__(self, name, shape, dtype):
        self.name = name
        self.shape = None if shape is None else tuple(shape)
        self.dtype = np.dtype(dtype)

    def describe(self):
        """The JSON form used by ``GET /model``."""
        return {"name": self.name, "shape": None if self.shape is None else list(self.shape),
                "dtype": self.dtype.name}


def _shape_text(shape):
    return "(" + ", ".join("N" if i == 0 else ("*" if d is None else str(d))
                           for i, d in enumerate(shape)) + ")"


class ServedModel:
    """A loaded model: ``name``, ``kind`` ('onnx' or 'ember'), ``input``/``output`` TensorSpecs and
    ``predict(batch) -> array``, a forward call over stacked rows."""
    __slots__ = ("name", "kind", "input", "output", "_run")

    def __init__(self, name, kind, input, output, run):
        self.name, self.kind, self.input, self.output, self._run = name, kind, input, output, run

    def describe(self):
        """The JSON document of ``GET /model``."""
        return {"name": self.name, "kind": self.kind, "inputs": [self.input.describe()],
                "outputs": [self.output.describe()]}

    def check(self, array):
        """``array`` cast to the input dtype, after checking its shape and dtype; raises
        BodyError(422) naming the expected and received shape or dtype."""
        want = self.input.dtype
        if array.dtype != want:
            ok = array.dtype.kind in "iuf" and (
                np.can_cast(array.dtype, want, "same_kind") or
                (array.dtype.kind in "iu" and want.kind == "f"))
            if not ok:
                raise BodyError(422, f"input dtype {array.dtype.name} cannot be converted to the "
                                     f"model's input dtype {want.name}")
        shape = self.input.shape
        if array.ndim == 0 or array.shape[0] == 0:
            raise BodyError(422, f"input must have a batch dimension with at least one row, got "
                                 f"shape {tuple(array.shape)}"
                                 + ("" if shape is None else f"; expected {_shape_text(shape)}"))
        if shape is not None:
            bad = array.ndim != len(shape) or any(
                d is not None and d != n for d, n in zip(shape[1:], array.shape[1:]))
            if bad:
                raise BodyError(422, f"input shape {tuple(array.shape)} does not match the model's "
                                     f"input shape {_shape_text(shape)} (N = batch rows)")
        return np.ascontiguousarray(array, dtype=want)

    def predict(self, batch):
        """Run the model on ``batch`` (rows stacked on dimension 0) and return the output array;
        raises RuntimeError when the output does not have one row per input row."""
        out = self._run(batch)
        if out.ndim == 0 or out.shape[0] != batch.shape[0]:
            raise RuntimeError(f"model returned shape {tuple(out.shape)} for an input of "
                               f"{batch.shape[0]} rows; the output's first dimension must be the batch")
        return out


def check_model_spec(spec, checkpoint=None):
    """Quick checks before starting a server: the .onnx file exists, or ``module:factory``
    imports and names a callable, and the checkpoint file exists. Returns an error message or
    None; the factory itself is called (and the weights read) by each worker."""
    if spec.endswith(".onnx"):
        if checkpoint is not None:
            return "--checkpoint is for module:factory models; an .onnx file holds its weights"
        if not os.path.isfile(spec):
            return f"ONNX model file {spec!r} does not exist"
        return None
    if ":" not in spec:
        return f"MODEL must be an .onnx file or module.path:factory, got {spec!r}"
    if checkpoint is not None and not os.path.isfile(checkpoint):
        return f"checkpoint file {checkpoint!r} does not exist"
    try:
        factory = _factory(spec)
    except Exception as e:
        return f"cannot find {spec}: {type(e).__name__}: {e}"
    if not callable(factory):
        return f"{spec} is a {type(factory).__name__}, not a callable returning an ember.nn.Module"
    return None


def _factory(spec):
    mod_name, _, attr = spec.partition(":")
    obj = importlib.import_module(mod_name)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def load_model(spec, checkpoint=None):
    """Load ``spec`` (``path.onnx`` or ``module.path:factory``) as a ServedModel."""
    if spec.endswith(".onnx"):
        if checkpoint is not None:
            raise ValueError("--checkpoint is for module:factory models; an .onnx file holds its weights")
        return _load_onnx(spec)
    return _load_ember(spec, checkpoint)


def _load_onnx(path):
    import onnxruntime as ort
    opts = ort.SessionOptions()
    threads = os.environ.get("EMBER_SERVE_ORT_THREADS")
    if threads:
        opts.intra_op_num_threads = int(threads)
    sess = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
    ins, outs = sess.get_inputs(), sess.get_outputs()
    if len(ins) != 1 or len(outs) != 1:
        raise ValueError(f"ember serve runs models with one input and one output; {path!r} has "
                         f"inputs {[i.name for i in ins]} and outputs {[o.name for o in outs]}")

    def spec(v):
        if v.type not in _ONNX_DTYPES:
            raise ValueError(f"unsupported ONNX tensor type {v.type} for {v.name!r}")
        dims = [d if isinstance(d, int) and d >= 0 else None for d in v.shape]
        if dims:
            dims[0] = None    # the batch: whatever the file says, requests choose it
        return TensorSpec(v.name, dims, _ONNX_DTYPES[v.type])

    in_name, out_name = ins[0].name, outs[0].name

    def run(batch):
        return sess.run([out_name], {in_name: batch})[0]

    name = os.path.splitext(os.path.basename(path))[0]
    return ServedModel(name, "onnx", spec(ins[0]), spec(outs[0]), run)


def _state_dict_of(obj, path):
    if isinstance(obj, Mapping):
        for key in ("state_dict", "model_state_dict", "model"):
            if isinstance(obj.get(key), Mapping):
                return obj[key]
        return obj
    if hasattr(obj, "state_dict"):
        return obj.state_dict()
    raise ValueError(f"checkpoint {path!r} holds a {type(obj).__name__}, not a state_dict")


def _infer_input(model, first_param_dtype):
    """The input spec from ``model.input_shape``/``input_dtype`` when the factory set them, else
    from the first Linear / Conv / Embedding layer; shape None when nothing tells."""
    shape = getattr(model, "input_shape", None)
    dtype = getattr(model, "input_dtype", None)
    if shape is None:
        for m in model.modules():
            if isinstance(m, nn.Linear):
                shape = (None, m.in_features)
            elif isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Conv3d)):
                shape = (None, m.in_channels) + (None,) * (m.weight.dim() - 2)
            elif isinstance(m, nn.Embedding):
                shape, dtype = (None, None), dtype or np.int64
            else:
                continue
            break
    else:
        shape = (None,) + tuple(shape)[1:]
    if dtype is not None:
        dtype = np.dtype(getattr(dtype, "np", dtype))     # an ember dtype or anything NumPy reads
    return TensorSpec("input", shape, dtype or first_param_dtype)


def _load_ember(spec, checkpoint):
    import ember  # lazy: the root package is a higher layer
    model = _factory(spec)()
    if not isinstance(model, ember.nn.Module):
        raise TypeError(f"{spec} returned a {type(model).__name__}, expected an ember.nn.Module")
    if checkpoint is not None:
        state = ember.load(checkpoint, map_location="cpu", weights_only=True)
        model.load_state_dict(_state_dict_of(state, checkpoint))
    model.eval()
    params = list(model.parameters())
    param_dtype = np.dtype(params[0].dtype.np) if params else np.dtype(np.float32)
    inp = _infer_input(model, param_dtype)

    device = params[0].device if params else None     # a factory may put its model on cuda

    def run(batch):
        with ember.no_grad():
            x = ember.from_numpy(batch)
            out = model(x if device is None or device.type == "cpu" else x.to(device))
        if not isinstance(out, ember.Tensor):
            raise RuntimeError(f"model returned a {type(out).__name__}; ember serve needs one tensor")
        return out.cpu().numpy()

    out_spec = TensorSpec("output", None, param_dtype)
    if inp.shape is not None and all(d is not None for d in inp.shape[1:]):
        probe = run(np.zeros((1,) + inp.shape[1:], dtype=inp.dtype))   # learn the output's spec
        out_spec = TensorSpec("output", (None,) + probe.shape[1:], probe.dtype)
    name = spec.rsplit(":", 1)[-1].rsplit(".", 1)[-1]
    return ServedModel(name, "ember", inp, out_spec, run)
