"""Reductions and sequential ops (mygrad_c.math.sequential) against MyGrad and numerical derivatives."""
import functools
import operator
import warnings

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import mygrad
import numpy as np
import pytest
from hypothesis import given
from numpy.testing import assert_allclose, assert_array_equal

import mygrad_c as mg
from helpers import bits, check_numerical_grad, compare_with_mygrad, float_arrays

REDUCTIONS = ["sum", "mean", "var", "std", "prod", "max", "min", "amax", "amin"]
DTYPES = [np.float16, np.float32, np.float64]


@st.composite
def axis_for(draw, ndim):
    """None, an int (possibly negative) or a tuple of distinct axes, valid for ``ndim``."""
    options = [st.none(), hnp.valid_tuple_axes(ndim)]
    if ndim:
        options.append(st.integers(-ndim, ndim - 1))
    return draw(st.one_of(*options))


def _runs_in_mygrad(name, x, **kwargs):
    """Whether MyGrad computes forward and backward without raising (else: the exception type)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        t = mygrad.tensor(x.copy())
        try:
            out = getattr(mygrad, name)(t, **kwargs)
        except Exception as e:  # noqa: BLE001 - we compare the type below
            return type(e)
        try:
            out.backward()
        except ValueError:
            if x.size == 0 and name in ("max", "min", "amax", "amin"):
                # MyGrad's max/min backward fails on some empty inputs (a reshape bug);
                # mygrad_c gives the empty gradient
                return "empty"
            raise
        except Exception as e:  # noqa: BLE001
            return type(e)
    return None


def compare_or_raise(name, x, **kwargs):
    """compare_with_mygrad, or, where MyGrad raises, check that mygrad_c raises the same type."""
    err = _runs_in_mygrad(name, x, **kwargs)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if err == "empty":
            t = mg.tensor(x.copy())
            getattr(mg, name)(t, **kwargs).backward()
            assert t.grad.shape == x.shape
            return
        if err is not None:
            with pytest.raises(err):
                getattr(mg, name)(mg.tensor(x.copy()), **kwargs).backward()
            return
        compare_with_mygrad(name, x, **kwargs)


# ---------------------------------------------------------------------------
# reductions: values, dtypes, constant flags and gradients equal MyGrad's
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", REDUCTIONS)
@given(data=st.data(), dtype=st.sampled_from(DTYPES), keepdims=st.booleans())
def test_reduction_matches_mygrad(name, data, dtype, keepdims):
    x = data.draw(float_arrays(dtype=dtype, min_value=-3, max_value=3), label="x")
    axis = data.draw(axis_for(x.ndim), label="axis")
    kwargs = dict(axis=axis, keepdims=keepdims)
    if name in ("var", "std"):
        kwargs["ddof"] = data.draw(st.integers(0, 2), label="ddof")
    compare_or_raise(name, x, **kwargs)


@pytest.mark.parametrize("name", ["max", "min"])
@given(data=st.data(), keepdims=st.booleans())
def test_extremum_ties_follow_mygrad(name, data, keepdims):
    # few distinct values: many ties, whose gradient must go where MyGrad sends it
    x = data.draw(hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=3),
                             elements=st.sampled_from([0.0, 1.0])), label="x")
    axis = data.draw(axis_for(x.ndim), label="axis")
    compare_with_mygrad(name, x, axis=axis, keepdims=keepdims)


@pytest.mark.parametrize("name", ["sum", "mean", "var", "std", "prod", "max", "min"])
@given(data=st.data())
def test_reduction_numerical_gradient(name, data):
    x = data.draw(float_arrays(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3),
                               min_value=0.5, max_value=2.0) if name == "prod" else
                  hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, min_side=2, max_side=3),
                             elements=st.integers(-40, 40).map(lambda i: i / 4), unique=True), label="x")
    axis = data.draw(axis_for(x.ndim), label="axis")
    if name in ("var", "std") and (x.ndim == 0 or axis == ()):
        axis = None
    if name == "std" and x.size < 2:
        return
    check_numerical_grad(getattr(mg, name), x, axis=axis, rtol=1e-4, atol=1e-5)


def test_ints_and_bools_are_constants_with_numpys_dtypes():
    for name in REDUCTIONS + ["cumsum", "cumprod"]:
        for x in (np.array([[1, 2], [3, 4]], dtype=np.int8), np.array([True, False, True])):
            out_c = getattr(mg, name)(x)
            out_r = getattr(mygrad, name)(x)
            assert out_c.constant and out_r.constant
            assert out_c.dtype == out_r.dtype, (name, out_c.dtype, out_r.dtype)
            assert_allclose(out_c.data, out_r.data)


@pytest.mark.parametrize("axis, err", [(2, np.exceptions.AxisError), ((0, 0), ValueError),
                                       (1.0, TypeError), ((0, 5), np.exceptions.AxisError)])
@pytest.mark.parametrize("name", REDUCTIONS)
def test_bad_axis_raises_like_mygrad(name, axis, err):
    x = np.zeros((2, 3))
    with pytest.raises(err):
        getattr(mygrad, name)(x, axis=axis)
    with pytest.raises(err):
        getattr(mg, name)(x, axis=axis)


def test_max_of_empty_raises_value_error():
    with pytest.raises(ValueError):
        mg.max(np.zeros((0, 3)))
    out = mg.max(mg.tensor(np.zeros((0, 3))), axis=1)
    assert out.shape == (0,)


def test_constant_keyword():
    x = mg.tensor([1.0, 2.0])
    assert mg.sum(x, constant=True).constant
    assert not mg.sum(x).constant
    assert mg.sum(mg.tensor([1.0], constant=True)).constant


# ---------------------------------------------------------------------------
# prod and cumprod with zeros
# ---------------------------------------------------------------------------
PROD_CASES = [
    np.array([2.0, 3.0, 4.0]),
    np.array([2.0, 0.0, 4.0]),            # one zero
    np.array([0.0, 3.0, 0.0]),            # two zeros
    np.array([0.0, 0.0, 0.0]),
    np.array([[1.0, 0.0, 3.0], [0.0, 0.0, 2.0], [1.0, 2.0, 3.0]]),
    np.array(0.0),
]


@pytest.mark.parametrize("x", PROD_CASES)
@pytest.mark.parametrize("axis", [None, 0, -1])
def test_prod_with_zeros(x, axis):
    if x.ndim == 0 and axis is not None:
        return
    compare_with_mygrad("prod", x, axis=axis)
    if x.ndim:
        check_numerical_grad(mg.prod, x, axis=axis)


@pytest.mark.parametrize("x", PROD_CASES)
@pytest.mark.parametrize("axis", [None, 0, -1])
def test_cumprod_with_zeros(x, axis):
    if x.ndim == 0 and axis is not None:
        return
    compare_with_mygrad("cumprod", x, axis=axis)
    check_numerical_grad(mg.cumprod, x, axis=axis)


@given(data=st.data())
def test_prod_cumprod_zeros_hypothesis(data):
    x = data.draw(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4),
                             elements=st.sampled_from([0.0, 0.5, -1.5, 2.0])), label="x")
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1) | st.none(), label="axis")
    for name in ("prod", "cumprod"):
        compare_with_mygrad(name, x, axis=axis)
        check_numerical_grad(getattr(mg, name), x, axis=axis)


# ---------------------------------------------------------------------------
# cumulative ops
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
@given(data=st.data(), dtype=st.sampled_from(DTYPES))
def test_cumulative_matches_mygrad(name, data, dtype):
    x = data.draw(float_arrays(dtype=dtype, min_value=-2, max_value=2), label="x")
    axis = data.draw(st.none() | (st.integers(-x.ndim, x.ndim - 1) if x.ndim else st.none()), label="axis")
    with np.errstate(all="ignore"):
        overflows = name == "cumprod" and not np.isfinite(np.cumprod(x, axis=axis)).all()
    if overflows:
        # the products overflow the dtype: MyGrad's gradient is then wrong (finite numbers
        # where the exact gradient overflows too); ours is the float64 gradient, rounded
        check_cumprod_gradient_in_float64(x, axis)
        return
    compare_or_raise(name, x, axis=axis)


def check_cumprod_gradient_in_float64(x, axis):
    g = np.random.default_rng(1).uniform(-2, 2, size=np.cumprod(x, axis=axis).shape)
    t = mg.tensor(x)
    with np.errstate(all="ignore"):
        mg.cumprod(t, axis=axis).backward(g)
    xs = np.moveaxis(x.astype(np.float64).ravel() if axis is None else x.astype(np.float64), axis or 0, -1)
    gs = np.moveaxis(g.astype(x.dtype).astype(np.float64), axis or 0, -1)
    want = np.zeros(xs.shape)
    n = xs.shape[-1]
    for i in range(n):   # df/dx_i = sum_{j >= i} g_j prod_{k <= j, k != i} x_k
        for j in range(i, n):
            others = np.prod(np.delete(xs[..., : j + 1], i, axis=-1), axis=-1)
            want[..., i] += gs[..., j] * others
    with np.errstate(over="ignore"):
        want = np.moveaxis(want, -1, axis or 0).astype(x.dtype).reshape(x.shape)
    assert_allclose(t.grad, want, rtol=1e-2 if x.dtype == np.float16 else 1e-5, atol=1e-6)


@pytest.mark.parametrize("x", [[1.0, 2.0, 3.0, 4.0], [0.0, 1.0, 2.0, 3.0], [1.0, 2.0, 0.0, 3.0]])
@pytest.mark.parametrize("g", [[np.nan, 0, 0, 0], [0, 0, 0, np.nan], [1, 1, 1, np.inf]])
def test_cumprod_passes_a_nonfinite_gradient_on(x, g):
    """A nan or inf arriving at cumprod's output reaches every input whose partial derivative
    it multiplies: df/dx_i = sum_{j >= i} g_j prod_{k <= j, k != i} x_k in IEEE arithmetic
    (nan * 0 is nan).  MyGrad gives 0 for a nan, and the largest float for an inf when an
    input is 0 - a deliberate difference (`cumprod-nonfinite-in-mygrad`, docs/guide/migrating.md)."""
    g = np.array(g, dtype=np.float64)
    t = mg.tensor(x)
    with np.errstate(all="ignore"):
        mg.cumprod(t).backward(g)
        want = np.zeros(4)
        for i in range(4):
            for j in range(i, 4):
                want[i] += g[j] * np.prod(np.delete(np.array(x[: j + 1]), i))
    assert_array_equal(t.grad, want)
    r = mygrad.tensor(x)
    with np.errstate(all="ignore"):
        mygrad.cumprod(r).backward(g)
    if 0.0 in x or np.isnan(g).any():
        assert np.isfinite(r.grad).all()   # (the difference this test documents)
    else:  # an inf and no zero: MyGrad's division-based gradient gets it right
        assert_array_equal(r.grad, want)


def test_cumprod_overflowing_float16():
    check_cumprod_gradient_in_float64(np.full((2, 3, 4), 2.0, np.float16), None)
    check_cumprod_gradient_in_float64(np.full((3, 40), 1.9, np.float16), 1)


@given(x=float_arrays(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)), data=st.data())
def test_cumsum_numerical_gradient(x, data):
    axis = data.draw(st.none() | (st.integers(-x.ndim, x.ndim - 1) if x.ndim else st.none()), label="axis")
    check_numerical_grad(mg.cumsum, x, axis=axis)


# ---------------------------------------------------------------------------
# non-differentiable: argmax, argmin, any
# ---------------------------------------------------------------------------
@given(x=float_arrays(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)), data=st.data())
def test_arg_functions_return_arrays(x, data):
    axis = data.draw(st.none() | st.integers(-x.ndim, x.ndim - 1), label="axis")
    for name in ("argmax", "argmin"):
        for arg in (x, mg.tensor(x)):
            out = getattr(mg, name)(arg, axis=axis)
            assert not isinstance(out, mg.Tensor)
            assert_array_equal(out, getattr(mygrad, name)(mygrad.tensor(x), axis=axis))
    keepdims = data.draw(st.booleans(), label="keepdims")
    out = mg.any(mg.tensor(x > 0), axis=axis, keepdims=keepdims)
    assert not isinstance(out, mg.Tensor)
    assert_array_equal(out, mygrad.any(mygrad.tensor(x > 0), axis=axis, keepdims=keepdims))


def test_arg_functions_out():
    x = np.array([[1.0, 3.0], [4.0, 2.0]])
    out = np.empty(2, dtype=np.intp)
    assert mg.argmax(mg.tensor(x), axis=1, out=out) is out
    assert_array_equal(out, [1, 0])


# ---------------------------------------------------------------------------
# add_sequence / multiply_sequence
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["add_sequence", "multiply_sequence"])
@given(data=st.data(), n=st.integers(2, 4))
def test_sequence_ops_match_mygrad(name, data, n):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=n, max_dims=3, max_side=3), label="shapes")
    arrays = [data.draw(float_arrays(shape=s, min_value=-2, max_value=2), label=f"x{i}")
              for i, s in enumerate(shapes.input_shapes)]
    consts = data.draw(st.lists(st.booleans(), min_size=n, max_size=n), label="constant")
    compare_with_mygrad(name, *arrays, constant=consts)
    check_numerical_grad(getattr(mg, name), *arrays)


def test_multiply_sequence_with_zeros():
    x = np.array([0.0, 2.0, 3.0])
    compare_with_mygrad("multiply_sequence", x, np.array([0.0, 0.0, 1.0]), x)


@pytest.mark.parametrize("arrays", [
    ([True, False, True], [True, True, False]),                   # MyGrad: integer 2, not True
    ([True, False], [True, True], [True, False]),
    ([True, False, True], np.array([1, -2, 3], np.int8)),           # int64, as 0 + bool
    ([True, False], np.array([1.5, 2.5], np.float32)),              # float64, as MyGrad
    (np.array([1, 2], np.int8), np.array([3, 4], np.int8)),         # stays int8
    ([-0.0, 0.0], [-0.0, -0.0]),                                    # +0., as 0 + -0.
    (np.array([-0.0], np.float16), np.array([-0.0], np.float16)),
    (np.array(-0.0), np.array(-0.0)),
])
def test_add_sequence_dtype_and_signed_zero_as_mygrad(arrays):
    """MyGrad's sum starts from the integer 0: booleans add up as integers, -0. sums to +0."""
    arrays = [np.asarray(a) for a in arrays]
    got, ref = mg.add_sequence(*arrays), mygrad.add_sequence(*arrays)
    assert got.dtype == ref.dtype and got.shape == ref.shape and got.constant == ref.constant
    assert_array_equal(got.data, ref.data)
    assert_array_equal(np.signbit(got.data), np.signbit(ref.data))
    if got.dtype.kind == "f":
        for lib in (mg, mygrad):
            xs = [lib.tensor(a) if a.dtype.kind == "f" else a for a in arrays]
            lib.add_sequence(*xs).backward()
        assert all(x.grad is not None for x in xs if isinstance(x, mygrad.Tensor))


@pytest.mark.parametrize("name", ["add_sequence", "multiply_sequence"])
def test_sequence_ops_need_two_inputs(name):
    for args in [(), (mg.tensor(1.0),)]:
        with pytest.raises(ValueError):
            getattr(mygrad, name)(*args)
        with pytest.raises(ValueError):
            getattr(mg, name)(*args)
    assert getattr(mg, name)(1, 2).constant


# ---------------------------------------------------------------------------
# Tensor method forms
# ---------------------------------------------------------------------------
def test_tensor_methods():
    x = np.arange(1.0, 7.0).reshape(2, 3)
    for method, kwargs in [("sum", dict(axis=0)), ("sum", dict(axis=(0, 1), keepdims=True)), ("mean", dict(axis=-1)),
                           ("var", dict(ddof=1)), ("std", dict(axis=1, ddof=1)), ("prod", dict(axis=1)),
                           ("cumsum", dict(axis=1)), ("cumprod", dict()), ("max", dict(axis=1)), ("min", dict())]:
        compare_with_mygrad((lambda t, m=method, k=kwargs: getattr(t, m)(**k),
                             lambda t, m=method, k=kwargs: getattr(t, m)(**k)), x)
    t = mg.tensor(x)
    assert_array_equal(t.argmax(axis=1), [2, 2])
    assert t.any()


def test_sum_backward_gradient_is_a_writeable_array():
    x = mg.tensor(np.ones((3, 4)))
    x.sum().backward()
    assert x.grad.flags.writeable and x.grad.shape == (3, 4)


def test_signatures_match_mygrad():
    import inspect

    for name in REDUCTIONS + ["cumsum", "cumprod", "argmax", "argmin", "any", "add_sequence", "multiply_sequence"]:
        p_c = list(inspect.signature(getattr(mg, name)).parameters.items())
        p_r = list(inspect.signature(getattr(mygrad, name)).parameters.items())
        assert [(k, v.kind, v.default) for k, v in p_c] == [(k, v.kind, v.default) for k, v in p_r], name


def test_var_std_gradients_of_tiny_float16_as_mygrad():
    """Found by CI's random draw: std of float16 [6e-08, 0] is 0 (its variance underflows);
    the gradients follow MyGrad's order of operations, so the centered values are not
    rounded away (var: [6e-08, 0]; std: [inf, nan], as MyGrad)."""
    x = np.array([6e-08, 0.0], dtype=np.float16)
    for name in ("var", "std"):
        t_c, t_r = mg.tensor(x), mygrad.tensor(x)
        with np.errstate(all="ignore"):
            getattr(mg, name)(t_c).backward()
            getattr(mygrad, name)(t_r).backward()
        np.testing.assert_array_equal(t_c.grad, t_r.grad)
    np.testing.assert_array_equal(t_c.grad, np.array([np.inf, np.nan], dtype=np.float16))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize("shape, axis, ddof", [
    ((5, 6), 0, 0), ((5, 6), 1, 1), ((5, 6), None, 0), ((5, 6), None, 1), ((2, 3, 4), (0, 2), 0),
    ((2, 3, 4), -1, 2), ((7,), 0, 0), ((4, 6), (0, 1), 1), ((5, 6), (), 0), ((3, 4), (), 2),
    ((0, 3), 0, 0), ((4,), 0, 4),
])
def test_var_std_bit_for_bit_as_mygrad(name, dtype, shape, axis, ddof):
    """var's and std's values and gradients are MyGrad's bit for bit (signed zeros and the
    last bit included), the same leaf through three backward passes as a training loop
    (helixnet's BatchNorm layer, built of ``mg.mean``/``mg.var``, trains identically): with an
    axis MyGrad's scale 2 / (N - ddof) is a float64 NumPy scalar, so float16/float32 gradients
    are computed in float64 and rounded once; over no axes (``axis=()``) the gradient is +0."""
    rng = np.random.default_rng(sum(shape) + (ddof or 0))
    x = (rng.standard_normal(shape) * 3 + 1).astype(dtype).T.copy().T   # (non-contiguous for 2-d)
    results = []
    for lib in (mygrad, mg):
        t = lib.tensor(x)
        steps = []
        for k in range(3):
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                y = getattr(lib, name)(t, axis=axis, ddof=ddof, keepdims=k == 1)
                g = np.cos(np.arange(y.size) + k).reshape(y.shape).astype(dtype) * (-1) ** k
                y.backward(g)
            steps.append((bits(y.data), bits(t.grad)))
        results.append(steps)
    assert results[1] == results[0]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes", [[(2, 3)] * 3, [(2, 3), (3,)], [(2, 3), (1, 3), (2, 1), (3,)]])
def test_multiply_sequence_bit_for_bit_as_mygrad(shapes, dtype):
    """multiply_sequence's gradients are MyGrad's bit for bit: ``(grad * product) / x_i``, or,
    when the forward's product has an element within 1e-8 of 0 (an input 0, say), the product of
    the others times grad.  Where MyGrad's division is wrong (an input infinite, the product
    overflowed) ours is the product of the others."""
    rng = np.random.default_rng(len(shapes))
    xs = [rng.standard_normal(s).astype(dtype) for s in shapes]
    for near_zero in (None, 0.0, 1e-9):
        if near_zero is not None:
            xs[0].flat[0] = near_zero
        results = []
        for lib in (mygrad, mg):
            ts = [lib.tensor(x) for x in xs]
            for k in range(2):   # the same leaves again, as a training loop
                out = lib.multiply_sequence(*ts)
                out.backward(np.cos(np.arange(out.size) + k).reshape(out.shape).astype(dtype))
            results.append([bits(out.data)] + [bits(t.grad) for t in ts])
        assert results[1] == results[0], near_zero
    big = np.finfo(dtype).max
    for first, second in ((np.inf, 1.0), (big, big / 4)):   # (second: the product overflows)
        xs[0].flat[0], xs[1].flat[0], xs[-1].flat[0] = first, second, 0.25
        ts, chain = [mg.tensor(x) for x in xs], [mg.tensor(x) for x in xs]
        with np.errstate(over="ignore"):
            mg.multiply_sequence(*ts).backward()
            functools.reduce(operator.mul, chain).backward()   # (products, no division)
        for t, c in zip(ts, chain):
            assert not np.isnan(t.grad).any()
            assert_allclose(t.grad, c.grad, rtol=5e-3 if dtype == np.float16 else 1e-6)   # (f16: 4 roundings)


# the input's shape set under no_autodiff after a reduction used it, then back-propagated:
# MyGrad puts the reduced axes back into the gradient's own shape and broadcasts, giving
# a sum's right gradient and (for the others) its own numbers, or (prod) NumPy's reshape
# error; mygrad_c gives the same (thorough seed 1551, session 30: it raised where MyGrad gave
# a min's gradient).  Where MyGrad itself crashes the results may differ (docs/fuzzing.md)
SHAPE_SETS = [((3, 1), (1, 3), -2, False), ((3, 1), (1, 3), 0, True), ((4, 1), (1, 4), 1, False),
              ((3, 1), (1, 3), 1, False), ((1, 3), (3, 1), 0, False), ((2, 1, 3), (2, 3, 1), 1, False),
              ((2, 3), (3, 2), None, False), ((2, 3), (3, 2), (0, 1), True)]


@pytest.mark.parametrize("name", ["sum", "mean", "var", "std", "prod", "max", "min"])
@pytest.mark.parametrize("old, new, axis, keepdims", SHAPE_SETS)
def test_reduction_after_an_untracked_shape_set_back_propagates_as_mygrad(name, old, new, axis, keepdims):
    def run(lib):
        x = lib.tensor(np.arange(np.prod(old), dtype=float).reshape(old) / 3 - 0.7)
        out = []
        for step in range(2):                       # (a training loop: reduce, reshape, backward)
            y = getattr(x, name)(axis=axis, keepdims=keepdims) * (step + 1)
            with lib.no_autodiff:
                x.shape = new
            try:
                with np.errstate(all="ignore"):
                    y.sum().backward()
                out.append(np.array(x.grad))
            except ValueError as error:
                out.append(type(error).__name__)
            with lib.no_autodiff:
                x.shape = old
        return out

    for ours, ref in zip(run(mg), run(mygrad)):
        if isinstance(ref, str):
            assert ours == ref
        else:
            assert_allclose(ours, ref, rtol=1e-12, equal_nan=True)
            assert ours.shape == ref.shape
