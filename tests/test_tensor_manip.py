"""Shape manipulation (mygrad_c.tensor_manip) against MyGrad and numerical derivatives."""
import inspect

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import mygrad
import numpy as np
import pytest
from hypothesis import given
from numpy.testing import assert_array_equal

import mygrad_c as mg
from helpers import check_numerical_grad, compare_with_mygrad, float_arrays

DTYPES = [np.float16, np.float32, np.float64]
SHAPES = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=3)
SMALL = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)


def both(fn):
    """The same call for mygrad_c and mygrad (compare_with_mygrad's (f_c, f_ref) form)."""
    return (lambda *a: fn(mg, *a), lambda *a: fn(mygrad, *a))


def check(fn, *arrays, numerical=True, **kwargs):
    compare_with_mygrad(both(fn), *arrays, **kwargs)
    if numerical and all(a.size and a.dtype == np.float64 for a in arrays):
        check_numerical_grad(lambda *ts: fn(mg, *[mg.tensor(a) if not isinstance(a, mg.Tensor) else a
                                                  for a in ts]), *arrays)


# ---------------------------------------------------------------------------
# array_shape
# ---------------------------------------------------------------------------
@given(x=float_arrays(shape=SHAPES), data=st.data(), dtype=st.sampled_from(DTYPES))
def test_reshape(x, data, dtype):
    x = x.astype(dtype)
    shape = data.draw(st.permutations(x.shape).map(tuple), label="shape")
    if shape and x.size and data.draw(st.booleans(), label="infer"):
        shape = (-1,) + shape[1:]
    check(lambda lib, t: lib.reshape(t, shape), x)
    check(lambda lib, t: t.reshape(shape), x)
    if shape:
        check(lambda lib, t: t.reshape(*shape), x)


def test_reshape_errors():
    for lib in (mg, mygrad):
        t = lib.arange(6.0)
        with pytest.raises(ValueError):
            lib.reshape(t, (4, 2))
        with pytest.raises(TypeError):
            lib.reshape(t, 2.0)
        with pytest.raises(TypeError):
            t.reshape()


def test_reshape_returns_a_view_without_copying():
    x = mg.tensor(np.arange(6.0))
    y = mg.reshape(x, (2, 3))
    assert np.shares_memory(y.data, x.data)
    from mygrad_c.tensor_manip.array_shape import Reshape
    assert Reshape.can_return_view


@given(x=float_arrays(shape=SHAPES), dtype=st.sampled_from(DTYPES))
def test_ravel_flatten(x, dtype):
    x = x.astype(dtype)
    check(lambda lib, t: lib.ravel(t), x)
    check(lambda lib, t: t.ravel(), x)
    check(lambda lib, t: t.flatten(), x)
    flat = mg.tensor(x).flatten()
    assert flat.data.flags.owndata or flat.data.base is None or not np.shares_memory(flat.data, x)


@given(x=float_arrays(shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=2)), data=st.data())
def test_squeeze(x, data):
    ones = [i for i, n in enumerate(x.shape) if n == 1]
    axis = data.draw(st.none() | st.lists(st.sampled_from(ones), unique=True).map(tuple) if ones else st.none(),
                     label="axis")
    check(lambda lib, t: lib.squeeze(t, axis), x)
    check(lambda lib, t: t.squeeze(axis=axis), x)


def test_squeeze_error():
    for lib in (mg, mygrad):
        with pytest.raises(ValueError):
            lib.squeeze(lib.zeros((2, 3)), 0)


@given(x=float_arrays(shape=SHAPES), data=st.data())
def test_expand_dims(x, data):
    axis = data.draw(st.integers(-x.ndim - 1, x.ndim), label="axis")
    check(lambda lib, t: lib.expand_dims(t, axis), x)
    with pytest.raises(np.exceptions.AxisError):
        mg.expand_dims(x, x.ndim + 1)


@given(data=st.data())
def test_broadcast_to(data):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=1, max_dims=4, max_side=3), label="shapes")
    x = data.draw(float_arrays(shape=shapes.input_shapes[0]), label="x")
    target = shapes.result_shape
    check(lambda lib, t: lib.broadcast_to(t, target), x)
    out = mg.broadcast_to(mg.tensor(x), target)
    assert not out.data.flags.writeable


def test_broadcast_to_error():
    for lib in (mg, mygrad):
        with pytest.raises(ValueError):
            lib.broadcast_to(lib.arange(6.0), (3,))


@pytest.mark.parametrize("name", ["atleast_1d", "atleast_2d", "atleast_3d"])
@given(x=float_arrays(shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=3)))
def test_atleast(name, x):
    check(lambda lib, t: getattr(lib, name)(t), x)


@pytest.mark.parametrize("name", ["atleast_1d", "atleast_2d", "atleast_3d"])
def test_atleast_identity_and_lists(name):
    for lib in (mg, mygrad):
        t = lib.zeros((2, 2, 2))
        assert getattr(lib, name)(t) is t
        assert getattr(lib, name)(t, constant=True).constant
        assert getattr(lib, name)() == []
        outs = getattr(lib, name)(t, 1.0, [1, 2])
        assert isinstance(outs, list) and len(outs) == 3
        assert outs[0] is t
    for a, b in zip(getattr(mg, name)(2.0, [1, 2]), getattr(mygrad, name)(2.0, [1, 2])):
        assert a.shape == b.shape and a.dtype == b.dtype and a.constant == b.constant


# ---------------------------------------------------------------------------
# transpose_like
# ---------------------------------------------------------------------------
@given(x=float_arrays(shape=SHAPES), data=st.data(), dtype=st.sampled_from(DTYPES))
def test_transpose(x, data, dtype):
    x = x.astype(dtype)
    perm = data.draw(st.permutations(range(x.ndim)).map(tuple), label="perm")
    check(lambda lib, t: lib.transpose(t), x)
    check(lambda lib, t: lib.transpose(t, perm), x)
    check(lambda lib, t: lib.transpose(t, *perm), x)
    check(lambda lib, t: t.transpose(perm), x)
    check(lambda lib, t: t.T, x)
    if perm:
        check(lambda lib, t: t.transpose(*perm), x)


def test_transpose_method_forms_and_errors():
    x = mg.tensor(np.arange(6.0).reshape(2, 3))
    for y in (x.T, x.transpose(), x.transpose(1, 0), x.transpose((1, 0)), x.transpose(None)):
        assert_array_equal(y.data, x.data.T)
        assert np.shares_memory(y.data, x.data)
    for lib in (mg, mygrad):
        t = lib.zeros((2, 3))
        with pytest.raises(ValueError):
            lib.transpose(t, 1)
        with pytest.raises(ValueError):
            lib.transpose(t, 0, 0)


@pytest.mark.parametrize("axes", [np.zeros((0, 3)), np.zeros(0), np.zeros((0, 2), int),
                                  np.array([1, 0]), np.array([[1, 0]]), np.array([1.0, 0.0])])
@pytest.mark.parametrize("x", [np.array(0.7), np.arange(6.0).reshape(2, 3)])
def test_transpose_by_an_array_of_axes_as_mygrad(axes, x):
    """An array of axes is NumPy's: an empty one (of any shape or dtype) is no axes."""
    results = []
    for lib in (mg, mygrad):
        try:
            t = lib.tensor(x)
            y = lib.transpose(t, axes)
            y.backward(np.arange(y.size, dtype=float).reshape(y.shape))
            results.append((y.data.tolist(), t.grad.tolist()))
        except Exception as e:
            results.append(type(e))
    assert results[0] == results[1]


@given(x=float_arrays(shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=3)), data=st.data())
def test_moveaxis_swapaxes(x, data):
    n = x.ndim
    k = data.draw(st.integers(1, n), label="k")
    src = data.draw(st.lists(st.integers(-n, n - 1), min_size=k, max_size=k,
                             unique_by=lambda i: i % n).map(tuple), label="src")
    dst = data.draw(st.lists(st.integers(-n, n - 1), min_size=k, max_size=k,
                             unique_by=lambda i: i % n).map(tuple), label="dst")
    check(lambda lib, t: lib.moveaxis(t, src, dst), x)
    check(lambda lib, t: t.moveaxis(src[0], dst[0]), x)
    a1, a2 = data.draw(st.integers(-n, n - 1), label="a1"), data.draw(st.integers(-n, n - 1), label="a2")
    check(lambda lib, t: lib.swapaxes(t, a1, a2), x)
    check(lambda lib, t: t.swapaxes(a1, a2), x)


def test_axis_errors():
    for lib in (mg, mygrad):
        t = lib.zeros((1, 2, 3))
        with pytest.raises(np.exceptions.AxisError):
            lib.moveaxis(t, 3, 0)
        with pytest.raises(np.exceptions.AxisError):
            lib.swapaxes(t, 0, 3)
        with pytest.raises(np.exceptions.AxisError):
            lib.roll(t, 1, axis=3)


@given(x=float_arrays(shape=SHAPES), data=st.data())
def test_roll(x, data):
    if x.ndim and data.draw(st.booleans(), label="with axis"):
        axes = data.draw(st.lists(st.integers(-x.ndim, x.ndim - 1), min_size=1, max_size=3), label="axes")
        shift = tuple(data.draw(st.lists(st.integers(-5, 5), min_size=len(axes), max_size=len(axes)),
                                label="shift"))
        axis = tuple(axes)
        if len(axes) == 1:
            axis, shift = axes[0], shift[0]
    else:
        axis, shift = None, data.draw(st.integers(-5, 5), label="shift")
    check(lambda lib, t: lib.roll(t, shift, axis=axis), x)


# ---------------------------------------------------------------------------
# joining and tiling
# ---------------------------------------------------------------------------
@given(data=st.data(), n=st.integers(1, 3), dtype=st.sampled_from(DTYPES))
def test_concatenate(data, n, dtype):
    base = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=3), label="base")
    axis = data.draw(st.integers(-len(base), len(base) - 1) | st.none(), label="axis")
    arrays = []
    for i in range(n):
        shape = list(base)
        if axis is not None:
            shape[axis] = data.draw(st.integers(0, 3), label=f"len{i}")
        arrays.append(data.draw(float_arrays(shape=tuple(shape), dtype=dtype), label=f"x{i}"))
    consts = data.draw(st.lists(st.booleans(), min_size=n, max_size=n), label="constant")
    compare_with_mygrad(both(lambda lib, *ts: lib.concatenate(ts, axis=axis)), *arrays, constant=consts)
    if all(a.size for a in arrays) and dtype == np.float64:
        check_numerical_grad(lambda *ts: mg.concatenate(ts, axis=axis), *arrays)


def test_concatenate_dtype_out_and_errors():
    t = np.arange(6.0)
    compare_with_mygrad(both(lambda lib, a, b: lib.concatenate([a, b], dtype=np.float32)), t, np.arange(2))
    for lib in (mg, mygrad):
        o = np.zeros(12)
        r = lib.concatenate([lib.tensor(t), lib.tensor(t)], out=o)
        assert isinstance(r, lib.Tensor) and np.shares_memory(r.data, o)
        with pytest.raises(ValueError):
            lib.concatenate([])
        with pytest.raises(ValueError):
            lib.concatenate([lib.tensor(1.0), lib.tensor(t)])
        with pytest.raises(ValueError):
            lib.concatenate([lib.zeros((2, 3)), lib.zeros((3, 2))])
    # a tensor `out` is updated in place and the gradient reaches the inputs
    x = mg.tensor(t)
    out = mg.zeros(12)
    r = mg.concatenate([x, x], out=out)
    assert r is out
    assert_array_equal(out.data, np.concatenate([t, t]))
    r.backward(np.arange(12.0))
    assert_array_equal(x.grad, np.arange(6.0) + np.arange(6.0, 12.0))


@given(data=st.data(), n=st.integers(1, 3))
def test_stack(data, n):
    shape = data.draw(SHAPES, label="shape")
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)), label="axis")
    arrays = [data.draw(float_arrays(shape=shape), label=f"x{i}") for i in range(n)]
    consts = data.draw(st.lists(st.booleans(), min_size=n, max_size=n), label="constant")
    compare_with_mygrad(both(lambda lib, *ts: lib.stack(ts, axis=axis)), *arrays, constant=consts)
    if all(a.size for a in arrays):
        check_numerical_grad(lambda *ts: mg.stack(ts, axis=axis), *arrays)


def test_stack_errors_and_constant():
    for lib in (mg, mygrad):
        t = lib.arange(6.0)
        with pytest.raises(ValueError):
            lib.stack([])
        with pytest.raises(ValueError):
            lib.stack([t, lib.arange(2.0)])
        with pytest.raises(np.exceptions.AxisError):
            lib.stack([t, t], axis=3)
        assert lib.stack([t, t], constant=True).constant
        assert lib.stack([np.arange(3.0), np.arange(3.0)]).constant


@given(x=float_arrays(shape=SHAPES), data=st.data(), dtype=st.sampled_from(DTYPES))
def test_repeat(x, data, dtype):
    x = x.astype(dtype)
    axis = data.draw(st.none() | (st.integers(-x.ndim, x.ndim - 1) if x.ndim else st.none()), label="axis")
    n = x.size if axis is None else x.shape[axis]
    repeats = data.draw(st.integers(0, 3) | st.lists(st.integers(0, 3), min_size=n, max_size=n)
                        | st.lists(st.integers(0, 3), min_size=1, max_size=1), label="repeats")
    if x.size == 0:  # MyGrad's backward fails on empty inputs; ours gives the empty gradient
        t = mg.tensor(x)
        mg.repeat(t, repeats, axis=axis).backward()
        assert t.grad.shape == x.shape
        return
    check(lambda lib, t: lib.repeat(t, repeats, axis=axis), x)


def test_repeat_errors():
    for lib in (mg, mygrad):
        t = lib.arange(6.0)
        with pytest.raises(ValueError):
            lib.repeat(t, -1)
        with pytest.raises(ValueError):
            lib.repeat(t.reshape(2, 3), [1, 2])
        with pytest.raises(np.exceptions.AxisError):
            lib.repeat(t.reshape(2, 3), 2, axis=2)


@pytest.mark.parametrize("call, as_ints", [
    (lambda lib, t: lib.repeat(t, 1.5), lambda lib, t: lib.repeat(t, 1)),
    (lambda lib, t: lib.repeat(t, 2.7, axis=0), lambda lib, t: lib.repeat(t, 2, axis=0)),
    (lambda lib, t: lib.repeat(t, 0.5, axis=1), lambda lib, t: lib.repeat(t, 0, axis=1)),
    (lambda lib, t: lib.roll(t, np.array(-2.5), axis=1), lambda lib, t: lib.roll(t, -2, axis=1)),
    (lambda lib, t: lib.roll(t, np.array([True, False, True])), lambda lib, t: lib.roll(t, 2)),
])
def test_float_counts_back_propagate_where_mygrads_backward_refuses_them(call, as_ints):
    """A documented difference (migrating.md): NumPy casts a float count or shift, MyGrad's
    forward pass runs, and its backward pass raises TypeError; mygrad_c back-propagates
    as the cast integer would."""
    x = np.arange(6.0).reshape(2, 3)
    t, ref = mg.tensor(x), mygrad.tensor(x)
    y, y_ref = call(mg, t), call(mygrad, ref)
    assert_array_equal(y.data, y_ref.data)
    with pytest.raises(TypeError):
        y_ref.backward(np.ones(y_ref.shape))
    grad = np.arange(y.size, dtype=float).reshape(y.shape)
    y.backward(grad)
    t_int = mygrad.tensor(x)
    as_ints(mygrad, t_int).backward(grad)
    assert_array_equal(t.grad, t_int.grad)


# ---------------------------------------------------------------------------
# API surface
# ---------------------------------------------------------------------------
NAMES = ["reshape", "ravel", "squeeze", "expand_dims", "broadcast_to", "atleast_1d", "atleast_2d", "atleast_3d",
         "transpose", "moveaxis", "swapaxes", "roll", "concatenate", "stack", "repeat"]


def test_signatures_match_mygrad():
    for name in NAMES:
        p_c = inspect.signature(getattr(mg, name)).parameters
        p_r = inspect.signature(getattr(mygrad, name)).parameters
        assert [(k, v.kind, v.default) for k, v in p_c.items()] == \
               [(k, v.kind, v.default) for k, v in p_r.items()], name


def test_module_paths():
    import mygrad_c.tensor_manip as tm
    from mygrad_c.tensor_manip.array_shape import flatten, ravel, reshape, squeeze  # noqa: F401
    from mygrad_c.tensor_manip.transpose_like import moveaxis, swapaxes, transpose  # noqa: F401

    assert set(NAMES) <= set(tm.__all__)
    assert "flatten" not in tm.__all__  # as in MyGrad, there is no top-level flatten


def test_view_ops_declare_it():
    from mygrad_c.tensor_manip import array_shape as a, tensor_joining as j, tiling, transpose_like as t

    for Op in (a.Reshape, a.Ravel, a.Squeeze, a.ExpandDims, a.BroadcastTo, a.AtLeast1D, t.Transpose,
               t.MoveAxis, t.SwapAxes):
        assert Op.can_return_view, Op
    for Op in (a.Flatten, t.Roll, j.Concatenate, j.Stack, tiling.Repeat):
        assert not Op.can_return_view, Op
