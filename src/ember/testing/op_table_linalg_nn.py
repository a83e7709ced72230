"""Op-table entries of matrix products, einsum, linear algebra and nn.functional ops."""
import numpy as np

from .op_table import row_collector

_ROWS, _family, row = row_collector()


S, M, B = (3,), (2, 3), (2, 3, 4)

# ---- matmul and einsum ------------------------------------------------------------------------
_family("matmul")
row("matmul_mm", lambda m, a, b: a @ b, (2, 3), (3, 4))
row("matmul_vv", lambda m, a, b: a @ b, (3,), (3,))
row("matmul_mv", lambda m, a, b: a @ b, (2, 3), (3,))
row("matmul_vm", lambda m, a, b: a @ b, (3,), (3, 4))
row("matmul_batched_bcast", lambda m, a, b: a @ b, (2, 2, 3), (3, 2))
row("matmul_bcast_both", lambda m, a, b: a @ b, (2, 1, 2, 3), (3, 3, 2), nc=False)
row("mm", lambda m, a, b: m.mm(a, b), (2, 3), (3, 4))
row("bmm", lambda m, a, b: m.bmm(a, b), (2, 2, 3), (2, 3, 2))
row("mv", lambda m, a, b: m.mv(a, b), (2, 3), (3,))
row("dot", lambda m, a, b: m.dot(a, b), (3,), (3,))
row("outer", lambda m, a, b: m.outer(a, b), (3,), (2,))
row("addmm", lambda m, c, a, b: m.addmm(c, a, b, beta=0.5, alpha=2.0), (4,), (2, 3), (3, 4))
row("baddbmm", lambda m, c, a, b: m.baddbmm(c, a, b), (2, 2, 2), (2, 2, 3), (2, 3, 2))
row("tensordot", lambda m, a, b: m.tensordot(a, b, dims=([1, 2], [0, 1])), B, (3, 4, 2))
row("einsum_mm", lambda m, a, b: m.einsum("ij,jk->ik", a, b), (2, 3), (3, 4))
row("einsum_batched", lambda m, a, b: m.einsum("bij,bjk->bik", a, b), (2, 2, 3), (2, 3, 2))
row("einsum_trace", lambda m, a: m.einsum("ii->", a), (3, 3))
row("einsum_diag", lambda m, a: m.einsum("ii->i", a), (3, 3))
row("einsum_outer_sum", lambda m, a, b: m.einsum("i,j->", a, b), (3,), (2,))
row("einsum_ellipsis", lambda m, a, b: m.einsum("...ij,...j->...i", a, b), (2, 2, 3), (2, 3))

# ---- linear algebra (gauge-free outputs only) ---------------------------------------------------
_family("linalg")
def _spd(m, a):
    return a @ a.mT + 3 * m.eye(a.shape[-1], dtype=a.dtype)


row("inv", lambda m, a: m.linalg.inv(_spd(m, a)), (3, 3))
row("det", lambda m, a: m.linalg.det(_spd(m, a)), (3, 3))
row("slogdet", lambda m, a: m.linalg.slogdet(_spd(m, a))[1], (2, 3, 3))
row("solve", lambda m, a, b: m.linalg.solve(_spd(m, a), b), (3, 3), (3, 2))
row("cholesky", lambda m, a: m.linalg.cholesky(_spd(m, a)), (3, 3))
row("qr", lambda m, a: tuple(x * x for x in m.linalg.qr(a)), (4, 3))
row("svdvals", lambda m, a: m.linalg.svdvals(a), (3, 4))
row("svd_u_squared", lambda m, a: m.linalg.svd(a, full_matrices=False)[0] ** 2, (4, 3),
    gg=False)
row("eigvalsh", lambda m, a: m.linalg.eigvalsh(a + a.mT), (3, 3))
row("eigh_vectors_squared", lambda m, a: m.linalg.eigh(a + a.mT)[1] ** 2, (3, 3), gg=False)
row("matrix_exp", lambda m, a: m.linalg.matrix_exp(a * 0.5), (3, 3))
row("pinv", lambda m, a: m.linalg.pinv(a), (3, 2), gg=False)
row("matrix_norm_fro", lambda m, a: m.linalg.matrix_norm(a), (3, 4))
row("cdist", lambda m, a, b: m.cdist(a, b), (3, 2), (4, 2))

# ---- nn ops ----------------------------------------------------------------------------------
_family("nn")
TARGET = np.array([2, 0, 1])
TOKENS = np.array([[1, 3], [0, 1]])


def _f(m):
    return m.nn.functional


row("relu_functional", lambda m, a: _f(m).relu(a), (M, "nonzero"))
row("linear", lambda m, x, w, b: _f(m).linear(x, w, b), (2, 3), (4, 3), (4,))
row("cross_entropy", lambda m, x: _f(m).cross_entropy(x, m.tensor(TARGET)), (3, 4))
row("cross_entropy_smooth", lambda m, x: _f(m).cross_entropy(
    x, m.tensor(TARGET), label_smoothing=0.1, reduction="sum"), (3, 4))
row("nll_loss", lambda m, x: _f(m).nll_loss(x.log_softmax(1), m.tensor(TARGET)), (3, 4))
row("embedding", lambda m, w: _f(m).embedding(m.tensor(TOKENS), w), (4, 3))
row("layer_norm", lambda m, x, w, b: _f(m).layer_norm(x, (4,), w, b), (2, 3, 4), (4,), (4,))
row("batch_norm_train", lambda m, x, w, b: _f(m).batch_norm(
    x, None, None, w, b, training=True), (4, 3), (3,), (3,))
row("group_norm", lambda m, x: _f(m).group_norm(x, 2), (2, 4, 3))
row("conv1d", lambda m, x, w, b: _f(m).conv1d(x, w, b, padding=1), (1, 2, 5), (3, 2, 3), (3,),
    nc=False)
row("conv2d", lambda m, x, w: _f(m).conv2d(x, w, stride=2, padding=1), (1, 2, 4, 4),
    (2, 2, 3, 3), nc=False)
row("conv_transpose2d", lambda m, x, w: _f(m).conv_transpose2d(x, w, stride=2), (1, 2, 2, 2),
    (2, 1, 2, 2), nc=False)
row("max_pool2d", lambda m, x: _f(m).max_pool2d(x, 2), ((1, 1, 4, 4), "spread"), nc=False)
row("avg_pool2d", lambda m, x: _f(m).avg_pool2d(x, 2, stride=1), (1, 2, 3, 3), nc=False)
row("adaptive_avg_pool2d", lambda m, x: _f(m).adaptive_avg_pool2d(x, 1), (1, 2, 3, 3),
    nc=False)
row("softplus", lambda m, x: _f(m).softplus(x), M)
row("gelu", lambda m, x: _f(m).gelu(x), M)
row("silu", lambda m, x: _f(m).silu(x), M)
row("elu", lambda m, x: _f(m).elu(x), (M, "nonzero"))
row("leaky_relu", lambda m, x: _f(m).leaky_relu(x, 0.1), (M, "nonzero"))
row("logsigmoid", lambda m, x: _f(m).logsigmoid(x), M)
row("mse_loss", lambda m, x, y: _f(m).mse_loss(x, y), M, M)
row("bce_with_logits", lambda m, x, y: _f(m).binary_cross_entropy_with_logits(x, y.sigmoid()),
    M, M)
row("normalize", lambda m, x: _f(m).normalize(x, dim=1), M)
row("pad", lambda m, x: _f(m).pad(x, (1, 2)), M)
row("interpolate_nearest", lambda m, x: _f(m).interpolate(x, scale_factor=2), (1, 1, 2, 3),
    nc=False)




def build():
    """This family file's entries."""
    return list(_ROWS)
