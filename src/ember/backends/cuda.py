"""``torch.backends.cuda``: the TF32 matmul switch (recorded; CuPy matmuls keep float32)."""
import importlib.util
__all__ = ["matmul", "is_built"]


class _MatmulFlags:
    """``torch.backends.cuda.matmul``: ``allow_tf32`` and the reduced-precision switches."""
    __slots__ = ("allow_tf32", "allow_fp16_reduced_precision_reduction",
                 "allow_bf16_reduced_precision_reduction")

    def __init__(self):
        self.allow_tf32 = False
        self.allow_fp16_reduced_precision_reduction = True
        self.allow_bf16_reduced_precision_reduction = True


matmul = _MatmulFlags()


def is_built():
    """Whether Ember can run on CUDA here (CuPy is importable)."""
    return importlib.util.find_spec("cupy") is not None
