"""nnet fidelity: extreme logits, dtypes and argument forms, against exact values and MyGrad.

Where MyGrad gives a wrong number (inf/nan or a lost log-sum-exp correction for huge
logits), these tests assert the exact value, not MyGrad's.
"""
from __future__ import annotations

import math

import mygrad
import numpy as np
import pytest
from numpy.testing import assert_allclose

import mygrad_c as mg
from helpers import assert_same_trace, bits, compare_with_mygrad, tols

DTYPES = [np.float16, np.float32, np.float64]
LN2 = math.log(2)
SELU_ALPHA_SCALE = 1.6732632423543772 * 1.0507009873554805


def _bounds(dtype):
    """Huge finite logit magnitudes B for a dtype (2B, B + 1 and B + log 2 stay finite)."""
    big = float(np.finfo(dtype).max) / 4
    return [800.0, big] + ([1e50] if dtype == np.float64 else [])


def _run(fn, *arrays):
    """fn on float tensors made from ``arrays``; backward with ones. Returns (out, grads)."""
    ts = [mg.tensor(a) for a in arrays]
    with np.errstate(all="ignore"):
        out = fn(*ts)
        out.backward()
    return out, [t.grad for t in ts]


def mygrad_out_dtype(fn, x, *others):
    """The result dtype MyGrad gives for the same call (values can differ, dtypes may not)."""
    with np.errstate(all="ignore"):
        return fn(mygrad.tensor(x), *(mygrad.tensor(o) for o in others), lib=mygrad).dtype


# Each case: (name, function(x, lib=...), x built from B, exact value, exact d(sum out)/dx).
def _cases(B):
    nn = lambda lib: lib.nnet  # noqa: E731
    return [
        ("sigmoid", lambda x, lib=mg: nn(lib).sigmoid(x), [[B, -B]], [[1, 0]], [[0, 0]]),
        ("tanh", lambda x, lib=mg: nn(lib).tanh(x), [[B, -B]], [[1, -1]], [[0, 0]]),
        ("elu", lambda x, lib=mg: nn(lib).elu(x, 0.5), [[-B, 0.0]], [[-0.5, 0]], [[0, 1]]),
        ("selu", lambda x, lib=mg: nn(lib).selu(x), [[-B, 0.0]], [[-SELU_ALPHA_SCALE, 0]],
         [[0, 1.0507009873554805]]),
        ("soft_sign", lambda x, lib=mg: nn(lib).soft_sign(x), [[B, -B]],
         [[B / (1 + B), -B / (1 + B)]], [[1 / (1 + B) / (1 + B)] * 2]),
        ("leaky_relu", lambda x, lib=mg: nn(lib).leaky_relu(x, 0.25), [[B, -B]],
         [[B, -0.25 * B]], [[1, 0.25]]),
        ("hard_tanh", lambda x, lib=mg: nn(lib).hard_tanh(x), [[B, -B]], [[1, -1]], [[0, 0]]),
        ("glu", lambda x, lib=mg: nn(lib).glu(x), [[B, -B]], [[0]], [[0, 0]]),
        ("softmax", lambda x, lib=mg: nn(lib).softmax(x), [[B, B, 0.0]], [[0.5, 0.5, 0]], [[0, 0, 0]]),
        ("logsoftmax", lambda x, lib=mg: nn(lib).logsoftmax(x), [[B, B, 0.0]],
         [[-LN2, -LN2, -B - LN2]], [[-0.5, -0.5, 1]]),
        ("logsoftmax far", lambda x, lib=mg: nn(lib).logsoftmax(x), [[-B, B]], [[-2 * B, 0]], [[1, -1]]),
        ("softmax_crossentropy tie", lambda x, lib=mg: nn(lib).softmax_crossentropy(x, [0]),
         [[B, B, 0.0]], LN2, [[-0.5, 0.5, 0]]),
        ("softmax_crossentropy far", lambda x, lib=mg: nn(lib).softmax_crossentropy(x, [0]),
         [[0.0, B]], B, [[-1, 1]]),
        ("softmax_focal_loss far", lambda x, lib=mg: nn(lib).softmax_focal_loss(x, [0]),
         [[0.0, B]], [B], [[-1, 1]]),
        ("softmax_focal_loss far gamma", lambda x, lib=mg: nn(lib).softmax_focal_loss(
            x, [0], alpha=0.5, gamma=2.0), [[-B, 0.0]], [0.5 * B], [[-0.5, 0.5]]),
        # p = 1/2: loss = (1/2)**2 log 2; dL/dx = c (onehot - p) with c = 2 q p log p - q**2
        ("softmax_focal_loss tie gamma", lambda x, lib=mg: nn(lib).softmax_focal_loss(
            x, [0], gamma=2.0), [[B, B, 0.0]], [0.25 * LN2],
         [[(-0.5 * LN2 - 0.25) * 0.5, (-0.5 * LN2 - 0.25) * -0.5, 0]]),
        ("negative_log_likelihood", lambda x, lib=mg: nn(lib).negative_log_likelihood(x, [0]),
         [[-B, 0.0]], B, [[-1, 0]]),
        ("multiclass_hinge", lambda x, lib=mg: nn(lib).multiclass_hinge(x, [1]), [[B, -B]],
         2 * B + 1, [[1, -1]]),
        ("logaddexp far", lambda x, lib=mg: lib.logaddexp(x[..., 0], x[..., 1]), [[B, -B]], [B],
         [[1, 0]]),
        ("logaddexp tie", lambda x, lib=mg: lib.logaddexp(x[..., 0], x[..., 1]), [[B, B]],
         [B + LN2], [[0.5, 0.5]]),
        ("logaddexp2 tie", lambda x, lib=mg: lib.logaddexp2(x[..., 0], x[..., 1]), [[B, B]],
         [B + 1], [[0.5, 0.5]]),
    ]


CASE_NAMES = [c[0] for c in _cases(1.0)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", CASE_NAMES)
def test_huge_logits_give_exact_values_and_gradients(name, dtype):
    for B in _bounds(dtype):
        B = float(np.asarray(B, dtype=dtype))  # the value the dtype holds
        _, fn, x, value, grad = next(c for c in _cases(B) if c[0] == name)
        x = np.asarray(x, dtype=dtype)
        out, (g,) = _run(fn, x)
        assert np.all(np.isfinite(out.data)) and np.all(np.isfinite(g)), (B, out, g)
        assert out.dtype == mygrad_out_dtype(fn, x)
        assert g.dtype == dtype
        tol = tols(dtype)
        assert_allclose(out.data, value, err_msg=f"value at B={B}", **tol)
        assert_allclose(g, grad, err_msg=f"gradient at B={B}", **tol)


@pytest.mark.parametrize("dtype", DTYPES)
def test_moderate_logits_match_mygrad(dtype):
    """Where MyGrad is still exact (logits within a few units), we agree with it."""
    x = np.array([[3.0, -2.0, 0.5], [1.0, 1.0, -4.0]], dtype=dtype)
    tol = dict(rtol=2e-2, atol=2e-2) if dtype == np.float16 else {}
    for name in ["softmax", "logsoftmax", "sigmoid", "soft_sign", "selu", "elu"]:
        kw = dict(alpha=0.5) if name == "elu" else {}
        compare_with_mygrad(f"nnet.{name}", x, **kw, **tol)
    for name in ["softmax_crossentropy", "softmax_focal_loss", "multiclass_hinge"]:
        compare_with_mygrad(f"nnet.{name}", x, np.array([0, 2]), **tol)


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64"])
def test_soft_sign_of_the_most_negative_integers_is_exact_where_mygrads_abs_overflows(dtype):
    # (hunt seed 244) MyGrad computes |x| and 1 + |x| in the integer dtype: at the dtype's
    # most negative value |x| is x itself, so MyGrad's soft_sign there is +1 or above (and
    # at int64's min + 1 and max, where 1 + |x| overflows, +1 and -1) - mygrad_c computes in
    # float64: the accepted soft-sign-int-overflow-in-mygrad
    info = np.iinfo(dtype)
    x = np.array([info.min, info.min + 1, -3, 0, 3, info.max], dtype=dtype)
    exact = x.astype(np.float64) / (1 + np.abs(x.astype(np.float64)))
    got = mg.nnet.soft_sign(mg.tensor(x))
    assert got.dtype == np.float64 and got.constant
    assert_allclose(got.data, exact, rtol=1e-15)
    assert (got.data[:2] < 0).all()
    with np.errstate(all="ignore"):
        theirs = mygrad.nnet.soft_sign(mygrad.tensor(x)).data
    assert (theirs[:1] >= 1).all()                  # MyGrad's wrong sign at the minimum
    assert_allclose(theirs[2:5], exact[2:5], rtol=1e-15)   # and its value in between


def test_softmax_focal_loss_800_is_exact_where_mygrad_gives_inf():
    # the reported case; MyGrad: loss [inf] and nan gradients
    x = mg.tensor([[0.0, 800.0]])
    loss = mg.nnet.softmax_focal_loss(x, [0])
    loss.backward()
    assert loss.data.tolist() == [800.0]
    assert x.grad.tolist() == [[-1.0, 1.0]]
    with np.errstate(all="ignore"):
        assert mygrad.nnet.softmax_focal_loss([[0.0, 800.0]], [0]).data.tolist() == [np.inf]


@pytest.mark.parametrize("dtype", DTYPES)
def test_logit_gap_beyond_the_float_range(dtype):
    """A gap that overflows: the loss is inf (its true value is out of range); the gradient
    is still the exact finite one (MyGrad: nan for the focal loss)."""
    big = float(np.finfo(dtype).max) * 0.75
    x = np.array([[-big, big]], dtype=dtype)
    for fn in (lambda t: mg.nnet.softmax_crossentropy(t, [0]),
               lambda t: mg.nnet.softmax_focal_loss(t, [0]),
               lambda t: mg.nnet.softmax_focal_loss(t, [0], gamma=1.5)):
        out, (g,) = _run(fn, x)
        assert np.all(np.isinf(out.data))
        assert_allclose(g, [[-1, 1]])


INF = np.inf
NAN = np.nan


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("x, soft, log_soft, soft_grad, log_soft_grad", [
    # one +inf logit: the one-hot limit (MyGrad: nan everywhere)
    ([[0.0, INF]], [[0, 1]], [[-INF, 0]], [[0, 0]], [[1, -1]]),
    ([[INF, -INF, 2.0]], [[1, 0, 0]], [[0, -INF, -INF]], [[0, 0, 0]], [[-2, 1, 1]]),
    # -inf logits beside finite ones are plain zeros of the softmax (as MyGrad)
    ([[-INF, 0.0]], [[0, 1]], [[-INF, 0]], [[0, 0]], [[1, -1]]),
    # undetermined: several +inf (nan there), or all -inf (0 / 0, as MyGrad)
    ([[INF, INF, 0.0]], [[NAN, NAN, 0]], [[NAN, NAN, -INF]], [[NAN] * 3], [[NAN, NAN, 1]]),
    ([[-INF, -INF]], [[NAN, NAN]], [[NAN, NAN]], [[NAN, NAN]], [[NAN, NAN]]),
])
def test_infinite_logits_give_their_limits(dtype, x, soft, log_soft, soft_grad, log_soft_grad):
    x = np.array(x, dtype=dtype)
    for fn, value, grad in [(mg.nnet.softmax, soft, soft_grad),
                            (mg.nnet.logsoftmax, log_soft, log_soft_grad)]:
        out, (g,) = _run(fn, x)
        assert out.dtype == dtype and g.dtype == dtype
        assert_allclose(out.data, value, equal_nan=True)
        assert_allclose(g, grad, equal_nan=True)
    # along another axis and over all axes: the same limits
    out, _ = _run(lambda t: mg.nnet.softmax(t, axis=0), x.T.copy())
    assert_allclose(out.data, np.array(soft).T, equal_nan=True)
    out, _ = _run(lambda t: mg.nnet.logsoftmax(t, axis=None), x)
    assert_allclose(out.data, log_soft, equal_nan=True)


def test_infinite_logits_in_losses():
    # one +inf logit, not the label: loss inf, gradient the finite limit (MyGrad: nan in it)
    for fn in (lambda t: mg.nnet.softmax_crossentropy(t, [0]),
               lambda t: mg.nnet.softmax_focal_loss(t, [0], gamma=2.0)):
        out, (g,) = _run(fn, np.array([[0.0, INF]]))
        assert np.isinf(out.item())
        assert_allclose(g, [[-1, 1]])
    # the label is the one +inf logit: loss 0, gradient 0 (MyGrad: nan)
    out, (g,) = _run(lambda t: mg.nnet.softmax_crossentropy(t, [0]), np.array([[INF, 0.0]]))
    assert out.item() == 0 and np.all(g == 0)


@pytest.mark.parametrize("gamma", [0.0, 0.5, 1.0, 2.0])
def test_focal_loss_at_probability_edges(gamma):
    """p = 0 and p = 1: the same inf/0 pattern as MyGrad."""
    x = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5], [0.25, 0.75]])
    with np.errstate(all="ignore"):
        compare_with_mygrad("nnet.focal_loss", x, np.array([0, 0, 0, 1]), gamma=gamma, grad=np.ones(4))


@pytest.mark.parametrize("gamma", [0.0, 0.5, 1.0, 2.0])
def test_focal_loss_of_no_probability(gamma):
    """For gamma > 0, 1 - p is clipped at 0 for p > 1 (as MyGrad): a loss of 0, whose gradient
    is 0 (MyGrad: alpha * log(p) for gamma = 1); p = inf gives a nan loss and a nan gradient
    (MyGrad: 0 for gamma < 1, inf for gamma = 1). gamma = 0 is -alpha * log(p) throughout."""
    out, (g,) = _run(lambda t: mg.nnet.focal_loss(t, [0, 0], alpha=0.5, gamma=gamma),
                     np.array([[2.0, 0.0], [INF, 0.0]]))
    if gamma == 0:
        assert_allclose(out.data, [-0.5 * LN2, -INF])
        assert_allclose(g, [[-0.25, 0], [0, 0]])
        return
    assert out[0].item() == 0 and np.isnan(out[1].item())
    assert g[0].tolist() == [0, 0]
    assert np.isnan(g[1, 0])


# ---------------------------------------------------------------------------
# glu's axis: a size-1 integer array or tensor gives its item, as in MyGrad
# ---------------------------------------------------------------------------
GLU_AXES = [
    lambda lib: lib.tensor(0), lambda lib: lib.tensor([0]), lambda lib: lib.tensor([[1]]),
    lambda lib: lib.tensor(-1), lambda lib: lib.tensor(0, dtype=np.uint8), lambda lib: lib.tensor(True),
    lambda lib: np.array(0), lambda lib: np.array([1]), lambda lib: np.array(True),
    lambda lib: True, lambda lib: False, lambda lib: 1,
]


@pytest.mark.parametrize("make_axis", GLU_AXES)
def test_glu_axis_forms_match_mygrad(make_axis):
    x = np.arange(8.0).reshape(2, 4) / 4 - 1
    compare_with_mygrad((lambda t: mg.nnet.glu(t, axis=make_axis(mg)),
                         lambda t: mygrad.nnet.glu(t, axis=make_axis(mygrad))), x)


@pytest.mark.parametrize("make_axis", [
    lambda lib: lib.tensor(0.0), lambda lib: np.int64(0), lambda lib: 0.0, lambda lib: None,
    lambda lib: lib.tensor([0, 1]), lambda lib: np.array([0, 1]), lambda lib: lib.tensor(np.zeros(0, int)),
])
def test_glu_bad_axis_raises_as_mygrad(make_axis):
    x = np.ones((2, 4))
    with pytest.raises((TypeError, ValueError)) as ref:
        mygrad.nnet.glu(mygrad.tensor(x), axis=make_axis(mygrad))
    with pytest.raises(ref.type):
        mg.nnet.glu(mg.tensor(x), axis=make_axis(mg))


# ---------------------------------------------------------------------------
# dtypes: byte order, integer scores, booleans (MyGrad's result dtypes and errors)
# ---------------------------------------------------------------------------
ACTIVATIONS = {
    "softmax": {}, "logsoftmax": {}, "sigmoid": {}, "tanh": {}, "relu": {}, "selu": {},
    "soft_sign": {}, "hard_tanh": {}, "elu": dict(alpha=0.5), "leaky_relu": dict(slope=0.1),
}


@pytest.mark.parametrize("dtype", [">f2", ">f4", ">f8", "<f8"])
@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (0, 3)])
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_dtypes_keep_byte_order_as_mygrad(name, shape, dtype):
    x = np.array(np.arange(int(np.prod(shape))).reshape(shape) / 4 - 0.5, dtype=dtype)
    assert isinstance(x, np.ndarray) and x.dtype.str == dtype
    tol = dict(rtol=1e-2, atol=1e-2) if x.dtype.itemsize == 2 else {}
    out, ref = compare_with_mygrad(f"nnet.{name}", x, **ACTIVATIONS[name], **tol)
    assert out.dtype.str == ref.dtype.str  # '>f8' and '<f8' compare equal as dtypes


@pytest.mark.parametrize("dtype", ["i1", "i2", "i4", "i8", ">i2"])
def test_integer_scores_give_mygrads_float_dtype(dtype):
    """log-sum-exp results take numpy's exp dtype (int8 -> float16, int16 -> float32), as MyGrad."""
    x = np.array([[0, 3, 1], [2, 2, 0]], dtype=dtype)
    for name in ["softmax", "logsoftmax"]:
        compare_with_mygrad(f"nnet.{name}", x)
    for name in ["softmax_crossentropy", "softmax_focal_loss", "multiclass_hinge",
                 "negative_log_likelihood"]:
        compare_with_mygrad(f"nnet.{name}", x, np.array([1, 0]))


@pytest.mark.parametrize("dtype", ["u1", "u2", "u4"])
def test_unsigned_scores_do_not_wrap_around(dtype):
    """MyGrad computes x - max(x) in the unsigned type (0 - 3 wraps to 253 in uint8) and gives
    nan/inf; we give the values of the same scores as signed integers, in MyGrad's dtype and
    to the precision of MyGrad's exp of them (NumPy's exp loop for the type: uint8 -> float16,
    uint16 -> float32, even where the result is float64, as for signed integers)."""
    x = np.array([[0, 3, 1], [2, 2, 0]], dtype=dtype)
    signed = x.astype(np.int64)
    y = np.array([1, 0])
    precision = np.exp(np.zeros(0, dtype)).dtype
    for name, args in [("softmax", ()), ("logsoftmax", ()), ("softmax_crossentropy", (y,)),
                       ("softmax_focal_loss", (y,))]:
        out = getattr(mg.nnet, name)(x, *args)
        exact = getattr(mg.nnet, name)(signed, *args)
        with np.errstate(all="ignore"):
            assert out.dtype == getattr(mygrad.nnet, name)(x, *args).dtype
        assert_allclose(out.data, exact.data, **tols(precision))


@pytest.mark.parametrize("dtype", ["i1", "i2", "i4", "i8", ">i2"])
def test_softmax_of_integer_scores_bit_for_bit_as_mygrad(dtype):
    """MyGrad's softmax of integer scores computes exp in NumPy's loop for their type (int8:
    float16) into a float64 array; ours makes the same NumPy call: the same bits, whatever the
    CPU's exp does.  (Found once ``tests/helpers.tols`` stopped sharing its dicts: a caller's
    loosened tolerance had leaked into every later float64 comparison.)"""
    x = np.random.default_rng(0).integers(-20, 20, size=(4, 6)).astype(dtype)
    for axis in (-1, 0, None):
        out, ref = (lib.nnet.softmax(lib.tensor(x), axis=axis) for lib in (mg, mygrad))
        assert bits(out.data) == bits(ref.data)


@pytest.mark.parametrize("dtype", [">f2", ">f4", ">f8"])
def test_losses_of_non_native_scores(dtype):
    x = np.array([[0.5, 3.0, 1.0], [2.0, 2.5, 0.0]], dtype=dtype)
    tol = dict(rtol=1e-2, atol=1e-2) if x.dtype.itemsize == 2 else {}
    for name in ["softmax_crossentropy", "softmax_focal_loss", "multiclass_hinge",
                 "negative_log_likelihood"]:
        out, ref = compare_with_mygrad(f"nnet.{name}", x, np.array([1, 0]), **tol)
        assert out.dtype.str == ref.dtype.str


@pytest.mark.parametrize("shape", [(), (2,), (2, 2), (2, 2, 2), (0, 2)])
@pytest.mark.parametrize("name", ["softmax_crossentropy", "softmax_focal_loss", "focal_loss",
                                  "multiclass_hinge", "negative_log_likelihood"])
def test_boolean_scores_as_mygrad(name, shape):
    x = np.ones(shape, dtype=bool)
    _same_outcome(lambda lib: getattr(lib.nnet, name)(x, np.array([0, 1])))


def _same_outcome(call):
    """``call(lib)`` raises the same exception type in both libraries, or gives equal results."""
    try:
        ref = call(mygrad)
    except Exception as e:  # noqa: BLE001 - the point is to compare whatever MyGrad raises
        with pytest.raises(type(e)):
            call(mg)
        return
    out = call(mg)
    assert out.dtype == ref.dtype and out.shape == ref.shape
    assert_allclose(out.data, ref.data, equal_nan=True)


# ---------------------------------------------------------------------------
# margin_ranking_loss: float scores only; MyGrad's order of checks; one-element y
# ---------------------------------------------------------------------------
F3, I3 = np.array([1.0, 2.0, 3.0]), np.array([1, 2, 3])


@pytest.mark.parametrize("args", [
    (I3, F3, 1, 0.1), (F3, I3, 1, 0.1), (I3 > 1, F3, 1, 0.1), (F3 + 0j, F3, 1, 0.1),
    (np.array(["a", "b", "c"]), F3, 1, 0.1),
    (I3, F3, 1, -0.1),  # the dtype is checked before the margin
    (F3, F3[:2], 1, -0.1),  # the shapes are checked before the margin
    (np.ones((2, 2, 2), int), np.ones((2, 2, 2), int), 1, 0.1),  # ndim before dtype
    (F3, F3, np.ones((3, 1)), 0.1), (F3, F3, [1, 1], 0.1),
])
def test_margin_ranking_loss_errors_as_mygrad(args):
    with pytest.raises((TypeError, ValueError)) as ref:
        mygrad.nnet.margin_ranking_loss(*args)
    with pytest.raises(ref.type):
        mg.nnet.margin_ranking_loss(*args)
    if np.asarray(args[0]).dtype.kind in "iub":  # also given as tensors
        with pytest.raises(ref.type):
            mg.nnet.margin_ranking_loss(mg.tensor(args[0]), mg.tensor(args[1]), *args[2:])


@pytest.mark.parametrize("x_shape, y", [((3,), [-1]), ((3,), [[1]]), ((3, 2), [-1]), ((3, 2), [1, -1, 1]),
                                        ((3,), np.array(-1, dtype=np.int8))])
def test_margin_ranking_loss_one_element_y_is_a_scalar(x_shape, y):
    rng = np.random.default_rng(3)
    x1, x2 = rng.normal(size=x_shape), rng.normal(size=x_shape)
    compare_with_mygrad((lambda a, b: mg.nnet.margin_ranking_loss(a, b, y, 0.5),
                         lambda a, b: mygrad.nnet.margin_ranking_loss(a, b, y, 0.5)), x1, x2)


def test_float16_softmax_crossentropy_keeps_the_log_sum_exp_correction():
    """Two equal float16 scores of 128: the loss is log 2 (MyGrad: 0.75, its 128 + log 2
    rounded in float16 before 128 is subtracted) - the more accurate value is kept."""
    scores = mg.full((2, 2), 128.0, dtype="float16")
    loss = mg.nnet.softmax_crossentropy(scores, np.array([0, 0]))
    assert loss.dtype == np.float16 and loss.item() == np.float16(np.log(2.0))
    nll = mg.nnet.negative_log_likelihood(mg.nnet.logsoftmax(scores), np.array([0, 0]))
    assert abs(nll.item() - np.log(2.0)) <= float(np.finfo(np.float16).eps)
    loss.backward()
    np.testing.assert_array_equal(scores.grad, np.array([[-0.25, 0.25], [-0.25, 0.25]], np.float16))


@pytest.mark.parametrize("x_shape, p_shape", [((5, 3), (1, 3)), ((2, 3, 4, 4), (1, 3, 1, 1)),
                                              ((2, 3, 4, 4), (3, 1, 1)), ((2, 3, 4, 4), (1, 3))])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batchnorm_gamma_and_beta_of_c_elements_in_any_shape(x_shape, p_shape, dtype):
    """gamma and beta of C elements in a shape other than (C,) (mynn's batchnorm layer makes them
    (1, C)): MyGrad's forward takes them and its backward fails (a ValueError from its broadcast
    reduction).  mygrad_c gives each its gradient in its own shape: MyGrad's gradients for the same
    values as (C,) arrays (a deliberate difference: MyGrad crashes; docs/guide/migrating.md)."""
    rng = np.random.default_rng(0)
    x, g = rng.standard_normal(x_shape).astype(dtype), rng.standard_normal(x_shape).astype(dtype)
    gamma, beta = (rng.standard_normal(p_shape).astype(dtype) for _ in range(2))
    bad = [mygrad.tensor(a) for a in (x, gamma, beta)]
    with pytest.raises(ValueError, match="dimensionality of the gradient"):
        mygrad.nnet.batchnorm(bad[0], gamma=bad[1], beta=bad[2], eps=1e-5).backward(g)
    ref = [mygrad.tensor(a) for a in (x, gamma.reshape(-1), beta.reshape(-1))]
    ours = [mg.tensor(a) for a in (x, gamma, beta)]
    y_ref = mygrad.nnet.batchnorm(ref[0], gamma=ref[1], beta=ref[2], eps=1e-5)
    y = mg.nnet.batchnorm(ours[0], gamma=ours[1], beta=ours[2], eps=1e-5)
    y_ref.backward(g)
    y.backward(g)
    assert bits(y.data) == bits(y_ref.data)
    for t, r in zip(ours, ref):
        assert t.grad.shape == t.shape and t.grad.dtype == r.grad.dtype
        assert bits(t.grad.reshape(r.shape)) == bits(r.grad)   # (bit for bit: same values, own shape)


@pytest.mark.parametrize("x_shape", [(6, 4), (5, 3, 4, 4), (8, 2, 3), (4, 3, 2, 2, 2), (0, 3),
                                     (64, 16, 6, 6)])
@pytest.mark.parametrize("params", ["none", "gamma", "beta", "both", "both float64"])
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_batchnorm_bit_for_bit_as_mygrad(x_shape, params, dtype):
    """batchnorm's value and the gradients of x, gamma and beta are MyGrad's bit for bit, the
    same tensors through three backward passes (a training loop), a constant channel with
    eps=0 included: d/dgamma is an einsum of g and x_norm, and
    d/dx = gamma * ((g - mean(g) - x_norm * sum(g * x_norm) / N) / std), as MyGrad rounds them."""
    rng = np.random.default_rng(len(x_shape))
    x = (rng.standard_normal(x_shape) * 2 + 1).astype(dtype)
    if x.ndim == 3:
        x[:, 1] = 2.0    # a constant channel: std 0 with eps=0 (inf/nan, as MyGrad)
    pdt = np.float64 if params.endswith("float64") else dtype
    gamma, beta = (rng.standard_normal(x_shape[1]).astype(pdt) for _ in range(2))
    results = []
    for lib in (mygrad, mg):
        tx, tg, tb = lib.tensor(x), lib.tensor(gamma), lib.tensor(beta)
        kw = dict(gamma=tg if params in ("gamma", "both", "both float64") else None,
                  beta=tb if params in ("beta", "both", "both float64") else None)
        seen = []
        for step, eps in enumerate((1e-3, 0.0, 1e-5)):
            with np.errstate(all="ignore"):
                y = lib.nnet.batchnorm(tx, eps=eps, **kw)
                y.backward(np.cos(np.arange(y.size) + step).reshape(y.shape).astype(dtype))
            seen.append([bits(y.data)] + [bits(t.grad) for t in (tx, kw["gamma"], kw["beta"])
                                               if t is not None])
        results.append(seen)
    assert results[1] == results[0]


_LABELS = np.random.default_rng(5).integers(0, 6, size=37)
BIT_FOR_BIT = {
    "relu": lambda lib, x: lib.nnet.relu(x),
    "leaky_relu": lambda lib, x: lib.nnet.leaky_relu(x, 0.1),
    "elu": lambda lib, x: lib.nnet.elu(x, 0.3),
    "selu": lambda lib, x: lib.nnet.selu(x),
    "sigmoid": lambda lib, x: lib.nnet.sigmoid(x),
    "tanh": lambda lib, x: lib.nnet.tanh(x),
    "hard_tanh": lambda lib, x: lib.nnet.hard_tanh(x, lower_bound=-0.5, upper_bound=2.0),
    "soft_sign": lambda lib, x: lib.nnet.soft_sign(x),
    "glu": lambda lib, x: lib.nnet.glu(x, axis=1),
    "softmax": lambda lib, x: lib.nnet.softmax(x),
    "logsoftmax": lambda lib, x: lib.nnet.logsoftmax(x),
    "logsoftmax(axis=0)": lambda lib, x: lib.nnet.logsoftmax(x, axis=0),
    "softmax_crossentropy": lambda lib, x: lib.nnet.softmax_crossentropy(x, _LABELS),
    "negative_log_likelihood": lambda lib, x: lib.nnet.negative_log_likelihood(
        lib.nnet.logsoftmax(x), _LABELS),
    "multiclass_hinge": lambda lib, x: lib.nnet.multiclass_hinge(x, _LABELS),
    "focal_loss": lambda lib, x: lib.nnet.focal_loss(lib.nnet.softmax(x), _LABELS, alpha=0.5, gamma=2),
    "margin_ranking_loss": lambda lib, x: lib.nnet.margin_ranking_loss(
        x[:, :3], x[:, 3:], np.where(_LABELS % 2, 1.0, -1.0), 0.5),
}


@pytest.mark.parametrize("scale", [0.3, 3.0, 10.0])
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(BIT_FOR_BIT))
def test_activations_and_losses_bit_for_bit_as_mygrad(name, dtype, scale):
    """The activations and losses users train with give MyGrad's values and gradients bit for
    bit (not just to rounding), so that a training run reproduces MyGrad's run exactly, for
    ordinary inputs: logits up to 64 in magnitude (beyond, log-softmax keeps the log-sum-exp
    correction that MyGrad's rounding loses) and sigmoid inputs where MyGrad's exp(-x) does not
    overflow.  Compared with ``array_equal`` on the bits: -0.0 is not 0.0 here."""
    rng = np.random.default_rng(int(scale * 10))
    x = np.clip(rng.standard_normal((37, 6)) * scale, -10, 10).astype(dtype)
    x[0, :3] = 0.0
    x[1, :2] = -0.0
    grad_seed = rng.standard_normal((37, 6))
    results = []
    for lib in (mygrad, mg):
        t = lib.tensor(x)
        with np.errstate(all="ignore"):
            out = BIT_FOR_BIT[name](lib, t)
            upstream = grad_seed[: out.shape[0], : out.shape[1]] if out.ndim == 2 else 0.7
            out.backward(np.asarray(upstream, dtype=out.dtype))
        results.append((out.data, t.grad))
    (ref, ref_grad), (ours, our_grad) = results
    for got, want, what in ((ours, ref, "values"), (our_grad, ref_grad, "gradient")):
        assert got.dtype == want.dtype and got.shape == want.shape, what
        assert bits(got) == bits(want), (
            f"{what}: {np.sum(got != want)} elements differ, e.g. {got[got != want][:3]} "
            f"where MyGrad has {want[got != want][:3]}")


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_sigmoid_where_mygrads_exp_overflows(dtype):
    """Where exp(-x) overflows but sigmoid(x) is representable, MyGrad gives 0; mygrad_c gives
    the value rounded from float64 (longdouble for float64 itself); the gradient follows.
    (A deliberate difference: MyGrad's number is wrong there; docs/guide/migrating.md.)"""
    finfo = np.finfo(dtype)
    low = float(np.log(finfo.smallest_subnormal)) + 0.5
    high = -float(np.log(finfo.max)) - 0.1
    x = np.linspace(low, high, 41).astype(dtype)
    with np.errstate(all="ignore"):
        assert not mygrad.nnet.sigmoid(x).data.any()  # MyGrad: all 0
        e = np.exp(x.astype(np.longdouble))
        exact = (e / (1 + e)).astype(dtype)
    t = mg.tensor(x)
    y = mg.nnet.sigmoid(t)
    y.backward()
    assert y.data.dtype == dtype and np.all(y.data > 0)
    assert_allclose(y.data.astype(np.float64), exact.astype(np.float64), rtol=4 * finfo.eps, atol=0)
    assert_allclose(t.grad.astype(np.float64), (exact * (1 - exact)).astype(np.float64),
                    rtol=8 * finfo.eps, atol=2 * float(finfo.smallest_subnormal))
    for v in (-np.inf, np.nan):
        assert np.array_equal(mg.nnet.sigmoid(np.array([v], dtype)).data,
                              mygrad.nnet.sigmoid(np.array([v], dtype)).data, equal_nan=True)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("alpha, gamma", [(1, 0), (0.25, 2), (0.5, 1.5), (2.0, 0.5)])
def test_softmax_focal_loss_is_mygrads_graph_where_mygrad_is_right(dtype, alpha, gamma):
    """softmax_focal_loss is MyGrad's ``focal_loss(softmax(scores))`` - the same two operations
    (``out.creator`` a FocalLoss whose input a Softmax made), the same bits - wherever that
    computation is right; where MyGrad's softmax underflows (its log -inf, its derivative
    1 / p_t inf) it is one exact operation, finite, with the exact value."""
    rng = np.random.default_rng(int(alpha * 10 + gamma))
    y = rng.integers(0, 4, 7)
    for scale in (0.3, 3.0, 10.0, 1000.0):
        x = (rng.standard_normal((7, 4)) * scale).astype(dtype)
        results = []
        for lib in (mygrad, mg):
            t = lib.tensor(x)
            with np.errstate(all="ignore"):
                out = lib.nnet.softmax_focal_loss(t, y, alpha=alpha, gamma=gamma)
                ops = (type(out.creator).__name__, type(out.creator.variables[0].creator).__name__)
                for k in range(2):   # twice: the same leaf, as a training loop
                    out = lib.nnet.softmax_focal_loss(t, y, alpha=alpha, gamma=gamma)
                    out.backward(np.cos(np.arange(7) + k).astype(dtype))
            results.append((ops, out.data, t.grad))
        (ref_ops, ref, ref_grad), (ops, ours, grad) = results
        if np.isfinite(ref).all() and np.isfinite(ref_grad).all():
            assert ops == ref_ops == ("FocalLoss", "Softmax")
            assert bits(ours) == bits(ref) and bits(grad) == bits(ref_grad)
        else:
            assert ops == ("SoftmaxFocalLoss", "NoneType")
            assert np.isfinite(ours).all() and np.isfinite(grad).all()
            logp = x.astype(np.float64) - np.log(np.exp(x - x.max(1, keepdims=True)).sum(1, keepdims=True)) \
                - x.max(1, keepdims=True)
            lpt = logp[np.arange(7), y]
            exact = -alpha * (-np.expm1(lpt)) ** gamma * lpt
            assert_allclose(ours, exact, **tols(dtype))


@pytest.mark.parametrize("x", [[[0.5, -1.0, 2.0]], [[0.0, 800.0, 1.0]]])   # (composed; fused)
def test_softmax_focal_loss_computes_the_softmax_once(monkeypatch, x):
    """The check that MyGrad's two operations compute the right numbers reads the output of the
    Softmax operation it then uses; where the check fails (the fused form), that operation is
    dropped and leaves nothing behind: the scores' memory is writeable again after backward."""
    import sys

    softmax_module = sys.modules["mygrad_c.nnet.activations.softmax"]   # (the package's `softmax` is the function)
    calls = []
    original = softmax_module.softmax_data
    monkeypatch.setattr(softmax_module, "softmax_data", lambda *a: calls.append(1) or original(*a))
    t = mg.tensor(x)
    out = mg.nnet.softmax_focal_loss(t, [0], gamma=2.0)
    assert len(calls) == 1
    out.backward()
    assert np.isfinite(t.grad).all() and t.data.flags.writeable


@pytest.mark.parametrize("loss", ["focal_loss", "softmax_focal_loss"])
@pytest.mark.parametrize("gamma", [0.0, 1.0, 2.5])
def test_a_retried_backward_through_a_focal_loss_gives_its_gradient_again(loss, gamma):
    """A backward that raises midway (beyond the loss: its input's graph goes through a
    tensor whose graph was cleared) keeps the graph; each retry back-propagates through
    the loss again with the gradient it is given.  MyGrad's focal-loss operation scales
    the derivative it keeps from the forward in place, so each retry multiplies by every
    earlier gradient too (seed 98 of the program fuzzer): a wrong number, not matched."""
    logits = [[-2.0, 1.0, 2.0], [0.5, -0.25, 0.0]]
    labels = np.array([1, 2])

    def fresh(lib, seed):
        x = lib.tensor(logits)
        p = x if loss == "softmax_focal_loss" else lib.nnet.softmax(x)
        getattr(lib.nnet, loss)(p, labels, alpha=0.5, gamma=gamma).backward(seed)
        return x.grad

    grads = {}
    for lib in (mygrad, mg):
        a = lib.tensor(logits)
        x = a * 1.0
        x2 = x * 1.0
        x.backward()              # clears x's graph: a backward from x2 fails at x
        p = x2 if loss == "softmax_focal_loss" else lib.nnet.softmax(x2)
        out = getattr(lib.nnet, loss)(p, labels, alpha=0.5, gamma=gamma)
        grads[lib] = []
        for seed in ([-1.0, 1.0], [1.0, 1.0], [2.0, 0.5]):
            with pytest.raises(lib.errors.InvalidBackprop):
                out.backward(np.array(seed))
            grads[lib].append((np.array(seed), x2.grad))
    for seed, g in grads[mg]:
        assert_allclose(g, fresh(mg, seed), rtol=1e-12, atol=1e-15)
        assert_allclose(g, fresh(mygrad, seed), rtol=1e-12, atol=1e-15)
    # MyGrad's retries: the product of the seeds so far (-1, then -1 * 2 ...)
    (s1, g1), (s2, g2), (s3, g3) = grads[mygrad]
    assert_allclose(g2, fresh(mygrad, s1 * s2), rtol=1e-12, atol=1e-15)
    assert_allclose(g3, fresh(mygrad, s1 * s2 * s3), rtol=1e-12, atol=1e-15)


def _naive_conv(x, w):
    """out[n, f, g] = sum over c and the kernel offsets of w[f, c, k] * x[n, c, g + k]."""
    G = tuple(s - k + 1 for s, k in zip(x.shape[2:], w.shape[2:]))
    out = np.zeros(x.shape[:1] + w.shape[:1] + G)
    for g in np.ndindex(*G):
        patch = x[(slice(None), slice(None)) + tuple(slice(i, i + k) for i, k in zip(g, w.shape[2:]))]
        out[(slice(None), slice(None)) + g] = np.tensordot(patch, w, axes=(list(range(1, x.ndim)),) * 2)
    return out


@pytest.mark.parametrize("view", ["x[..., None]", "x[:, :, None]", "x[..., None, :]"])
def test_conv_of_a_view_with_a_length_1_axis_of_any_stride(view):
    """A view that inserts an axis (``x[..., None]``) gives it stride 0: NumPy leaves the
    stride of a length-1 axis arbitrary.  mygrad_c's convolution uses the values whatever
    the strides; MyGrad's reads other memory there (its output is off by up to ~10 here,
    and its filter gradient with it) - the max_pool difference of migrating.md, in conv_nd."""
    rng = np.random.default_rng(0)
    X, W = rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((4, 3, 3, 2))
    w_shape = {"x[..., None]": W[..., None], "x[:, :, None]": W[:, :, None], "x[..., None, :]": W[..., None, :]}[view]
    x = mg.tensor(X)
    w = mg.tensor(w_shape)
    xv = eval(view, {"x": x})
    y = mg.nnet.conv_nd(xv, w, stride=1)
    assert_allclose(y.data, _naive_conv(np.ascontiguousarray(xv.data), w_shape), rtol=1e-12, atol=1e-12)
    g = np.linspace(-1, 1, y.size).reshape(y.shape)
    y.backward(g)
    # the gradients of the same convolution of contiguous copies
    xc, wc = mg.tensor(np.ascontiguousarray(xv.data)), mg.tensor(w_shape)
    mg.nnet.conv_nd(xc, wc, stride=1).backward(g)
    assert_allclose(w.grad, wc.grad, rtol=1e-12, atol=1e-12)
    assert_allclose(x.grad, xc.grad.reshape(X.shape), rtol=1e-12, atol=1e-12)
    if view == "x[..., None]":   # (MyGrad's, for the record: the stride-0 axis read wrongly)
        r = mygrad.nnet.conv_nd(mygrad.tensor(X)[..., None], mygrad.tensor(w_shape), stride=1)
        assert not np.allclose(r.data, y.data)


@pytest.mark.parametrize("loss, kwargs, targets, shape", [
    ("softmax_focal_loss", {"gamma": -1.0}, [1, 0, 1], (3, 2)),
    ("softmax_focal_loss", {}, [[1], [0], [1]], (3, 2)),
    ("softmax_focal_loss", {}, [1, 0], (3, 2)),
    ("softmax_focal_loss", {}, [1, 1, 1], (3, 2, 1)),
    ("softmax_focal_loss", {"alpha": "a"}, [1, 0, 1], (3,)),
    ("softmax_crossentropy", {}, [1, 0], (3, 2)),
    ("focal_loss", {"gamma": -1.0}, [1, 0, 1], (3, 2)),
])
def test_a_loss_call_that_raises_nulls_the_scores_gradient_as_mygrad(loss, kwargs, targets, shape):
    """MyGrad's softmax_focal_loss is focal_loss(softmax(scores), ...): the softmax runs
    before the focal loss checks its arguments, so a call that raises has still used
    ``scores`` in an operation and nulled its gradient from the last backward (hunt seed
    171, session 17: a training loop whose scores changed shape).  Two iterations of a loop
    that back-propagates, then makes the failing call, compared with MyGrad."""
    def scenario(lib, out):
        x = lib.tensor(np.linspace(-1.0, 1.0, int(np.prod(shape))).reshape(shape))
        for _ in range(2):
            lib.sum(x * x).backward()
            with pytest.raises(ValueError):
                getattr(lib.nnet, loss)(x, np.array(targets), **kwargs)
            out.append(x.grad)
    assert len(assert_same_trace(scenario)) == 2


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("slope", [0.1, 2.0])
def test_an_infinite_gradient_into_leaky_relu_is_scaled_by_each_sides_slope(dtype, slope):
    # (hunt seed 214) MyGrad's backward adds a masked term per side, and inf * 0 makes every
    # element nan; the exact gradient is the incoming one times the slope of the element's
    # side (a finite incoming gradient: MyGrad's numbers, bit for bit)
    x = np.array([np.inf, -np.inf, 1.0, -1.0, 0.0, 3.0], dtype=dtype)
    g = np.array([np.inf, np.inf, -np.inf, np.inf, 1.0, 2.0], dtype=dtype)
    t = mg.tensor(x)
    mg.nnet.leaky_relu(t, slope).backward(g)
    expected = np.where(x > 0, g, g * dtype(slope)).astype(dtype)
    expected[4] = 0.0   # (at x = 0 neither side's term counts, as in MyGrad)
    np.testing.assert_array_equal(t.grad, expected)
    ref = mygrad.tensor(x)
    mygrad.nnet.leaky_relu(ref, slope).backward(g)
    assert np.isnan(ref.grad[:4]).all()          # (MyGrad's nan where an incoming gradient is inf)
    np.testing.assert_array_equal(t.grad[4:], ref.grad[4:])
