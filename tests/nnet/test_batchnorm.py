"""batchnorm against MyGrad (values, dtypes, constants, gradients of x, gamma and beta)
and numerical derivatives."""
import hypothesis.strategies as st
import mygrad
import numpy as np
import pytest
from hypothesis import given

import mygrad_c as mg
from helpers import check_numerical_grad, compare_with_mygrad, float_arrays
from mygrad_c.nnet.layers import batchnorm


def _pair(with_gamma, with_beta):
    """(mygrad_c, mygrad) callables taking (x[, gamma][, beta])."""
    def make(f):
        def call(x, *params, eps):
            it = iter(params)
            kw = {}
            if with_gamma:
                kw["gamma"] = next(it)
            if with_beta:
                kw["beta"] = next(it)
            return f(x, eps=eps, **kw)
        return call
    return make(batchnorm), make(mygrad.nnet.layers.batchnorm)


@st.composite
def bn_cases(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    if len(shape) == 1:
        shape = (max(shape[0], 2),)
    else:
        shape = (max(shape[0], 2),) + shape[1:]
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    x = draw(float_arrays(shape=shape, dtype=dtype, min_value=-5, max_value=5))
    C = shape[1] if len(shape) > 1 else 1
    with_gamma, with_beta = draw(st.booleans()), draw(st.booleans())
    params = []
    if with_gamma:
        params.append(draw(float_arrays(shape=(C,), dtype=dtype, min_value=-2, max_value=2)))
    if with_beta:
        params.append(draw(float_arrays(shape=(C,), dtype=dtype, min_value=-2, max_value=2)))
    return x, params, with_gamma, with_beta


@given(bn_cases(), st.sampled_from([1e-5, 0.1, 1.0]))
def test_batchnorm_matches_mygrad(case, eps):
    x, params, with_gamma, with_beta = case
    if x.ndim == 1 and params:
        return  # MyGrad reshapes 1-d parameters to (1,): only a length-1 parameter works
    tol = dict(rtol=2e-3, atol=2e-4) if x.dtype == np.float32 else dict(rtol=1e-6, atol=1e-7)
    if x.ndim == 1:  # MyGrad's backward fails on 1-d data (IndexError): compare values only
        ours, ref = (f(lib.tensor(x), eps=eps) for f, lib in
                     ((batchnorm, mg), (mygrad.nnet.layers.batchnorm, mygrad)))
        assert ours.dtype == ref.dtype
        np.testing.assert_allclose(ours.data, ref.data, **tol)
        return
    compare_with_mygrad(_pair(with_gamma, with_beta), x, *params, eps=eps, **tol)


@given(bn_cases())
def test_batchnorm_numerical_gradient(case):
    x, params, with_gamma, with_beta = case
    if x.ndim == 1 and params:
        return
    f = _pair(with_gamma, with_beta)[0]
    check_numerical_grad(lambda *a: f(*a, eps=0.5), x, *params, rtol=1e-4, atol=1e-5)


def test_parameter_shapes_dtypes_and_constants():
    rng = np.random.default_rng(0)
    x = rng.random((4, 3, 2))
    both = _pair(True, True)
    g, b = rng.random((3, 1)), rng.random((1, 3, 1))  # MyGrad only back-props 1-d parameters
    np.testing.assert_allclose(batchnorm(x, gamma=g, beta=b, eps=1e-3).data,
                               mygrad.nnet.layers.batchnorm(x, gamma=g, beta=b, eps=1e-3).data)
    gt, bt = mg.tensor(g), mg.tensor(b)
    batchnorm(x, gamma=gt, beta=bt, eps=1e-3).backward()
    assert gt.grad.shape == g.shape and bt.grad.shape == b.shape
    compare_with_mygrad(both, x, rng.random(3), rng.random(3), eps=1e-3, constant=[True, False, True])
    compare_with_mygrad(both, x.astype(np.float32), rng.random(3), rng.random(3).astype(np.float32),
                        eps=1e-3, rtol=1e-5, atol=1e-5)
    compare_with_mygrad(_pair(False, False), (x * 10).astype(np.int64), eps=1e-3)
    np.testing.assert_allclose(batchnorm(np.array(3.0), eps=1e-3).data,  # MyGrad: no 0-d backward
                               mygrad.nnet.layers.batchnorm(np.array(3.0), eps=1e-3).data)
    assert batchnorm(x, eps=1e-5).constant
    assert not batchnorm(mg.tensor(x), eps=1e-5).constant
    assert batchnorm(mg.tensor(x), eps=1e-5, constant=True).constant


@pytest.mark.parametrize("kw", [dict(gamma=np.ones(5)), dict(beta=np.ones((3, 5))), dict(gamma=2.0)])
def test_bad_parameter_shapes_raise_like_mygrad(kw):
    x = np.random.default_rng(1).random((4, 3, 5))
    with pytest.raises(ValueError) as ref:
        mygrad.nnet.layers.batchnorm(x, eps=1e-5, **kw)
    with pytest.raises(ValueError) as ours:
        batchnorm(x, eps=1e-5, **kw)
    assert str(ours.value) == str(ref.value)


def test_eps_is_required():
    with pytest.raises(TypeError):
        batchnorm(np.ones((2, 2)))
