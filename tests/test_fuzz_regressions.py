"""Regression tests from the fuzz targets in ``tests/fuzz/`` (plain NumPy references).

The long fuzz runs (docs/fuzzing.md) found no crash or mismatch in the compiled
kernels; these pin down the edge cases the targets exercise most, so that they
stay covered without atheris: stride-0 / big-endian / read-only / empty inputs,
out-of-range indices, geometry that does not fit, NaN winners.
"""
import numpy as np
import pytest
from numpy.testing import assert_array_equal

import mygrad_c as mg
from mygrad_c._conv import col2im, im2col
from mygrad_c._engine import reduce_broadcast
from mygrad_c._indexing import scatter_add_rows
from mygrad_c._pool import max_pool_backward, max_pool_forward


def test_reduce_broadcast_keeps_byte_order_and_handles_empty_and_stride0():
    g = np.arange(6, dtype=">i4").reshape(2, 3)
    out = reduce_broadcast(g, (3,))
    assert out.dtype == np.add.reduce(g, axis=0).dtype
    assert_array_equal(out, [3, 5, 7])
    assert_array_equal(reduce_broadcast(np.zeros((0, 3)), (1, 3)), np.zeros((1, 3)))
    b = np.broadcast_to(np.arange(3.0), (4, 3))
    assert_array_equal(reduce_broadcast(b, (1, 1)), [[12.0]])
    with pytest.raises(ValueError):
        reduce_broadcast(np.ones((2, 3)), (2, 1, 3))
    with pytest.raises(ValueError):
        reduce_broadcast(np.ones((2, 3)), (-1,))


def test_scatter_rejects_bad_calls_without_writing():
    out = np.zeros((3, 2))
    with pytest.raises(IndexError):
        scatter_add_rows(out, np.array([0, 3]), np.ones((2, 2)))
    with pytest.raises(IndexError):
        scatter_add_rows(out, np.array([2 ** 63 + 1], dtype=np.uint64), np.ones((1, 2)))
    with pytest.raises(TypeError):
        scatter_add_rows(out, [0], np.ones((1, 2), dtype=">f8"))
    ro = np.zeros((3, 2))
    ro.flags.writeable = False
    with pytest.raises(ValueError):
        scatter_add_rows(ro, [0], np.ones((1, 2)))
    assert not out.any()
    src = np.broadcast_to(np.array([[1.0, 2.0]]), (4, 2))       # stride-0 rows
    scatter_add_rows(out, np.array([[0, 2], [2, 2]], dtype=np.uint8), src)
    assert_array_equal(out, [[1, 2], [0, 0], [3, 6]])


def test_gather_backward_with_negative_repeated_and_bool_indices():
    x = mg.tensor(np.arange(8.0).reshape(4, 2))
    x[np.array([-1, 3, 0, -4])].backward(np.ones((4, 2)))
    assert_array_equal(x.grad, [[2, 2], [0, 0], [0, 0], [2, 2]])
    y = mg.tensor(np.arange(3.0))
    y[np.array([True, False, True])].backward([5.0, 7.0])
    assert_array_equal(y.grad, [5, 0, 7])


def test_im2col_col2im_edges():
    x = np.arange(5.0).reshape(1, 1, 1, 1, 5)
    cols = im2col(x, (1, 1, 3), (1, 1, 3), (1, 1, 2), (0, 0, 1), (1, 1, 1))
    # padded row [0, 0, 1, 2, 3, 4, 0]; windows start at 0, 2, 4
    assert_array_equal(cols.reshape(3, 3), [[0, 1, 3], [0, 2, 4], [1, 3, 0]])
    with pytest.raises(ValueError):
        im2col(x, (1, 1, 3), (1, 1, 4), (1, 1, 2), (0, 0, 1), (1, 1, 1))
    with pytest.raises(TypeError):
        im2col(x.astype(">f8"), (1, 1, 1), (1, 1, 5), (1, 1, 1), (0, 0, 0), (1, 1, 1))
    dx = col2im(cols, x.shape, (1, 1, 2), (0, 0, 1), (1, 1, 1))
    assert_array_equal(dx.reshape(-1), [0, 2, 2, 6, 4])          # x times its number of uses
    out = np.ones(x.shape)
    out.flags.writeable = False
    with pytest.raises(ValueError):
        col2im(cols, x.shape, (1, 1, 2), (0, 0, 1), (1, 1, 1), out=out)
    assert im2col(np.zeros((0, 2, 1, 1, 3)), (1, 1, 1), (1, 1, 3), (1, 1, 1), (0, 0, 0),
                  (1, 1, 1)).shape == (0, 2, 1, 1, 1, 1, 1, 3)


def test_max_pool_nan_and_ties_and_bad_offsets():
    x = np.array([[[[1.0, 3.0, 3.0, np.nan], [0.0, -0.0, 2.0, np.nan]]]])  # (1, 1, 2, 4)
    out, arg = max_pool_forward(x, (1, 2, 2), (1, 2, 2))
    assert_array_equal(out.reshape(-1), [3.0, np.nan])
    assert_array_equal(arg.reshape(-1), [1, 1])  # each winner's index in its window: first max, first NaN
    with pytest.raises(ValueError):  # a winner outside its (4-element) window
        max_pool_backward(np.ones((1, 1, 1, 2)), np.array([[[[0, 8]]]], dtype=np.uint8), x.shape,
                          (1, 2, 2), (1, 2, 2))
    with pytest.raises(ValueError):
        max_pool_forward(x, (1, 3, 1), (1, 1, 1))
