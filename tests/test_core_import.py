"""``import ember`` stays light: ml_dtypes (bfloat16) and NumPy's random module load on first
use, and bfloat16 works the same once they do."""
import os
import subprocess
import sys

import pytest

_ENV = {}


@pytest.fixture(scope="module", autouse=True)
def _bytecode_cache(tmp_path_factory):
    """One bytecode cache for this module's interpreters: sources compile once, not per run."""
    _ENV.update(os.environ, PYTHONPYCACHEPREFIX=str(tmp_path_factory.mktemp("pycache")))
    _ENV.pop("PYTHONDONTWRITEBYTECODE", None)
    yield
    _ENV.clear()


def _run(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True, env=_ENV).stdout.split()


def test_import_does_not_load_ml_dtypes_or_numpy_random():
    out = _run("import sys, ember; print('ml_dtypes' in sys.modules, "
               "'numpy.random' in sys.modules)")
    assert out == ["False", "False"]


def test_bfloat16_loads_on_first_use():
    out = _run("import sys, ember; x = ember.ones(2, dtype=ember.bfloat16) * 3; "
               "print('ml_dtypes' in sys.modules, x.dtype, x.tolist(), ember.bfloat16.itemsize)")
    assert out == ["True", "torch.bfloat16", "[3.0,", "3.0]", "2"]


def test_bfloat16_arrays_made_outside_ember_are_recognised():
    pytest.importorskip("ml_dtypes")
    out = _run("import ml_dtypes, numpy as np, ember; "
               "t = ember.from_numpy(np.ones(2, dtype=ml_dtypes.bfloat16)); "
               "print(t.dtype, ember.finfo(t.dtype).eps)")
    assert out == ["torch.bfloat16", "0.0078125"]


def test_bfloat16_attributes_before_and_after_loading():
    import ember
    assert ember.bfloat16.itemsize == 2 and ember.bfloat16.is_floating_point
    assert ember.bfloat16.np.itemsize == 2  # loads ml_dtypes if it was not yet
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        ember.bfloat16.nonexistent


def test_seeded_draws_do_not_depend_on_when_the_stream_is_made():
    out = _run("import ember; g = ember.Generator(); ember.manual_seed(5); "
               "a = ember.rand(3).tolist(); ember.manual_seed(5); b = ember.rand(3).tolist(); "
               "print(a == b, ember.rand(2, generator=g).tolist() == "
               "ember.rand(2, generator=ember.Generator()).tolist())")
    assert out == ["True", "True"]
