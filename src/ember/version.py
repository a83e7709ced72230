"""``torch.version``: Ember's version, and None for the CUDA/ROCm/XPU toolkit versions (Ember
is not built against them; CuPy brings its own)."""
__version__ = "0.1.0"

cuda = None
hip = None
rocm = None
xpu = None
debug = False
git_version = "unknown"

__all__ = ["__version__", "cuda", "hip", "rocm", "xpu", "debug", "git_version"]
