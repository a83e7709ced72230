"""Generated bad calls of the public API for the differential argument fuzz test.

Each template is one valid call of a public function, method or constructor, written against
a module ``T`` (``torch`` or ``ember``) and a dict of named arguments. ``cases()`` takes every
template and replaces one argument at a time with a bad value (floats, bools, strings, None,
0-d tensors, negative ints, 2**63, nan/inf, wrong-length tuples, empty lists, wrong dtypes,
mismatched shapes), so both libraries run exactly the same list, in the same order, with the
same ids. Generation is deterministic (a fixed seed picks the few extra values drawn at
random); ``argument_fuzz_worker.py`` runs the cases and ``test_argument_fuzz.py`` compares.
"""
import math
import random

SEED = 16


class L:
    """A value built per library: ``L(lambda T: T.ones(3))``."""
    __slots__ = ("make", "name")

    def __init__(self, make, name):
        self.make, self.name = make, name


def value(v, T):
    """The concrete argument for library ``T`` (lazy values built, containers walked)."""
    if isinstance(v, L):
        return v.make(T)
    if isinstance(v, tuple):
        return tuple(value(x, T) for x in v)
    if isinstance(v, list):
        return [value(x, T) for x in v]
    if isinstance(v, dict):
        return {k: value(x, T) for k, x in v.items()}
    return v


def _t(shape, dtype="float32", name=None):
    def make(T):
        g = T.Generator().manual_seed(0)
        dt = getattr(T, dtype)
        if dtype in ("float32", "float64"):
            return T.randn(shape, generator=g).to(dt)
        if dtype == "bool":
            return T.ones(shape, dtype=dt)
        return T.randint(0, 3, shape, generator=g).to(dt)
    return L(make, name or f"t{list(shape)}{dtype}")


# Bad values by kind. Each is (label, value); values may be lazy.
T0F = L(lambda T: T.tensor(2.5), "tensor(2.5)")
T0I = L(lambda T: T.tensor(2), "tensor(2)")
T0B = L(lambda T: T.tensor(True), "tensor(True)")
T1I = L(lambda T: T.tensor([1, 2]), "tensor([1,2])")
COMMON = [("float", 1.5), ("bool", True), ("str", "a"), ("None", None), ("t0f", T0F),
          ("list_empty", []), ("obj", object)]
INT = COMMON + [("neg", -1), ("neg_big", -7), ("i2_63", 2 ** 63), ("i2_64", 2 ** 64),
                ("nan", math.nan), ("inf", math.inf), ("t0i", T0I), ("t1i", T1I), ("zero", 0),
                ("intfloat", 2.0)]
SIZE = INT + [("huge", 10 ** 12)]
INTS = INT + [("tup_float", (1.5, 1)), ("tup_bool", (True, 1)), ("tup_str", ("a", 1)),
              ("tup_long", (1, 1, 1, 1, 1)), ("tup_short", (1,)), ("tup_neg", (-1, 1)),
              ("tup_huge", (2 ** 63, 1)), ("tup_none", (None, 1)), ("tup_t0f", (T0F, 1))]
FLOAT = COMMON + [("neg", -1.0), ("nan", math.nan), ("inf", math.inf), ("ninf", -math.inf),
                  ("i2_63", 2 ** 63), ("t0i", T0I), ("complex", 1j), ("tup", (1.0, 2.0))]
PROB = FLOAT + [("big", 1.5), ("one", 1.0), ("zero", 0.0), ("negsmall", -0.1)]
BOOL = [("int", 1), ("int2", 2), ("float", 1.0), ("str", "x"), ("None", None), ("t0b", T0B),
        ("t0f", T0F), ("list", [True])]
DTYPE = [("str", "float32"), ("np", L(lambda T: __import__("numpy").float32, "np.float32")),
         ("pyfloat", float), ("pyint", int), ("int", 1), ("None", None), ("list", [])]
DIM = INT + [("dim_big", 5), ("dim_negbig", -5), ("tup_dims", (0, 0))]


def TENS(shape, dtype="float32"):
    """Bad values for a tensor argument shaped ``shape``."""
    wrong = "int64" if dtype.startswith("float") else "float32"
    bad = [("int", 1), ("float", 1.5), ("str", "a"), ("None", None), ("list", [1.0, 2.0]),
           ("t0f", T0F), ("wrong_dtype", _t(shape, wrong)), ("t_bool", _t(shape, "bool")),
           ("t_empty", _t((0,), dtype)), ("t_1d", _t((5,), dtype)),
           ("t_3d", _t((2, 3, 4), dtype)), ("t_f64", _t(shape, "float64"))]
    if len(shape) >= 1:
        other = tuple(s + 1 for s in shape)
        bad.append(("t_mismatch", _t(other, dtype)))
    return bad


TEMPLATES = []


def template(name, fn, **args):
    """Register ``fn(T, **args)``; each arg given as (valid value, bad kinds)."""
    TEMPLATES.append((name, fn, args))


def _register():
    A = lambda shape=(2, 3), dt="float32": _t(shape, dt)  # noqa: E731
    x23, x234 = A((2, 3)), A((2, 3, 4))
    img = A((1, 2, 6, 6))
    img1d, img3d = A((1, 2, 6)), A((1, 2, 4, 4, 4))
    w2d = A((3, 2, 3, 3))
    idx = L(lambda T: T.tensor([0, 2, 1]), "idx")
    lbl = L(lambda T: T.tensor([0, 2]), "lbl")

    # creation
    for f in ("zeros", "ones", "empty", "rand", "randn"):
        template(f, lambda T, size, f=f, dtype=None: getattr(T, f)(size, dtype=dtype),
                 size=((2, 3), SIZE + INTS), dtype=(None, DTYPE[:2] + DTYPE[4:]))
    template("zeros_star", lambda T, a, b: T.zeros(a, b), a=(2, SIZE), b=(3, SIZE))
    template("full", lambda T, size, fill, dtype: T.full(size, fill, dtype=dtype),
             size=((2,), SIZE + INTS), fill=(1, FLOAT + [("t1i", T1I)]),
             dtype=(L(lambda T: T.int64, "int64"), DTYPE))
    template("full_float", lambda T, fill: T.full((2,), fill, dtype=T.float32),
             fill=(1.0, FLOAT))
    template("arange", lambda T, end: T.arange(end), end=(5, FLOAT + INT))
    template("arange3", lambda T, start, end, step: T.arange(start, end, step),
             start=(0, FLOAT + INT), end=(5, FLOAT + INT), step=(1, FLOAT + INT))
    template("linspace", lambda T, start, end, steps: T.linspace(start, end, steps),
             start=(0.0, FLOAT), end=(1.0, FLOAT), steps=(5, SIZE))
    template("logspace", lambda T, steps, base: T.logspace(0, 1, steps, base=base),
             steps=(5, SIZE), base=(10.0, FLOAT))
    template("eye", lambda T, n, m: T.eye(n, m), n=(3, SIZE), m=(2, SIZE))
    template("randint", lambda T, low, high, size: T.randint(low, high, size),
             low=(0, INT + FLOAT), high=(5, INT + FLOAT), size=((3,), SIZE + INTS))
    template("randperm", lambda T, n: T.randperm(n), n=(5, SIZE))
    template("tensor", lambda T, data, dtype: T.tensor(data, dtype=dtype),
             data=([1.0, 2.0], [("str", "a"), ("ragged", [[1, 2], [3]]), ("None", None),
                                ("obj", object), ("nested_str", [["a"]]),
                                ("mixed", [1, "a"]), ("dict", {"a": 1}), ("huge", [2 ** 64])]),
             dtype=(None, DTYPE))
    template("full_like", lambda T, x, fill: T.full_like(x, fill), x=(x23, TENS((2, 3))),
             fill=(1.0, FLOAT))
    template("zeros_like", lambda T, x, dtype: T.zeros_like(x, dtype=dtype),
             x=(x23, TENS((2, 3))), dtype=(None, DTYPE))
    template("empty_strided", lambda T, size, stride: T.empty_strided(size, stride),
             size=((2, 3), INTS), stride=((3, 1), INTS))
    template("tril_indices", lambda T, r, c, off: T.tril_indices(r, c, off),
             r=(3, SIZE), c=(3, SIZE), off=(0, INT))

    # shape / view ops
    template("reshape", lambda T, x, shape: x.reshape(shape), x=(x23, TENS((2, 3))),
             shape=((3, 2), INTS + [("two_neg", (-1, -1)), ("bad_numel", (4, 2))]))
    template("view", lambda T, a, b: x23.make(T).view(a, b), a=(3, INT), b=(-1, INT))
    template("view_dtype", lambda T, dt: x23.make(T).view(dt), dt=(L(lambda T: T.int32, "i32"),
                                                                  DTYPE))
    template("permute", lambda T, dims: x234.make(T).permute(dims),
             dims=((2, 0, 1), INTS + [("dup", (0, 0, 1)), ("range", (0, 1, 5))]))
    template("transpose", lambda T, d0, d1: x23.make(T).transpose(d0, d1),
             d0=(0, DIM), d1=(1, DIM))
    template("squeeze", lambda T, d: x23.make(T).unsqueeze(0).squeeze(d), d=(0, DIM))
    template("unsqueeze", lambda T, d: x23.make(T).unsqueeze(d), d=(0, DIM))
    template("flatten", lambda T, s, e: x234.make(T).flatten(s, e), s=(0, DIM), e=(-1, DIM))
    template("unflatten", lambda T, d, sizes: x234.make(T).unflatten(d, sizes),
             d=(1, DIM), sizes=((3, 1), INTS + [("bad", (2, 2))]))
    template("expand", lambda T, sizes: x23.make(T).expand(sizes),
             sizes=((4, 2, 3), INTS + [("bad", (2, 4))]))
    template("repeat", lambda T, sizes: x23.make(T).repeat(sizes),
             sizes=((2, 1), INTS))
    template("narrow", lambda T, d, s, n: x23.make(T).narrow(d, s, n),
             d=(1, DIM), s=(0, INT), n=(2, INT))
    template("split", lambda T, s, d: x23.make(T).split(s, d),
             s=(1, INT + [("list_float", [1.5, 1.5]), ("list_bad_sum", [1, 1]),
                         ("list_neg", [4, -1])]), d=(1, DIM))
    template("chunk", lambda T, c, d: x23.make(T).chunk(c, d), c=(2, INT), d=(1, DIM))
    template("tensor_split", lambda T, s, d: x23.make(T).tensor_split(s, d),
             s=(2, INT), d=(1, DIM))
    template("movedim", lambda T, s, d: x234.make(T).movedim(s, d), s=(0, DIM), d=(2, DIM))
    template("as_strided", lambda T, size, stride, off: x23.make(T).as_strided(size, stride, off),
             size=((2, 2), INTS), stride=((1, 2), INTS), off=(0, INT))
    template("roll", lambda T, s, d: x23.make(T).roll(s, d), s=(1, INT + INTS), d=(1, DIM))
    template("flip", lambda T, d: x23.make(T).flip(d), d=((0,), INTS + DIM))
    template("rot90", lambda T, k, dims: x23.make(T).rot90(k, dims),
             k=(1, INT), dims=((0, 1), INTS))
    template("diagonal", lambda T, off, d1, d2: x23.make(T).diagonal(off, d1, d2),
             off=(0, INT), d1=(0, DIM), d2=(1, DIM))
    template("tril", lambda T, x, k: T.tril(x, k), x=(x23, TENS((2, 3))), k=(0, INT))
    template("t", lambda T, x: x.t(), x=(x23, TENS((2, 3))))
    template("unfold", lambda T, d, size, step: x23.make(T).unfold(d, size, step),
             d=(1, DIM), size=(2, INT), step=(1, INT))
    template("contiguous", lambda T, x: T.flatten(x), x=(x23, TENS((2, 3))))

    # reductions with dim
    for f in ("sum", "mean", "prod", "amax", "std", "var", "logsumexp", "argmax", "max",
              "cumsum", "softmax", "norm", "all", "median", "count_nonzero"):
        template(f, lambda T, x, dim, f=f: getattr(T, f)(x, dim), x=(x23, TENS((2, 3))),
                 dim=(1, DIM))
    template("sum_keep", lambda T, keep: x23.make(T).sum(1, keepdim=keep), keep=(True, BOOL))
    template("sum_dtype", lambda T, dt: x23.make(T).sum(dtype=dt),
             dt=(L(lambda T: T.float64, "f64"), DTYPE))
    template("topk", lambda T, k, d: x23.make(T).topk(k, d), k=(2, INT), d=(1, DIM))
    template("kthvalue", lambda T, k, d: x23.make(T).kthvalue(k, d), k=(2, INT), d=(1, DIM))
    template("sort", lambda T, d, desc: x23.make(T).sort(d, desc), d=(1, DIM), desc=(True, BOOL))
    template("std_corr", lambda T, c: x23.make(T).std(1, correction=c), c=(1, FLOAT))
    template("quantile", lambda T, q: T.quantile(x23.make(T), q, 1),
             q=(0.5, PROB + [("t_out", L(lambda T: T.tensor([0.5, 2.0]), "q_out"))]))
    template("cumsum_dtype", lambda T, dt: T.cumsum(x23.make(T), 1, dtype=dt),
             dt=(L(lambda T: T.float64, "f64"), DTYPE))
    template("histc", lambda T, bins, mn, mx: T.histc(x23.make(T), bins, mn, mx),
             bins=(4, INT), mn=(0.0, FLOAT), mx=(1.0, FLOAT))
    template("clamp", lambda T, mn, mx: x23.make(T).clamp(mn, mx), mn=(0.0, FLOAT), mx=(1.0, FLOAT))
    template("pow", lambda T, x, e: T.pow(x, e), x=(x23, TENS((2, 3))), e=(2.0, FLOAT))
    template("add_alpha", lambda T, y, a: T.add(x23.make(T), y, alpha=a),
             y=(x23, TENS((2, 3))), a=(1.0, FLOAT))

    # indexing
    template("index_select", lambda T, d, i: T.index_select(x23.make(T), d, i),
             d=(1, DIM), i=(idx, TENS((3,), "int64")))
    template("gather", lambda T, d, i: T.gather(x23.make(T), d, i),
             d=(1, DIM), i=(L(lambda T: T.tensor([[0, 1], [1, 2]]), "gi"), TENS((2, 2), "int64")))
    template("scatter", lambda T, d, i, s: T.zeros(2, 3).scatter(d, i, s),
             d=(1, DIM), i=(L(lambda T: T.tensor([[0, 1], [1, 2]]), "gi"), TENS((2, 2), "int64")),
             s=(A((2, 2)), TENS((2, 2))))
    template("index_add_", lambda T, d, i, s: T.zeros(2, 3).index_add_(d, i, s),
             d=(1, DIM), i=(idx, TENS((3,), "int64")), s=(A((2, 3)), TENS((2, 3))))
    template("index_fill", lambda T, d, i, v: x23.make(T).index_fill(d, i, v),
             d=(1, DIM), i=(idx, TENS((3,), "int64")), v=(0.0, FLOAT))
    template("masked_fill", lambda T, m, v: x23.make(T).masked_fill(m, v),
             m=(_t((2, 3), "bool"), TENS((2, 3), "bool")), v=(0.0, FLOAT))
    template("getitem", lambda T, i: x23.make(T)[i],
             i=(1, INT + [("tup_long", (0, 0, 0)), ("float_slice", slice(0.5, 1)),
                          ("t_float", T0F), ("list_float", [0.5])]))
    template("take", lambda T, i: T.take(x23.make(T), i), i=(idx, TENS((3,), "int64")))
    template("where", lambda T, c, y: T.where(c, x23.make(T), y),
             c=(_t((2, 3), "bool"), TENS((2, 3), "bool")), y=(A((2, 3)), TENS((2, 3))))
    template("one_hot", lambda T, t, n: T.nn.functional.one_hot(t, n),
             t=(idx, TENS((3,), "int64")), n=(4, SIZE))
    template("embedding", lambda T, i, w, pad: T.nn.functional.embedding(i, w, pad),
             i=(idx, TENS((3,), "int64")), w=(A((4, 2)), TENS((4, 2))), pad=(None, INT))
    template("bincount", lambda T, i, n: T.bincount(i, minlength=n),
             i=(idx, TENS((3,), "int64")), n=(0, INT))

    # joining
    for f in ("cat", "stack", "hstack", "vstack"):
        template(f, lambda T, ts, f=f: getattr(T, f)(ts),
                 ts=((x23, x23), [("tensor", x23), ("int", 1), ("str", "ab"), ("None", None),
                                  ("empty", []), ("mixed", (x23, 1)),
                                  ("mismatch", (x23, A((3, 3)))), ("tup_none", (x23, None))]))
    template("cat_dim", lambda T, d: T.cat([x23.make(T), x23.make(T)], d), d=(1, DIM))
    template("stack_dim", lambda T, d: T.stack([x23.make(T), x23.make(T)], d), d=(1, DIM))
    template("outer", lambda T, a, b: T.outer(a, b), a=(A((3,)), TENS((3,))),
             b=(A((2,)), TENS((2,))))
    template("tensordot", lambda T, dims: T.tensordot(x23.make(T), A((3, 2)).make(T), dims),
             dims=(1, INT + [("pairs_bad", ([0], [1]))]))
    template("matmul", lambda T, a, b: T.matmul(a, b), a=(x23, TENS((2, 3))),
             b=(A((3, 2)), TENS((3, 2))))
    template("einsum", lambda T, eq: T.einsum(eq, x23.make(T), A((3, 2)).make(T)),
             eq=("ij,jk->ik", [("int", 1), ("bad", "ij,jk->iz"), ("none", None),
                               ("wrong_n", "ij->ij")]))
    template("broadcast_to", lambda T, s: T.broadcast_to(x23.make(T), s),
             s=((4, 2, 3), INTS))
    template("meshgrid", lambda T, ix: T.meshgrid(A((2,)).make(T), A((3,)).make(T), indexing=ix),
             ix=("ij", [("bad", "zz"), ("int", 1)]))

    # nn.functional: conv / pool / interp / losses / norms / dropout / pad
    F = lambda T: T.nn.functional  # noqa: E731
    template("conv2d", lambda T, x, w, stride, padding, dilation, groups:
             F(T).conv2d(x, w, None, stride, padding, dilation, groups),
             x=(img, TENS((1, 2, 6, 6))), w=(w2d, TENS((3, 2, 3, 3))),
             stride=(1, INTS), padding=(1, INTS + [("same_str", "same"), ("bad_str", "full")]),
             dilation=(1, INTS), groups=(1, INT + [("two", 2)]))
    template("conv1d", lambda T, stride, padding: F(T).conv1d(img1d.make(T), A((3, 2, 3)).make(T),
                                                              None, stride, padding),
             stride=(1, INTS), padding=(0, INTS))
    template("conv_transpose2d", lambda T, stride, op: F(T).conv_transpose2d(
        img.make(T), A((2, 3, 3, 3)).make(T), None, stride, 0, op),
        stride=(2, INTS), op=(1, INTS))
    template("max_pool2d", lambda T, k, s, p, d, ceil: F(T).max_pool2d(img.make(T), k, s, p, d,
                                                                       ceil),
             k=(2, INTS), s=(None, INTS), p=(0, INTS + [("too_big", 2)]), d=(1, INTS),
             ceil=(False, BOOL))
    template("avg_pool2d", lambda T, k, s, p, ceil, cip: F(T).avg_pool2d(img.make(T), k, s, p,
                                                                         ceil, cip),
             k=(2, INTS), s=(None, INTS), p=(0, INTS), ceil=(False, BOOL), cip=(True, BOOL))
    template("max_pool1d", lambda T, k: F(T).max_pool1d(img1d.make(T), k), k=(2, INTS))
    template("avg_pool3d", lambda T, k: F(T).avg_pool3d(img3d.make(T), k), k=(2, INTS))
    template("adaptive_avg_pool2d", lambda T, x, o: F(T).adaptive_avg_pool2d(x, o),
             x=(img, TENS((1, 2, 6, 6))), o=((3, 3), SIZE + INTS))
    template("adaptive_max_pool2d", lambda T, o: F(T).adaptive_max_pool2d(img.make(T), o),
             o=((3, 3), SIZE + INTS))
    template("adaptive_avg_pool1d", lambda T, o: F(T).adaptive_avg_pool1d(img1d.make(T), o),
             o=(3, SIZE + INTS))
    template("interpolate", lambda T, x, size, sf, mode: F(T).interpolate(x, size, sf, mode),
             x=(img, TENS((1, 2, 6, 6))), size=((4, 4), SIZE + INTS),
             sf=(None, FLOAT), mode=("nearest", [("bad", "cubicz"), ("int", 1),
                                                 ("linear", "linear")]))
    template("interpolate_sf", lambda T, sf, ac: F(T).interpolate(img.make(T), None, sf,
                                                                  "bilinear", ac),
             sf=(2.0, FLOAT), ac=(False, BOOL))
    template("pad", lambda T, p, mode, v: F(T).pad(x234.make(T), p, mode, v),
             p=((1, 1), INTS + [("odd", (1, 1, 1))]), mode=("constant", [("bad", "zz"),
                                                                           ("int", 1)]),
             v=(0.0, FLOAT))
    template("pad_reflect", lambda T, p: F(T).pad(A((1, 2, 4)).make(T), p, "reflect"),
             p=((1, 1), INTS + [("too_big", (4, 4))]))
    template("unfold_f", lambda T, k, s: F(T).unfold(img.make(T), k, 1, 0, s),
             k=(2, INTS), s=(1, INTS))
    template("pixel_shuffle", lambda T, r: F(T).pixel_shuffle(A((1, 4, 2, 2)).make(T), r),
             r=(2, INT + [("three", 3)]))
    for f in ("dropout", "dropout1d", "dropout2d", "alpha_dropout", "feature_alpha_dropout"):
        shp = {"dropout1d": (2, 3, 4), "dropout2d": (1, 2, 3, 4)}.get(f, (2, 3))
        template(f, lambda T, p, tr, f=f, shp=shp: getattr(F(T), f)(A(shp).make(T), p, tr),
                 p=(0.5, PROB), tr=(True, BOOL))
    template("dropout_inplace", lambda T, inp: F(T).dropout(x23.make(T), 0.5, True, inp),
             inp=(False, BOOL))
    for f in ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
              "soft_margin_loss"):
        template(f, lambda T, x, y, red, f=f: getattr(F(T), f)(
            x.sigmoid() if f == "binary_cross_entropy" and hasattr(x, "sigmoid") else x,
            y.sigmoid() if f == "binary_cross_entropy" and hasattr(y, "sigmoid") else y,
            reduction=red),
            x=(x23, TENS((2, 3))), y=(A((2, 3)), TENS((2, 3))),
            red=("mean", [("bad", "avg"), ("int", 1), ("None", None)]))
    template("huber_delta", lambda T, d: F(T).huber_loss(x23.make(T), x23.make(T), delta=d),
             d=(1.0, FLOAT + [("zero", 0.0)]))
    template("smooth_l1_beta", lambda T, b: F(T).smooth_l1_loss(x23.make(T), x23.make(T), beta=b),
             b=(1.0, FLOAT))
    template("cross_entropy", lambda T, x, y, ls, ii: F(T).cross_entropy(
        x, y, ignore_index=ii, label_smoothing=ls),
        x=(x23, TENS((2, 3))), y=(lbl, TENS((2,), "int64") + [("out_range", L(
            lambda T: T.tensor([0, 7]), "lbl7"))]),
        ls=(0.0, PROB), ii=(-100, INT))
    template("nll_loss", lambda T, x, y, w: F(T).nll_loss(x, y, w),
             x=(x23, TENS((2, 3))), y=(lbl, TENS((2,), "int64")), w=(None, TENS((3,))))
    template("kl_div", lambda T, red, lt: F(T).kl_div(x23.make(T), x23.make(T), reduction=red,
                                                       log_target=lt),
             red=("batchmean", [("bad", "avg")]), lt=(False, BOOL))
    template("margin_ranking", lambda T, m: F(T).margin_ranking_loss(
        A((3,)).make(T), A((3,)).make(T), A((3,)).make(T).sign(), margin=m), m=(0.0, FLOAT))
    template("triplet", lambda T, m, p: F(T).triplet_margin_loss(x23.make(T), x23.make(T),
                                                                 x23.make(T), m, p),
             m=(1.0, FLOAT), p=(2.0, FLOAT))
    template("cosine_similarity", lambda T, d, eps: F(T).cosine_similarity(
        x23.make(T), x23.make(T), d, eps), d=(1, DIM), eps=(1e-8, FLOAT))
    template("normalize", lambda T, p, d: F(T).normalize(x23.make(T), p, d),
             p=(2.0, FLOAT), d=(1, DIM))
    template("layer_norm", lambda T, x, shape, eps: F(T).layer_norm(x, shape, eps=eps),
             x=(x23, TENS((2, 3))), shape=((3,), INTS + [("wrong", (2,))]), eps=(1e-5, FLOAT))
    template("layer_norm_w", lambda T, w: F(T).layer_norm(x23.make(T), (3,), w),
             w=(A((3,)), TENS((3,))))
    template("batch_norm", lambda T, rm, rv, tr, mom: F(T).batch_norm(
        x23.make(T), rm, rv, training=tr, momentum=mom),
        rm=(L(lambda T: T.zeros(3), "z3"), TENS((3,))), rv=(L(lambda T: T.ones(3), "o3"),
                                                           TENS((3,))),
        tr=(False, BOOL), mom=(0.1, FLOAT))
    template("group_norm", lambda T, g: F(T).group_norm(A((2, 4, 3)).make(T), g),
             g=(2, INT + [("three", 3)]))
    template("instance_norm", lambda T, x: F(T).instance_norm(x), x=(x234, TENS((2, 3, 4))))
    template("softmax_f", lambda T, d, dt: F(T).softmax(x23.make(T), d, dtype=dt),
             d=(1, DIM), dt=(None, DTYPE))
    template("gumbel", lambda T, tau, hard: F(T).gumbel_softmax(x23.make(T), tau, hard),
             tau=(1.0, FLOAT), hard=(False, BOOL))
    template("leaky_relu", lambda T, s: F(T).leaky_relu(x23.make(T), s), s=(0.01, FLOAT))
    template("elu", lambda T, a: F(T).elu(x23.make(T), a), a=(1.0, FLOAT))
    template("hardtanh", lambda T, a, b: F(T).hardtanh(x23.make(T), a, b),
             a=(-1.0, FLOAT), b=(1.0, FLOAT))
    template("glu", lambda T, d: F(T).glu(A((2, 4)).make(T), d), d=(1, DIM + [("zero", 0)]))
    template("softplus", lambda T, b, th: F(T).softplus(x23.make(T), b, th),
             b=(1.0, FLOAT), th=(20.0, FLOAT))
    template("linear", lambda T, x, w, b: F(T).linear(x, w, b),
             x=(x23, TENS((2, 3))), w=(A((4, 3)), TENS((4, 3))), b=(None, TENS((4,))))
    template("sdpa", lambda T, q, causal: F(T).scaled_dot_product_attention(
        q, x234.make(T), x234.make(T), is_causal=causal),
        q=(x234, TENS((2, 3, 4))), causal=(False, BOOL))

    # nn module constructors
    nn = lambda T: T.nn  # noqa: E731
    template("Linear", lambda T, i, o, b: nn(T).Linear(i, o, b), i=(3, SIZE), o=(2, SIZE),
             b=(True, BOOL))
    template("Conv2d", lambda T, i, o, k, s, p, g, pm: nn(T).Conv2d(i, o, k, s, p, groups=g,
                                                                    padding_mode=pm),
             i=(2, INT), o=(4, INT), k=(3, INTS), s=(1, INTS),
             p=(0, INTS + [("same", "same"), ("bad", "full")]), g=(1, INT + [("three", 3)]),
             pm=("zeros", [("bad", "zz"), ("int", 1)]))
    template("ConvTranspose2d", lambda T, k, s: nn(T).ConvTranspose2d(2, 3, k, s),
             k=(3, INTS), s=(1, INTS))
    template("BatchNorm2d", lambda T, n, eps, mom, aff: nn(T).BatchNorm2d(n, eps, mom, aff),
             n=(3, SIZE), eps=(1e-5, FLOAT), mom=(0.1, FLOAT), aff=(True, BOOL))
    template("LayerNorm", lambda T, s, eps: nn(T).LayerNorm(s, eps), s=((3,), INTS),
             eps=(1e-5, FLOAT))
    template("GroupNorm", lambda T, g, c: nn(T).GroupNorm(g, c), g=(2, INT), c=(4, INT))
    template("Embedding", lambda T, n, d, pad, mn: nn(T).Embedding(n, d, pad, mn),
             n=(5, SIZE), d=(2, SIZE), pad=(None, INT + [("oob", 5)]), mn=(None, FLOAT))
    template("Dropout", lambda T, p, inp: nn(T).Dropout(p, inp), p=(0.5, PROB), inp=(False, BOOL))
    for f in ("LSTM", "GRU", "RNN"):
        template(f, lambda T, i, h, n, bias, bf, drop, bi, f=f: getattr(nn(T), f)(
            i, h, n, bias=bias, batch_first=bf, dropout=drop, bidirectional=bi),
            i=(3, SIZE), h=(4, SIZE), n=(1, SIZE), bias=(True, BOOL), bf=(False, BOOL),
            drop=(0.0, PROB), bi=(False, BOOL))
    template("LSTM_call", lambda T, x: T.nn.LSTM(3, 4)(x),
             x=(A((2, 1, 3)), TENS((2, 1, 3)) + [("zero_len", _t((0, 1, 3)))]))
    template("MaxPool2d", lambda T, k, s, p: nn(T).MaxPool2d(k, s, p)(img.make(T)),
             k=(2, INTS), s=(None, INTS), p=(0, INTS))
    template("AdaptiveAvgPool2d", lambda T, o: nn(T).AdaptiveAvgPool2d(o)(img.make(T)),
             o=((2, 2), SIZE + INTS))
    template("Upsample", lambda T, s, sf, m: nn(T).Upsample(s, sf, m)(img.make(T)),
             s=(None, INTS), sf=(2.0, FLOAT), m=("nearest", [("bad", "zz")]))
    template("Flatten", lambda T, s, e: nn(T).Flatten(s, e)(x234.make(T)),
             s=(1, DIM), e=(-1, DIM))
    template("Softmax", lambda T, d: nn(T).Softmax(d)(x23.make(T)), d=(1, DIM))
    template("MultiheadAttention", lambda T, e, h, drop: nn(T).MultiheadAttention(e, h, drop),
             e=(4, SIZE), h=(2, INT + [("three", 3)]), drop=(0.0, PROB))
    template("TransformerEncoderLayer", lambda T, d, h, ff, drop: nn(T).TransformerEncoderLayer(
        d, h, ff, drop), d=(4, SIZE), h=(2, INT), ff=(8, SIZE), drop=(0.1, PROB))
    template("CrossEntropyLoss", lambda T, ls, red: nn(T).CrossEntropyLoss(
        label_smoothing=ls, reduction=red)(x23.make(T), lbl.make(T)),
        ls=(0.0, PROB), red=("mean", [("bad", "avg")]))
    template("PixelShuffle", lambda T, r: nn(T).PixelShuffle(r)(A((1, 4, 2, 2)).make(T)),
             r=(2, INT))

    # optimizers
    def params(T):
        return [T.nn.Parameter(T.ones(3))]

    for name, kw in (("SGD", dict(lr=0.1, momentum=0.9, dampening=0.0, weight_decay=0.0)),
                     ("Adam", dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)),
                     ("AdamW", dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)),
                     ("RMSprop", dict(lr=1e-2, alpha=0.99, eps=1e-8, momentum=0.0)),
                     ("Adagrad", dict(lr=1e-2, lr_decay=0.0, eps=1e-10)),
                     ("Adadelta", dict(lr=1.0, rho=0.9, eps=1e-6)),
                     ("Adamax", dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8)),
                     ("NAdam", dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8)),
                     ("RAdam", dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8)),
                     ("Rprop", dict(lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50.0))),
                     ("ASGD", dict(lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6))):
        spec = {}
        for k, v in kw.items():
            if isinstance(v, tuple):
                spec[k] = (v, [("short", (0.9,)), ("neg", (0.9, -0.1)), ("one", (1.0, 0.999)),
                               ("nan", (math.nan, 0.9)), ("str", "a"), ("None", None),
                               ("float", 0.9)])
            else:
                spec[k] = (v, [("neg", -1.0), ("nan", math.nan), ("str", "a"), ("None", None),
                               ("big", 2.0), ("t0f", T0F)])
        spec["params"] = ("P", [("empty", []), ("tensor", L(lambda T: T.ones(3), "t")),
                                ("none", None), ("int", 1), ("dup", "DUP"),
                                ("nonleaf", L(lambda T: [T.ones(3, requires_grad=True) * 2],
                                              "nonleaf"))])

        def make_opt(T, name=name, **kw):
            p = kw.pop("params")
            if p == "P":
                p = params(T)
            elif p == "DUP":
                q = params(T)
                p = q + q
            opt = getattr(T.optim, name)(p, **kw)
            return opt
        template(name, make_opt, **spec)

    def sched(T, name, **kw):
        opt = T.optim.SGD(params(T), lr=0.1)
        return getattr(T.optim.lr_scheduler, name)(opt, **kw)

    template("StepLR", lambda T, s, g: sched(T, "StepLR", step_size=s, gamma=g),
             s=(2, INT), g=(0.1, FLOAT))
    template("MultiStepLR", lambda T, m: sched(T, "MultiStepLR", milestones=m),
             m=([1, 2], [("int", 1), ("None", None), ("str", "a")]))
    template("ExponentialLR", lambda T, g: sched(T, "ExponentialLR", gamma=g), g=(0.9, FLOAT))
    template("CosineAnnealingLR", lambda T, t, e: sched(T, "CosineAnnealingLR", T_max=t,
                                                        eta_min=e),
             t=(10, INT), e=(0.0, FLOAT))
    template("LinearLR", lambda T, s, e, t: sched(T, "LinearLR", start_factor=s, end_factor=e,
                                                  total_iters=t),
             s=(0.5, FLOAT + [("big", 2.0)]), e=(1.0, FLOAT + [("big", 2.0)]), t=(5, INT))
    template("ReduceLROnPlateau", lambda T, mode, f, p: sched(T, "ReduceLROnPlateau", mode=mode,
                                                              factor=f, patience=p),
             mode=("min", [("bad", "zz"), ("int", 1)]), f=(0.1, FLOAT + [("one", 1.0)]),
             p=(10, INT))
    template("OneCycleLR", lambda T, m, t, pct: sched(T, "OneCycleLR", max_lr=m, total_steps=t,
                                                      pct_start=pct),
             m=(0.1, FLOAT), t=(10, INT), pct=(0.3, PROB))
    template("CosineWarmRestarts", lambda T, t0, tm: sched(T, "CosineAnnealingWarmRestarts",
                                                           T_0=t0, T_mult=tm),
             t0=(5, INT), tm=(1, INT))
    template("LambdaLR", lambda T, f: sched(T, "LambdaLR", lr_lambda=f),
             f=(lambda e: 1.0, [("int", 1), ("None", None), ("str", "a")]))
    template("opt_step_closure", lambda T, c: T.optim.SGD(params(T), lr=0.1).step(c),
             c=(None, [("int", 1), ("str", "a")]))

    # DataLoader
    def dl(T, **kw):
        ds = T.utils.data.TensorDataset(T.arange(6.0))
        return len(list(T.utils.data.DataLoader(ds, **kw)))

    template("DataLoader", lambda T, bs, sh, dl_, nw: dl(T, batch_size=bs, shuffle=sh,
                                                          drop_last=dl_, num_workers=nw),
             bs=(2, [(k, v) for k, v in SIZE if k not in ("huge",)]),
             sh=(False, BOOL), dl_=(False, BOOL), nw=(0, [("neg", -1), ("float", 1.5),
                                                           ("str", "a"), ("None", None)]))
    template("DataLoader_prefetch", lambda T, pf: dl(T, batch_size=2, num_workers=1,
                                                     prefetch_factor=pf),
             pf=(2, [("zero", 0), ("neg", -1), ("float", 1.5), ("str", "a")]))
    template("DataLoader_timeout", lambda T, to: dl(T, timeout=to),
             to=(0, [("neg", -1), ("str", "a")]))
    template("random_split", lambda T, lens: [len(s) for s in T.utils.data.random_split(
        range(6), lens, generator=T.Generator().manual_seed(0))],
        lens=([4, 2], [("bad_sum", [4, 4]), ("neg", [7, -1]), ("frac_bad", [0.5, 0.6]),
                       ("str", "a"), ("int", 3)]))
    template("RandomSampler", lambda T, r, n: len(list(T.utils.data.RandomSampler(
        range(6), r, n))), r=(False, BOOL), n=(None, INT))
    template("BatchSampler", lambda T, bs, dl_: len(list(T.utils.data.BatchSampler(
        range(6), bs, dl_))), bs=(2, INT), dl_=(False, BOOL))
    template("WeightedRandomSampler", lambda T, w, n, r: len(list(
        T.utils.data.WeightedRandomSampler(w, n, r))),
        w=([0.5, 0.5], [("neg", [-1.0, 1.0]), ("None", None), ("str", "a")]),
        n=(4, INT), r=(True, BOOL))

    # to() / type conversions
    template("to_dtype", lambda T, dt: x23.make(T).to(dtype=dt),
             dt=(L(lambda T: T.float64, "f64"), DTYPE))
    template("to_pos", lambda T, arg: x23.make(T).to(arg),
             arg=("cpu", [("bad_dev", "cpu:5"), ("bad_str", "gpu"), ("int_neg", -1),
                          ("float", 1.5), ("None", None), ("str_dtype", "float32"),
                          ("bad_cuda", "cuda:x"), ("list", [])]))
    template("to_device", lambda T, d: x23.make(T).to(device=d),
             d=("cpu", [("bad_dev", "cpu:5"), ("bad", "gpu"), ("float", 1.5), ("list", [])]))
    template("type_conv", lambda T, t: x23.make(T).type(t),
             t=("torch.DoubleTensor", [("bad", "torch.FooTensor"), ("int", 1),
                                       ("pyfloat", float)]))
    template("device_ctor", lambda T, d: T.device(d),
             d=("cpu", [("bad", "gpu"), ("neg", "cpu:-1"), ("float", 1.5), ("None", None),
                        ("ws", "cpu: 0"), ("int_neg", -1)]))
    template("item", lambda T, x: x.item(), x=(L(lambda T: T.tensor(2.0), "t0"),
                                               [("t_many", x23), ("t_empty", _t((0,)))]))
    template("int_conv", lambda T, x: int(x), x=(L(lambda T: T.tensor(2.0), "t0"),
                                                 [("t_many", x23), ("nan", L(
                                                     lambda T: T.tensor(math.nan), "tnan"))]))
    template("numpy", lambda T, force: L(lambda T: T.ones(2, requires_grad=True),
                                         "rg").make(T).numpy(force=force),
             force=(True, BOOL))
    template("requires_grad_", lambda T, x, r: x.requires_grad_(r),
             x=(x23, [("int_t", _t((2,), "int64"))]), r=(True, BOOL))
    template("set_default_dtype", lambda T, dt: T.set_default_dtype(dt),
             dt=(L(lambda T: T.float32, "f32"), DTYPE + [("int64", L(lambda T: T.int64, "i64"))]))
    template("manual_seed", lambda T, s: T.manual_seed(s), s=(0, [("float", 1.5), ("str", "a"),
                                                                  ("i2_64", 2 ** 64),
                                                                  ("None", None)]))
    template("multinomial", lambda T, n, r: T.multinomial(T.ones(3), n, r),
             n=(2, INT + [("too_many", 5)]), r=(False, BOOL))
    template("bernoulli", lambda T, p: T.bernoulli(T.ones(3), p), p=(0.5, PROB))
    template("normal_", lambda T, m, s: T.zeros(3).normal_(m, s), m=(0.0, FLOAT), s=(1.0, FLOAT))
    template("uniform_", lambda T, a, b: T.zeros(3).uniform_(a, b), a=(0.0, FLOAT),
             b=(1.0, FLOAT))

    # grad mode
    template("set_grad_enabled", lambda T, m: T.set_grad_enabled(m).__class__.__name__,
             m=(True, BOOL))
    template("enable_grad_call", lambda T, m: T.inference_mode(m).__class__.__name__,
             m=(True, BOOL))
    template("backward", lambda T, g: (T.ones(3, requires_grad=True) * 2).backward(g),
             g=(L(lambda T: T.ones(3), "o3"), TENS((3,)) + [("t0", L(lambda T: T.tensor(1.0),
                                                                      "t0"))]))
    template("autograd_grad", lambda T, outs, inps: T.autograd.grad(outs, inps),
             outs=("OUT", [("None", None), ("int", 1), ("str", "a")]),
             inps=("INP", [("None", None), ("int", 1), ("leaf_other", L(
                 lambda T: T.ones(2, requires_grad=True), "other"))]))
    template("clip_grad_norm", lambda T, mx, nt: T.nn.utils.clip_grad_norm_(
        params(T), mx, nt), mx=(1.0, FLOAT), nt=(2.0, FLOAT + [("str", "fro")]))


def _fix_autograd_grad(T, outs, inps):
    x = T.ones(3, requires_grad=True)
    y = (x * 2).sum()
    return T.autograd.grad(y if outs == "OUT" else outs, x if inps == "INP" else inps)


def cases():
    """[(id, fn(T))]: every template's valid call, then one bad argument at a time."""
    if not TEMPLATES:
        _register()
    rng = random.Random(SEED)
    out = []
    for name, fn, spec in TEMPLATES:
        if name == "autograd_grad":
            fn = _fix_autograd_grad
        base = {k: v for k, (v, _) in spec.items()}
        out.append((f"{name}/valid", _bind(fn, base)))
        for arg, (_, bads) in spec.items():
            seen = set()
            for label, bad in bads:
                if label in seen:
                    continue
                seen.add(label)
                kw = dict(base)
                kw[arg] = bad
                out.append((f"{name}/{arg}={label}", _bind(fn, kw)))
        # one random extra per template: two arguments bad at once (drawn with the seed)
        if len(spec) >= 2:
            a, b = rng.sample(sorted(spec), 2)
            kw = dict(base)
            kw[a] = rng.choice(spec[a][1])[1]
            kw[b] = rng.choice(spec[b][1])[1]
            out.append((f"{name}/pair:{a},{b}#{len(out)}", _bind(fn, kw)))
    ids = [i for i, _ in out]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    return out


def _bind(fn, kw):
    def run(T):
        return fn(T, **value(kw, T))
    return run
