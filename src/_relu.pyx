"""Compiled relu kernels (``mygrad_c.nnet.activations.relu``): one pass each way.

MyGrad computes ``relu(x) = x * (x > 0)`` and its gradient ``grad * (x > 0)``,
with the mask in x's dtype.  The kernels give the same numbers, signs included:
a negative input gives -0.0, NaN stays NaN, and a masked gradient is
``grad * 0`` (-0.0 for a negative gradient, NaN for an infinite or NaN one).
The one difference is ``relu(-inf)``: -0.0, where MyGrad's product gives NaN.

The backward takes ``x`` - or the mask ``x > 0`` of the forward (a bool array), which
the operation keeps when the forward ran under ``mem_guard_off``: then ``x`` may be
written before the backward, and MyGrad's mask is the forward's (with the guard on,
``x`` is read-only until the backward, and reading it saves the mask's memory).  The
kernels take C-contiguous float32/float64 arrays (or a bool mask) of one shape (the
wrappers check) and write new arrays (the backward may write into its ``grad``
instead); NumPy handles everything else.
"""
cimport cython
from cython cimport floating

# GCC keeps a comparison of floats as a branch unless it may assume that no code
# inspects the floating-point exception flags; with that, ``v * (v > 0)`` becomes
# a vectorized compare-and-mask (several times faster on random signs).
cdef extern from *:
    """
    #if defined(__GNUC__) && !defined(__clang__)
    #pragma GCC optimize ("no-trapping-math")
    #endif
    """

import numpy as np

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


cdef void _forward(const floating* x, floating* out, Py_ssize_t n) noexcept nogil:
    # ``x * (x > 0)`` as a select, one compare per element (x86's maxps(-0.0, v)):
    # a negative v, -inf included, gives -0.0; -0.0 and +0.0 stay as they are
    # (the comparison is false); NaN compares false too, so it passes unchanged.
    cdef Py_ssize_t i
    cdef floating v
    cdef floating negzero = -0.0
    for i in range(n):
        v = x[i]
        out[i] = negzero if negzero > v else v


cdef void _backward(const floating* grad, const floating* x, floating* out,
                    Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(n):
        out[i] = grad[i] * <floating>(x[i] > 0)


cdef void _backward_mask(const floating* grad, const unsigned char* mask, floating* out,
                         Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(n):
        out[i] = grad[i] * <floating>mask[i]


def _contiguous_float(a):
    return isinstance(a, np.ndarray) and a.dtype in _FLOATS and a.flags.c_contiguous


def relu_forward(x):
    """``x * (x > 0)`` for a C-contiguous float32/float64 ``x`` (relu(-inf) = -0.0)."""
    if not _contiguous_float(x):
        raise TypeError("relu_forward needs a C-contiguous float32 or float64 ndarray")
    out = np.empty_like(x)
    cdef const float[::1] x32
    cdef float[::1] o32
    cdef const double[::1] x64
    cdef double[::1] o64
    cdef Py_ssize_t n = x.size
    if n == 0:
        return out
    if x.dtype == np.float32:
        x32, o32 = x.reshape(-1), out.reshape(-1)
        with nogil:
            _forward(&x32[0], &o32[0], n)
    else:
        x64, o64 = x.reshape(-1), out.reshape(-1)
        with nogil:
            _forward(&x64[0], &o64[0], n)
    return out


cdef void _backward_any(const floating[::1] g, ref, floating[::1] o, bint masked):
    """``o = g * (x > 0)`` with ``ref`` x (of g's dtype) or the bool mask, both validated."""
    cdef const floating[::1] x
    cdef const unsigned char[::1] m
    cdef Py_ssize_t n = g.shape[0]
    if masked:
        m = ref.reshape(-1).view(np.uint8)
        with nogil:
            _backward_mask(&g[0], &m[0], &o[0], n)
    else:
        x = ref.reshape(-1)
        with nogil:
            _backward(&g[0], &x[0], &o[0], n)


def relu_backward(grad, ref, bint in_place=False):
    """``grad * (x > 0)`` for a C-contiguous float32/float64 ``grad``, where ``ref`` is ``x``
    (of grad's dtype) or the mask ``x > 0`` (bool), C-contiguous and of grad's shape.
    Masked entries are ``grad * 0``, so NaN stays NaN, as in MyGrad.  ``in_place``: the
    result is written into ``grad`` (which must be writeable) and ``grad`` is returned."""
    if not _contiguous_float(grad):
        raise TypeError("relu_backward needs a C-contiguous float32 or float64 grad")
    if not (isinstance(ref, np.ndarray) and ref.flags.c_contiguous
            and (ref.dtype == np.bool_ or ref.dtype == grad.dtype)):
        raise TypeError("relu_backward needs x (of grad's dtype) or a bool mask, C-contiguous")
    if grad.shape != ref.shape:
        raise ValueError("grad and x (or the mask) must have the same shape")
    if in_place and not grad.flags.writeable:
        raise ValueError("relu_backward(in_place=True) needs a writeable grad")
    out = grad if in_place else np.empty_like(grad)
    cdef const float[::1] g32
    cdef float[::1] o32
    cdef const double[::1] g64
    cdef double[::1] o64
    if grad.size == 0:
        return out
    if grad.dtype == np.float32:
        g32, o32 = grad.reshape(-1), out.reshape(-1)
        _backward_any[float](g32, ref, o32, ref.dtype == np.bool_)
    else:
        g64, o64 = grad.reshape(-1), out.reshape(-1)
        _backward_any[double](g64, ref, o64, ref.dtype == np.bool_)
    return out
