"""Losses: values, dtypes, constant flags, gradients and errors against MyGrad; numerical derivatives."""
from __future__ import annotations

import hypothesis.strategies as st
import mygrad
import numpy as np
import pytest
from hypothesis import given

import mygrad_c as mg
from helpers import check_numerical_grad, compare_with_mygrad, float_arrays
from mygrad_c.nnet import losses as L

DTYPES = [np.float16, np.float32, np.float64]


def _tol(dtype):
    return dict(rtol=3e-2, atol=3e-2) if dtype == np.float16 else {}


@st.composite
def scores_and_labels(draw, low=-5.0, high=5.0, min_n=1):
    n = draw(st.integers(min_n, 5))
    c = draw(st.integers(1, 4))
    dtype = draw(st.sampled_from(DTYPES))
    x = draw(float_arrays(shape=(n, c), dtype=dtype, min_value=low, max_value=high))
    y = np.array(draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)), dtype=np.int64)
    return x, y


def test_namespace_matches_mygrad():
    assert sorted(L.__all__) == sorted(mygrad.nnet.losses.__all__)


@given(scores_and_labels())
def test_softmax_crossentropy(xy):
    x, y = xy
    compare_with_mygrad("nnet.losses.softmax_crossentropy", x, y, **_tol(x.dtype))


@given(scores_and_labels(), st.booleans())
def test_negative_log_likelihood(xy, weighted):
    x, y = xy
    kw = dict(weights=np.linspace(0.5, 2, x.shape[1])) if weighted else {}
    compare_with_mygrad("nnet.losses.negative_log_likelihood", x, y, **kw, **_tol(x.dtype))


@given(scores_and_labels(low=0.0625, high=1.0), st.sampled_from([0, 0.5, 1, 2]), st.sampled_from([1, 0.25]))
def test_focal_loss(xy, gamma, alpha):
    x, y = xy
    compare_with_mygrad("nnet.losses.focal_loss", x, y, alpha=alpha, gamma=gamma, **_tol(x.dtype))


@given(scores_and_labels(), st.sampled_from([0, 0.5, 1, 2]), st.sampled_from([1, 0.25]))
def test_softmax_focal_loss(xy, gamma, alpha):
    x, y = xy
    tol = _tol(x.dtype) if x.dtype != np.float32 else dict(rtol=1e-3, atol=1e-4)
    compare_with_mygrad("nnet.losses.softmax_focal_loss", x, y, alpha=alpha, gamma=gamma, **tol)


@given(scores_and_labels(), st.sampled_from([0.0, 0.5, 1.0]))
def test_multiclass_hinge(xy, hinge):
    x, y = xy
    x = np.round(x, 1) + np.arange(x.shape[1]) * 0.013  # keep terms off the kink at exactly 0
    compare_with_mygrad("nnet.losses.multiclass_hinge", x.astype(xy[0].dtype), y, hinge=hinge,
                        **_tol(x.dtype))


@given(st.data())
def test_margin_ranking_loss(data):
    n = data.draw(st.integers(1, 5))
    shape = data.draw(st.sampled_from([(n,), (n, 3)]))
    dtype = data.draw(st.sampled_from(DTYPES))
    x1 = data.draw(float_arrays(shape=shape, dtype=dtype))
    x2 = data.draw(float_arrays(shape=shape, dtype=dtype))
    y = data.draw(st.sampled_from([1, -1, np.where(np.arange(n) % 2, 1.0, -1.0)]))
    margin = data.draw(st.sampled_from([0.0, 0.5, 2.0]))
    compare_with_mygrad("nnet.losses.margin_ranking_loss", x1, x2, y, margin, **_tol(dtype))


def test_numerical_grads():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 3))
    y = np.array([0, 2, 1, 2])
    check_numerical_grad(lambda t: L.softmax_crossentropy(t, y), x)
    check_numerical_grad(lambda t: L.negative_log_likelihood(t, y, weights=[1.0, 2.0, 0.5]), x)
    check_numerical_grad(lambda t: L.softmax_focal_loss(t, y, alpha=0.3, gamma=1.5), x)
    check_numerical_grad(lambda t: L.focal_loss(t, y, alpha=0.3, gamma=1.5), rng.uniform(0.1, 0.9, (4, 3)))
    check_numerical_grad(lambda t: L.multiclass_hinge(t, y, 0.5), x)
    check_numerical_grad(lambda a, b: L.margin_ranking_loss(a, b, np.array([1, -1, 1]), 0.3),
                         rng.normal(size=3), rng.normal(size=3))


def test_extreme_logits_are_finite():
    x = mg.tensor([[1e4, -1e4], [-1e4, 1e4]])
    loss = L.softmax_crossentropy(x, [1, 1])
    assert np.isclose(loss.item(), 1e4)
    loss.backward()
    assert np.all(np.isfinite(x.grad))
    x = mg.tensor([[1e4, -1e4]])
    loss = L.softmax_focal_loss(x, [1], gamma=2)  # MyGrad: inf (log of an underflowed softmax)
    assert np.isclose(loss.item(), 2e4)
    loss.backward()
    assert np.all(np.isfinite(x.grad))


def test_empty_batch_and_constant():
    compare_with_mygrad("nnet.losses.softmax_crossentropy", np.ones((0, 3)), np.array([], dtype=int),
                        constant=[True, True])
    x = mg.tensor(np.ones((2, 3)))
    assert L.softmax_crossentropy(x, [0, 1], constant=True).constant
    assert L.softmax_crossentropy(np.ones((2, 3)), [0, 1]).constant


def test_labels_as_tensors_get_no_gradient():
    x, y = mg.tensor(np.ones((2, 3))), mg.tensor([0, 2])
    w = mg.tensor([1.0, 2.0, 3.0])
    L.negative_log_likelihood(x, y, weights=w).backward()
    assert w.grad is None and x.grad is not None


BAD_CALLS = [
    ("softmax_crossentropy", (np.ones(3), [1]), {}),
    ("softmax_crossentropy", (np.ones((2, 3, 4)), [0, 1]), {}),
    ("softmax_crossentropy", (np.ones((2, 3)), [0.0, 1.0]), {}),
    ("softmax_crossentropy", (np.ones((2, 3)), [0, 1, 2]), {}),
    ("softmax_crossentropy", (np.ones((2, 3)), [0, 3]), {}),
    ("negative_log_likelihood", (np.ones((2, 3)), np.array([0, 1])), dict(weights=np.array([1.0, 2.0]))),
    ("negative_log_likelihood", (np.ones((2, 3)), [[0, 1]]), {}),
    ("focal_loss", (np.ones((2, 3)) / 3, [0, 1]), dict(gamma=-1)),
    ("softmax_focal_loss", (np.ones((2, 3)), [0.5, 1]), {}),
    ("multiclass_hinge", (np.ones(3), [0]), {}),
    ("margin_ranking_loss", (np.ones(3), np.ones(3), 1, -0.5), {}),
    ("margin_ranking_loss", (np.ones(3), np.ones(2), 1, 0.5), {}),
    ("margin_ranking_loss", (np.ones((3, 1, 1)), np.ones((3, 1, 1)), 1, 0.5), {}),
    ("margin_ranking_loss", (np.ones((2, 2)), np.ones((2, 2)), np.ones((2, 1)), 0.5), {}),
]


@pytest.mark.parametrize("name, args, kwargs", BAD_CALLS)
def test_errors_match_mygrad(name, args, kwargs):
    with pytest.raises(Exception) as ref:
        getattr(mygrad.nnet.losses, name)(*args, **kwargs)
    with pytest.raises(ref.type):
        getattr(L, name)(*args, **kwargs)
