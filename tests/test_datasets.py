"""Tests for mygrad_c.datasets.load_digits: the data shipped in the package."""
from __future__ import annotations

import hashlib

import numpy as np

from mygrad_c.datasets import DIGITS_SHA256, load_digits


def test_shapes_and_dtypes():
    X, y = load_digits()
    assert X.shape == (1797, 8, 8) and X.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int64


def test_scaling():
    X, _ = load_digits()
    raw, _ = load_digits(scaled=False)
    assert X.min() == 0.0 and X.max() == 1.0
    assert raw.dtype == np.float32 and raw.max() == 16.0
    # the raw pixels are the integers 0..16; scaling divides them by 16
    assert np.array_equal(raw, np.round(raw))
    np.testing.assert_array_equal(X * 16, raw)


def test_class_balance():
    _, y = load_digits()
    counts = np.bincount(y, minlength=10)
    assert counts.tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert set(np.unique(y)) == set(range(10))


def test_checksum():
    X, y = load_digits(scaled=False)
    pixels = X.astype(np.uint8)
    assert hashlib.sha256(pixels.tobytes()).hexdigest() == DIGITS_SHA256
    assert int(pixels.sum()) == 561718
    assert int((y * np.arange(len(y))).sum()) == 7264791
    assert y[:10].tolist() == list(range(10))


def test_known_image():
    # the first image is a zero: an empty centre column and a ring of ink
    X, y = load_digits(scaled=False)
    assert y[0] == 0
    assert X[0, 0].tolist() == [0, 0, 5, 13, 9, 1, 0, 0]
    assert X[0, 3, 3:5].tolist() == [0, 0]


def test_each_call_returns_new_arrays():
    X1, y1 = load_digits()
    X1[:] = -1
    y1[:] = -1
    X2, y2 = load_digits()
    assert X2.min() == 0.0 and y2.min() == 0
