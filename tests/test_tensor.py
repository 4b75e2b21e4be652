"""Tensor construction, attributes and the Python/NumPy protocols, checked against MyGrad."""
from __future__ import annotations

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import mygrad
import numpy as np
import pytest
from hypothesis import given
from numpy.testing import assert_array_equal

import mygrad_c as mg
from helpers import float_arrays

DTYPES = ["float16", "float32", "float64", "int8", "int32", "int64", "uint8", "bool"]


def real_arrays(dtype):
    """Arrays of any real dtype, incl. 0-d, empty and non-contiguous layouts."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return float_arrays(dtype=dtype, min_value=-1e3, max_value=1e3)
    return hnp.arrays(dtype, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))


def both(fn):
    """Run ``fn(lib)`` for mygrad_c and MyGrad; return (ours, reference) or exceptions."""
    out = []
    for lib in (mg, mygrad):
        try:
            out.append(fn(lib))
        except Exception as e:  # noqa: BLE001 - compared below
            out.append(e)
    return out


def assert_same_outcome(fn, *, compare=None):
    ours, ref = both(fn)
    if isinstance(ref, Exception):
        assert isinstance(ours, Exception), f"MyGrad raises {ref!r}; mygrad_c returned {ours!r}"
        assert isinstance(ours, type(ref)) or type(ours).__name__ == type(ref).__name__, (ours, ref)
        return ours, ref
    assert not isinstance(ours, Exception), f"mygrad_c raised {ours!r}; MyGrad returned {ref!r}"
    if compare is not None:
        compare(ours, ref)
    else:
        assert ours == ref, (ours, ref)
    return ours, ref


def same_tensor(a, b):
    assert isinstance(a, mg.Tensor) and isinstance(b, mygrad.Tensor)
    assert a.shape == b.shape and a.dtype == b.dtype and a.constant == b.constant, (a, b)
    assert_array_equal(a.data, b.data)


# ---------------------------------------------------------------------------
# construction
# ---------------------------------------------------------------------------
@given(data=st.data(), dtype=st.sampled_from(DTYPES))
def test_construction_matches_mygrad(data, dtype):
    arr = data.draw(real_arrays(dtype))
    constant = data.draw(st.sampled_from([None, True, False]))
    ndmin = data.draw(st.integers(0, 4))
    target = data.draw(st.sampled_from([None, "float32", "float64", "int16"]))
    for copy in (True, False):
        assert_same_outcome(
            lambda lib: lib.tensor(arr, dtype=target, constant=constant, copy=copy, ndmin=ndmin),
            compare=same_tensor)
        assert_same_outcome(
            lambda lib: lib.Tensor(arr, dtype=target, constant=constant, copy=copy, ndmin=ndmin),
            compare=same_tensor)


@pytest.mark.parametrize("value", [1, 1.5, True, [1, 2], [[1.0], [2.0]], (), [], np.float32(2.0),
                                   np.int8(3), np.array(2.0, dtype=np.float16)])
def test_construction_from_python_values(value):
    assert_same_outcome(lambda lib: lib.tensor(value), compare=same_tensor)
    assert_same_outcome(lambda lib: lib.Tensor(value), compare=same_tensor)


def test_integer_and_bool_tensors_are_constants():
    for dt in ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool"]:
        t = mg.tensor(np.zeros(3, dtype=dt))
        assert t.constant is True
        assert mg.tensor(np.zeros(3, dtype=dt), constant=True).constant is True
    for dt in ["float16", "float32", "float64"]:
        assert mg.tensor(np.zeros(3, dtype=dt)).constant is False
        assert mg.tensor(np.zeros(3, dtype=dt), constant=True).constant is True


def test_integer_tensor_cannot_be_variable():
    ours, ref = assert_same_outcome(lambda lib: lib.tensor([1, 2], constant=False))
    assert isinstance(ref, ValueError) and isinstance(ours, ValueError)


@pytest.mark.parametrize("bad", ["abc", ["a", "b"], [object()], None, {1: 2}, 1j, [1 + 2j],
                                 np.array([1 + 1j]), [[1, 2], [3]], np.array(["x"]),
                                 np.array(["2020"], dtype="datetime64[D]")])
def test_bad_data_raises_like_mygrad(bad):
    for make in (lambda lib: lib.tensor(bad), lambda lib: lib.Tensor(bad)):
        ours, ref = both(make)
        assert isinstance(ref, Exception), ref
        assert isinstance(ours, Exception), f"mygrad_c accepted {bad!r}: {ours!r}"
        assert type(ours) is type(ref) or isinstance(ours, type(ref)), (ours, ref)


def test_copy_flag_and_tensor_input():
    a = np.arange(4.0)
    assert not np.shares_memory(mg.tensor(a).data, a)
    assert np.shares_memory(mg.tensor(a, copy=False).data, a)
    x = mg.tensor([1.0, 2.0])
    assert mg.tensor(x) is not x
    assert mg.tensor(x, copy=False) is x
    assert not np.shares_memory(mg.tensor(x).data, x.data)
    # a tensor made from a tensor drops the graph
    y = x * 2
    for z in (mg.tensor(y), mg.tensor(y, constant=True), mg.Tensor(y)):
        assert z.creator is None
    assert mg.tensor(y, copy=False) is y


# ---------------------------------------------------------------------------
# attributes
# ---------------------------------------------------------------------------
@given(data=st.data(), dtype=st.sampled_from(DTYPES))
def test_attributes(data, dtype):
    arr = data.draw(real_arrays(dtype))
    t = mg.tensor(arr)
    r = mygrad.tensor(arr)
    assert t.shape == r.shape == arr.shape
    assert t.ndim == r.ndim and t.size == r.size and t.dtype == r.dtype
    assert isinstance(t.data, np.ndarray)
    assert_array_equal(t.data, arr)
    assert t.grad is None and t.creator is None and t.base is None
    assert t.constant == r.constant
    assert len(t.shape) == t.ndim


def test_T_matches_mygrad():
    a = np.arange(24.0).reshape(2, 3, 4)
    t, r = mg.tensor(a), mygrad.tensor(a)
    same_tensor(t.T, r.T)
    assert_array_equal(mg.tensor(1.0).T.data, 1.0)
    tt = t.T
    tt.backward(np.arange(24.0).reshape(4, 3, 2))
    assert_array_equal(t.grad, np.arange(24.0).reshape(4, 3, 2).T)


# ---------------------------------------------------------------------------
# repr
# ---------------------------------------------------------------------------
REPR_CASES = [
    np.array(1.0), np.array(-2.5, dtype=np.float32), np.array(3, dtype=np.int8), np.array(True),
    np.array([1.0, 2.0]), np.array([1, 2, 3]), np.array([1.5, 2], dtype=np.float16),
    np.zeros((0,)), np.zeros((2, 0)), np.zeros((0, 3), dtype=np.int32), np.zeros((1, 0, 2), np.float32),
    np.arange(12.0).reshape(2, 3, 2), np.arange(6, dtype=np.uint8).reshape(3, 2),
    np.array([1e10, 1.0]), np.array([1e-10, 1.0, np.nan, np.inf, -np.inf]),
    np.arange(2000.0), np.arange(5000).reshape(50, 100), np.array([[True, False]]),
    np.array([0.1, 0.25, 1 / 3]), np.ones((1, 1, 1, 1)), np.array([-0.0, 0.0]),
]


@pytest.mark.parametrize("arr", REPR_CASES, ids=lambda a: f"{a.dtype}{a.shape}")
def test_repr_matches_mygrad(arr):
    assert repr(mg.tensor(arr)) == repr(mygrad.tensor(arr))
    assert repr(mg.tensor(arr, constant=True)) == repr(mygrad.tensor(arr, constant=True))
    assert str(mg.tensor(arr)) == str(mygrad.tensor(arr))


@given(data=st.data(), dtype=st.sampled_from(DTYPES))
def test_repr_matches_mygrad_hypothesis(data, dtype):
    arr = data.draw(real_arrays(dtype))
    assert repr(mg.tensor(arr)) == repr(mygrad.tensor(arr))


def test_repr_of_op_result():
    x = mg.tensor([1.0, 2.0])
    assert repr(x * 2) == "Tensor([2., 4.])"
    assert repr(mg.zeros((1, 2))) == "Tensor([[0., 0.]], dtype=float32)"


# ---------------------------------------------------------------------------
# Python / NumPy protocols
# ---------------------------------------------------------------------------
@given(data=st.data(), dtype=st.sampled_from(DTYPES))
def test_array_protocol(data, dtype):
    arr = data.draw(real_arrays(dtype))
    t = mg.tensor(arr)
    a = np.asarray(t)
    assert a.dtype == arr.dtype and a.shape == arr.shape
    assert_array_equal(a, arr)
    assert np.shares_memory(a, t.data) or arr.size == 0
    assert_array_equal(np.array(t, dtype=np.float64), arr.astype(np.float64))
    assert_array_equal(mg.asarray(t), arr)


SCALAR_PROTOCOL_CASES = [
    ("len", lambda t: len(t)), ("int", lambda t: int(t)), ("float", lambda t: float(t)),
    ("bool", lambda t: bool(t)), ("index", lambda t: t.__index__()), ("item", lambda t: t.item()),
    ("list_index", lambda t: [10, 11, 12, 13][t]), ("range", lambda t: range(t)),
]
SCALAR_PROTOCOL_INPUTS = [
    np.array(2.0), np.array(2.7), np.array(0.0), np.array(3), np.array(0), np.array(True),
    np.array([2.0]), np.array([[3]]), np.array([1.0, 2.0]), np.zeros((0,)), np.array([0.0]),
    np.array(1, dtype=np.uint8), np.array([1], dtype=np.int8), np.array(-1.5, dtype=np.float16),
]


@pytest.mark.parametrize("name,fn", SCALAR_PROTOCOL_CASES, ids=[c[0] for c in SCALAR_PROTOCOL_CASES])
@pytest.mark.parametrize("arr", SCALAR_PROTOCOL_INPUTS, ids=lambda a: f"{a.dtype}{a.shape}")
def test_scalar_protocols_match_mygrad(name, fn, arr):
    ours, ref = assert_same_outcome(lambda lib: fn(lib.tensor(arr)))
    if not isinstance(ref, Exception):
        assert type(ours) is type(ref), (ours, ref)


def test_iter_matches_mygrad():
    a = np.arange(6.0).reshape(3, 2)
    ours, ref = list(mg.tensor(a)), list(mygrad.tensor(a))
    assert len(ours) == 3
    for o, r in zip(ours, ref):
        same_tensor(o, r)
    assert list(mg.tensor(np.zeros((0, 2)))) == []
    ours, ref = both(lambda lib: iter(lib.tensor(1.0)))
    assert isinstance(ref, TypeError) and isinstance(ours, TypeError)
    # iterating is differentiable, as in MyGrad
    x = mg.tensor([1.0, 2.0, 3.0])
    a, b, c = x
    (a * b).backward()
    assert_array_equal(x.grad, [2.0, 1.0, 0.0])


@pytest.mark.parametrize("item", [2.0, 5.0, 2, True, mg.tensor(2.0), mg.tensor([1.0, 2.0]), np.array(3.0)])
def test_contains(item):
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    ref_item = mygrad.tensor(item.data) if isinstance(item, mg.Tensor) else item
    assert (item in mg.tensor(a)) == (ref_item in mygrad.tensor(a))


@pytest.mark.parametrize("op", ["__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"])
@given(data=st.data())
def test_comparisons_return_arrays(op, data):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    a = data.draw(float_arrays(shapes.input_shapes[0], min_value=-2, max_value=2))
    b = data.draw(float_arrays(shapes.input_shapes[1], min_value=-2, max_value=2))
    expected = getattr(mygrad.tensor(a), op)(mygrad.tensor(b))
    for other in (mg.tensor(b), b):
        out = getattr(mg.tensor(a), op)(other)
        assert not isinstance(out, mg.Tensor)
        assert type(out) is type(expected) and out.dtype == bool  # ndarray (numpy bool for 0-d)
        assert_array_equal(out, expected)
    # python scalars and reflected comparisons
    assert_array_equal(getattr(mg.tensor(a), op)(0.5), getattr(mygrad.tensor(a), op)(0.5))


@pytest.mark.parametrize("other", [np.float32, int, None, "a", object(), [1.0, 2.0], (2.0,), mg])
@pytest.mark.parametrize("op", ["__eq__", "__ne__", "__lt__"])
@pytest.mark.parametrize("value", [[[1.0, 2.0], [3.0, 4.0]], 2.5, [1.0]])
def test_comparisons_with_objects_that_are_not_numbers_as_mygrad(op, other, value):
    """``t == np.float32`` (a class), ``t == "a"``: elementwise, nothing equal, as MyGrad
    (for a 0-d tensor: a NumPy bool, as NumPy's comparison of 0-d arrays gives)."""
    results = []
    for lib in (mg, mygrad):
        try:
            r = getattr(lib.tensor(value), op)(other)
            results.append((type(r), np.asarray(r).tolist()))
        except Exception as e:
            results.append(type(e))
    assert results[0] == results[1]


def test_reflected_comparisons_with_scalars():
    t = mg.tensor([1.0, 2.0, 3.0])
    r = mygrad.tensor([1.0, 2.0, 3.0])
    assert_array_equal(2 < t, 2 < r)
    assert_array_equal(2 == t, 2 == r)
    assert type(2 >= t) is np.ndarray
    assert not isinstance(t == t, mg.Tensor)


def test_comparisons_do_not_build_graph():
    x = mg.tensor([1.0, 2.0])
    _ = x < 2
    x.backward()
    assert_array_equal(x.grad, [1.0, 1.0])
    assert x.data.flags.writeable


def test_tensors_are_unhashable_like_mygrad():
    # == is elementwise, so a Tensor (as MyGrad's, and as a NumPy array) cannot be a
    # dict key or a set member; a Tensor subclass inherits that
    class Param(mg.Tensor):
        pass

    for lib, make in ((mygrad, mygrad.tensor), (mg, mg.tensor), (mg, Param)):
        t = make([1.0, 2.0])
        assert lib.Tensor.__hash__ is None
        with pytest.raises(TypeError, match="unhashable"):
            hash(t)
        with pytest.raises(TypeError, match="unhashable"):
            {t}
    # the graph machinery never needs a tensor's hash: views, an in-place write, a
    # backward and a clear give MyGrad's gradients
    grads = []
    for lib in (mygrad, mg):
        class Param(lib.Tensor):
            pass

        x = Param([1.0, 2.0, 3.0])
        v = x[1:]
        y = (v * x[:2]).sum()
        v[0] = 5.0
        (y * x).sum().backward()
        grads.append([x.grad, v.grad])
        x.clear_graph()
    for ours, ref in zip(grads[1], grads[0]):
        assert_array_equal(ours, ref)


def test_floor_division_of_constants_gives_arrays():
    for a in (mg.tensor([3, 4]), mg.tensor([3.0, 4.0], constant=True)):
        ref = mygrad.tensor(a.data, constant=True)
        for f in (lambda t: t // 2, lambda t: 7 // t):
            out, expected = f(a), f(ref)
            assert type(out) is type(expected) is np.ndarray
            assert_array_equal(out, expected)


def test_floor_division_of_variable_raises_like_mygrad():
    ours, ref = both(lambda lib: lib.tensor([3.0, 4.0]) // 2)
    assert isinstance(ref, ValueError)
    assert isinstance(ours, ValueError), ours


# ---------------------------------------------------------------------------
# item, astype, copy
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("arr", [np.array(2.5), np.array([3]), np.array([[True]]), np.array(4, dtype=np.uint8),
                                 np.array([1.0, 2.0]), np.zeros((0,))])
def test_item(arr):
    ours, ref = assert_same_outcome(lambda lib: lib.tensor(arr).item())
    if not isinstance(ref, Exception):
        assert type(ours) is type(ref)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int32", "int8", "bool", float, int])
@pytest.mark.parametrize("constant", [None, True, False])
@pytest.mark.parametrize("src", [np.array([1.5, -2.0]), np.array(3.0, dtype=np.float32), np.array([1, 2])])
def test_astype_matches_mygrad(dtype, constant, src):
    ours, ref = assert_same_outcome(lambda lib: lib.tensor(src).astype(dtype, constant=constant),
                                    compare=same_tensor)
    if not isinstance(ours, Exception):
        assert ours.creator is None
        assert not np.shares_memory(ours.data, src)


def test_astype_copy_false_and_gradient():
    x = mg.tensor([1.0, 2.0])
    assert x.astype(np.float64, copy=False) is x
    assert x.astype(np.float64) is not x
    # as in MyGrad, astype does not connect to the graph
    for lib in (mg, mygrad):
        a = lib.tensor([1.0, 2.0])
        b = a.astype("float32")
        (b * 2).backward()
        assert a.grad is None
        assert_array_equal(b.grad, np.array([2.0, 2.0], dtype=np.float32))


@pytest.mark.parametrize("constant", [None, True, False])
def test_copy_matches_mygrad(constant):
    for arr in (np.array([1.0, 2.0]), np.array(3.0, dtype=np.float16), np.array([1, 2])):
        ours, ref = assert_same_outcome(lambda lib: lib.tensor(arr).copy(constant=constant),
                                        compare=same_tensor)
    x = mg.tensor([1.0, 2.0])
    y = x.copy()
    assert y is not x and not np.shares_memory(y.data, x.data)
    assert_array_equal(y.data, x.data)


def test_copy_is_not_part_of_graph_like_mygrad():
    results = {}
    for lib in (mg, mygrad):
        a = lib.tensor([1.0, 2.0])
        b = a.copy()
        (b * 2).backward()
        results[lib.__name__] = (b.creator is None, a.grad)
    assert results["mygrad_c"][0] == results["mygrad"][0]
    assert (results["mygrad_c"][1] is None) == (results["mygrad"][1] is None)


def test_copy_module_functions():
    import copy

    x = mg.tensor([1.0, 2.0])
    (x * 2).backward()
    c = copy.copy(x)
    d = copy.deepcopy(x)
    for y in (c, d):
        assert isinstance(y, mg.Tensor) and y is not x
        assert_array_equal(y.data, x.data)
        assert not np.shares_memory(y.data, x.data)
        assert y.creator is None and y.constant == x.constant


def test_pickle_roundtrip():
    import pickle

    for t in (mg.tensor([1.0, 2.0]), mg.tensor([1.0], constant=True), mg.tensor(3, dtype=np.int8)):
        u = pickle.loads(pickle.dumps(t))
        assert type(u) is mg.Tensor
        assert u.dtype == t.dtype and u.constant == t.constant
        assert_array_equal(u.data, t.data)


def test_null_grad_and_null_gradients():
    x = mg.tensor([1.0, 2.0])
    (x * 2).backward()
    assert x.grad is not None
    assert x.null_grad() is x
    assert x.grad is None
    (x * 2).backward()
    with pytest.warns(FutureWarning):
        x.null_gradients()
    # as in MyGrad 2.5, the deprecated method only warns: the gradient stays
    assert_array_equal(x.grad, [2.0, 2.0])
    y = mygrad.tensor([1.0, 2.0])
    (y * 2).backward()
    with pytest.warns(FutureWarning):
        y.null_gradients()
    assert_array_equal(y.grad, x.grad)
