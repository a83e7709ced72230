"""Sorting/search, extra reductions, cdist and linalg: Ember vs PyTorch, one thread each.

Prints microseconds per call and the ratio Ember/PyTorch (lower is better for Ember).

    python benchmarks/bench_coreops.py
"""
from _timing import best, torch  # noqa: F401  (pins one thread first)

import numpy as np  # noqa: E402

import ember  # noqa: E402


def case(name, fn, *arrays, grad=False):
    """Time ``fn(mod, *tensors)`` for ember and torch; with ``grad``, forward + backward."""
    def make(mod):
        ts = [mod.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in arrays]

        def run():
            out = fn(mod, *ts)
            if grad:
                for t in ts:
                    t.grad = None
                out.sum().backward()
        return run
    te = best(make(ember))
    tt = best(make(torch)) if torch else None
    ratio = f"{te / tt:7.2f}x" if tt else "    n/a"
    ttxt = f"{tt * 1e6:11.1f}" if tt else "        n/a"
    print(f"{name:<40}{te * 1e6:11.1f}{ttxt}   {ratio}")


def main():
    rng = np.random.default_rng(0)
    big = rng.standard_normal((1000, 1000)).astype(np.float32)
    vec = rng.standard_normal(1_000_000).astype(np.float32)
    ints = rng.integers(0, 1000, 1_000_000)
    pts1 = rng.standard_normal((500, 64)).astype(np.float32)
    pts2 = rng.standard_normal((400, 64)).astype(np.float32)
    mats = rng.standard_normal((64, 32, 32))
    sq = rng.standard_normal((256, 256))
    spd = sq @ sq.T + 256 * np.eye(256)
    print(f"{'op':<40}{'ember us':>11}{'torch us':>11}   ratio")
    case("sort 1000x1000 dim=1", lambda m, x: m.sort(x, 1).values, big)
    case("sort 1M", lambda m, x: m.sort(x).values, vec)
    case("argsort 1000x1000 descending", lambda m, x: m.argsort(x, 1, descending=True), big)
    case("topk k=10 1000x1000", lambda m, x: m.topk(x, 10, 1).values, big)
    case("kthvalue k=500 1000x1000", lambda m, x: m.kthvalue(x, 500, 1).values, big)
    case("median dim=1 1000x1000", lambda m, x: m.median(x, 1).values, big)
    case("quantile q=0.3 dim=1 1000x1000", lambda m, x: m.quantile(x, 0.3, 1), big)
    case("mode dim=1 (ints) 1000x1000", lambda m, x: m.mode(x, 1).values, ints.reshape(1000, 1000))
    case("unique 1M ints (inverse+counts)", lambda m, x: m.unique(x, return_inverse=True,
                                                                    return_counts=True)[0], ints)
    case("bincount 1M", lambda m, x: m.bincount(x), ints)
    case("searchsorted 1M into 1000", lambda m, s, v: m.searchsorted(s, v),
         np.sort(big[0]), vec)
    case("cummax dim=1 1000x1000", lambda m, x: m.cummax(x, 1).values, big)
    case("logcumsumexp dim=1 1000x1000", lambda m, x: m.logcumsumexp(x, 1), big)
    case("norm 1M (fwd+bwd)", lambda m, x: m.norm(x), vec, grad=True)
    case("sort values 1000x1000 (fwd+bwd)", lambda m, x: m.sort(x, 1).values, big, grad=True)
    case("cdist 500x64 vs 400x64", lambda m, a, b: m.cdist(a, b), pts1, pts2)
    case("cdist 500x64 vs 400x64 (fwd+bwd)", lambda m, a, b: m.cdist(a, b), pts1, pts2,
         grad=True)
    case("linalg.inv 64x32x32 f64", lambda m, a: m.linalg.inv(a), mats)
    case("linalg.inv 64x32x32 f64 (fwd+bwd)", lambda m, a: m.linalg.inv(a), mats, grad=True)
    case("linalg.det 64x32x32 f64 (fwd+bwd)", lambda m, a: m.linalg.det(a), mats, grad=True)
    case("linalg.solve 64x32x32 (fwd+bwd)", lambda m, a: m.linalg.solve(a, a), mats, grad=True)
    case("linalg.cholesky 256 f64 (fwd+bwd)", lambda m, a: m.linalg.cholesky(a), spd, grad=True)
    case("linalg.qr 256 f64 (fwd+bwd)", lambda m, a: m.linalg.qr(a).Q, sq, grad=True)
    case("linalg.svd 256 f64", lambda m, a: m.linalg.svd(a).S, sq)
    case("linalg.svdvals 256 f64 (fwd+bwd)", lambda m, a: m.linalg.svdvals(a), sq, grad=True)
    case("linalg.eigh 256 f64 (fwd+bwd)", lambda m, a: m.linalg.eigh(a + a.mT)[0], sq, grad=True)
    case("linalg.pinv 256 f64", lambda m, a: m.linalg.pinv(a), sq)


if __name__ == "__main__":
    main()
