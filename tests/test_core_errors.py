"""Error types and messages match PyTorch's for common mistakes (shapes, dims, dtypes, indices)."""
import warnings

import pytest

from core_parity import compare

ERRORS = {
 "add-shape": lambda m: m.ones(2, 3) + m.ones(3, 2),
 "mul-shape": lambda m: m.ones(2, 3) * m.ones(4),
 "matmul-shape": lambda m: m.ones(2, 3) @ m.ones(2, 3),
 "mm-shape": lambda m: m.mm(m.ones(2, 3), m.ones(2, 3)),
 "bmm-shape": lambda m: m.bmm(m.ones(2, 2, 3), m.ones(2, 2, 3)),
 "view": lambda m: m.ones(2, 3).t().view(6),
 "view-size": lambda m: m.ones(2, 3).view(4, 2),
 "reshape-size": lambda m: m.ones(2, 3).reshape(4, -1),
 "sum-dim": lambda m: m.ones(2, 3).sum(2),
 "sum-dim-neg": lambda m: m.ones(2, 3).sum(-3),
 "softmax-dim": lambda m: m.ones(2, 3).softmax(2),
 "cat-shape": lambda m: m.cat([m.ones(2, 3), m.ones(2, 2)]),
 "cat-dim": lambda m: m.cat([m.ones(2, 3), m.ones(2, 3)], 2),
 "stack-shape": lambda m: m.stack([m.ones(2, 3), m.ones(2, 2)]),
 "index": lambda m: m.ones(2, 3)[2],
 "index-dim1": lambda m: m.ones(2, 3)[:, 3],
 "index-too-many": lambda m: m.ones(2, 3)[0, 0, 0],
 "index-tensor-oob": lambda m: m.ones(2, 3)[m.tensor([5])],
 "index-float": lambda m: m.ones(2, 3)[m.tensor([1.0])],
 "item": lambda m: m.ones(2).item(),
 "bool": lambda m: bool(m.ones(2)),
 "expand": lambda m: m.ones(2, 3).expand(4, 3),
 "expand-dims": lambda m: m.ones(2, 3).expand(3),
 "permute": lambda m: m.ones(2, 3).permute(0),
 "transpose": lambda m: m.ones(2, 3).transpose(0, 5),
 "squeeze": lambda m: m.ones(2, 3).squeeze(4),
 "gather-dims": lambda m: m.ones(2, 3).gather(0, m.tensor([0])),
 "gather-oob": lambda m: m.ones(2, 3).gather(0, m.tensor([[5]])),
 "index_select-oob": lambda m: m.ones(2, 3).index_select(0, m.tensor([5])),
 "masked_fill-float-mask": lambda m: m.ones(2).masked_fill(m.ones(2), 0),
 "inplace-dtype": lambda m: m.ones(2, dtype=m.long).mul_(1.5),
 "inplace-bcast": lambda m: m.ones(3).add_(m.ones(2, 3)),
 "leaf-inplace": lambda m: m.ones(2, requires_grad=True).add_(1),
 "numpy-rg": lambda m: m.ones(2, requires_grad=True).numpy(),
 "rg-int": lambda m: m.ones(2, dtype=m.long).requires_grad_(),
 "backward-nonscalar": lambda m: (m.ones(2, requires_grad=True) * 2).backward(),
 "dot": lambda m: m.dot(m.ones(2), m.ones(3)),
 "mv": lambda m: m.mv(m.ones(2, 3), m.ones(2)),
 "arange-step": lambda m: m.arange(0, 5, -1),
 "zeros-neg": lambda m: m.zeros(-1),
 "randint-range": lambda m: m.randint(5, 2, (3,)),
 "multinomial": lambda m: m.multinomial(m.tensor([0.5, 0.5]), 3),
 "chunk": lambda m: m.ones(2).chunk(0),
 "narrow": lambda m: m.ones(2, 3).narrow(1, 2, 5),
 "select": lambda m: m.ones(2, 3).select(1, 5),
 "flatten": lambda m: m.ones(2, 3).flatten(1, 0),
 "tensor-ragged": lambda m: m.tensor([[1, 2], [3]]),
 "where-shape": lambda m: m.where(m.ones(2, dtype=m.bool), m.ones(3), m.ones(2)),
 "int-pow-neg": lambda m: m.tensor([2]) ** -1,
 "div-mode": lambda m: m.div(m.ones(2), 2, rounding_mode="round"),
 "clamp-none": lambda m: m.clamp(m.ones(2)),
 "max-empty": lambda m: m.zeros(0).max(),
 "mean-int": lambda m: m.tensor([1, 2]).mean(),
 "tril-1d": lambda m: m.ones(3).tril(),
 "flip-dup": lambda m: m.ones(2, 3).flip(0, 0),
 "unflatten": lambda m: m.ones(2, 6).unflatten(1, (4, 2)),
 "split": lambda m: m.ones(2, 3).split([1, 1], 1),
 "movedim": lambda m: m.ones(2, 3).movedim(0, 0).movedim((0, 1), (0,)),
 "repeat": lambda m: m.ones(2, 3).repeat(2),
 "setitem-shape": lambda m: m.ones(2, 3).__setitem__(0, m.ones(2)),
 "copy-shape": lambda m: m.ones(2, 3).copy_(m.ones(2)),
 "len-0d": lambda m: len(m.tensor(1.0)),
 "iter-0d": lambda m: iter(m.tensor(1.0)),
 "float-multi": lambda m: float(m.ones(2)),
 "to-bad": lambda m: m.ones(2).to("gpu"),
 "device-mismatch-str": lambda m: m.device("cpu:x"),
 "new-neg": lambda m: m.Tensor(-1),
 "out-grad": lambda m: m.add(m.ones(2, requires_grad=True), 1, out=m.empty(2)),
 "cumsum-dim": lambda m: m.ones(2).cumsum(3),
 "cumsum-nodim": lambda m: m.ones(2).cumsum(),
 "std-dim": lambda m: m.ones(2).std(3),
 "argmax-dim": lambda m: m.ones(2).argmax(3),
 "topk-like": lambda m: m.ones(2).max(3),
 "einsum-bad": lambda m: m.einsum("ij,jk->ik", m.ones(2, 3), m.ones(2, 3)),
 "tensordot": lambda m: m.tensordot(m.ones(2, 3), m.ones(2, 3), dims=([1], [1, 0])),
 "scatter-dtype": lambda m: m.ones(2, 3).scatter(0, m.tensor([[0]]), m.ones(1, 1, dtype=m.float64)),
 "take-oob": lambda m: m.ones(2).take(m.tensor([5])),
}

# messages that name PyTorch internals (its full device list, the op name before out=) differ
TYPE_ONLY = {"to-bad", "out-grad", "cumsum-nodim"}


@pytest.mark.parametrize("name", list(ERRORS))
def test_error_parity(name, torch_mod):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare(ERRORS[name], torch_mod, match_msg=name not in TYPE_ONLY)
