"""Initializers: the same draws as MyGrad for a given seed, distribution statistics, shapes,
dtypes, constant flags and errors."""
from __future__ import annotations

import mygrad
import numpy as np
import pytest

from mygrad_c.nnet import initializers as I

RANDOM = {
    "normal": dict(mean=2, std=3), "uniform": dict(lower_bound=-2, upper_bound=3),
    "glorot_normal": dict(gain=2), "glorot_uniform": dict(gain=2),
    "he_normal": dict(gain=2), "he_uniform": dict(gain=2),
}


def test_namespace_matches_mygrad():
    assert sorted(I.__all__) == sorted(mygrad.nnet.initializers.__all__)


@pytest.mark.parametrize("name", sorted(RANDOM))
@pytest.mark.parametrize("shape", [(3, 4), (5, 3, 2, 3), ((4, 6),)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_same_draws_as_mygrad(name, shape, dtype):
    np.random.seed(7)
    ref = getattr(mygrad.nnet.initializers, name)(*shape, dtype=dtype, **RANDOM[name])
    np.random.seed(7)
    out = getattr(I, name)(*shape, dtype=dtype, **RANDOM[name])
    assert out.shape == ref.shape and out.dtype == ref.dtype and out.constant == ref.constant
    np.testing.assert_allclose(out.data, ref.data, rtol=1e-6 if dtype == np.float32 else 1e-13)


@pytest.mark.parametrize("name, shape, mean, std", [
    ("normal", (400, 500), 2, 3),
    ("glorot_normal", (200, 300), 0, 2 * np.sqrt(2 / 500)),
    ("he_normal", (100, 50, 3, 3), 0, 2 / np.sqrt(450)),
])
def test_normal_statistics(name, shape, mean, std):
    t = getattr(I, name)(*shape, **RANDOM[name]).data.astype(np.float64)
    assert abs(t.mean() - mean) < 5 * std / np.sqrt(t.size)
    assert abs(t.std() / std - 1) < 0.02


@pytest.mark.parametrize("name, shape, bound", [
    ("glorot_uniform", (200, 300), 2 * np.sqrt(6 / 500)),
    ("glorot_uniform", (20, 30, 3, 3), 2 * np.sqrt(6 / 450)),
    ("he_uniform", (100, 50, 3, 3), 2 * np.sqrt(50 / 27)),  # MyGrad's (unusual) scale
])
def test_uniform_statistics(name, shape, bound):
    t = getattr(I, name)(*shape, **RANDOM[name]).data.astype(np.float64)
    assert t.min() >= -bound and t.max() <= bound
    assert t.min() < -0.95 * bound and t.max() > 0.95 * bound
    assert abs(t.std() / (bound / np.sqrt(3)) - 1) < 0.03


def test_uniform_bounds():
    t = I.uniform(1000, lower_bound=-2, upper_bound=5).data
    assert t.min() >= -2 and t.max() < 5 and abs(t.mean() - 1.5) < 0.3


@pytest.mark.parametrize("shape", [(2, 3), (3, 2), (2, 2, 3), (3, 5, 3, 4), (1, 1, 2, 2)])
@pytest.mark.parametrize("dtype", [np.float32, np.int64])
def test_dirac_matches_mygrad(shape, dtype):
    ref = mygrad.nnet.initializers.dirac(*shape, dtype=dtype)
    out = I.dirac(*shape, dtype=dtype)
    np.testing.assert_array_equal(out.data, ref.data)
    assert out.dtype == ref.dtype and out.constant == ref.constant


@pytest.mark.parametrize("name, args, kwargs", [
    ("constant", (2, 3), {}), ("constant", ((2, 3),), dict(value=2, dtype=int)),
    ("constant", (2,), dict(value=3.5, constant=True)), ("constant", (), {}),
    ("identity", (3,), {}), ("identity", (2,), dict(dtype=int)), ("identity", (2,), dict(constant=True)),
    ("normal", (), {}), ("normal", (0,), {}), ("uniform", (2,), dict(constant=True)),
    ("glorot_uniform", (0, 3), {}),
])
def test_deterministic_results_match_mygrad(name, args, kwargs):
    np.random.seed(0)
    ref = getattr(mygrad.nnet.initializers, name)(*args, **kwargs)
    np.random.seed(0)
    out = getattr(I, name)(*args, **kwargs)
    assert out.shape == ref.shape and out.dtype == ref.dtype and out.constant == ref.constant
    np.testing.assert_array_equal(out.data, ref.data)


@pytest.mark.parametrize("name, args, kwargs", [
    ("glorot_normal", (3,), {}), ("he_uniform", (3,), {}), ("dirac", (3,), {}), ("dirac", (), {}),
    ("glorot_normal", (3, 4), dict(dtype=int)), ("he_normal", (3, 4), dict(dtype=int)),
    ("normal", (3,), dict(dtype=int)), ("uniform", (3,), dict(dtype=int)),
    ("uniform", (3,), dict(lower_bound=2, upper_bound=1)), ("normal", (3,), dict(std=-1)),
    ("constant", (2,), dict(value=1, dtype=int, constant=False)),
])
def test_errors_match_mygrad(name, args, kwargs):
    with pytest.raises(Exception) as ref:
        getattr(mygrad.nnet.initializers, name)(*args, **kwargs)
    with pytest.raises(ref.type):
        getattr(I, name)(*args, **kwargs)
