"""Finite-difference gradient (and second-derivative) checks in float64 for conv and pooling."""
import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck


def _t(rng, shape):
    return ember.tensor(rng.standard_normal(shape), requires_grad=True)


@pytest.mark.parametrize("fn,shapes", [
    (lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2),
     [(2, 4, 5, 4), (6, 2, 3, 2), (6,)]),
    (lambda x, w, b: F.conv1d(x, w, b, padding="same"), [(2, 3, 5), (2, 3, 2), (2,)]),
    (lambda x, w, b: F.conv_transpose2d(x, w, b, stride=(2, 1), padding=(1, 0),
                                        output_padding=(1, 0), groups=2, dilation=(1, 2)),
     [(2, 4, 4, 3), (4, 3, 3, 2), (6,)]),
    (lambda x, w, b: F.conv3d(x, w, b, stride=2, padding=1), [(1, 2, 3, 3, 3), (2, 2, 2, 2, 2),
                                                                (2,)]),
])
def test_conv_grad_and_gradgrad(fn, shapes):
    rng = np.random.default_rng(0)
    inputs = tuple(_t(rng, s) for s in shapes)
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)


@pytest.mark.parametrize("fn,shape", [
    (lambda x: F.max_pool2d(x, 3, 1, 1), (1, 2, 5, 5)),
    (lambda x: F.max_pool2d(x, 2, ceil_mode=True), (1, 2, 5, 5)),
    (lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False), (1, 2, 5, 5)),
    (lambda x: F.avg_pool1d(x, 2), (2, 2, 6)),
    (lambda x: F.adaptive_avg_pool2d(x, (2, 3)), (1, 2, 5, 5)),
    (lambda x: F.adaptive_max_pool2d(x, (2, 3)), (1, 2, 5, 5)),
    (lambda x: F.pad(x, (1, 2, 0, 1), mode="reflect"), (1, 2, 4, 4)),
    (lambda x: F.pad(x, (1, -1)), (1, 2, 4)),
    (lambda x: F.fold(F.unfold(x, 2, padding=1), (4, 4), 2, padding=1), (1, 2, 4, 4)),
    (lambda x: F.pixel_shuffle(x, 2), (1, 4, 2, 2)),
])
def test_pool_and_vision_gradcheck(fn, shape):
    x = _t(np.random.default_rng(1), shape)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


@pytest.mark.parametrize("fn,shape", [
    (lambda x: F.interpolate(x, scale_factor=1.5, mode="bilinear"), (1, 1, 3, 4)),
    (lambda x: F.interpolate(x, size=5, mode="bicubic", align_corners=True), (1, 1, 3, 4)),
    (lambda x: F.interpolate(x, scale_factor=2, mode="nearest"), (1, 1, 3, 4)),
])
def test_interpolate_gradcheck(fn, shape):
    # first derivatives only: index_select's double backward is the indexing module's concern
    x = _t(np.random.default_rng(2), shape)
    assert gradcheck(fn, (x,))
