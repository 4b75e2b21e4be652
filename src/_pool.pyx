"""Compiled max-pooling kernels (``mygrad_c.nnet.layers.pooling``).

The kernels pool the three trailing axes of a C-contiguous array of shape
``(M, S0, S1, S2)``; fewer pooled axes are handled as size-1 leading ones.

``max_pool_forward`` writes the maximum of every window and records where it
was: ``argmax[m, g]`` is the flat offset ``(i0*S1 + i1)*S2 + i2`` of the winner
inside sample ``m``.  Windows are scanned in row-major order and the winner is
chosen exactly as ``numpy.argmax`` chooses on the flattened window: the first
occurrence of the maximum, except that a NaN beats everything and the first
NaN wins.  ``max_pool_backward`` scatters ``grad`` back through those offsets
(adding, since overlapping windows may share a winner).

The wrappers validate shapes and dtypes; the loops themselves run without
bounds checks and without the GIL.
"""
cimport cython
from cython cimport floating

import numpy as np


cdef void _forward(const floating[::1] x, floating[::1] out, Py_ssize_t[::1] arg,
                   Py_ssize_t M, Py_ssize_t[3] S, Py_ssize_t[3] K, Py_ssize_t[3] G,
                   Py_ssize_t[3] st) noexcept nogil:
    cdef Py_ssize_t m, g0, g1, g2, k0, k1, k2, base, start, pos, best_pos, o
    cdef Py_ssize_t Sn = S[0] * S[1] * S[2]
    cdef floating v, best
    cdef bint found_nan
    o = 0
    for m in range(M):
        base = m * Sn
        for g0 in range(G[0]):
            for g1 in range(G[1]):
                for g2 in range(G[2]):
                    start = ((g0 * st[0]) * S[1] + g1 * st[1]) * S[2] + g2 * st[2]
                    best_pos = start
                    best = x[base + start]
                    found_nan = best != best
                    if not found_nan:
                        for k0 in range(K[0]):
                            for k1 in range(K[1]):
                                pos = start + (k0 * S[1] + k1) * S[2]
                                for k2 in range(K[2]):
                                    v = x[base + pos + k2]
                                    if v > best:
                                        best = v
                                        best_pos = pos + k2
                                    elif v != v:
                                        best = v
                                        best_pos = pos + k2
                                        found_nan = True
                                        break
                                if found_nan:
                                    break
                            if found_nan:
                                break
                    out[o] = best
                    arg[o] = best_pos
                    o += 1


cdef void _forward_2x2(const floating[::1] x, floating[::1] out, Py_ssize_t[::1] arg,
                       Py_ssize_t M, Py_ssize_t S1, Py_ssize_t S2, Py_ssize_t G1,
                       Py_ssize_t G2, Py_ssize_t s1, Py_ssize_t s2) noexcept nogil:
    """The common 2-d 2x2 window, unrolled (same winner rule as ``_forward``)."""
    cdef Py_ssize_t m, g1, g2, base, start, p, o
    cdef floating best, v
    o = 0
    for m in range(M):
        base = m * S1 * S2
        for g1 in range(G1):
            for g2 in range(G2):
                start = g1 * s1 * S2 + g2 * s2
                p = start
                best = x[base + p]
                if best == best:
                    v = x[base + start + 1]
                    if v > best or v != v:
                        best = v
                        p = start + 1
                    if best == best:
                        v = x[base + start + S2]
                        if v > best or v != v:
                            best = v
                            p = start + S2
                        if best == best:
                            v = x[base + start + S2 + 1]
                            if v > best or v != v:
                                best = v
                                p = start + S2 + 1
                out[o] = best
                arg[o] = p
                o += 1


cdef void _backward(const floating[::1] grad, const Py_ssize_t[::1] arg, floating[::1] dx,
                    Py_ssize_t M, Py_ssize_t Gn, Py_ssize_t Sn) noexcept nogil:
    cdef Py_ssize_t m, g, o = 0
    for m in range(M):
        for g in range(Gn):
            dx[m * Sn + arg[o]] += grad[o]
            o += 1


def _check(shape, K, stride):
    if len(shape) != 4 or len(K) != 3 or len(stride) != 3:
        raise ValueError("max-pool kernels need an (M, S0, S1, S2) input and 3-d windows")
    S = tuple(int(v) for v in shape[1:])
    K = tuple(int(v) for v in K)
    st = tuple(int(v) for v in stride)
    for j in range(3):
        if K[j] < 1 or st[j] < 1 or K[j] > S[j]:
            raise ValueError("invalid pooling geometry")
    G = tuple((S[j] - K[j]) // st[j] + 1 for j in range(3))
    return S, K, G, st


def max_pool_forward(x, K, stride):
    """Return ``(out, argmax)`` for a float32/float64 ``x`` of shape (M, S0, S1, S2).

    ``out`` has shape (M, G0, G1, G2); ``argmax`` (intp, same shape) holds the flat
    offset of each window's winner within its sample."""
    if not isinstance(x, np.ndarray) or x.dtype not in (np.float32, np.float64):
        raise TypeError("max_pool_forward needs a float32 or float64 ndarray")
    if not x.flags.c_contiguous:
        x = np.ascontiguousarray(x)
    S, K, G, st = _check(x.shape, K, stride)
    cdef Py_ssize_t M = x.shape[0]
    out = np.empty((M,) + G, dtype=x.dtype)
    arg = np.empty((M,) + G, dtype=np.intp)
    if out.size == 0:
        return out, arg
    cdef Py_ssize_t[3] cS, cK, cG, cst
    for j in range(3):
        cS[j], cK[j], cG[j], cst[j] = S[j], K[j], G[j], st[j]
    cdef const float[::1] x32
    cdef float[::1] o32
    cdef const double[::1] x64
    cdef double[::1] o64
    cdef Py_ssize_t[::1] a = arg.reshape(-1)
    cdef bint fast = K[0] == 1 and K[1] == 2 and K[2] == 2 and (st[0] == 1 or S[0] == 1)
    if x.dtype == np.float32:
        x32, o32 = x.reshape(-1), out.reshape(-1)
        with nogil:
            if fast:
                _forward_2x2(x32, o32, a, M * cS[0], cS[1], cS[2], cG[1], cG[2], cst[1], cst[2])
            else:
                _forward(x32, o32, a, M, cS, cK, cG, cst)
    else:
        x64, o64 = x.reshape(-1), out.reshape(-1)
        with nogil:
            if fast:
                _forward_2x2(x64, o64, a, M * cS[0], cS[1], cS[2], cG[1], cG[2], cst[1], cst[2])
            else:
                _forward(x64, o64, a, M, cS, cK, cG, cst)
    if fast and cS[0] > 1:
        # the 2x2 kernel treated (M, S0) as one batch axis: offsets are within
        # an (S1, S2) plane, so add the plane's offset within the sample
        arg += (np.arange(cG[0], dtype=np.intp) * (cst[0] * cS[1] * cS[2])).reshape(1, -1, 1, 1)
    return out, arg


def max_pool_backward(grad, arg, x_shape):
    """Scatter ``grad`` (M, G0, G1, G2) through ``arg`` into zeros of ``x_shape``."""
    if not isinstance(grad, np.ndarray) or grad.dtype not in (np.float32, np.float64):
        raise TypeError("max_pool_backward needs a float32 or float64 gradient")
    x_shape = tuple(int(v) for v in x_shape)
    if (len(x_shape) != 4 or grad.shape != arg.shape or grad.ndim != 4
            or grad.shape[0] != x_shape[0] or arg.dtype != np.intp):
        raise ValueError("grad, argmax and x_shape do not match")
    grad = np.ascontiguousarray(grad)
    arg = np.ascontiguousarray(arg)
    cdef Py_ssize_t M = x_shape[0]
    cdef Py_ssize_t Sn = x_shape[1] * x_shape[2] * x_shape[3]
    cdef Py_ssize_t Gn = grad.shape[1] * grad.shape[2] * grad.shape[3]
    dx = np.zeros(x_shape, dtype=grad.dtype)
    if grad.size == 0:
        return dx
    if arg.min() < 0 or arg.max() >= Sn:
        raise ValueError("argmax offsets out of range")
    cdef const Py_ssize_t[::1] a = arg.reshape(-1)
    cdef const float[::1] g32
    cdef float[::1] d32
    cdef const double[::1] g64
    cdef double[::1] d64
    if grad.dtype == np.float32:
        g32, d32 = grad.reshape(-1), dx.reshape(-1)
        with nogil:
            _backward(g32, a, d32, M, Gn, Sn)
    else:
        g64, d64 = grad.reshape(-1), dx.reshape(-1)
        with nogil:
            _backward(g64, a, d64, M, Gn, Sn)
    return dx
