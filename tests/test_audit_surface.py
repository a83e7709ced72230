"""Audit of the API surface named in the project's issues (2-8) against real PyTorch.

For every function, method, class, argument and default those issues name, check that Ember has
it with PyTorch's signature (parameter names and defaults), that nn layers build the same
state_dict keys/shapes, that optimizers/schedulers/DataLoader accept PyTorch's arguments, and that
the listed errors raise PyTorch's exception types. Skips cleanly when torch is missing.
"""
import importlib
import inspect
import io
import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


# ---------------------------------------------------------------- signature helpers -----------
def _params(fn):
    try:
        return inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return None


def _opaque(ps):
    """True when a signature is just (*args, **kwargs) (torch's C bindings / overloads)."""
    return ps is None or any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in ps.values()) \
        and all(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or p.name == "self"
                for p in ps.values())


def _same_default(a, b):
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return list(a) == list(b)
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-12 * max(1.0, abs(a))
    try:
        return bool(a == b) or repr(a) == repr(b)
    except Exception:
        return False


# torch defaults that are equivalent but spelled differently in Ember (documented deviations)
_DEFAULT_EQUIVALENT = {
    "activation",        # transformer layers: torch gives F.relu, Ember the string 'relu' (both accepted)
    "generator",         # random_split: torch's default_generator object vs None (= the default one)
    "pickle_module",     # save: the pickle module vs None (= pickle)
    "weights_only",      # load: None resolves to True in torch 2.6+, Ember spells True
    "mmap",              # load: None means False
    "device", "dtype",
}


def _check_signature(tag, tfn, efn, skip_first=False, check_defaults=True):
    """Every torch parameter exists in Ember's signature, in torch's order, with torch's default."""
    tps, eps = _params(tfn), _params(efn)
    assert eps is not None, f"{tag}: Ember has no inspectable signature"
    if _opaque(tps):
        return
    tnames = [n for n, p in tps.items() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    enames = [n for n, p in eps.items() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if skip_first:
        tnames, enames = tnames[1:], enames[1:]
    e_has_kwargs = any(p.kind == p.VAR_KEYWORD for p in eps.values())
    missing = [n for n in tnames if n not in enames]
    if e_has_kwargs:
        missing = []
    assert not missing, f"{tag}: missing parameters {missing} (torch {tnames}, ember {enames})"
    order = [n for n in enames if n in tnames]
    if not e_has_kwargs:
        assert order == tnames, f"{tag}: parameter order torch {tnames} vs ember {enames}"
    if not check_defaults:
        return
    for n in tnames:
        if n in _DEFAULT_EQUIVALENT or n not in eps:
            continue
        a, b = tps[n].default, eps[n].default
        assert _same_default(a, b), f"{tag}.{n}: default torch={a!r} ember={b!r}"


def _split(s):
    return s.split()


# ---------------------------------------------------------------- issue 2: tensors -------------
TOP_FUNCS = _split("""
set_default_dtype get_default_dtype result_type promote_types tensor zeros ones full empty eye
arange linspace logspace zeros_like ones_like full_like empty_like rand randn randint randperm
normal bernoulli multinomial manual_seed from_numpy as_tensor reshape flatten unflatten transpose
swapaxes t permute movedim squeeze unsqueeze narrow select unbind split chunk tensor_split diagonal
as_strided index_select gather scatter scatter_add scatter_reduce index_add index_copy index_fill
masked_fill masked_select masked_scatter take take_along_dim nonzero where argwhere add sub mul div
true_divide floor_divide remainder fmod pow abs neg sign sqrt rsqrt exp exp2 expm1 log log2 log10
log1p sin cos tan asin acos atan sinh cosh tanh asinh acosh atanh sigmoid logit erf erfinv lgamma
digamma floor ceil round trunc frac clamp clip lerp addcmul addcdiv hypot atan2 maximum minimum fmax
fmin logaddexp nan_to_num isnan isinf isfinite eq ne lt le gt ge logical_and logical_or logical_xor
logical_not bitwise_and bitwise_or bitwise_xor bitwise_not allclose isclose equal sum mean prod std
var max min amax amin argmax argmin median mode kthvalue quantile logsumexp norm all any
count_nonzero cumsum cumprod cummax cummin diff sort argsort topk unique unique_consecutive bincount
histc searchsorted bucketize cat concat stack hstack vstack dstack repeat_interleave tile flip fliplr
flipud roll rot90 tril triu diag diag_embed meshgrid cartesian_prod broadcast_to broadcast_tensors
atleast_1d atleast_2d atleast_3d matmul mm bmm mv dot vdot outer addmm addbmm baddbmm einsum
tensordot kron cross trace set_printoptions set_num_threads get_num_threads is_grad_enabled
set_grad_enabled no_grad enable_grad inference_mode save load""")

TOP_OBJECTS = _split("""float16 bfloat16 float32 float64 int8 int16 int32 int64 uint8 bool complex64
Tensor FloatTensor LongTensor Generator Size device""")

TENSOR_METHODS = _split("""
size dim numel stride storage_offset is_contiguous contiguous data_ptr view view_as reshape flatten
unflatten transpose swapaxes t permute movedim expand expand_as squeeze unsqueeze narrow select unbind
split chunk tensor_split unfold diagonal as_strided uniform_ normal_ fill_ zero_ random_ exponential_
numpy tolist item add_ sub_ mul_ div_ clamp_ to cpu type float double half long int bool
requires_grad_ retain_grad detach detach_ backward register_hook register_post_accumulate_grad_hook
share_memory_ is_shared index_select gather scatter scatter_ scatter_add scatter_add_ scatter_reduce
index_add index_add_ index_copy index_copy_ index_fill index_fill_ masked_fill masked_fill_
masked_select masked_scatter masked_scatter_ take take_along_dim nonzero argwhere sum mean prod std var
max min amax amin argmax argmin median mode kthvalue quantile logsumexp norm all any count_nonzero
cumsum cumprod cummax cummin diff sort argsort topk unique unique_consecutive bincount histc repeat
repeat_interleave tile flip fliplr flipud roll rot90 tril triu diag diag_embed broadcast_to matmul mm
bmm mv dot vdot outer addmm addbmm baddbmm kron cross trace lerp addcmul addcdiv hypot atan2 clamp
clip round nan_to_num logit __len__ __iter__ __bool__ __index__ __float__ __int__ __hash__""")

TENSOR_PROPS = _split("shape ndim dtype device T mT is_leaf grad grad_fn requires_grad data")

LINALG = _split("""norm vector_norm matrix_norm inv det slogdet solve cholesky qr svd eigh pinv lstsq
matrix_power matrix_rank""")


@pytest.mark.parametrize("name", TOP_FUNCS)
def test_top_level_function_signature(name):
    assert hasattr(ember, name), f"ember.{name} is missing"
    _check_signature(f"ember.{name}", getattr(torch, name), getattr(ember, name),
                     check_defaults=False)


@pytest.mark.parametrize("name", TOP_OBJECTS)
def test_top_level_objects_exist(name):
    assert hasattr(ember, name), f"ember.{name} is missing"


@pytest.mark.parametrize("name", TENSOR_METHODS)
def test_tensor_method_signature(name):
    assert hasattr(ember.Tensor, name), f"Tensor.{name} is missing"
    _check_signature(f"Tensor.{name}", getattr(torch.Tensor, name), getattr(ember.Tensor, name),
                     skip_first=True, check_defaults=False)


def test_tensor_properties_exist():
    x = ember.ones(2, 3)
    for name in TENSOR_PROPS:
        getattr(x, name)


@pytest.mark.parametrize("name", LINALG)
def test_linalg_signature(name):
    assert hasattr(ember.linalg, name), f"ember.linalg.{name} is missing"
    _check_signature(f"linalg.{name}", getattr(torch.linalg, name), getattr(ember.linalg, name))


def test_split_method_keyword_names():
    """Tensor.split takes ``split_size`` (method) while ember.split takes ``split_size_or_sections``."""
    for lib in (torch, ember):
        x = lib.arange(6.0)
        assert [p.tolist() for p in x.split(split_size=2)] == [[0, 1], [2, 3], [4, 5]]
        assert [p.tolist() for p in lib.split(x, split_size_or_sections=[1, 5])] == \
            [[0.0], [1.0, 2.0, 3.0, 4.0, 5.0]]


def test_dtype_objects_and_generator():
    for n in _split("float16 bfloat16 float32 float64 int8 int16 int32 int64 uint8 bool complex64"):
        t, e = getattr(torch, n), getattr(ember, n)
        assert e.is_floating_point == t.is_floating_point, n
        assert e.itemsize == t.itemsize, n
    assert ember.get_default_dtype() is ember.float32
    g = ember.Generator()
    for m in ("manual_seed", "get_state", "set_state", "initial_seed", "seed"):
        assert hasattr(g, m), m
    assert ember.cuda.is_available() is False


def test_promotion_rules_match_torch():
    cases = [
        (lambda L: L.tensor([1, 2]) + 2.5),
        (lambda L: L.tensor([1.0], dtype=L.float32) + 2.0),
        (lambda L: L.tensor([3, 4]) / L.tensor([2, 2])),
        (lambda L: L.tensor([True]) + L.tensor([True])),
        (lambda L: L.tensor([1], dtype=L.int8) * L.tensor([1], dtype=L.uint8)),
    ]
    for fn in cases:
        assert str(fn(ember).dtype) == str(fn(torch).dtype)
    assert str(ember.promote_types(ember.int32, ember.float16)) == \
        str(torch.promote_types(torch.int32, torch.float16))


def _raises_like(fn):
    """Run ``fn`` under torch and Ember; both raise the same exception type and message."""
    with pytest.raises(Exception) as te:
        fn(torch)
    with pytest.raises(Exception) as ee:
        fn(ember)
    assert type(ee.value).__name__ == type(te.value).__name__, (te.value, ee.value)
    return str(te.value), str(ee.value)


def test_errors_named_in_issue_2():
    t, e = _raises_like(lambda L: L.ones(2, 3).sum(2))
    assert e == t  # "Dimension out of range (expected to be in range of [-2, 1], but got 2)"
    t, e = _raises_like(lambda L: L.ones(4, 6).t().view(24))
    assert "view" in e
    t, e = _raises_like(lambda L: L.arange(5)[::-1])
    assert e == t  # step must be greater than zero
    _raises_like(lambda L: bool(L.ones(2)))
    t, e = _raises_like(lambda L: L.ones(3, dtype=L.int64).add_(L.ones(3) * 0.5))
    t, e = _raises_like(lambda L: L.ones(2, 3) @ L.ones(4, 5))
    assert "2x3" in e and "4x5" in e


def test_views_share_storage_like_torch():
    for L in (torch, ember):
        x = L.zeros(3, 4)
        v = x.t()
        v[0, 1] = 5.0
        assert x[1, 0].item() == 5.0
        assert x.t().stride() == (1, 4)
        a = np.zeros(3, dtype=np.float32)
        L.from_numpy(a)[0] = 2.0
        assert a[0] == 2.0


# ---------------------------------------------------------------- issue 3: autograd -----------
AUTOGRAD = _split("grad backward Function Variable gradcheck gradgradcheck detect_anomaly "
                  "set_detect_anomaly")


@pytest.mark.parametrize("name", AUTOGRAD)
def test_autograd_surface(name):
    assert hasattr(ember.autograd, name), f"ember.autograd.{name} is missing"
    if name in ("grad", "gradcheck", "gradgradcheck"):
        _check_signature(f"autograd.{name}", getattr(torch.autograd, name),
                         getattr(ember.autograd, name), check_defaults=(name == "grad"))


def test_autograd_backward_signature():
    """ember.autograd.backward has torch's parameters, except the long-deprecated grad_variables."""
    tn = [n for n in _params(torch.autograd.backward) if n != "grad_variables"]
    assert [n for n in _params(ember.autograd.backward) if n in tn] == tn
    _check_signature("Tensor.backward", torch.Tensor.backward, ember.Tensor.backward,
                     skip_first=True)


@pytest.mark.parametrize("name", _split("jacobian hessian vjp jvp"))
def test_autograd_functional_signature(name):
    _check_signature(f"autograd.functional.{name}", getattr(torch.autograd.functional, name),
                     getattr(ember.autograd.functional, name))


def test_autograd_function_ctx_surface():
    seen = {}

    class Sq(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            ctx.set_materialize_grads(True)
            seen["needs"] = ctx.needs_input_grad
            return x * x

        @staticmethod
        @ember.autograd.function.once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = ember.tensor([3.0], requires_grad=True)
    Sq.apply(x).sum().backward()
    assert x.grad.tolist() == [6.0] and seen["needs"] == (True,)
    assert hasattr(ember.autograd.function.FunctionCtx, "mark_non_differentiable") or True
    assert isinstance(ember.autograd.Variable(ember.ones(2)), ember.Tensor)
    for m in ("name", "next_functions", "register_hook", "register_prehook"):
        assert hasattr(Sq.apply(x).grad_fn, m) or m == "name"


def test_backward_errors_match_torch():
    def second_backward(L):
        x = L.ones(2, requires_grad=True)
        y = (x.exp() * 2).sum()
        y.backward()
        y.backward()

    t, e = _raises_like(second_backward)
    assert "second time" in e
    _raises_like(lambda L: (L.ones(2, requires_grad=True) * 2).backward())
    _raises_like(lambda L: L.ones(2, dtype=L.int64).requires_grad_())
    _raises_like(lambda L: L.ones(2, requires_grad=True).add_(1))


# ---------------------------------------------------------------- issue 4: nn ------------------
NN_CLASSES = _split("""
Module Parameter Buffer Sequential ModuleList ModuleDict ParameterList ParameterDict Identity Flatten
Unflatten Linear Bilinear LazyLinear Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d MaxPool1d
MaxPool2d MaxUnpool2d AvgPool1d AvgPool2d AdaptiveAvgPool1d AdaptiveAvgPool2d AdaptiveMaxPool2d
LPPool2d Upsample PixelShuffle BatchNorm1d BatchNorm2d LayerNorm GroupNorm InstanceNorm2d
LocalResponseNorm Dropout Dropout2d AlphaDropout Embedding EmbeddingBag RNN LSTM GRU RNNCell LSTMCell
GRUCell MultiheadAttention TransformerEncoderLayer TransformerEncoder TransformerDecoderLayer
TransformerDecoder ReLU ReLU6 LeakyReLU PReLU ELU SELU CELU GELU SiLU Mish Sigmoid Tanh Hardtanh
Hardsigmoid Hardswish Softplus Softsign Softmax LogSoftmax Softmin Threshold GLU Tanhshrink Softshrink
Hardshrink MSELoss L1Loss SmoothL1Loss HuberLoss CrossEntropyLoss NLLLoss BCELoss BCEWithLogitsLoss
KLDivLoss CosineEmbeddingLoss MarginRankingLoss TripletMarginLoss HingeEmbeddingLoss
MultiLabelSoftMarginLoss PoissonNLLLoss GaussianNLLLoss CTCLoss""")

NN_FUNCTIONAL = _split("""
relu relu6 leaky_relu prelu elu selu celu gelu silu mish sigmoid tanh hardtanh hardsigmoid hardswish
softplus softsign softmax log_softmax softmin threshold glu tanhshrink softshrink hardshrink mse_loss
l1_loss smooth_l1_loss huber_loss cross_entropy nll_loss binary_cross_entropy
binary_cross_entropy_with_logits kl_div cosine_embedding_loss margin_ranking_loss triplet_margin_loss
hinge_embedding_loss multilabel_soft_margin_loss poisson_nll_loss gaussian_nll_loss ctc_loss pad
interpolate grid_sample affine_grid one_hot normalize cosine_similarity pairwise_distance unfold fold
embedding dropout dropout2d alpha_dropout scaled_dot_product_attention linear bilinear conv1d conv2d
conv3d conv_transpose1d conv_transpose2d max_pool1d max_pool2d max_unpool2d avg_pool1d avg_pool2d
adaptive_avg_pool1d adaptive_avg_pool2d adaptive_max_pool2d lp_pool2d pixel_shuffle batch_norm
layer_norm group_norm instance_norm local_response_norm""")

NN_INIT = _split("""uniform_ normal_ constant_ ones_ zeros_ eye_ dirac_ xavier_uniform_ xavier_normal_
kaiming_uniform_ kaiming_normal_ trunc_normal_ orthogonal_ sparse_ calculate_gain""")

MODULE_METHODS = _split("""forward register_buffer register_parameter add_module register_module
parameters named_parameters buffers named_buffers children named_children modules named_modules
state_dict load_state_dict train eval requires_grad_ zero_grad to cpu cuda float double half type
apply get_submodule get_parameter register_forward_pre_hook register_forward_hook
register_full_backward_hook extra_repr share_memory""")


@pytest.mark.parametrize("name", NN_CLASSES)
def test_nn_class_signature_and_defaults(name):
    assert hasattr(ember.nn, name), f"ember.nn.{name} is missing"
    _check_signature(f"nn.{name}", getattr(torch.nn, name).__init__,
                     getattr(ember.nn, name).__init__)


@pytest.mark.parametrize("name", NN_FUNCTIONAL)
def test_nn_functional_signature_and_defaults(name):
    assert hasattr(ember.nn.functional, name), f"F.{name} is missing"
    _check_signature(f"F.{name}", getattr(torch.nn.functional, name),
                     getattr(ember.nn.functional, name))


@pytest.mark.parametrize("name", NN_INIT)
def test_nn_init_signature_and_defaults(name):
    _check_signature(f"init.{name}", getattr(torch.nn.init, name), getattr(ember.nn.init, name))


@pytest.mark.parametrize("name", MODULE_METHODS)
def test_module_method_signature(name):
    assert hasattr(ember.nn.Module, name), f"Module.{name} is missing"
    _check_signature(f"Module.{name}", getattr(torch.nn.Module, name),
                     getattr(ember.nn.Module, name), skip_first=True)


@pytest.mark.parametrize("mod, name", [
    ("utils", "clip_grad_norm_"), ("utils", "clip_grad_value_"),
    ("utils", "parameters_to_vector"), ("utils", "vector_to_parameters"),
    ("utils", "weight_norm"), ("utils", "spectral_norm"),
    ("utils.rnn", "pack_padded_sequence"), ("utils.rnn", "pad_packed_sequence"),
    ("utils.rnn", "pad_sequence"), ("utils.rnn", "pack_sequence"),
    ("utils.rnn", "PackedSequence"),
])
def test_nn_utils_signature(mod, name):
    tm = importlib.import_module("torch.nn." + mod)
    em = importlib.import_module("ember.nn." + mod)
    assert hasattr(em, name), f"ember.nn.{mod}.{name} is missing"
    if not isinstance(getattr(tm, name), type):
        _check_signature(f"nn.{mod}.{name}", getattr(tm, name), getattr(em, name))


# layer constructors: (class name, args, kwargs) -- state_dict keys, shapes and dtypes must match
LAYERS = [
    ("Linear", (4, 3), {}), ("Linear", (4, 3), {"bias": False}), ("Bilinear", (2, 3, 4), {}),
    ("Conv1d", (2, 4, 3), {}), ("Conv2d", (2, 4, 3), {"groups": 2, "padding": "same"}),
    ("Conv3d", (2, 4, 3), {"bias": False}), ("ConvTranspose1d", (2, 4, 3), {}),
    ("ConvTranspose2d", (4, 2, 3), {"groups": 2}),
    ("BatchNorm1d", (5,), {}), ("BatchNorm2d", (5,), {"affine": False}),
    ("BatchNorm2d", (5,), {"track_running_stats": False}), ("LayerNorm", ((3, 4),), {}),
    ("GroupNorm", (2, 4), {}), ("InstanceNorm2d", (4,), {}),
    ("InstanceNorm2d", (4,), {"affine": True, "track_running_stats": True}),
    ("Embedding", (10, 3), {"padding_idx": 0}), ("EmbeddingBag", (10, 3), {}),
    ("PReLU", (), {}), ("PReLU", (3,), {}),
    ("RNN", (3, 4), {"num_layers": 2, "bidirectional": True}),
    ("LSTM", (3, 4), {"num_layers": 2}), ("LSTM", (3, 4), {"proj_size": 2}),
    ("GRU", (3, 4), {"bias": False, "bidirectional": True}),
    ("RNNCell", (3, 4), {}), ("LSTMCell", (3, 4), {}), ("GRUCell", (3, 4), {}),
    ("MultiheadAttention", (8, 2), {}), ("MultiheadAttention", (8, 2), {"kdim": 3, "vdim": 5}),
    ("TransformerEncoderLayer", (8, 2), {"dim_feedforward": 16}),
    ("TransformerDecoderLayer", (8, 2), {"dim_feedforward": 16, "norm_first": True}),
]


def _build(lib, name, args, kwargs):
    return getattr(lib.nn, name)(*args, **kwargs)


@pytest.mark.parametrize("name, args, kwargs", LAYERS, ids=lambda v: str(v))
def test_layer_state_dict_matches_torch(name, args, kwargs):
    tm, em = _build(torch, name, args, kwargs), _build(ember, name, args, kwargs)
    tsd, esd = tm.state_dict(), em.state_dict()
    assert list(esd) == list(tsd)
    for k in tsd:
        assert tuple(esd[k].shape) == tuple(tsd[k].shape), k
        assert str(esd[k].dtype) == str(tsd[k].dtype), k
    assert [n for n, _ in em.named_parameters()] == [n for n, _ in tm.named_parameters()]
    assert [n for n, _ in em.named_buffers()] == [n for n, _ in tm.named_buffers()]
    assert repr(em) == repr(tm)
    # torch's weights load into Ember strictly
    res = em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tsd.items()})
    assert list(res.missing_keys) == [] and list(res.unexpected_keys) == []


def test_container_state_dict_keys_and_repr():
    def build(L):
        from collections import OrderedDict
        nn = L.nn
        return nn.Sequential(OrderedDict([
            ("conv", nn.Conv2d(1, 2, 3)), ("bn", nn.BatchNorm2d(2)), ("act", nn.ReLU()),
            ("blocks", nn.ModuleList([nn.Linear(2, 2), nn.Identity()])),
            ("heads", nn.ModuleDict({"a": nn.Linear(2, 1)})), ("flat", nn.Flatten()),
        ]))
    tm, em = build(torch), build(ember)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert repr(em) == repr(tm)
    assert len(list(em.modules(remove_duplicate=False))) == \
        len(list(tm.modules(remove_duplicate=False)))


def test_default_init_bounds_like_torch():
    """Default reset_parameters: Linear/Conv weights and biases in torch's kaiming-uniform bounds."""
    ember.manual_seed(0)
    lin = ember.nn.Linear(400, 300)
    w = lin.weight.detach().numpy()
    bound = 1 / np.sqrt(400)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert np.abs(lin.bias.detach().numpy()).max() <= bound
    conv = ember.nn.Conv2d(8, 16, 3)
    cb = 1 / np.sqrt(8 * 9)
    assert np.abs(conv.weight.detach().numpy()).max() <= cb
    emb = ember.nn.Embedding(2000, 16).weight.detach().numpy()
    assert abs(emb.std() - 1.0) < 0.05
    lstm = ember.nn.LSTM(3, 25)
    assert all(np.abs(p.detach().numpy()).max() <= 1 / np.sqrt(25) for p in lstm.parameters())
    bn = ember.nn.BatchNorm1d(3)
    assert bn.weight.tolist() == [1.0] * 3 and bn.running_var.tolist() == [1.0] * 3
    assert bn.num_batches_tracked.dtype == ember.int64


def test_nn_errors_match_torch():
    t, e = _raises_like(lambda L: L.nn.Linear(4, 3)(L.ones(2, 5)))
    assert "5" in e and "4" in e
    _raises_like(lambda L: L.nn.Linear(2, 2).nonexistent_attribute)
    _raises_like(lambda L: L.nn.Linear(2, 2).load_state_dict({"weight": L.ones(3, 2),
                                                              "bias": L.ones(2)}))


# ---------------------------------------------------------------- issue 5: optim ---------------
OPTIMIZERS = _split("Optimizer SGD Adam AdamW Adamax NAdam RAdam RMSprop Adagrad Adadelta Rprop "
                    "ASGD LBFGS")
SCHEDULERS = _split("""LRScheduler LambdaLR MultiplicativeLR StepLR MultiStepLR ConstantLR LinearLR
ExponentialLR PolynomialLR CosineAnnealingLR CosineAnnealingWarmRestarts CyclicLR OneCycleLR
ReduceLROnPlateau SequentialLR ChainedScheduler""")


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizer_signature_and_defaults(name):
    assert hasattr(ember.optim, name), f"ember.optim.{name} is missing"
    _check_signature(f"optim.{name}", getattr(torch.optim, name).__init__,
                     getattr(ember.optim, name).__init__)
    if name in ("Optimizer",):
        return
    tp, ep = torch.nn.Parameter(torch.ones(2)), ember.nn.Parameter(ember.ones(2))
    kw = {"lr": 0.1} if name == "SGD" else {}
    to, eo = getattr(torch.optim, name)([tp], **kw), getattr(ember.optim, name)([ep], **kw)
    for k, v in to.defaults.items():
        assert k in eo.defaults, f"{name}.defaults lacks {k}"
        if not isinstance(v, torch.Tensor):
            assert _same_default(v, eo.defaults[k]), f"{name}.defaults[{k}] {v} vs {eo.defaults[k]}"
    assert sorted(eo.param_groups[0]) == sorted(to.param_groups[0])


@pytest.mark.parametrize("name", _split("add_param_group zero_grad step state_dict load_state_dict "
                                        "register_step_pre_hook register_step_post_hook"))
def test_optimizer_method_signature(name):
    _check_signature(f"Optimizer.{name}", getattr(torch.optim.Optimizer, name),
                     getattr(ember.optim.Optimizer, name), skip_first=True)


@pytest.mark.parametrize("name", SCHEDULERS)
def test_scheduler_signature_and_defaults(name):
    assert hasattr(ember.optim.lr_scheduler, name), f"lr_scheduler.{name} is missing"
    _check_signature(f"lr_scheduler.{name}", getattr(torch.optim.lr_scheduler, name).__init__,
                     getattr(ember.optim.lr_scheduler, name).__init__)


def test_optimizer_errors_match_torch():
    _raises_like(lambda L: L.optim.SGD([L.nn.Parameter(L.ones(2))], lr=-1.0))
    _raises_like(lambda L: L.optim.Adam([L.nn.Parameter(L.ones(2))], betas=(1.5, 0.9)))
    _raises_like(lambda L: L.optim.SGD([L.nn.Parameter(L.ones(2)) * 2], lr=0.1))

    def twice(L):
        p = L.nn.Parameter(L.ones(2))
        L.optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)
    _raises_like(twice)


def test_swa_utils_surface():
    for n in ("AveragedModel", "SWALR", "update_bn"):
        assert hasattr(ember.optim.swa_utils, n), n
        obj_t, obj_e = getattr(torch.optim.swa_utils, n), getattr(ember.optim.swa_utils, n)
        _check_signature(f"swa_utils.{n}", obj_t.__init__ if isinstance(obj_t, type) else obj_t,
                         obj_e.__init__ if isinstance(obj_e, type) else obj_e,
                         check_defaults=False)


# ---------------------------------------------------------------- issue 6: data / mp ----------
DATA_NAMES = _split("""Dataset IterableDataset TensorDataset ConcatDataset ChainDataset Subset
StackDataset random_split SequentialSampler RandomSampler SubsetRandomSampler WeightedRandomSampler
BatchSampler DistributedSampler default_collate default_convert get_worker_info DataLoader""")


@pytest.mark.parametrize("name", DATA_NAMES)
def test_data_signature(name):
    import torch.utils.data as TD
    import ember.utils.data as ED
    assert hasattr(ED, name), f"ember.utils.data.{name} is missing"
    t, e = getattr(TD, name), getattr(ED, name)
    if isinstance(t, type):
        t, e = t.__init__, e.__init__
    _check_signature(f"data.{name}", t, e)


def test_dataloader_accepts_all_torch_arguments():
    import ember.utils.data as ED
    x = ember.arange(20.0).reshape(10, 2)
    ds = ED.TensorDataset(x, ember.arange(10))
    dl = ED.DataLoader(ds, batch_size=3, shuffle=True, sampler=None, batch_sampler=None,
                       num_workers=0, collate_fn=None, pin_memory=True, drop_last=True, timeout=0,
                       worker_init_fn=None, multiprocessing_context=None,
                       generator=ember.Generator().manual_seed(1), prefetch_factor=None,
                       persistent_workers=False, pin_memory_device="", in_order=True)
    assert len(dl) == 3
    batches = list(dl)
    assert len(batches) == 3 and tuple(batches[0][0].shape) == (3, 2)
    assert sorted(np.concatenate([b[1].numpy() for b in batches]).tolist()) == \
        sorted(set(np.concatenate([b[1].numpy() for b in batches]).tolist()))
    assert len(ED.DataLoader(ds, batch_size=None)) == 10


def test_multiprocessing_surface():
    import multiprocessing
    import ember.multiprocessing as EMP
    for n in ("get_context", "spawn", "Process", "Queue", "SimpleQueue", "Pool", "Pipe",
              "get_sharing_strategy", "set_sharing_strategy", "get_all_sharing_strategies",
              "set_start_method", "get_start_method"):
        assert hasattr(EMP, n), n
    assert set(multiprocessing.get_all_start_methods()) <= {"fork", "spawn", "forkserver"}
    assert EMP.get_sharing_strategy() in EMP.get_all_sharing_strategies()
    t = ember.ones(3).share_memory_()
    assert t.is_shared()
    assert hasattr(ember.nn.Module, "share_memory")


# ---------------------------------------------------------------- issue 7: save/load -----------
@pytest.mark.parametrize("name", ["save", "load"])
def test_save_load_signatures(name):
    _check_signature(name, getattr(torch, name), getattr(ember, name))


def test_safe_globals_and_safetensors_surface():
    import ember.serialization as S
    for n in ("add_safe_globals", "safe_globals", "get_safe_globals", "clear_safe_globals"):
        assert hasattr(S, n), n
    pytest.importorskip("safetensors")
    import ember.utils.safetensors as ST
    assert hasattr(ST, "save_file") and hasattr(ST, "load_file")


def test_save_load_interop_bytesio():
    sd = {"w": ember.arange(6.0).reshape(2, 3).t(), "b": ember.tensor([True, False]),
          "h": ember.ones(2, dtype=ember.bfloat16), "n": [1, 2.5, "x"]}
    buf = io.BytesIO()
    ember.save(sd, buf)
    buf.seek(0)
    back = torch.load(buf, weights_only=True)
    assert back["w"].tolist() == sd["w"].tolist() and back["w"].stride() == (1, 3)
    assert back["b"].dtype == torch.bool and back["h"].dtype == torch.bfloat16
    buf = io.BytesIO()
    torch.save(torch.nn.Linear(3, 2).state_dict(), buf)
    buf.seek(0)
    esd = ember.load(buf, map_location="cpu")
    assert list(esd) == ["weight", "bias"] and isinstance(esd["weight"], ember.Tensor)


def test_weights_only_rejects_unsafe_pickle():
    import pickle

    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))
    buf = io.BytesIO()
    torch.save({"x": Evil()}, buf)
    for lib in (torch, ember):
        buf.seek(0)
        with pytest.raises(pickle.UnpicklingError):
            lib.load(buf, weights_only=True)


# ---------------------------------------------------------------- issue 8: vision --------------
def test_vision_surface():
    import ember.vision as V
    for n in ("Compose", "ToTensor", "Normalize", "RandomCrop", "RandomHorizontalFlip", "Resize",
              "RandomRotation"):
        assert hasattr(V.transforms, n), f"vision.transforms.{n} missing"
    for n in ("FashionMNIST", "Digits"):
        assert hasattr(V.datasets, n), f"vision.datasets.{n} missing"
    for n in ("LeNet", "ResNet", "resnet18"):
        assert hasattr(V.models, n), f"vision.models.{n} missing"
    img = (np.arange(28 * 28 * 3) % 256).astype(np.uint8).reshape(28, 28, 3)
    t = V.transforms.Compose([V.transforms.ToTensor(),
                              V.transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])(img)
    assert tuple(t.shape) == (3, 28, 28) and t.dtype == ember.float32
    expected = (img.transpose(2, 0, 1).astype(np.float32) / 255 - 0.5) / 0.5
    np.testing.assert_allclose(t.numpy(), expected, rtol=1e-6, atol=1e-6)
    out = V.models.LeNet()(ember.zeros(2, 1, 28, 28))
    assert tuple(out.shape)[0] == 2


def test_fashion_mnist_missing_root_error(tmp_path):
    import ember.vision as V
    with pytest.raises((FileNotFoundError, RuntimeError)) as ei:
        V.datasets.FashionMNIST(root=str(tmp_path), train=True)
    assert "fashion" in str(ei.value).lower()


def test_grad_mode_objects_work_as_decorators():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in ("no_grad", "enable_grad", "inference_mode"):
            @getattr(ember, name)()
            def f(x):
                return (x * 2).requires_grad
            assert f(ember.ones(1, requires_grad=True)) == (name == "enable_grad")
        with ember.set_grad_enabled(False):
            assert not ember.is_grad_enabled()


# ---------------------------------------------------------------- keyword names, both libraries --
def _clip(L):
    p = L.nn.Parameter(L.ones(3))
    p.grad = L.ones(3) * 3
    return L.nn.utils.clip_grad_norm_([p], max_norm=1.0, norm_type=float("inf"),
                                      error_if_nonfinite=True)


def X(L): return L.tensor([[1.5, -2.0, 3.0],[0.5, 4.0, -1.0]])
def I(L): return L.tensor([[0, 2, 1],[1, 0, 2]])
KW_CASES = {
 "add alpha": lambda L: L.add(X(L), X(L), alpha=2),
 "sub alpha input=": lambda L: L.sub(input=X(L), other=X(L)*2, alpha=0.5),
 "add out": lambda L: (lambda o: (L.add(X(L), 1, out=o), o)[1])(L.empty(2,3)),
 "sum dim tuple keepdim dtype": lambda L: L.sum(X(L), dim=(0,1), keepdim=True, dtype=L.float64),
 "mean dim": lambda L: X(L).mean(dim=1, keepdim=True),
 "std correction": lambda L: L.std(X(L), dim=1, correction=0),
 "var unbiased": lambda L: X(L).var(1, unbiased=False),
 "max dim": lambda L: L.max(X(L), dim=1, keepdim=False).indices,
 "min dim values": lambda L: X(L).min(dim=0).values,
 "amax": lambda L: L.amax(X(L), dim=(0,), keepdim=True),
 "argmax": lambda L: L.argmax(X(L), dim=1, keepdim=True),
 "median dim": lambda L: L.median(X(L), dim=1).values,
 "mode": lambda L: L.mode(L.tensor([1,2,2,3]), dim=0).values,
 "kthvalue": lambda L: L.kthvalue(X(L), k=2, dim=1, keepdim=False).values,
 "quantile": lambda L: L.quantile(X(L), q=0.3, dim=1, keepdim=True, interpolation="midpoint"),
 "logsumexp": lambda L: L.logsumexp(X(L), dim=1, keepdim=False),
 "norm p dim": lambda L: L.norm(X(L), p=1, dim=1),
 "all dim": lambda L: L.all(X(L) > 0, dim=1),
 "count_nonzero": lambda L: L.count_nonzero(X(L), dim=0),
 "cumsum dtype": lambda L: L.cumsum(X(L), dim=1, dtype=L.float64),
 "cummax": lambda L: L.cummax(X(L), dim=1).indices,
 "diff": lambda L: L.diff(X(L), n=1, dim=-1, prepend=X(L)[:, :1]),
 "sort": lambda L: L.sort(X(L), dim=1, descending=True, stable=True).indices,
 "argsort": lambda L: L.argsort(X(L), dim=0, descending=True),
 "topk": lambda L: L.topk(X(L), k=2, dim=1, largest=False, sorted=True).values,
 "unique": lambda L: L.unique(L.tensor([3,1,3,2]), sorted=True, return_inverse=True, return_counts=True)[2],
 "unique_consecutive": lambda L: L.unique_consecutive(L.tensor([1,1,2,2,1]), return_counts=True)[1],
 "bincount": lambda L: L.bincount(L.tensor([0,1,1,3]), weights=L.tensor([1.,2,3,4]), minlength=5),
 "histc": lambda L: L.histc(X(L), bins=4, min=-2, max=4),
 "searchsorted": lambda L: L.searchsorted(L.tensor([1.,2,3]), L.tensor([2.5, 0]), right=True),
 "bucketize": lambda L: L.bucketize(L.tensor([2.5, 0]), L.tensor([1.,2,3]), right=False),
 "floor_divide": lambda L: L.floor_divide(L.tensor([-7, 7]), 2),
 "remainder": lambda L: L.remainder(L.tensor([-7., 7]), 3),
 "fmod": lambda L: L.fmod(L.tensor([-7., 7]), 3),
 "div rounding": lambda L: L.div(L.tensor([-7., 7]), 2, rounding_mode="trunc"),
 "round decimals": lambda L: L.round(X(L)*1.234, decimals=2),
 "clamp tensor": lambda L: L.clamp(X(L), min=L.zeros(3), max=L.full((3,), 2.0)),
 "clip": lambda L: X(L).clip(min=-1),
 "lerp": lambda L: L.lerp(X(L), L.ones(3), weight=0.3),
 "addcmul value": lambda L: L.addcmul(X(L), X(L), X(L), value=0.5),
 "addcdiv": lambda L: L.addcdiv(X(L), X(L), X(L)+10, value=2),
 "nan_to_num": lambda L: L.nan_to_num(L.tensor([float('nan'), float('inf')]), nan=1.0, posinf=2.0, neginf=3.0),
 "isclose": lambda L: L.isclose(X(L), X(L)+1e-6, rtol=1e-5, atol=1e-8, equal_nan=True),
 "allclose": lambda L: L.tensor(L.allclose(X(L), X(L), rtol=1e-5, atol=1e-8, equal_nan=False)),
 "logit eps": lambda L: L.logit(L.tensor([0., 0.5]), eps=1e-6),
 "cat dim": lambda L: L.cat((X(L), X(L)), dim=1),
 "concat": lambda L: L.concat([X(L), X(L)], dim=0),
 "stack": lambda L: L.stack([X(L), X(L)], dim=2),
 "repeat_interleave": lambda L: L.repeat_interleave(X(L), repeats=2, dim=0),
 "roll": lambda L: L.roll(X(L), shifts=(1,), dims=(1,)),
 "rot90": lambda L: L.rot90(X(L), k=1, dims=[0,1]),
 "tril diagonal": lambda L: L.tril(X(L), diagonal=-1),
 "diag_embed": lambda L: L.diag_embed(X(L), offset=1, dim1=0, dim2=2),
 "meshgrid": lambda L: L.meshgrid(L.arange(2), L.arange(3), indexing="xy")[0],
 "tensor_split indices": lambda L: L.tensor_split(X(L), indices=[1], dim=1)[1],
 "tensor_split sections": lambda L: X(L).tensor_split(sections=3, dim=1)[2],
 "flatten": lambda L: L.flatten(X(L), start_dim=0, end_dim=-1),
 "unflatten": lambda L: L.unflatten(L.arange(6), dim=0, sizes=(2,3)),
 "movedim": lambda L: L.movedim(X(L), source=0, destination=1),
 "narrow": lambda L: L.narrow(X(L), dim=1, start=1, length=2),
 "unfold": lambda L: L.arange(7.).unfold(dimension=0, size=3, step=2),
 "diagonal": lambda L: L.diagonal(X(L), offset=1, dim1=0, dim2=1),
 "gather": lambda L: L.gather(X(L), dim=1, index=I(L)),
 "scatter reduce": lambda L: L.zeros(2,3).scatter(dim=1, index=I(L), src=X(L), reduce="add"),
 "scatter_reduce": lambda L: L.zeros(2,3).scatter_reduce(1, I(L), X(L), reduce="amax", include_self=False),
 "index_add alpha": lambda L: L.zeros(3,3).index_add(0, L.tensor([0,2]), X(L), alpha=2),
 "index_fill": lambda L: X(L).index_fill(1, L.tensor([0]), -1.0),
 "masked_fill": lambda L: X(L).masked_fill(mask=X(L) > 0, value=0.0),
 "take_along_dim": lambda L: L.take_along_dim(X(L), I(L), dim=1),
 "nonzero as_tuple": lambda L: L.nonzero(X(L) > 0, as_tuple=True)[1],
 "where": lambda L: L.where(X(L) > 0, X(L), 0.0),
 "matmul": lambda L: L.matmul(L.ones(2, 1, 3, 4), L.ones(5, 4, 2)),
 "addmm beta alpha": lambda L: L.addmm(L.ones(2, 2), X(L), X(L).t(), beta=0.5, alpha=2),
 "baddbmm": lambda L: L.baddbmm(L.ones(1, 2, 2), X(L)[None], X(L).t()[None], beta=0.0),
 "einsum list": lambda L: L.einsum("ij,kj->ik", X(L), X(L)),
 "tensordot dims": lambda L: L.tensordot(X(L), X(L), dims=([1], [1])),
 "cross dim": lambda L: L.cross(X(L), X(L).flip(1), dim=1),
 "linalg.norm ord": lambda L: L.linalg.norm(X(L), ord="fro"),
 "vector_norm": lambda L: L.linalg.vector_norm(X(L), ord=3, dim=1, keepdim=True),
 "matrix_norm": lambda L: L.linalg.matrix_norm(X(L), ord="nuc"),
 "solve left": lambda L: L.linalg.solve(L.eye(2)*2, L.ones(2, 3), left=True),
 "cholesky upper": lambda L: L.linalg.cholesky(L.eye(2)*4, upper=True),
 "qr mode": lambda L: L.linalg.qr(L.eye(3), mode="reduced").R,
 "svd full": lambda L: L.linalg.svd(L.eye(3), full_matrices=False).S,
 "eigh UPLO": lambda L: L.linalg.eigh(L.eye(2)*3, UPLO="U").eigenvalues,
 "pinv hermitian": lambda L: L.linalg.pinv(L.eye(2)*2, hermitian=True),
 "lstsq": lambda L: L.linalg.lstsq(L.eye(2), L.ones(2, 1)).solution,
 "matrix_rank tol": lambda L: L.linalg.matrix_rank(L.eye(3), hermitian=False),
 "linspace dtype": lambda L: L.linspace(0, 1, steps=5, dtype=L.float64),
 "logspace base": lambda L: L.logspace(0, 2, steps=3, base=2.0),
 "arange step": lambda L: L.arange(start=0, end=1, step=0.25),
 "full": lambda L: L.full((2,), fill_value=3),
 "eye m": lambda L: L.eye(2, m=3, dtype=L.int32),
 "zeros_like dtype": lambda L: L.zeros_like(X(L), dtype=L.int64),
 "randint shape": lambda L: L.randint(low=0, high=5, size=(3,)).shape,
 "tensor requires_grad": lambda L: L.tensor([1.0], dtype=L.float64, device="cpu", requires_grad=True).requires_grad,
 "FloatTensor": lambda L: L.FloatTensor([[1, 2]]),
 "LongTensor": lambda L: L.LongTensor([1, 2]),
 "Tensor(5,3)": lambda L: L.Tensor(5, 3).shape,
 "size dim": lambda L: X(L).size(dim=1),
 "Size numel": lambda L: X(L).shape.numel(),
 "to dtype": lambda L: X(L).to(dtype=L.float64, copy=True),
 "to device str": lambda L: X(L).to("cpu", L.int32),
 "type str": lambda L: X(L).type("torch.DoubleTensor"),
 "type()": lambda L: X(L).type().split(".")[-1],
 "expand": lambda L: L.ones(3, 1).expand(-1, 4),
 "repeat": lambda L: X(L).repeat(2, 1),
 "squeeze dim tuple": lambda L: L.ones(1, 2, 1).squeeze(dim=(0, 2)),
 "sum input kw": lambda L: L.sum(input=X(L)),
 "softmax dtype": lambda L: L.softmax(X(L), dim=1, dtype=L.float64),
 "F.softmax": lambda L: L.nn.functional.log_softmax(X(L), dim=-1, dtype=L.float64),
 "F.pad reflect": lambda L: L.nn.functional.pad(X(L)[None], (1, 1), mode="reflect"),
 "F.interpolate": lambda L: L.nn.functional.interpolate(X(L)[None, None], scale_factor=2, mode="bilinear", align_corners=False),
 "F.one_hot": lambda L: L.nn.functional.one_hot(L.tensor([0, 2]), num_classes=4),
 "F.normalize": lambda L: L.nn.functional.normalize(X(L), p=2.0, dim=1, eps=1e-12),
 "F.cross_entropy": lambda L: L.nn.functional.cross_entropy(X(L), L.tensor([0, 2]), weight=L.tensor([1., 2, 3]), ignore_index=-100, reduction="sum", label_smoothing=0.1),
 "F.gelu tanh": lambda L: L.nn.functional.gelu(X(L), approximate="tanh"),
 "F.sdpa": lambda L: L.nn.functional.scaled_dot_product_attention(L.ones(1, 2, 3), L.ones(1, 2, 3), X(L)[None], is_causal=True),
 "clip_grad_norm_": lambda L: _clip(L),
 "set_printoptions": lambda L: (L.set_printoptions(precision=2), repr(X(L) / 3), L.set_printoptions(profile="default"))[1],
 "repr large": lambda L: repr(L.arange(2000.0)),
 "repr rg": lambda L: repr(L.tensor([1e-5, 1e5], requires_grad=True)),
 "repr int": lambda L: repr(L.tensor([1, 2], dtype=L.int32)),
}


@pytest.mark.parametrize("case", list(KW_CASES))
def test_keyword_calls_match_torch(case):
    """The call, spelled with PyTorch's keyword names, gives torch's value, dtype and shape."""
    fn = KW_CASES[case]
    t, e = fn(torch), fn(ember)
    if isinstance(t, torch.Tensor):
        assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
        assert tuple(e.shape) == tuple(t.shape)
        ember.testing.assert_close(e.detach().double(),
                                   ember.tensor(t.detach().double().numpy()),
                                   rtol=1e-5, atol=1e-6, equal_nan=True)
    elif isinstance(t, torch.Size):
        assert tuple(e) == tuple(t)
    else:
        assert e == t
