"""Helpers for the ONNX export tests: export to bytes, check the model, run it with onnxruntime
(or ``onnx.reference.ReferenceEvaluator`` where onnxruntime is missing) and compare with Ember."""
import io

import numpy as np

import ember


def runner(data, engine="auto"):
    """A function feeds -> list of outputs for the serialized model ``data``: onnxruntime when
    importable (``engine="auto"`` or ``"ort"``), else / for ``engine="reference"`` onnx's
    ReferenceEvaluator. Returns (run, engine name)."""
    if engine in ("auto", "ort"):
        try:
            import onnxruntime as ort
        except ImportError:
            if engine == "ort":
                raise
        else:
            sess = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
            return (lambda feeds: sess.run(None, feeds)), "onnxruntime"
    import onnx
    from onnx.reference import ReferenceEvaluator
    ref = ReferenceEvaluator(onnx.load_from_string(data))
    return (lambda feeds: ref.run(None, feeds)), "reference"


def _have_ort():
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def export_bytes(model, args, **kw):
    """``ember.onnx.export`` into memory; returns the file's bytes after a full checker pass."""
    import onnx
    f = io.BytesIO()
    ember.onnx.export(model, args, f, **kw)
    data = f.getvalue()
    onnx.checker.check_model(onnx.load_from_string(data), full_check=True)
    return data


def _flat(out):
    if isinstance(out, ember.Tensor):
        return [out]
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _flat(o)]
    return []


def check_export(model, inputs_list, names, dynamic_axes, engine="auto", atol=1e-5, rtol=1e-5,
                 reference_gap=None, **kw):
    """Export ``model`` on ``inputs_list[0]``, then run the file on every input tuple of
    ``inputs_list`` and compare each output with Ember's forward. Returns the engine used.
    ``reference_gap``: why onnx's ReferenceEvaluator cannot run this file (the comparison is
    skipped when it is the runner; the export and checker still ran)."""
    import pytest
    model.eval()
    data = export_bytes(model, tuple(inputs_list[0]), input_names=names,
                        dynamic_axes=dynamic_axes, **kw)
    if reference_gap and (engine == "reference" or engine == "auto" and not _have_ort()):
        pytest.skip(f"onnx.reference cannot run it: {reference_gap}")
    run, used = runner(data, engine)
    for inputs in inputs_list:
        with ember.no_grad():
            want = _flat(model(*inputs))
        got = run({n: x.numpy() for n, x in zip(names, inputs)})
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert g.shape == tuple(w.shape), (g.shape, tuple(w.shape))
            np.testing.assert_allclose(g, w.numpy(), atol=atol, rtol=rtol)
    return used
