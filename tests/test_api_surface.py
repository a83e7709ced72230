"""The API surface named in the project's issues (2-8) against real PyTorch.

For every function, method, class, argument and default those issues name, check that Ember has
it with PyTorch's signature (parameter names and defaults), that nn layers build the same
state_dict keys/shapes, that optimizers/schedulers/DataLoader accept PyTorch's arguments, and that
the listed errors raise PyTorch's exception types. Skips cleanly when torch is missing.
"""

import importlib
import inspect

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

from api_surface_util import (  # noqa: E402,F401
    LAYERS, _check_signature, _params, _opaque, _raises_like, _same_default, _split)


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
clip round nan_to_num logit multinomial bernoulli __len__ __iter__ __bool__ __index__ __float__ __int__ __hash__""")

TENSOR_PROPS = _split("shape ndim dtype device T mT is_leaf grad grad_fn requires_grad data")

LINALG = _split(
    """norm vector_norm matrix_norm inv det slogdet solve cholesky qr svd eigh pinv lstsq
matrix_power matrix_rank"""
)


@pytest.mark.parametrize("name", TOP_FUNCS)
def test_top_level_function_signature(name):
    assert hasattr(ember, name), f"ember.{name} is missing"
    _check_signature(
        f"ember.{name}", getattr(torch, name), getattr(ember, name), check_defaults=False
    )


@pytest.mark.parametrize("name", TOP_OBJECTS)
def test_top_level_objects_exist(name):
    assert hasattr(ember, name), f"ember.{name} is missing"


@pytest.mark.parametrize("name", TENSOR_METHODS)
def test_tensor_method_signature(name):
    assert hasattr(ember.Tensor, name), f"Tensor.{name} is missing"
    _check_signature(
        f"Tensor.{name}",
        getattr(torch.Tensor, name),
        getattr(ember.Tensor, name),
        skip_first=True,
        check_defaults=False,
    )


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
        assert [p.tolist() for p in lib.split(x, split_size_or_sections=[1, 5])] == [
            [0.0],
            [1.0, 2.0, 3.0, 4.0, 5.0],
        ]


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
    assert str(ember.promote_types(ember.int32, ember.float16)) == str(
        torch.promote_types(torch.int32, torch.float16)
    )


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
AUTOGRAD = _split(
    "grad backward Function Variable gradcheck gradgradcheck detect_anomaly " "set_detect_anomaly"
)


@pytest.mark.parametrize("name", AUTOGRAD)
def test_autograd_surface(name):
    assert hasattr(ember.autograd, name), f"ember.autograd.{name} is missing"
    if name in ("grad", "gradcheck", "gradgradcheck"):
        _check_signature(
            f"autograd.{name}",
            getattr(torch.autograd, name),
            getattr(ember.autograd, name),
            check_defaults=(name == "grad"),
        )


def test_autograd_backward_signature():
    """ember.autograd.backward has torch's parameters, except the long-deprecated grad_variables."""
    tn = [n for n in _params(torch.autograd.backward) if n != "grad_variables"]
    assert [n for n in _params(ember.autograd.backward) if n in tn] == tn
    _check_signature(
        "Tensor.backward", torch.Tensor.backward, ember.Tensor.backward, skip_first=True
    )


@pytest.mark.parametrize("name", _split("jacobian hessian vjp jvp"))
def test_autograd_functional_signature(name):
    _check_signature(
        f"autograd.functional.{name}",
        getattr(torch.autograd.functional, name),
        getattr(ember.autograd.functional, name),
    )


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

NN_INIT = _split(
    """uniform_ normal_ constant_ ones_ zeros_ eye_ dirac_ xavier_uniform_ xavier_normal_
kaiming_uniform_ kaiming_normal_ trunc_normal_ orthogonal_ sparse_ calculate_gain"""
)

MODULE_METHODS = _split("""forward register_buffer register_parameter add_module register_module
parameters named_parameters buffers named_buffers children named_children modules named_modules
state_dict load_state_dict train eval requires_grad_ zero_grad to cpu cuda float double half type
apply get_submodule get_parameter register_forward_pre_hook register_forward_hook
register_full_backward_hook extra_repr share_memory""")


@pytest.mark.parametrize("name", NN_CLASSES)
def test_nn_class_signature_and_defaults(name):
    assert hasattr(ember.nn, name), f"ember.nn.{name} is missing"
    _check_signature(
        f"nn.{name}", getattr(torch.nn, name).__init__, getattr(ember.nn, name).__init__
    )


@pytest.mark.parametrize("name", NN_FUNCTIONAL)
def test_nn_functional_signature_and_defaults(name):
    assert hasattr(ember.nn.functional, name), f"F.{name} is missing"
    _check_signature(
        f"F.{name}", getattr(torch.nn.functional, name), getattr(ember.nn.functional, name)
    )


@pytest.mark.parametrize("name", NN_INIT)
def test_nn_init_signature_and_defaults(name):
    _check_signature(f"init.{name}", getattr(torch.nn.init, name), getattr(ember.nn.init, name))


@pytest.mark.parametrize("name", MODULE_METHODS)
def test_module_method_signature(name):
    assert hasattr(ember.nn.Module, name), f"Module.{name} is missing"
    _check_signature(
        f"Module.{name}",
        getattr(torch.nn.Module, name),
        getattr(ember.nn.Module, name),
        skip_first=True,
    )


@pytest.mark.parametrize(
    "mod, name",
    [
        ("utils", "clip_grad_norm_"),
        ("utils", "clip_grad_value_"),
        ("utils", "parameters_to_vector"),
        ("utils", "vector_to_parameters"),
        ("utils", "weight_norm"),
        ("utils", "spectral_norm"),
        ("utils.rnn", "pack_padded_sequence"),
        ("utils.rnn", "pad_packed_sequence"),
        ("utils.rnn", "pad_sequence"),
        ("utils.rnn", "pack_sequence"),
        ("utils.rnn", "PackedSequence"),
    ],
)
def test_nn_utils_signature(mod, name):
    tm = importlib.import_module("torch.nn." + mod)
    em = importlib.import_module("ember.nn." + mod)
    assert hasattr(em, name), f"ember.nn.{mod}.{name} is missing"
    if not isinstance(getattr(tm, name), type):
        _check_signature(f"nn.{mod}.{name}", getattr(tm, name), getattr(em, name))


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
        return nn.Sequential(
            OrderedDict(
                [
                    ("conv", nn.Conv2d(1, 2, 3)),
                    ("bn", nn.BatchNorm2d(2)),
                    ("act", nn.ReLU()),
                    ("blocks", nn.ModuleList([nn.Linear(2, 2), nn.Identity()])),
                    ("heads", nn.ModuleDict({"a": nn.Linear(2, 1)})),
                    ("flat", nn.Flatten()),
                ]
            )
        )

    tm, em = build(torch), build(ember)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert repr(em) == repr(tm)
    assert len(list(em.modules(remove_duplicate=False))) == len(
        list(tm.modules(remove_duplicate=False))
    )


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
    _raises_like(
        lambda L: L.nn.Linear(2, 2).load_state_dict({"weight": L.ones(3, 2), "bias": L.ones(2)})
    )
