"""Named-tuple results print like PyTorch's ``torch.return_types.<name>``."""
import pytest

import ember

CASES = {
    "sort": lambda L, x: x.sort(),
    "sort_dim": lambda L, x: L.sort(x, 0, descending=True),
    "topk": lambda L, x: x.topk(1),
    "kthvalue": lambda L, x: x.kthvalue(1),
    "median": lambda L, x: x.median(0),
    "nanmedian": lambda L, x: x.nanmedian(0),
    "mode": lambda L, x: x.mode(0),
    "cummax": lambda L, x: x.cummax(0),
    "cummin": lambda L, x: L.cummin(x, 1),
    "histogram": lambda L, x: L.histogram(x.flatten(), 2),
    "slogdet": lambda L, x: L.slogdet(x),
    "linalg_slogdet": lambda L, x: L.linalg.slogdet(x),
    "qr": lambda L, x: L.qr(x),
    "linalg_qr": lambda L, x: L.linalg.qr(x),
    "svd_vals": lambda L, x: L.linalg.svd(x).S,
    "eigh": lambda L, x: L.linalg.eigh(x),
    "lstsq": lambda L, x: L.linalg.lstsq(x, x),
    "aminmax": lambda L, x: L.aminmax(x),
    "var_mean": lambda L, x: L.var_mean(x, 0),
    "std_mean": lambda L, x: L.std_mean(x, 0),
    "inv_ex": lambda L, x: L.linalg.inv_ex(x),
    "cholesky_ex": lambda L, x: L.linalg.cholesky_ex(x),
    "max": lambda L, x: x.max(0),
    "lu_factor": lambda L, x: L.linalg.lu_factor(x),
    "lu": lambda L, x: L.linalg.lu(x),
}
# results whose values differ by sign conventions or rounding are compared by type name only
TYPE_ONLY = {"eigh", "lstsq", "qr", "linalg_qr", "inv_ex", "lu", "lu_factor"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_return_type_repr_matches_torch(torch_mod, case):
    data = [[2., 1.], [1., 3.]]
    got = CASES[case](ember, ember.tensor(data))
    want = CASES[case](torch_mod, torch_mod.tensor(data))
    assert type(got).__name__ == type(want).__name__
    assert isinstance(got, tuple) == isinstance(want, tuple)
    if case not in TYPE_ONLY:
        assert repr(got) == repr(want)
    else:  # same type line and field names, values aside
        assert [r.split("=")[0] for r in repr(got).splitlines() if "=" in r[:20]] == \
            [r.split("=")[0] for r in repr(want).splitlines() if "=" in r[:20]]


@pytest.mark.parametrize("name", ["svd", "linalg_svd"])
def test_svd_names_fields(torch_mod, name):
    data = [[2., 1.], [1., 3.]]
    fn = (lambda L: L.svd) if name == "svd" else (lambda L: L.linalg.svd)
    got, want = fn(ember)(ember.tensor(data)), fn(torch_mod)(torch_mod.tensor(data))
    assert type(got).__name__ == type(want).__name__
    assert repr(got).split("(")[0] == repr(want).split("(")[0]
    assert [r.split("=")[0] for r in repr(got).splitlines()[1:]] == \
        [r.split("=")[0] for r in repr(want).splitlines()[1:]]
