"""maximum, minimum, clip and the re-exported NumPy ufuncs (mygrad_c.math.misc)."""
from __future__ import annotations

import inspect
import warnings

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import mygrad
import numpy as np
import pytest
from hypothesis import assume, given
from numpy.testing import assert_allclose, assert_array_equal

import mygrad_c as mg
from helpers import check_numerical_grad, compare_with_mygrad, non_contiguous
from mygrad_c.math import misc

FLOATS = [np.float16, np.float32, np.float64]
NUMPY_UFUNCS = [n for n in misc.__all__ if n not in ("maximum", "minimum", "clip")]


def floats(dtype, shape, values=None):
    width = 8 * np.dtype(dtype).itemsize
    elements = st.floats(-10, 10, width=width) if values is None else st.sampled_from(values)
    return non_contiguous(hnp.arrays(dtype, shape, elements=elements))


def broadcast_pair(data, dtype, values=None, num=2):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=num, min_dims=0, max_dims=3, max_side=3))
    return [data.draw(floats(dtype, s, values), label=f"input {i}") for i, s in enumerate(shapes.input_shapes)]


def check_grad(f, *arrays, **kwargs):
    """check_numerical_grad, plus the empty-array case (helpers.numerical_grad cannot iterate it)."""
    if any(np.size(a) == 0 for a in arrays):
        tensors = [mg.tensor(a) for a in arrays]
        f(*tensors).backward()
        for t, a in zip(tensors, arrays):
            assert t.grad.shape == np.shape(a)
        return
    check_numerical_grad(f, *arrays, **kwargs)


# ---------------------------------------------------------------------------
# maximum / minimum
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["maximum", "minimum"])
@given(data=st.data())
def test_max_min_match_mygrad(name, data):
    dtype = data.draw(st.sampled_from(FLOATS), label="dtype")
    # few distinct values: ties are frequent, and MyGrad gives neither input a gradient there
    values = data.draw(st.sampled_from([None, [-1.0, 0.0, 1.0]]), label="values")
    a, b = broadcast_pair(data, dtype, values)
    const = data.draw(st.lists(st.booleans(), min_size=2, max_size=2), label="constant inputs")
    compare_with_mygrad(name, a, b, constant=const)


@pytest.mark.parametrize("name", ["maximum", "minimum"])
@given(data=st.data())
def test_max_min_numerical_derivative(name, data):
    a, b = broadcast_pair(data, np.float64)
    assume(np.all(np.abs(a - b) > 1e-3))  # no ties: the derivative is defined
    check_grad(getattr(mg, name), a, b)


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_max_min_ties_infs_and_nans_match_mygrad(name):
    v = [-np.inf, -1.0, 0.0, 1.0, np.inf, np.nan]
    a, b = (g.ravel() for g in np.meshgrid(v, v, indexing="ij"))
    compare_with_mygrad(name, a, b, grad=np.ones_like(a))


def test_maximum_tie_gives_no_gradient():
    x, y = mg.tensor([1.0, 2.0]), mg.tensor([1.0, 0.0])
    mg.maximum(x, y).backward()
    assert_array_equal(x.grad, [0.0, 1.0])
    assert_array_equal(y.grad, [0.0, 0.0])


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_max_min_integers_are_constant(name):
    compare_with_mygrad(name, np.array([1, 5, 3]), np.array([2, 2, 2]))
    compare_with_mygrad(name, np.array([1, 5, 3], dtype=np.int8), np.array([2.5]))


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_max_min_where_and_dtype(name):
    a, b = np.array([[1.0, 4.0, -2.0]]), np.array([3.0, 0.0, -1.0])
    mask = np.array([True, False, True])
    ins_c = [mg.tensor(a), mg.tensor(b)]
    ins_r = [mygrad.tensor(a), mygrad.tensor(b)]
    out_c = getattr(mg, name)(*ins_c, where=mask, dtype=np.float32)
    out_r = getattr(mygrad, name)(*ins_r, where=mask, dtype=np.float32)
    assert out_c.dtype == out_r.dtype == np.float32
    assert_allclose(out_c.data[:, mask], out_r.data[:, mask])
    out_c.backward()
    out_r.backward()
    for tc, tr in zip(ins_c, ins_r):
        assert_allclose(tc.grad, tr.grad)
        assert tc.grad.dtype == tr.grad.dtype


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_max_min_ufunc_attributes_and_signature(name):
    ours, ref = getattr(mg, name), getattr(mygrad, name)
    assert issubclass(ours, mg.ufunc) and type(ours).__name__ == type(ref).__name__
    for attr in ["nin", "nout", "nargs", "ntypes", "types", "identity", "signature"]:
        assert getattr(ours, attr) == getattr(ref, attr), attr


# ---------------------------------------------------------------------------
# clip
# ---------------------------------------------------------------------------
@given(data=st.data())
def test_clip_matches_mygrad(data):
    dtype = data.draw(st.sampled_from(FLOATS), label="dtype")
    values = data.draw(st.sampled_from([None, [-1.0, 0.0, 0.5, 1.0]]), label="values")
    a, lo, hi = broadcast_pair(data, dtype, values, num=3)
    lo_kind = data.draw(st.sampled_from(["tensor", "scalar", "none"]), label="a_min kind")
    hi_kind = data.draw(st.sampled_from(["tensor", "scalar", "none"]), label="a_max kind")
    assume(not (lo_kind == hi_kind == "none"))
    lo = {"tensor": lo, "scalar": -0.5, "none": None}[lo_kind]
    hi = {"tensor": hi, "scalar": 0.5, "none": None}[hi_kind]
    const = [data.draw(st.booleans(), label="constant a"), False, False]
    compare_with_mygrad("clip", a, lo, hi, constant=const)


@given(data=st.data())
def test_clip_numerical_derivative(data):
    a, lo, hi = broadcast_pair(data, np.float64, num=3)
    lo, hi = np.minimum(lo, hi) - 0.5, np.maximum(lo, hi) + 0.5
    for bound in (lo, hi):  # stay away from the kinks
        assume(np.all(np.abs(np.broadcast_arrays(a, bound)[0] - np.broadcast_arrays(a, bound)[1]) > 1e-3))
    check_grad(mg.clip, a, lo, hi)


def test_clip_gradient_at_bounds_and_nan():
    x = mg.tensor([-2.0, -1.0, 0.0, 1.0, 2.0, np.nan])
    y = mg.clip(x, -1, 1)
    assert_allclose(y.data, [-1, -1, 0, 1, 1, np.nan])
    y.backward()
    assert_array_equal(x.grad, [0, 0, 1, 0, 0, 1])  # no gradient at a bound (as in MyGrad)


def test_clip_tensor_bounds_get_gradient_where_selected():
    x = mg.tensor([-2.0, 0.0, 2.0])
    lo, hi = mg.tensor([-1.0, -1.0, -1.0]), mg.tensor(1.0)
    mg.clip(x, lo, hi).backward()
    assert_array_equal(x.grad, [0, 1, 0])
    assert_array_equal(lo.grad, [1, 0, 0])
    assert_array_equal(hi.grad, 1.0)


def test_clip_inverted_bounds_give_a_max():
    compare_with_mygrad("clip", np.array([-2.0, 0.0, 2.0]), 1.0, -1.0)


def test_clip_without_bounds_returns_input():
    x = mg.tensor([1.0, 2.0])
    assert mg.clip(x, None, None) is x
    arr = np.array([1.0, 2.0])
    r = mg.clip(arr, None, None)
    assert isinstance(r, mg.Tensor) and np.shares_memory(r.data, arr)


def test_clip_dtypes_and_constants_like_mygrad():
    for a, lo, hi in [(np.array([1, 2, 3]), 2, 2), (np.array([1, 2, 3]), 1.5, 2.0),
                      (np.array([1.0, 2.0], dtype=np.float16), 1, 1.5),
                      (np.array([1.0, 2.0], dtype=np.float32), np.array(1.2), 1.5)]:
        compare_with_mygrad("clip", a, lo, hi)
    compare_with_mygrad((lambda t: mg.clip(t, 0, 1, constant=True), lambda t: mygrad.clip(t, 0, 1, constant=True)),
                        np.array([0.5, 2.0]))


def test_clip_out_tensor():
    x = mg.tensor([1.0, 2.0, 3.0])
    t = mg.zeros(3, dtype=float)
    r = mg.clip(x, 1.5, 2.5, out=t)
    assert r is t
    assert_allclose(t.data, [1.5, 2.0, 2.5])
    t.backward()
    assert_array_equal(x.grad, [0, 1, 0])


def test_clip_out_ndarray():
    # (MyGrad 2.5 raises "output array is read-only" here; mygrad_c writes the result)
    x = mg.tensor([1.0, 2.0, 3.0])
    buf = np.zeros(3)
    r = mg.clip(x, None, 2.5, out=buf)
    assert r.data is buf
    assert_allclose(buf, [1.0, 2.0, 2.5])


def test_tensor_clip_method():
    x = mg.tensor([-3.0, 0.25, 3.0])
    y = x.clip(-1, 1)
    assert_allclose(y.data, [-1, 0.25, 1])
    y.backward()
    assert_array_equal(x.grad, [0, 1, 0])


def test_clip_errors_and_signature():
    with pytest.raises(TypeError):
        mg.clip(mg.tensor([1.0]))
    with pytest.raises(TypeError):
        mg.clip(mg.tensor([1.0]), "a", 1)
    with pytest.raises(ValueError):
        mg.clip(mg.tensor([1.0, 2.0]), np.zeros(3), 1)
    params = lambda f: [(p.name, p.kind, p.default) for p in inspect.signature(f).parameters.values()]  # noqa: E731
    assert params(mg.clip) == params(mygrad.clip)
    assert "Examples" in mg.clip.__doc__


# ---------------------------------------------------------------------------
# NumPy's non-differentiable ufuncs
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", NUMPY_UFUNCS)
def test_numpy_ufuncs_are_numpys_own(name):
    assert getattr(mg, name) is getattr(np, name) is getattr(mygrad, name)


def test_misc_all_is_mygrads_set():
    """Every NumPy ufunc MyGrad re-exports at top level is in misc.__all__."""
    expected = {n for n in dir(mygrad) if isinstance(getattr(mygrad, n), np.ufunc)}
    assert set(NUMPY_UFUNCS) == expected


@given(x=floats(np.float64, hnp.array_shapes(min_dims=0, max_dims=2)))
def test_numpy_ufuncs_on_arrays(x):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in ["sign", "floor", "ceil", "trunc", "rint", "isnan", "isinf", "isfinite", "signbit",
                     "logical_not"]:
            assert_array_equal(getattr(mg, name)(x), getattr(np, name)(x))
        for name in ["equal", "less", "greater_equal", "logical_xor", "fmod", "mod", "floor_divide"]:
            assert_array_equal(getattr(mg, name)(x, 0.5), getattr(np, name)(x, 0.5))
        q, r = mg.divmod(x, 3.0)
        assert_array_equal(q, np.floor_divide(x, 3.0))
