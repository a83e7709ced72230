"""Top-level in-place functions (``torch.relu_(x)``, ``torch.sigmoid_(x)``, ...).

Each is the Tensor method of the same name called on its first argument, as in PyTorch; the few
that have no Tensor method (``torch.selu_``, ``torch.dropout_``, ...) call ``nn.functional`` with
``inplace=True``.
"""
import math

# torch.<name>_ functions that are Tensor.<name>_ methods
_METHOD_NAMES = (
    "abs_", "acos_", "acosh_", "addmv_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_",
    "arctanh_", "asin_", "asinh_", "atan_", "atanh_", "ceil_", "clamp_max_", "clamp_min_",
    "clip_", "conj_physical_", "cos_", "cosh_", "deg2rad_", "detach_", "erf_", "erfc_", "exp2_",
    "exp_", "expm1_", "fill_", "fix_", "floor_", "frac_", "gcd_", "i0_", "lcm_", "ldexp_",
    "log10_", "log1p_", "log2_", "log_", "logit_", "nan_to_num_", "neg_", "negative_",
    "rad2deg_", "reciprocal_", "relu_", "round_", "rsqrt_", "sigmoid_", "sin_", "sinc_", "sinh_",
    "sqrt_", "square_", "tan_", "tanh_", "trunc_", "xlogy_", "zero_", "index_put_", "resize_as_",
    "as_strided_")


def _method_caller(name):
    def fn(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"In-place ``{name[:-1]}`` of ``input`` (``torch.{name}``): "
                  f"``input.{name}(...)``, returns ``input``.")
    return fn


def _functional():
    from .nn import functional  # lazy: ember.nn is a higher layer
    return functional


def selu_(input):
    """In-place SELU of ``input`` (``torch.selu_``)."""
    return _functional().selu(input, inplace=True)


def celu_(input, alpha=1.0):
    """In-place CELU of ``input`` (``torch.celu_``)."""
    return _functional().celu(input, alpha, inplace=True)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    """In-place randomized leaky ReLU of ``input`` (``torch.rrelu_``)."""
    return _functional().rrelu(input, lower, upper, training, inplace=True)


def threshold_(input, threshold, value):
    """In-place threshold: elements <= ``threshold`` become ``value`` (``torch.threshold_``)."""
    return _functional().threshold(input, threshold, value, inplace=True)


def dropout_(input, p, train):
    """In-place dropout of ``input`` (``torch.dropout_``)."""
    return _functional().dropout(input, p, train, inplace=True)


def alpha_dropout_(input, p, train):
    """In-place alpha dropout of ``input`` (``torch.alpha_dropout_``)."""
    return _functional().alpha_dropout(input, p, train, inplace=True)


def feature_alpha_dropout_(input, p, train):
    """In-place channel-wise alpha dropout of ``input`` (``torch.feature_alpha_dropout_``)."""
    return _functional().feature_alpha_dropout(input, p, train, inplace=True)


_FUNCTIONAL_NAMES = ("selu_", "celu_", "rrelu_", "threshold_", "dropout_", "alpha_dropout_",
                     "feature_alpha_dropout_")


def install(namespace):
    """Bind every in-place function into ``namespace`` (the ``ember`` module's dict), skipping
    names the namespace already defines; also the constants ``inf``, ``nan``, ``e``, ``pi``,
    ``newaxis``."""
    for name in _METHOD_NAMES:
        namespace.setdefault(name, _method_caller(name))
    for name in _FUNCTIONAL_NAMES:
        namespace.setdefault(name, globals()[name])
    for name, value in (("inf", math.inf), ("nan", math.nan), ("e", math.e), ("pi", math.pi),
                        ("newaxis", None)):
        namespace.setdefault(name, value)
