"""Elementwise functions (mygrad_c.math.elementwise) against MyGrad and numerical derivatives."""
from __future__ import annotations

import inspect
import warnings

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import mygrad
import numpy as np
import pytest
from hypothesis import given
from numpy.testing import assert_allclose, assert_array_equal

import mygrad_c as mg
from helpers import bits, check_numerical_grad, compare_with_mygrad, non_contiguous
from mygrad_c.math import elementwise

FLOATS = [np.float16, np.float32, np.float64]
SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)

# name -> (low, high, gap): inputs are drawn from [low, high] with |x| >= gap, away from
# singularities (bounds are exact in float16 so every dtype can use them).  sinc avoids
# float16/32 subnormals, where MyGrad's derivative is nan and ours is the limit value 0.
UNARY = {
    "sin": (-10, 10, 0), "cos": (-10, 10, 0), "tan": (-1.375, 1.375, 0),
    "arcsin": (-0.9375, 0.9375, 0), "arccos": (-0.9375, 0.9375, 0), "arctan": (-10, 10, 0),
    "sinh": (-8, 8, 0), "cosh": (-8, 8, 0), "tanh": (-5, 5, 0),
    "arcsinh": (-10, 10, 0), "arccosh": (1.0625, 10, 0), "arctanh": (-0.9375, 0.9375, 0),
    "exp": (-8, 8, 0), "exp2": (-10, 10, 0), "expm1": (-8, 8, 0),
    "log": (0.0625, 10, 0), "log2": (0.0625, 10, 0), "log10": (0.0625, 10, 0), "log1p": (-0.9375, 10, 0),
    "cbrt": (-10, 10, 0.125),
    "cot": (-3, 3, 0.125), "sec": (-1.375, 1.375, 0), "csc": (-3, 3, 0.125),
    "arccot": (-10, 10, 0.125), "arcsec": (-10, 10, 1.0625), "arccsc": (-10, 10, 1.0625),
    "coth": (-5, 5, 0.125), "sech": (-8, 8, 0), "csch": (-5, 5, 0.125),
    "arccoth": (-10, 10, 1.0625), "arccsch": (-10, 10, 0.125), "sinc": (-3, 3, 2 ** -10),
}
UFUNC_NAMES = [n for n in UNARY if isinstance(getattr(mygrad, n), type)] + ["logaddexp", "logaddexp2", "arctan2"]
FUNC_NAMES = [n for n in UNARY if not isinstance(getattr(mygrad, n), type)]
BINARY = ["logaddexp", "logaddexp2", "arctan2"]


def in_domain(dtype, shape, low, high, gap):
    width = 8 * np.dtype(dtype).itemsize
    elements = st.floats(low, high, width=width).filter(lambda v: abs(v) >= gap)
    return non_contiguous(hnp.arrays(dtype, shape, elements=elements))


def check_grad(f, *arrays, **kwargs):
    """check_numerical_grad, plus the empty-array case (helpers.numerical_grad cannot iterate it)."""
    if any(np.size(a) == 0 for a in arrays):
        tensors = [mg.tensor(a) for a in arrays]
        f(*tensors).backward()
        for t, a in zip(tensors, arrays):
            assert t.grad.shape == np.shape(a)
        return
    check_numerical_grad(f, *arrays, **kwargs)


def test_module_lists_every_function():
    assert sorted(elementwise.__all__) == sorted(UNARY.keys() | set(BINARY))
    for name in elementwise.__all__:
        assert getattr(mg, name) is getattr(elementwise, name)


@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data())
def test_unary_matches_mygrad(name, data):
    low, high, gap = UNARY[name]
    dtype = data.draw(st.sampled_from(FLOATS), label="dtype")
    x = data.draw(in_domain(dtype, SHAPES, low, high, gap), label="x")
    const_in = data.draw(st.booleans(), label="constant input")
    const_op = data.draw(st.sampled_from([None, True, False]), label="constant=")
    funcs = (lambda t: getattr(mg, name)(t, constant=const_op),
             lambda t: getattr(mygrad, name)(t, constant=const_op))
    compare_with_mygrad(funcs, x, constant=[const_in])


@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data())
def test_unary_numerical_derivative(name, data):
    low, high, gap = UNARY[name]
    x = data.draw(in_domain(np.float64, SHAPES, low, high, gap), label="x")
    check_grad(getattr(mg, name), x, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.int64, np.float16, np.float32])
def test_unary_dtypes_and_constants_like_mygrad(name, dtype):
    """Integer/bool inputs: same result dtype (NumPy's rules) and constant results."""
    x = np.array([1, 2, 0, 3]).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got, ref = getattr(mg, name)(x), getattr(mygrad, name)(x)
    assert got.dtype == ref.dtype and got.constant == ref.constant
    assert_allclose(got.data.astype(float), ref.data.astype(float), rtol=1e-3, equal_nan=True)


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("arg", [2, 0.5, True])
def test_python_scalars(name, arg):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare_with_mygrad(name, arg)


# values where functions hit their domain edges: inf/nan values and derivatives must match
EDGES = np.array([-2.0, -1.0, -0.5, -0.0, 0.0, 0.5, 1.0, 2.0, np.inf, -np.inf, np.nan])


@pytest.mark.parametrize("name", sorted(UNARY))
def test_domain_edges_match_mygrad(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare_with_mygrad(name, EDGES, grad=np.ones_like(EDGES))


@pytest.mark.parametrize("name,x,value,deriv", [
    ("log", 0.0, -np.inf, np.inf), ("arccos", 1.0, 0.0, 0.0), ("arcsin", -1.0, -np.pi / 2, 0.0),
    ("arctanh", 1.0, np.inf, np.inf), ("arccosh", 1.0, 0.0, np.inf), ("cbrt", 0.0, 0.0, np.inf),
    ("sinc", 0.0, 1.0, 0.0), ("arccot", 0.0, np.pi / 2, -1.0), ("cot", 0.0, np.inf, -np.inf),
    ("arcsec", 1.0, 0.0, 0.0), ("arccoth", 1.0, np.inf, np.inf), ("sech", np.inf, 0.0, np.nan),
])
def test_known_edge_values(name, x, value, deriv):
    t = mg.tensor(x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = getattr(mg, name)(t)
        y.backward()
    assert_allclose(y.data, value, equal_nan=True)
    assert_allclose(t.grad, deriv, equal_nan=True)


# ---------------------------------------------------------------------------
# two-input ufuncs
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", BINARY)
@given(data=st.data())
def test_binary_matches_mygrad(name, data):
    dtype = data.draw(st.sampled_from(FLOATS), label="dtype")
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3))
    a = data.draw(in_domain(dtype, shapes.input_shapes[0], -5, 5, 0), label="a")
    b = data.draw(in_domain(dtype, shapes.input_shapes[1], -5, 5, 0), label="b")
    const = data.draw(st.lists(st.booleans(), min_size=2, max_size=2), label="constant inputs")
    compare_with_mygrad(name, a, b, constant=const)


@pytest.mark.parametrize("name", BINARY)
@given(data=st.data())
def test_binary_numerical_derivative(name, data):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3))
    a = data.draw(in_domain(np.float64, shapes.input_shapes[0], -5, 5, 0), label="a")
    # b > 0 keeps arctan2 away from its branch cut (a = 0, b < 0)
    b = data.draw(in_domain(np.float64, shapes.input_shapes[1], 0.125, 5, 0), label="b")
    check_grad(getattr(mg, name), a, b, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("name", BINARY)
def test_binary_edges_match_mygrad(name):
    v = [-np.inf, -1.0, 0.0, 1.0, np.inf, np.nan]
    a, b = (g.ravel() for g in np.meshgrid(v, v, indexing="ij"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare_with_mygrad(name, a, b, grad=np.ones_like(a))


def test_0d_input_broadcast_against_array():
    """A 0-d tensor combined with a 1-d one gets the summed gradient."""
    x = mg.tensor(0.5)
    mg.arctan2(x, mg.tensor([1.0, 2.0])).backward()
    assert_allclose(x.grad, 1 / (1 + 0.25) + 2 / (4 + 0.25))


# ---------------------------------------------------------------------------
# the ufunc keywords: where=, out=, dtype=
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["sin", "exp", "log1p", "arctan2", "logaddexp"])
@given(x=in_domain(np.float64, (2, 3), 0.125, 5, 0), mask=hnp.arrays(bool, (3,)))
def test_where_masks_values_and_gradients(name, x, mask):
    args = (x,) if getattr(mg, name).nin == 1 else (x, x[::-1].copy())
    ins_c = [mg.tensor(a) for a in args]
    ins_r = [mygrad.tensor(a) for a in args]
    out_c = getattr(mg, name)(*ins_c, where=mask)
    out_r = getattr(mygrad, name)(*ins_r, where=mask)
    full = np.broadcast_to(mask, x.shape)
    assert_allclose(out_c.data[full], out_r.data[full])
    g = np.arange(1.0, 7.0).reshape(2, 3)
    out_c.backward(g)
    out_r.backward(g)
    for tc, tr in zip(ins_c, ins_r):
        assert_allclose(tc.grad, tr.grad)
        assert np.all(tc.grad[~full] == 0)


@pytest.mark.parametrize("name", ["cos", "arcsinh", "logaddexp2"])
def test_out_ndarray_with_where(name):
    x = np.array([[0.5, 1.0, 1.5]])
    mask = np.array([True, False, True])
    args = (x,) if getattr(mg, name).nin == 1 else (x, 2 * x)
    ins_c = [mg.tensor(a) for a in args]
    ins_r = [mygrad.tensor(a) for a in args]
    buf_c, buf_r = np.full((1, 3), -7.0), np.full((1, 3), -7.0)
    out_c = getattr(mg, name)(*ins_c, out=buf_c, where=mask)
    out_r = getattr(mygrad, name)(*ins_r, out=buf_r, where=mask)
    assert out_c.data is buf_c
    assert_allclose(buf_c, buf_r)
    assert buf_c[0, 1] == -7.0
    out_c.backward()
    out_r.backward()
    for tc, tr in zip(ins_c, ins_r):
        assert_allclose(tc.grad, tr.grad)


@pytest.mark.parametrize("positional", [False, True])
def test_out_ndarray(positional):
    x = mg.tensor([0.0, 1.0, 2.0])
    buf = np.zeros(3, dtype=np.float32)
    y = mg.exp(x, buf) if positional else mg.exp(x, out=buf)
    assert y.data is buf and y.dtype == np.float32
    assert_allclose(buf, np.exp([0.0, 1.0, 2.0]), rtol=1e-6)
    y.backward()
    assert_allclose(x.grad, np.exp([0.0, 1.0, 2.0]))


def test_out_tensor_is_updated_in_place():
    x = mg.tensor([0.0, 1.0, 2.0])
    t = mg.zeros(3, dtype=np.float64)
    y = mg.sinh(x, out=t)
    assert y is t
    assert_allclose(t.data, np.sinh(x.data))
    t.backward()
    assert_allclose(x.grad, np.cosh(x.data))


@pytest.mark.parametrize("name", ["sin", "log2", "arctan2"])
def test_dtype_keyword(name):
    x = np.array([0.5, 1.0, 2.0])
    args = (x,) if getattr(mg, name).nin == 1 else (x, x + 1)
    compare_with_mygrad(name, *args, dtype=np.float32)


@pytest.mark.parametrize("name", [n for n in sorted(UNARY) + ["reciprocal", "square", "multiply", "add", "power",
                                                              "divide", "subtract", "arctan2", "maximum", "logaddexp"]
                                  if hasattr(getattr(mygrad, n), "nin")])   # (the ufuncs: they take dtype=)
@pytest.mark.parametrize("dtype", ["float16", "float32"])
@pytest.mark.parametrize("x_dtype", ["float64", "float32"])
def test_dtype_keyword_gradients_bit_for_bit_as_mygrad(name, dtype, x_dtype):
    """With dtype=, each gradient is MyGrad's to the bit (square's is rounded to the dtype)."""
    rng = np.random.default_rng(7)
    low, high, gap = UNARY.get(name, (0.25, 3.0, 0.0))
    x = np.maximum(rng.uniform(low, high, 50), low + gap).astype(x_dtype)
    grad = rng.standard_normal(50)
    results = []
    for lib in (mygrad, mg):
        f = getattr(lib, name)
        ts = [lib.tensor(x)] if f.nin == 1 else [lib.tensor(x), lib.tensor(x[::-1] + 0.5)]
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f(*ts, dtype=dtype).backward(grad)
        results.append([(t.grad.dtype, t.grad.tobytes()) for t in ts])
    assert results[0] == results[1]


# ---------------------------------------------------------------------------
# public surface: ufunc attributes, signatures, errors
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", UFUNC_NAMES)
def test_ufunc_attributes_match_mygrad(name):
    ours, ref = getattr(mg, name), getattr(mygrad, name)
    assert isinstance(ours, type) and issubclass(ours, mg.ufunc)
    assert type(ours).__name__ == type(ref).__name__  # MyGradUnaryUfunc / MyGradBinaryUfunc
    for attr in ["nin", "nout", "nargs", "ntypes", "types", "identity", "signature"]:
        assert getattr(ours, attr) == getattr(ref, attr), attr
    assert ours.__name__ == name


@pytest.mark.parametrize("name", FUNC_NAMES)
def test_plain_functions_are_functions(name):
    assert inspect.isfunction(getattr(mg, name)) and getattr(mg, name).__name__ == name


def _params(f):
    return [(p.name, p.kind, p.default) for p in inspect.signature(f).parameters.values()]


@pytest.mark.parametrize("name", sorted(elementwise.__all__))
def test_signature_matches_mygrad(name):
    assert _params(getattr(mg, name)) == _params(getattr(mygrad, name))


@pytest.mark.parametrize("name", sorted(elementwise.__all__))
def test_docstring_has_example(name):
    doc = getattr(mg, name).__doc__
    assert "Parameters" in doc and ">>>" in doc


@pytest.mark.parametrize("name", ["sin", "cot", "logaddexp"])
@pytest.mark.parametrize("bad", ["a", [1 + 2j], None])
def test_bad_input_raises_type_error(name, bad):
    f = getattr(mg, name)
    args = (bad,) * getattr(f, "nin", 1)
    with pytest.raises(TypeError):
        f(*args)


def test_wrong_arity_raises_type_error():
    with pytest.raises(TypeError):
        mg.sin()
    with pytest.raises(TypeError):
        mg.arctan2(1.0)
    with pytest.raises(TypeError):
        mg.cot(1.0, 2.0)


def test_plain_function_keyword_argument():
    assert_allclose(mg.cot(a=mg.tensor(1.0)).data, 1 / np.tan(1.0))


def test_chained_ops_backprop():
    x = mg.tensor([0.3, 0.7])
    y = mg.log(mg.cosh(x)) + mg.arctan2(mg.sin(x), mg.cos(x))  # d/dx = tanh(x) + 1
    y.backward()
    assert_allclose(x.grad, np.tanh(x.data) + 1)


def test_where_masked_positions_keep_nan_like_mygrad():
    """MyGrad multiplies the gradient by the mask, so an inf/nan derivative stays nan where masked."""
    mask = np.array([False, True])
    for lib in (mg, mygrad):
        x = lib.tensor([0.0, 1.0])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lib.log(x, where=mask).backward()
        assert_array_equal(x.grad, [np.nan, 1.0])


def test_ufunc_accepts_its_arguments_by_keyword():
    t = mg.tensor([0.5])
    assert_allclose(mg.sin(x=t).data, np.sin([0.5]))
    assert_allclose(mg.log(x1=t).data, np.log([0.5]))
    assert_allclose(mg.arctan2(x1=t, x2=t).data, [np.pi / 4])


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", sorted(UNARY) + ["reciprocal"])
def test_values_and_gradients_bit_for_bit_as_mygrad(name, dtype):
    """Each function's value and gradient are MyGrad's bit for bit (same operations in the same
    order; a training run through them reproduces MyGrad's exactly), on its domain (``UNARY``'s
    ranges), with the edge values 0, +-1 and +-inf where the function takes them.  (sinc's
    derivative takes its own limit-safe form only where MyGrad's is nan: subnormal inputs.)"""
    low, high, gap = UNARY.get(name, (-10, 10, 0.125))
    rng = np.random.default_rng(sum(map(ord, name)))
    x = rng.uniform(low, high, 200)
    x = np.where(np.abs(x) < gap, gap, x)
    edges = np.array([0.0, -0.0, 1.0, -1.0, np.inf, -np.inf])
    x = np.concatenate([x, edges[(edges >= low) & (edges <= high) & ((np.abs(edges) >= gap) | (gap == 0))]])
    x = x.astype(dtype)
    grad = rng.standard_normal(x.shape).astype(dtype)
    results = []
    for lib in (mygrad, mg):
        t = lib.tensor(x)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = getattr(lib, name)(t)
            out.backward(grad)
        results.append((out.data, t.grad))
    (ref, ref_grad), (ours, our_grad) = results
    assert bits(ours) == bits(ref), "values"
    assert our_grad.dtype == ref_grad.dtype
    differ = our_grad.view(f"u{our_grad.itemsize}") != ref_grad.view(f"u{ref_grad.itemsize}")
    assert not differ.any(), (f"gradients differ at x = {x[differ][:4]}: {our_grad[differ][:4]} "
                              f"where MyGrad has {ref_grad[differ][:4]}")
