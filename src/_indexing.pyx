# cython: language_level=3
"""Compiled kernels for indexing: scatter-add of gradient rows.

The backward pass of an advanced-index gather ``y = x[idx]`` sends each row of
``dL/dy`` back to the row of ``x`` it was read from, adding where an index
repeats.  ``np.add.at`` does this too, but element by element through the
generic ufunc machinery; this kernel adds whole rows in a tight loop.

``scatter_add_rows`` is the Python-facing entry point: it validates dtypes,
shapes, contiguity and index ranges (setup.py turns boundscheck/wraparound off
in the optimised build and on with ``MYGRAD_C_DEBUG=1``) and then runs the
typed loop without the GIL.
"""
from cython cimport floating

import numpy as np


cdef void _scatter_add_rows(floating[:, ::1] out, const Py_ssize_t[::1] rows,
                            const floating[:, :] src) noexcept nogil:
    """out[rows[i], :] += src[i, :] for every i, in order.

    ``src`` may have any strides (a broadcast gradient has stride 0), so it is
    walked with explicit byte strides; one value broadcast (a ``.sum()``'s
    gradient) and the contiguous case get loops of their own that the compiler
    can vectorise.
    """
    cdef Py_ssize_t n = src.shape[0]
    cdef Py_ssize_t m = src.shape[1]
    cdef Py_ssize_t s0 = src.strides[0]
    cdef Py_ssize_t s1 = src.strides[1]
    cdef Py_ssize_t i, j
    cdef floating* dst
    cdef const char* row = <const char*>&src[0, 0]
    cdef const floating* s
    cdef floating value
    if s0 == 0 and s1 == 0:
        value = (<const floating*>row)[0]
        for i in range(n):
            dst = &out[rows[i], 0]
            for j in range(m):
                dst[j] += value
    elif s1 == sizeof(floating):
        for i in range(n):
            dst = &out[rows[i], 0]
            s = <const floating*>(row + i * s0)
            for j in range(m):
                dst[j] += s[j]
    else:
        for i in range(n):
            dst = &out[rows[i], 0]
            for j in range(m):
                dst[j] += (<const floating*>(row + i * s0 + j * s1))[0]


def scatter_add_rows(out, rows, src):
    """Add ``src[i]`` into ``out[rows[i]]`` for every ``i``, accumulating repeats.

    Parameters
    ----------
    out : numpy.ndarray, shape (R, M)
        C-contiguous, writeable, float32 or float64; updated in place.
    rows : numpy.ndarray, shape (N,)
        Integer row numbers in ``[0, R)``; converted to ``intp``.
    src : numpy.ndarray, shape (N, M)
        Same dtype as ``out``; any strides (broadcast arrays are not copied).

    Returns
    -------
    numpy.ndarray
        ``out``.

    Examples
    --------
    >>> import numpy as np
    >>> from mygrad_c._indexing import scatter_add_rows
    >>> out = np.zeros((3, 2))
    >>> scatter_add_rows(out, np.array([0, 2, 0]), np.ones((3, 2)))
    array([[2., 2.],
           [0., 0.],
           [1., 1.]])
    """
    if not isinstance(out, np.ndarray) or not isinstance(src, np.ndarray):
        raise TypeError("scatter_add_rows: `out` and `src` must be numpy arrays")
    if out.dtype not in (np.float32, np.float64):
        raise TypeError(f"scatter_add_rows: `out` must be float32 or float64, got {out.dtype}")
    if src.dtype != out.dtype:
        raise TypeError(f"scatter_add_rows: `src` dtype {src.dtype} differs from `out` dtype {out.dtype}")
    if out.ndim != 2 or src.ndim != 2:
        raise ValueError("scatter_add_rows: `out` and `src` must be 2-D")
    if not out.flags.c_contiguous or not out.flags.writeable:
        raise ValueError("scatter_add_rows: `out` must be C-contiguous and writeable")
    rows_arr = np.asarray(rows)
    if rows_arr.dtype.kind not in "iu":
        raise TypeError(f"scatter_add_rows: `rows` must hold integers, got {rows_arr.dtype}")
    rows_arr = np.ascontiguousarray(rows_arr.reshape(-1), dtype=np.intp)
    if src.shape[0] != rows_arr.shape[0] or src.shape[1] != out.shape[1]:
        raise ValueError(
            f"scatter_add_rows: `src` has shape {src.shape}, expected "
            f"({rows_arr.shape[0]}, {out.shape[1]})")
    if rows_arr.shape[0] == 0 or out.shape[1] == 0:
        return out
    if rows_arr.min() < 0 or rows_arr.max() >= out.shape[0]:
        raise IndexError(f"scatter_add_rows: row numbers must lie in [0, {out.shape[0]})")
    cdef const Py_ssize_t[::1] r = rows_arr
    cdef float[:, ::1] o32
    cdef const float[:, :] s32
    cdef double[:, ::1] o64
    cdef const double[:, :] s64
    if out.dtype == np.float32:
        o32 = out
        s32 = src
        with nogil:
            _scatter_add_rows(o32, r, s32)
    else:
        o64 = out
        s64 = src
        with nogil:
            _scatter_add_rows(o64, r, s64)
    return out
