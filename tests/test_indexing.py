"""Indexing: x[index], x[index] = v, where, and the scatter-add kernel.

Every differentiable case is checked against the reference MyGrad (values,
dtypes, constant flags and gradients) and, for float64, against central
differences.
"""
import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import mygrad
import numpy as np
import pytest
from hypothesis import given
from numpy.testing import assert_allclose, assert_array_equal

import mygrad_c as mg
from helpers import check_numerical_grad, compare_with_mygrad, float_arrays
from mygrad_c._indexing import scatter_add_rows
from mygrad_c.indexing_routines import getitem, setitem

DTYPES = [np.float16, np.float32, np.float64]


def _getitem_pair(index):
    return (lambda x: x[index], lambda x: x[index])


# ---------------------------------------------------------------------------
# the kernel
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@given(data=st.data())
def test_scatter_add_rows_matches_add_at(dtype, data):
    n_rows = data.draw(st.integers(1, 6))
    width = data.draw(st.integers(0, 5))
    rows = data.draw(hnp.arrays(np.int64, st.integers(0, 20), elements=st.integers(0, n_rows - 1)))
    src = data.draw(float_arrays(shape=(rows.size, width), dtype=dtype))  # incl. non-contiguous
    out = np.zeros((n_rows, width), dtype=dtype)
    expected = np.zeros((n_rows, width), dtype=np.float64)
    np.add.at(expected, rows, src.astype(np.float64))
    assert scatter_add_rows(out, rows, src) is out
    assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def test_scatter_add_rows_validates():
    out = np.zeros((3, 2))
    with pytest.raises(IndexError):
        scatter_add_rows(out, np.array([3]), np.ones((1, 2)))
    with pytest.raises(IndexError):
        scatter_add_rows(out, np.array([-1]), np.ones((1, 2)))
    with pytest.raises(ValueError):
        scatter_add_rows(out, np.array([0, 1]), np.ones((1, 2)))
    with pytest.raises(ValueError):
        scatter_add_rows(out, np.array([0]), np.ones((1, 3)))
    with pytest.raises(TypeError):
        scatter_add_rows(out, np.array([0]), np.ones((1, 2), dtype=np.float32))
    with pytest.raises(TypeError):
        scatter_add_rows(np.zeros((3, 2), dtype=int), np.array([0]), np.ones((1, 2), dtype=int))
    with pytest.raises(TypeError):
        scatter_add_rows(out, np.array([0.0]), np.ones((1, 2)))
    with pytest.raises(ValueError):
        scatter_add_rows(np.zeros((2, 3)).T, np.array([0]), np.ones((1, 2)))


# ---------------------------------------------------------------------------
# getitem
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@given(data=st.data())
def test_getitem_basic_index(dtype, data):
    x = data.draw(float_arrays(dtype=dtype))
    index = data.draw(hnp.basic_indices(x.shape, allow_newaxis=True, allow_ellipsis=True))
    compare_with_mygrad(_getitem_pair(index), x)


@pytest.mark.parametrize("dtype", DTYPES)
@given(data=st.data())
def test_getitem_integer_array_index(dtype, data):
    x = data.draw(float_arrays(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4),
                               dtype=dtype))
    index = data.draw(hnp.integer_array_indices(x.shape, result_shape=hnp.array_shapes(min_dims=0, max_dims=2,
                                                                                       min_side=0, max_side=5)))
    compare_with_mygrad(_getitem_pair(index), x)


@pytest.mark.parametrize("dtype", DTYPES)
@given(data=st.data())
def test_getitem_boolean_mask(dtype, data):
    x = data.draw(float_arrays(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=4),
                               dtype=dtype))
    ndim = data.draw(st.integers(1, x.ndim))
    mask = data.draw(hnp.arrays(bool, x.shape[:ndim]))
    compare_with_mygrad(_getitem_pair(mask), x)


X = np.arange(24.0).reshape(2, 3, 4)

MIXED_INDICES = [
    ([0, 0, 1],),                                   # repeated rows
    (np.array([[0, 1], [1, 1]]),),                  # 2-D index array
    ([1, 0], slice(None), [3, 3]),                  # advanced indices separated by a slice
    (slice(None), [2, 0, 2]),                       # advanced index in the middle
    (Ellipsis, [1, 1, -1]),                         # negative, after an ellipsis
    (None, [0, 1], slice(1, None)),                 # newaxis before an advanced index
    ([0, 1], 2),                                    # integer next to an index array
    (1, [0, 2], [3, 0]),
    (np.array([True, False]), slice(None, None, -1)),
    (np.ones((2, 3), dtype=bool), [0, 0, 1, 1, 2, 2]),
    (np.array(1),),                                 # 0-d integer array: advanced (a copy)
    (True,),
    (False, 0),
    ([],),
    (np.zeros((0,), dtype=int), slice(None)),
    (-1, -1, [-4, 3]),
    ([[0], [1]], [[0, 1, 2]]),
    (slice(None), slice(None), [0, 0, 0]),
    (slice(None), [[0, 0], [1, 1]], slice(1, 3)),
]


@pytest.mark.parametrize("index", MIXED_INDICES, ids=repr)
@pytest.mark.parametrize("layout", ["contiguous", "transposed", "strided"])
def test_getitem_mixed_indices(index, layout):
    x = {"contiguous": X, "transposed": np.ascontiguousarray(X.T).T,
         "strided": np.repeat(X, 2, axis=-1)[..., ::2]}[layout]
    compare_with_mygrad(_getitem_pair(index), x)
    check_numerical_grad(lambda t: t[index], x)


def test_getitem_repeated_rows_numerical():
    x = np.random.default_rng(0).normal(size=(5, 3))
    idx = np.array([4, 0, 4, 4, 1, -1])
    check_numerical_grad(lambda t: t[idx], x)
    check_numerical_grad(lambda t: t[idx, 1:], x)
    check_numerical_grad(lambda t: t[:, [2, 2]], x)


@pytest.mark.parametrize("make_index", [
    lambda lib: lib.tensor([0, 0, 1]),
    lambda lib: (lib.tensor([1, 1]), lib.tensor([0, 2])),
    lambda lib: (lib.tensor(1), slice(None)),
    lambda lib: lib.tensor([True, False]),
    lambda lib: [lib.tensor(0), 1],
])
def test_tensors_as_indices(make_index):
    compare_with_mygrad((lambda x: x[make_index(mg)], lambda x: x[make_index(mygrad)]),
                        np.arange(6.0).reshape(2, 3))


def test_getitem_of_zero_dim_and_empty():
    compare_with_mygrad(_getitem_pair(()), np.array(3.0))
    compare_with_mygrad(_getitem_pair(...), np.array(3.0))
    compare_with_mygrad(_getitem_pair(None), np.array(3.0))
    compare_with_mygrad(_getitem_pair(np.array(True)), np.array(3.0))
    compare_with_mygrad(_getitem_pair([0, 0]), np.zeros((2, 0)))
    compare_with_mygrad(_getitem_pair(slice(1, 1)), np.arange(3.0))


def test_basic_index_is_a_view_advanced_is_a_copy():
    x = mg.tensor(np.arange(12.0).reshape(3, 4))
    for index in [0, (slice(None), 1), (Ellipsis, None), (slice(None, None, -1), slice(1, 3))]:
        y = x[index]
        assert np.shares_memory(y.data, x.data)
        assert type(y.creator).can_return_view
    for index in [[0, 1], np.array(1), x.data > 3]:
        assert not np.shares_memory(x[index].data, x.data)


def test_getitem_integer_and_constant_tensors():
    compare_with_mygrad(_getitem_pair([1, 1]), np.arange(4), constant=[True])
    compare_with_mygrad(_getitem_pair([1, 1]), np.arange(4.0), constant=[True])
    y = mg.tensor([1, 2, 3])[[0, 0]]
    assert y.constant and y.dtype == np.int64


def test_getitem_in_no_autodiff():
    x = mg.tensor([1.0, 2.0])
    with mg.no_autodiff:
        y = x[[0, 0]]
    assert y.creator is None
    assert_array_equal(y.data, [1.0, 1.0])


def test_getitem_chained_and_reused():
    def f(lib):
        x = lib.tensor(np.arange(12.0).reshape(3, 4))
        y = x[[0, 2, 0]][:, 1:] * x[[1, 1, 2], 3:]
        y.backward(np.arange(9.0).reshape(3, 3))
        return x.grad

    assert_allclose(f(mg), f(mygrad))


@pytest.mark.parametrize("index", [
    5, (0, 0, 0), "a", 1.0, [True], np.array([0.5]), (slice(None), [3]),
    [[0, 1], [0]], np.ones((3,), dtype=bool),
])
def test_getitem_errors_match_mygrad(index):
    x_c, x_r = mg.tensor(np.arange(6.0).reshape(2, 3)), mygrad.tensor(np.arange(6.0).reshape(2, 3))
    with pytest.raises(Exception) as ref:
        x_r[index]
    with pytest.raises(ref.type) as ours:
        x_c[index]
    assert str(ours.value) == str(ref.value)


def test_float_tensor_as_index_raises():
    x = mg.tensor([1.0, 2.0])
    with pytest.raises(IndexError):
        x[mg.tensor([0.0])]


def test_getitem_big_repeated_gather():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(100, 8)).astype(np.float32)
    idx = rng.integers(0, 100, 5000)
    t = mg.tensor(x)
    t[idx].backward()
    expected = np.zeros((100, 8), dtype=np.float64)
    np.add.at(expected, idx, 1.0)
    assert t.grad.dtype == np.float32
    assert_allclose(t.grad, expected)


# ---------------------------------------------------------------------------
# setitem
# ---------------------------------------------------------------------------
def _setitem_pair(index, const_value=None, scale=2.0):
    """f(x, v): y = scale * x; y[index] = v; return y * weights (weights break symmetry)."""
    def make(lib):
        def f(x, v):
            y = scale * x
            y[index] = v if const_value is None else const_value
            return y * (1 + np.arange(y.size).reshape(y.shape))
        return f
    return make(mg), make(mygrad)


SETITEM_CASES = [
    # (x shape, index, value shape)
    ((4,), 1, ()),
    ((4,), slice(1, 3), (2,)),
    ((4,), slice(None, None, -1), (1,)),
    ((4,), [0, 0, 2], ()),                # repeated, broadcast value
    ((4,), [0, 0, 2], (3,)),              # repeated: last write wins
    ((2, 2), [0, 0], (2,)),
    ((2, 2), [0, 0], (2, 2)),
    ((2, 3), (slice(None), 0), ()),
    ((2, 3), (slice(None), [1, 1]), (2, 1)),
    ((2, 3), (Ellipsis, None, 2), (1, 1, 1)),   # value with extra leading 1-axes
    ((2, 3), np.array([[True, False, True], [False, True, True]]), (4,)),
    ((2, 3), ([1, 0, 1], [2, 2, 2]), (3,)),
    ((2, 3), ([[0], [1]], [0, 0]), (2, 2)),
    ((3,), (), (3,)),
    ((), (), ()),
    ((), Ellipsis, ()),
    ((0, 3), slice(None), (3,)),
    ((2, 3), ([], ), ()),
]


@pytest.mark.parametrize("x_shape, index, v_shape", SETITEM_CASES, ids=repr)
@pytest.mark.parametrize("dtype", DTYPES)
def test_setitem_matches_mygrad(x_shape, index, v_shape, dtype):
    rng = np.random.default_rng(3)
    x = rng.uniform(-2, 2, size=x_shape).astype(dtype)
    v = rng.uniform(-2, 2, size=v_shape).astype(dtype)
    compare_with_mygrad(_setitem_pair(index), x, v)
    if dtype == np.float64:
        def f(a, b):
            a = 2.0 * mg.astensor(a)
            a[index] = b
            return a
        check_numerical_grad(f, x, v)


@pytest.mark.parametrize("x_dtype, v_dtype", [(np.float32, np.float64), (np.float64, np.float16),
                                              (np.float64, np.int64)])
def test_setitem_mixed_dtypes(x_dtype, v_dtype):
    x = np.arange(4.0).astype(x_dtype)
    v = np.array([7, 8]).astype(v_dtype)
    compare_with_mygrad(_setitem_pair([1, 3]), x, v)


def test_setitem_value_constant_or_plain():
    compare_with_mygrad(_setitem_pair([1, 2]), np.arange(4.0), np.ones(2), constant=[False, True])
    compare_with_mygrad(_setitem_pair(slice(0, 2), const_value=[5.0, 6.0]), np.arange(4.0), np.ones(2))
    compare_with_mygrad(_setitem_pair(0, const_value=3), np.arange(4.0), np.ones(2))


@st.composite
def _shapes_broadcasting_to(draw, shape):
    """Shapes that NumPy broadcasts *to* ``shape`` (trailing part, some axes set to 1)."""
    n = draw(st.integers(0, len(shape)))
    tail = shape[len(shape) - n:]
    return tuple(1 if draw(st.booleans()) else d for d in tail)


@given(data=st.data())
def test_setitem_hypothesis_integer_arrays(data):
    x = data.draw(float_arrays(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)))
    index = data.draw(hnp.integer_array_indices(x.shape, result_shape=hnp.array_shapes(max_dims=2,
                                                                                       max_side=4)))
    v = data.draw(float_arrays(shape=_shapes_broadcasting_to(x[index].shape)))
    compare_with_mygrad(_setitem_pair(index), x, v)


def test_semantics_writing_into_an_intermediate():
    x = mg.tensor([1.0, 2.0, 3.0])
    y = 2 * x
    y[1] = 0.0
    assert repr(y) == "Tensor([2., 0., 6.])"
    y.sum().backward()
    assert_array_equal(x.grad, [2.0, 0.0, 2.0])


def test_semantics_writing_one_tensor_into_another():
    a = mg.tensor([1.0, 2.0, 3.0])
    b = mg.tensor(10.0)
    a0 = a
    a[0] = b
    assert a is a0
    assert repr(a) == "Tensor([10.,  2.,  3.])"
    (a * a).sum().backward()
    assert_array_equal(a.grad, [20.0, 4.0, 6.0])
    assert_array_equal(b.grad, 20.0)
    assert b.grad.shape == ()


def test_setitem_on_leaf_then_backward_through_earlier_use():
    for lib in (mg, mygrad):
        x = lib.tensor([1.0, 2.0, 3.0])
        y = x * 2
        x[0] = 5.0
        assert_array_equal(x.data, [5.0, 2.0, 3.0])
        assert_array_equal(y.data, [2.0, 4.0, 6.0])
        assert x.creator is not None
        y.backward()
        assert x.grad is None


def test_setitem_into_constant_tensor():
    for lib in (mg, mygrad):
        c = lib.tensor([1.0, 2.0, 3.0], constant=True)
        w = lib.tensor(7.0)
        c[0] = w
        assert c.constant
        assert_array_equal(c.data, [7.0, 2.0, 3.0])
        (c * lib.tensor([1.0, 1.0, 1.0])).sum().backward()
        assert w.grad is None


def test_setitem_into_integer_tensor():
    for lib in (mg, mygrad):
        i = lib.tensor([1, 2, 3])
        w = lib.tensor(5.5)
        i[0] = w
        assert i.constant and i.dtype == np.int64
        assert_array_equal(i.data, [5, 2, 3])


def test_setitem_in_no_autodiff_writes_directly():
    x = mg.tensor([1.0, 2.0, 3.0])
    data = x.data
    with mg.no_autodiff:
        x[[0, 0]] = mg.tensor([8.0, 9.0])
    assert x.creator is None and x.data is data
    assert_array_equal(x.data, [9.0, 2.0, 3.0])


def test_setitem_read_only_data():
    for lib in (mg, mygrad):
        a = np.arange(3.0)
        a.flags.writeable = False
        t = lib.tensor(a, copy=False)
        with pytest.raises(ValueError, match="read-only"):
            t[0] = 1.0


def test_setitem_leaves_memory_guard_consistent():
    x = mg.tensor([1.0, 2.0, 3.0])
    y = 2 * x
    y[0] = -1.0
    assert not y.data.flags.writeable   # in a live graph
    y.sum().backward()
    assert y.data.flags.writeable and x.data.flags.writeable


@pytest.mark.parametrize("index, value", [
    (0, [1.0, 2.0]), (0, "a"), (7, 1.0), ([0, 1, 2], [1.0, 2.0]), (1.5, 1.0),
    (0, np.array([1 + 1j])), (0, [[9.0]]),
])
def test_setitem_errors_match_mygrad_and_leave_tensor_intact(index, value):
    x_r = mygrad.tensor([1.0, 2.0, 3.0])
    with pytest.raises(Exception) as ref:
        x_r[index] = value
    x = mg.tensor([1.0, 2.0, 3.0])
    y = x * 2
    with pytest.raises(ref.type) as ours:
        x[index] = value
    assert str(ours.value) == str(ref.value)
    assert_array_equal(x.data, [1.0, 2.0, 3.0])
    assert x.creator is None
    (y + x).sum().backward()
    assert_array_equal(x.grad, [3.0, 3.0, 3.0])


def test_setitem_function_form():
    x = mg.tensor([1.0, 2.0])
    setitem(x, mg.tensor(1), 5.0)
    assert_array_equal(x.data, [1.0, 5.0])
    assert_array_equal(getitem(x, [1, 1]).data, [5.0, 5.0])


@pytest.mark.parametrize("make_index", [
    lambda lib, i: i,                                   # a 0-d integer tensor: its integer
    lambda lib, i: (i, slice(0, 2)),
    lambda lib, i: (slice(None), i),
    lambda lib, i: (0, i),                              # an element: a new 0-d array
    lambda lib, i: i.astype(np.uint8),
    lambda lib, i: lib.tensor(i.data.reshape(1)),       # 1-d: advanced (a copy)
    lambda lib, i: i.data,                              # a 0-d array: advanced (NumPy)
    lambda lib, i: [i, 0],
])
def test_a_0d_integer_tensor_index_is_an_integer_as_in_mygrad(make_index):
    """``for i in mg.arange(n): x[i]`` - MyGrad (through ``__index__``) takes a 0-d integer
    tensor as an integer: the result is a view, written through, and a view's gradient."""
    libs = {}
    for lib in (mg, mygrad):
        x = lib.tensor(np.arange(6.0).reshape(2, 3))
        states = []
        for step, i in enumerate(lib.arange(2)):
            row = x[make_index(lib, i)]
            states.append((row.base is x, np.shares_memory(row.data, x.data), row.data.tolist()))
            (row * (step + 1)).sum().backward()
            states.append((x.grad.tolist(), None if row.grad is None else row.grad.tolist()))
            if row.base is x:
                row[...] = -1.0     # written through to x, as a view
            states.append(x.data.tolist())
        libs[lib] = states
    assert libs[mg] == libs[mygrad]


# ---------------------------------------------------------------------------
# where
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@given(data=st.data())
def test_where_matches_mygrad(dtype, data):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3))
    cond_shape, x_shape, y_shape = shapes.input_shapes
    cond = data.draw(hnp.arrays(bool, cond_shape))
    x = data.draw(float_arrays(shape=x_shape, dtype=dtype))
    y = data.draw(float_arrays(shape=y_shape, dtype=dtype))
    compare_with_mygrad((lambda a, b: mg.where(cond, a, b), lambda a, b: mygrad.where(cond, a, b)), x, y)


def test_where_numerical_grad():
    rng = np.random.default_rng(0)
    cond = rng.random((2, 3)) > 0.5
    check_numerical_grad(lambda a, b: mg.where(cond, a, b), rng.normal(size=(3,)), rng.normal(size=(2, 1)))


def test_where_forms_and_kinds():
    t_c, t_r = mg.tensor([1.0, 2.0, 3.0]), mygrad.tensor([1.0, 2.0, 3.0])
    for a, b in [(mg.where(t_c.data > 1), mygrad.where(t_r > 1)), (mg.where([1, 0, 1]), mygrad.where([1, 0, 1]))]:
        assert isinstance(a, tuple) and len(a) == len(b)
        for u, v in zip(a, b):
            assert_array_equal(u, v)
    # a tensor condition works too (and is not differentiated)
    y = mg.where(mg.tensor([True, False, True]), t_c, 0.0)
    assert_array_equal(y.data, [1.0, 0.0, 3.0])
    for cmp in [
        (lambda lib, t: lib.where(t > 1, 1, 2)),
        (lambda lib, t: lib.where(t > 1, t, 2, constant=True)),
        (lambda lib, t: lib.where(t > 1, lib.tensor([1, 2, 3]), 2.5)),
        (lambda lib, t: lib.where(t > 1, lib.tensor([1.0, 2, 3], dtype="float32"), 2.5)),
        (lambda lib, t: lib.where(t > 1, lib.tensor([1.0, 2, 3], dtype="float32"), np.float32(2.5))),
    ]:
        a, b = cmp(mg, t_c), cmp(mygrad, t_r)
        assert a.dtype == b.dtype and a.constant == b.constant
        assert_array_equal(a.data, b.data)


@pytest.mark.parametrize("call", [
    lambda lib, t: lib.where(t > 1, t),
    lambda lib, t: lib.where(t > 1, y=t),
    lambda lib, t: lib.where(t > 1, "a", 2.5),
    lambda lib, t: lib.where(t > 1, t, [1.0, 2.0]),
])
def test_where_errors_match_mygrad(call):
    with pytest.raises(Exception) as ref:
        call(mygrad, mygrad.tensor([1.0, 2.0, 3.0]))
    with pytest.raises(ref.type) as ours:
        call(mg, mg.tensor([1.0, 2.0, 3.0]))
    assert str(ours.value) == str(ref.value)


def test_where_signature_and_no_autodiff():
    import inspect

    ours = inspect.signature(mg.where)
    ref = inspect.signature(mygrad.where)
    assert list(ours.parameters) == list(ref.parameters)
    assert [p.kind for p in ours.parameters.values()] == [p.kind for p in ref.parameters.values()]
    assert repr(ours.parameters["x"].default) == "<no value>"
    with mg.no_autodiff:
        assert mg.where([True], mg.tensor([1.0]), 0.0).creator is None
    x = mg.tensor([1.0, 2.0, 3.0])
    mg.where(x.data > 1, x, x).backward()
    assert_array_equal(x.grad, [1.0, 1.0, 1.0])
