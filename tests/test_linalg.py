"""Tests of mygrad_c.einsum, mygrad_c.multi_matmul and mygrad_c.linalg.norm.

Values and gradients are checked against the reference MyGrad and against
central-difference derivatives; hypothesis draws random einsum problems
(repeated labels, summed labels, ellipses with broadcasting, empty axes).
"""
import inspect
import warnings

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import mygrad
import numpy as np
import pytest
from hypothesis import given
from numpy.testing import assert_allclose

import mygrad_c as mg
from helpers import check_numerical_grad, compare_with_mygrad, float_arrays, non_contiguous, numerical_grad

RNG = np.random.default_rng(1234)


def rand(*shape, dtype=np.float64):
    return RNG.uniform(-2, 2, size=shape).astype(dtype)


def both(fname, *args, **kwargs):
    """(mygrad_c version, mygrad version) of a function with fixed extra arguments."""
    f_c = eval(f"mg.{fname}")
    f_r = eval(f"mygrad.{fname}")
    return (lambda *xs: f_c(*args, *xs, **kwargs)), (lambda *xs: f_r(*args, *xs, **kwargs))


# ---------------------------------------------------------------------------
# einsum
# ---------------------------------------------------------------------------
EINSUM_CASES = [
    ("i", [(3,)]),
    ("i->", [(4,)]),
    ("ij->ji", [(2, 3)]),
    ("ij", [(2, 3)]),
    ("ji", [(2, 3)]),
    ("ij->", [(2, 3)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("iij->ji", [(2, 2, 3)]),
    ("iii->i", [(2, 2, 2)]),
    ("ijij->ij", [(2, 3, 2, 3)]),
    ("i,i", [(3,), (3,)]),
    ("i,i->i", [(3,), (3,)]),
    ("i,j", [(3,), (2,)]),
    ("i,j->", [(3,), (2,)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("ij,jk->ki", [(2, 3), (3, 4)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("ii,i->i", [(3, 3), (3,)]),
    ("ij,ij->", [(2, 3), (2, 3)]),
    ("ij,kj->ikj", [(2, 3), (4, 3)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
    ("...i,i", [(2, 3), (3,)]),
    ("...ij,...jk", [(2, 2, 3), (3, 2)]),
    ("...j,...j->...", [(2, 1, 3), (4, 3)]),
    ("i...->...", [(2, 3, 4)]),
    ("ij...,jk...->ik...", [(2, 3, 1), (3, 2, 4)]),
    ("a...a->...a", [(3, 2, 3)]),
    ("i,i", [(1,), (3,)]),  # a labelled length-1 axis broadcasts too
    (" i j -> j i ", [(2, 3)]),
    ("ij,jk", [(0, 3), (3, 2)]),
    ("ij,jk", [(2, 0), (0, 2)]),
]


@pytest.mark.parametrize("subscripts, shapes", EINSUM_CASES)
def test_einsum_matches_mygrad_and_numerical(subscripts, shapes):
    arrays = [rand(*s) for s in shapes]
    compare_with_mygrad(both("einsum", subscripts), *arrays)
    if all(a.size for a in arrays):
        check_numerical_grad(lambda *xs: mg.einsum(subscripts, *xs), *arrays)


@pytest.mark.parametrize("optimize", [False, True, "greedy", "optimal"])
def test_einsum_optimize(optimize):
    arrays = [rand(2, 3), rand(3, 4), rand(4, 5)]
    compare_with_mygrad(both("einsum", "ij,jk,kl->il", optimize=optimize), *arrays)
    arrays = [rand(3, 3), rand(3, 2)]
    compare_with_mygrad(both("einsum", "ii,ij->j", optimize=optimize), *arrays)


def test_einsum_diagonal_of_empty_operand():
    # MyGrad cannot back-propagate here; the gradient is simply empty
    x = mg.tensor(np.zeros((0, 0)))
    y = mg.einsum("ii->i", x)
    y.backward()
    assert y.shape == (0,) and x.grad.shape == (0, 0)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("subscripts, shapes", [("ij,jk->ik", [(2, 3), (3, 2)]),
                                                ("ii->i", [(3, 3)]),
                                                ("...i,...i", [(2, 3), (3,)])])
def test_einsum_dtypes(dtype, subscripts, shapes):
    arrays = [rand(*s, dtype=dtype) for s in shapes]
    compare_with_mygrad(both("einsum", subscripts), *arrays)


def test_einsum_mixed_dtypes_and_constants():
    a, b = rand(2, 3, dtype="float16"), rand(3, dtype="float32")
    compare_with_mygrad(both("einsum", "ij,j"), a, b)
    compare_with_mygrad(both("einsum", "ij,j"), a, b, constant=[True, False])
    compare_with_mygrad(both("einsum", "ij,j"), a, b, constant=[True, True])
    out = mg.einsum("i,i", [1, 2], [3, 4])
    assert out.item() == 11 and out.constant and out.dtype.kind == "i"
    assert mg.einsum("i,i", [1.0, 2.0], [3.0, 4.0]).constant  # non-tensors are constants
    assert mg.einsum("i,i", mg.arange(3.0), mg.arange(3.0), constant=True).constant


SUBLIST_CASES = [
    lambda a, b: ((a, [0, 1], b, [1], [0]), "ij,j->i"),
    lambda a, b: ((a, [0, 1], b, [1]), "ij,j"),
    lambda a, b: ((a, [1, 0], b, [0]), "ji,i"),
    lambda a, b: ((a, [27, 0], b, [0]), "bA,A"),
    lambda a, b: ((a, [Ellipsis, 1], b, [1], [Ellipsis]), "...j,j->..."),
    lambda a, b: ((a, [0, 1], b, [1], [1, 0]), "ij,j->ji"),
]


@pytest.mark.parametrize("case", SUBLIST_CASES)
def test_einsum_sublist_format(case):
    a, b = rand(2, 3), rand(3)
    (args_c, expected_subs) = case(mg.tensor(a), mg.tensor(b))
    out = mg.einsum(*args_c)
    assert_allclose(out.data, np.einsum(expected_subs, a, b))
    out.backward(np.ones(out.shape))
    ga, gb = numerical_grad(lambda x, y: np.einsum(expected_subs, x, y), a, b)
    assert_allclose(args_c[0].grad, ga, atol=1e-6)
    assert_allclose(args_c[2].grad, gb, atol=1e-6)

    (args_r, _) = case(mygrad.tensor(a), mygrad.tensor(b))
    ref = mygrad.einsum(*args_r)
    ref.backward(np.ones(ref.shape))
    assert_allclose(out.data, ref.data)
    assert_allclose(args_c[0].grad, args_r[0].grad)


def test_einsum_sublist_diagonal():
    a = rand(3, 3)
    compare_with_mygrad((lambda x: mg.einsum(x, [0, 0], [0]), lambda x: mygrad.einsum(x, [0, 0], [0])), a)


def test_einsum_out():
    a = rand(3, 3)
    out = np.zeros(3)
    res = mg.einsum("ij->i", mg.tensor(a), out=out)
    assert isinstance(res, mg.Tensor)
    assert_allclose(out, a.sum(1))
    assert_allclose(res.data, a.sum(1))

    x = mg.tensor(a)
    target = mg.zeros(3, dtype="float64")
    res = mg.einsum("ij->i", x, out=target)
    assert res is target
    assert_allclose(target.data, a.sum(1))
    res.backward()
    assert_allclose(x.grad, np.ones((3, 3)))


def test_einsum_result_is_a_view_where_numpys_is():
    """As MyGrad: a one-operand einsum that NumPy computes as a view is a view of the operand
    (tests/test_fidelity_api.py compares the views with MyGrad's in detail)."""
    import mygrad

    arr = rand(3, 3)
    for lib in (mg, mygrad):
        a = lib.tensor(arr)
        d = lib.einsum("ii->i", a)
        assert np.shares_memory(d.data, a.data) and d.base is a
        v = lib.tensor(rand(3))
        assert np.shares_memory(lib.einsum("i", v).data, v.data)
        assert not np.shares_memory(lib.einsum("ii", a).data, a.data)


@pytest.mark.parametrize("args, kwargs, exc", [
    (("ij,j", "A"), {}, ValueError),
    (("ij->k", "A"), {}, ValueError),
    (("ij", "v"), {}, ValueError),
    (("ij,jk", "A", "v"), {}, ValueError),
    ((1, "A"), {}, TypeError),
    (("ij", "A"), {"dtype": "float32"}, TypeError),
    (("ij", "A"), {"order": "C"}, TypeError),
])
def test_einsum_errors_match_mygrad(args, kwargs, exc):
    vals = {"A": rand(3, 3), "v": rand(3)}

    def call(lib):
        return lib.einsum(*[lib.tensor(vals[a]) if a in vals else a for a in args], **kwargs)

    with pytest.raises(exc):
        call(mygrad)
    with pytest.raises(exc):
        call(mg)


def test_einsum_bad_sublists():
    with pytest.raises(ValueError):
        mg.einsum()
    with pytest.raises(TypeError, match="int or Ellipsis"):
        mg.einsum(rand(2), ["a"])
    with pytest.raises(ValueError, match="valid range"):
        mg.einsum(rand(2), [52])


def test_einsum_signature_matches_mygrad():
    assert list(inspect.signature(mg.einsum).parameters) == list(inspect.signature(mygrad.einsum).parameters)
    assert mg.linalg.einsum is mg.einsum and mg.linalg.multi_matmul is mg.multi_matmul


@st.composite
def einsum_problems(draw):
    """A random valid einsum call: (subscripts, arrays)."""
    letters = "abcd"
    sizes = {c: draw(st.integers(0, 3)) for c in letters}
    n_ops = draw(st.integers(1, 3))
    use_ellipsis = draw(st.booleans())
    ell_shape = draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3)) if use_ellipsis else ()
    terms, shapes, used = [], [], []
    for _ in range(n_ops):
        labels = draw(st.lists(st.sampled_from(letters), min_size=0, max_size=3))
        used += labels
        shape = [sizes[c] for c in labels]
        term = "".join(labels)
        if use_ellipsis and draw(st.booleans()):
            k = draw(st.integers(0, len(ell_shape)))
            eshape = [draw(st.sampled_from([1, n])) for n in ell_shape[len(ell_shape) - k:]]  # broadcastable
            term = "..." + term
            shape = eshape + shape
        terms.append(term)
        shapes.append(tuple(shape))
    has_ell = any("..." in t for t in terms)
    if draw(st.booleans()):
        out_labels = draw(st.permutations(sorted(set(used))))
        out_labels = out_labels[:draw(st.integers(0, len(out_labels)))]
        subs = ",".join(terms) + "->" + ("..." if has_ell else "") + "".join(out_labels)
    else:
        subs = ",".join(terms)
    arrays = [draw(non_contiguous(hnp.arrays(np.float64, s, elements=st.floats(-3, 3)))) for s in shapes]
    return subs, arrays


@given(einsum_problems())
def test_einsum_random_problems(problem):
    subs, arrays = problem
    expected = np.einsum(subs, *arrays)
    tensors = [mg.tensor(a) for a in arrays]
    out = mg.einsum(subs, *tensors)
    assert out.shape == expected.shape
    assert_allclose(out.data, expected, atol=1e-12)
    w = np.random.default_rng(0).uniform(0.5, 1.5, size=out.shape)
    out.backward(w)
    for i, t in enumerate(tensors):
        assert t.grad.shape == t.shape
        if t.size == 0:  # (numerical_grad cannot iterate over empty arrays)
            continue

        def f(xi):
            return np.einsum(subs, *arrays[:i], xi, *arrays[i + 1:])

        (g,) = numerical_grad(f, arrays[i], weights=w)
        assert_allclose(t.grad, g, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------------
# multi_matmul
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("shapes", [
    [(2, 3), (3, 4)],
    [(2, 3), (3, 4), (4, 5)],
    [(10, 2), (2, 10), (10, 3)],
    [(3,), (3, 4), (4, 2)],
    [(2, 3), (3, 4), (4,)],
    [(3,), (3, 4), (4,)],
    [(3,), (3,)],
    [(4, 2), (2, 5), (5, 1), (1, 6), (6, 3)],
    [(2, 0), (0, 3), (3, 2)],
])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_multi_matmul_matches_mygrad(shapes, dtype):
    arrays = [rand(*s, dtype=dtype) for s in shapes]
    f_c = lambda *xs: mg.multi_matmul(list(xs))  # noqa: E731
    f_r = lambda *xs: mygrad.multi_matmul(list(xs))  # noqa: E731
    out_c, _ = compare_with_mygrad((f_c, f_r), *arrays)
    assert_allclose(out_c.data, np.linalg.multi_dot(arrays), rtol=1e-4)
    if dtype == "float64" and all(a.size for a in arrays):
        check_numerical_grad(f_c, *arrays)


def test_multi_matmul_chooses_cheapest_order():
    from mygrad_c.linalg.contraction import _chain_order

    # (10x100)(100x5)(5x50): ((AB)C) costs 7500, (A(BC)) costs 75000
    assert _chain_order([10, 100, 5, 50])[0][2] == 1
    assert _chain_order([50, 5, 100, 10])[0][2] == 0
    # the graph follows the chosen order: the last product is (AB) @ C
    A, B, C = mg.tensor(rand(10, 100)), mg.tensor(rand(100, 5)), mg.tensor(rand(5, 50))
    out = mg.multi_matmul([A, B, C])
    left, right = out.creator.variables
    assert left.shape == (10, 5) and right is C


def test_multi_matmul_constants_and_inputs():
    a = np.ones((2, 2))
    assert mg.multi_matmul([a, a]).constant
    assert mg.multi_matmul([mg.tensor(a), mg.tensor(a)], constant=True).constant
    assert not mg.multi_matmul([mg.tensor(a), a, a]).constant
    ints = mg.multi_matmul([np.ones((2, 2), int)] * 3)
    assert ints.dtype.kind == "i" and ints.constant and (ints.data == 4).all()
    assert mg.multi_matmul(np.ones((3, 2, 2))).shape == (2, 2)
    x = mg.tensor(rand(2, 3))
    y = mg.multi_matmul((x, mg.tensor(rand(3, 3)), mg.tensor(rand(3, 2))))
    y.backward()
    assert x.grad.shape == (2, 3)


@pytest.mark.parametrize("shapes", [
    [(2, 2)],
    [],
    [(2, 3), (4, 5)],
    [(2, 3), (3, 4, 4)],
    [(2, 3, 1), (3, 2), (2, 2)],
    [(2, 3), (3, 2), ()],
    [(2, 3), (3,), (3, 2)],
])
def test_multi_matmul_errors_match_mygrad(shapes):
    arrays = [np.ones(s) for s in shapes]
    with pytest.raises(ValueError):
        mygrad.multi_matmul([mygrad.tensor(a) for a in arrays])
    with pytest.raises(ValueError):
        mg.multi_matmul([mg.tensor(a) for a in arrays])


# ---------------------------------------------------------------------------
# norm
# ---------------------------------------------------------------------------
X2 = np.array([[1.0, -2.0, 0.0], [3.0, 0.5, -4.0]])

NORM_CASES = [
    (X2[0], dict()),
    (X2[0], dict(ord=None)),
    (X2[0], dict(ord=1)),
    (X2[0], dict(ord=2)),
    (X2[0], dict(ord=3)),
    (X2[0], dict(ord=1.5)),
    (X2[0], dict(ord=0.5)),
    (X2[0], dict(ord=-1)),
    (X2[0], dict(ord=-2)),
    (X2[0], dict(ord=-0.5)),
    (X2[0], dict(ord=np.inf)),
    (X2[0], dict(ord=-np.inf)),
    (X2[0], dict(ord=True)),
    (np.array([3.0, -3.0, 1.0]), dict(ord=np.inf)),  # ties: the first extremum gets the gradient
    (np.array([1.0, -1.0, 3.0]), dict(ord=-np.inf)),
    (X2, dict()),
    (X2, dict(keepdims=True)),
    (X2, dict(axis=1)),
    (X2, dict(axis=0, ord=1)),
    (X2, dict(axis=-1, ord=3, keepdims=True)),
    (X2, dict(axis=(1,), ord=0.5)),
    (X2, dict(axis=0, ord=np.inf, keepdims=True)),
    (X2, dict(axis=1, ord=-np.inf)),
    (np.arange(24.0).reshape(2, 3, 4) - 11, dict()),
    (np.arange(24.0).reshape(2, 3, 4) - 11, dict(axis=1, ord=2.5)),
    (np.arange(24.0).reshape(2, 3, 4) - 11, dict(axis=2, ord=np.inf)),
    (np.array(-3.0), dict()),
    (np.array([]), dict()),
    (np.zeros((2, 0)), dict(axis=1)),
]


@pytest.mark.parametrize("x, kwargs", NORM_CASES)
@pytest.mark.parametrize("nan_to_num", [True, False])
def test_norm_matches_mygrad(x, kwargs, nan_to_num):
    if x.ndim == 0 and not nan_to_num:
        pytest.skip("MyGrad's backward fails on 0-d input with nan_to_num=False (see test_norm_0d)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        compare_with_mygrad(both("linalg.norm", **kwargs, nan_to_num=nan_to_num), x)


INF_NORM_INPUTS = [
    np.array(-0.2), np.array(np.nan), np.zeros((0,)), np.zeros((2, 0)), np.zeros((0, 2)),
    np.array([1.0, -3, 3, -1]), np.arange(8.0).reshape(2, 2, 2) - 3, np.array([[1.0, -2, 3], [4, 5, -6]]),
    np.array([np.nan, 1.0, -2.0]), np.array([1.0, np.nan, -2.0]), np.array([[1.0, np.nan], [-3, 3]]),
    np.array([0.0, -0.0]), np.array([-np.inf, 2]), np.array([1, -2], dtype=np.float32), np.array([1, -2]),
    np.array([[np.nan, -np.nan], [2, -np.inf]])]
INF_NORM_OPTIONS = [dict(), dict(axis=0), dict(axis=-1), dict(axis=1), dict(axis=(0,)), dict(keepdims=True),
                    dict(axis=0, keepdims=True), dict(axis=(0, 1)), dict(axis=(-1,), keepdims=True)]


@pytest.mark.parametrize("ord", [np.inf, -np.inf])
@pytest.mark.parametrize("options", INF_NORM_OPTIONS)
@pytest.mark.parametrize("x", INF_NORM_INPUTS)
def test_inf_norm_as_mygrad_bit_for_bit(x, options, ord):
    """norm(x, ord=+-inf) is MyGrad's max (min) of |x|: over all of x when axis is None
    whatever its number of dimensions (0-d, 3-d; a 2-d x is a matrix norm: refused), NumPy's
    errors for empty reductions and bad axes, the gradient to the first element attaining
    it (a nan, if any) times sign(x) (0 at nan; -0.0 for negative elements not picked).
    Values, gradients and signs of zeros bit for bit, and the same exception types."""
    def run(lib):
        try:
            t = lib.tensor(x)
            y = lib.linalg.norm(t, ord=ord, **options)
            y.backward(np.linspace(-1, 2, y.size).reshape(y.shape))
            return y.data.shape, y.data.dtype, y.data.tobytes(), t.grad.tobytes()
        except Exception as e:  # noqa: BLE001 - the type is compared
            return type(e).__name__
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        ours, ref = run(mg), run(mygrad)
    if ref == "ValueError" and ord > 0 and x.size == 0:
        # MyGrad fails to take the max of nothing; the inf-norm of an empty vector is
        # NumPy's 0 (a matrix, as always: refused)
        if x.ndim == 2 and options.get("axis") in (None, (0, 1)):
            assert ours == "NotImplementedError"
        else:
            value = np.linalg.norm(x, ord=ord, **options)
            assert ours[0] == value.shape and not np.any(value) and ours[3] == b""
        return
    assert ours == ref


@pytest.mark.parametrize("ord", [None, 1, 2, 3, 0.5, -1, 1.5, np.inf, -np.inf])
@pytest.mark.parametrize("nan_to_num", [True, False])
@pytest.mark.parametrize("x", [np.zeros(3), np.array([0.0, 1.0, -2.0]), np.array([[0.0, 0.0], [1.0, 2.0]])])
def test_norm_at_zero_matches_mygrad(ord, nan_to_num, x):
    """nan_to_num: the sign factor of the derivative is 0 (not nan) where x == 0."""
    kwargs = dict(ord=ord, nan_to_num=nan_to_num, axis=-1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out_c, _ = compare_with_mygrad(both("linalg.norm", **kwargs), x)


def test_norm_nan_to_num_effect():
    x = mg.tensor([0.0, 3.0, -4.0])
    mg.linalg.norm(x, ord=1).backward()
    assert_allclose(x.grad, [0.0, 1.0, -1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mg.linalg.norm(x, ord=1, nan_to_num=False).backward()
    assert np.isnan(x.grad[0]) and (x.grad[1:] == [1.0, -1.0]).all()


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("kwargs", [dict(), dict(ord=1), dict(ord=3), dict(ord=np.inf), dict(axis=0, ord=0.5)])
def test_norm_dtypes(dtype, kwargs):
    x = np.array([[1.0, -2.0, 0.5], [3.0, 0.25, -1.5]], dtype=dtype)
    if "axis" not in kwargs:
        x = x[1]
    compare_with_mygrad(both("linalg.norm", **kwargs), x)


@given(x=float_arrays(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), min_value=0.1),
       ord=st.sampled_from([None, 1, 2, 3, 0.5, -1.5, np.inf, -np.inf]),
       keepdims=st.booleans(), data=st.data())
def test_norm_numerical(x, ord, keepdims, data):
    signs = data.draw(hnp.arrays(np.float64, x.shape, elements=st.sampled_from([-1.0, 1.0])))
    x = x * signs  # |x| >= 0.1: the norm is differentiable
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    if ord is not None and np.isinf(ord):  # avoid ties between extrema
        x = x + np.arange(x.size).reshape(x.shape) * 1e-3
    check_numerical_grad(lambda t: mg.linalg.norm(t, ord=ord, axis=axis, keepdims=keepdims), x,
                         rtol=1e-4, atol=1e-6)
    compare_with_mygrad(both("linalg.norm", ord=ord, axis=axis, keepdims=keepdims), x)


@pytest.mark.parametrize("nan_to_num", [True, False])
def test_norm_0d(nan_to_num):
    x = mg.tensor(-3.0)
    out = mg.linalg.norm(x, nan_to_num=nan_to_num)
    out.backward()
    assert out.item() == 3.0 and x.grad == -1.0


@pytest.mark.parametrize("x, axis", [(np.array([]), None), (np.zeros((2, 0)), 1)])
def test_norm_inf_of_empty(x, axis):
    # NumPy gives 0 for an empty inf-norm, and so does mygrad_c; MyGrad fails to take the
    # max of nothing (ValueError); the gradient is empty
    with pytest.raises(ValueError, match="zero-size array"):
        mygrad.linalg.norm(mygrad.tensor(x), ord=np.inf, axis=axis)
    t = mg.tensor(x)
    out = mg.linalg.norm(t, ord=np.inf, axis=axis)
    assert_allclose(out.data, np.linalg.norm(x, ord=np.inf, axis=axis))
    out.backward()
    assert t.grad.shape == x.shape and not t.grad.any()


def test_norm_constant_and_ints():
    assert mg.linalg.norm([1.0, 2.0]).constant
    assert mg.linalg.norm(mg.tensor([1.0, 2.0]), constant=True).constant
    out = mg.linalg.norm(mg.arange(3), ord=2)
    assert out.dtype == np.float64 and out.constant
    assert_allclose(out.data, np.sqrt(5))


@pytest.mark.parametrize("x, kwargs", [
    (X2[0], dict(ord=0)),
    (X2, dict(ord=0, axis=1)),
    (X2, dict(ord=1)),
    (X2, dict(ord="fro")),
    (X2, dict(ord="nuc")),
    (X2, dict(ord=2, axis=(0, 1))),
    (X2, dict(axis=(0, 1))),
    (X2, dict(ord=np.inf)),
    (np.ones((2, 3, 4)), dict(ord="fro", axis=(1, 2))),
    (X2, dict(ord=3)),
    (X2, dict(ord=0)),
    (X2[0], dict(ord="fro")),
    (X2[0], dict(ord="foo")),
    (np.ones((2, 3, 4)), dict(ord=2)),
    (np.array(3.0), dict(ord=2)),
    (X2, dict(axis=(0, 0))),
    (X2, dict(axis=(0, 1, 1))),
    (X2, dict(axis=2)),
    (X2, dict(axis=1.5)),
])
def test_norm_errors_match_mygrad(x, kwargs):
    with pytest.raises(Exception) as ref:
        mygrad.linalg.norm(mygrad.tensor(x), **kwargs)
    with pytest.raises(ref.type):
        mg.linalg.norm(mg.tensor(x), **kwargs)


def test_norm_signature_matches_mygrad():
    assert inspect.signature(mg.linalg.norm).parameters.keys() == \
        inspect.signature(mygrad.linalg.norm).parameters.keys()
    assert mg.linalg.__all__ == ["norm"]
