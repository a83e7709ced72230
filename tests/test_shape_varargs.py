"""Which shape functions take sizes as varargs, which refuse them, and ``Tensor(Size)``: the
same calls under ember and torch must give the same shapes or the same exception type."""
import pytest

import ember


def _cases(m):
    x, y, S = m.ones(3), m.ones(2, 3), m.Size
    return {
        "expand_var": lambda: x.expand(2, 3), "expand_tuple": lambda: x.expand((2, 3)),
        "expand_list": lambda: x.expand([2, 3]), "expand_size": lambda: x.expand(S([2, 3])),
        "expand_neg": lambda: x.expand(2, -1),
        "bt_var": lambda: x.broadcast_to(2, 3), "bt_tuple": lambda: x.broadcast_to((2, 3)),
        "bt_kw": lambda: x.broadcast_to(size=(2, 3)), "bt_fn": lambda: m.broadcast_to(x, (2, 3)),
        "bt_fn_var": lambda: m.broadcast_to(x, 2, 3), "bt_list": lambda: x.broadcast_to([2, 3]),
        "new_zeros_var": lambda: x.new_zeros(2, 3), "new_zeros_t": lambda: x.new_zeros((2, 3)),
        "new_ones_var": lambda: x.new_ones(2, 3), "new_empty_var": lambda: x.new_empty(2, 3),
        "new_full_var": lambda: x.new_full(2, 3), "new_full_t": lambda: x.new_full((2, 3), 1.5),
        "reshape_var": lambda: y.reshape(3, 2), "reshape_t": lambda: y.reshape((3, 2)),
        "reshape_fn": lambda: m.reshape(y, (3, 2)), "reshape_fn_var": lambda: m.reshape(y, 3, 2),
        "reshape_fn_kw": lambda: m.reshape(y, shape=(6,)),
        "view_var": lambda: y.view(3, 2), "view_t": lambda: y.view((3, 2)),
        "repeat_var": lambda: x.repeat(2, 2), "repeat_t": lambda: x.repeat((2, 2)),
        "permute_var": lambda: y.permute(1, 0), "permute_t": lambda: y.permute((1, 0)),
        "permute_fn": lambda: m.permute(y, (1, 0)), "permute_fn_var": lambda: m.permute(y, 1, 0),
        "tile_var": lambda: x.tile(2, 2), "tile_t": lambda: x.tile((2, 2)),
        "tile_fn": lambda: m.tile(x, (2, 2)), "tile_fn_var": lambda: m.tile(x, 2, 2),
        "flip_var": lambda: y.flip(0, 1), "flip_t": lambda: y.flip((0, 1)),
        "flip_fn": lambda: m.flip(y, (0,)), "flip_fn_var": lambda: m.flip(y, 0, 1),
        "flip_fn_kw": lambda: m.flip(y, dims=[1]),
        "squeeze_var": lambda: m.ones(1, 2, 1).squeeze(0, 2),
        "squeeze_t": lambda: m.ones(1, 2, 1).squeeze((0, 2)),
        "squeeze_kw": lambda: m.ones(1, 2, 1).squeeze(dim=0),
        "squeeze_all": lambda: m.ones(1, 2, 1).squeeze(),
        "zeros_var": lambda: m.zeros(2, 3), "zeros_size": lambda: m.zeros(S([2, 3])),
        "Tensor_size": lambda: m.Tensor(S([2, 2])), "Tensor_ints": lambda: m.Tensor(2, 2),
        "Tensor_list": lambda: m.Tensor([2, 2]), "Tensor_tuple": lambda: m.Tensor((2, 2)),
        "FloatTensor_size": lambda: m.FloatTensor(S([2, 3])),
        "DoubleTensor_size": lambda: m.DoubleTensor(S([4])),
        "LongTensor_size": lambda: m.LongTensor(S([2])),
        "unsqueeze_var": lambda: x.unsqueeze(0, 1), "transpose_t": lambda: y.transpose((0, 1)),
        "empty_mixed": lambda: m.empty((2,), 3),
    }


@pytest.mark.parametrize("name", sorted(_cases(ember)))
def test_shapes_or_errors_match_torch(name, torch_mod):
    try:
        want = _cases(torch_mod)[name]()
    except Exception as exc:  # noqa: BLE001  (the exception type torch raises is the spec)
        with pytest.raises(type(exc)):
            _cases(ember)[name]()
        return
    got = _cases(ember)[name]()
    assert tuple(got.shape) == tuple(want.shape)
    assert str(got.dtype) == str(want.dtype)
    if name in ("Tensor_list", "Tensor_tuple", "new_full_t", "flip_fn_kw"):
        assert got.tolist() == want.tolist()


def test_broadcast_to_method_is_a_view_with_gradient():
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.broadcast_to(2, 3)
    assert tuple(y.shape) == (2, 3) and y.grad_fn.name() == "ExpandBackward0"
    (y * ember.tensor([[1.0], [2.0]])).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0, 3.0]
