"""Compiled im2col / col2im kernels for N-d convolutions (``mygrad_c.nnet.layers.conv``).

Every kernel works on three spatial dimensions; 1-d and 2-d convolutions are
run as 3-d ones with leading spatial dimensions of size 1 (kernel 1, stride 1,
dilation 1, padding 0), which costs nothing in the inner loops.

Layouts (all C-contiguous, flattened to 1-d buffers):

    x    : (N, C, S0, S1, S2)                 the unpadded input
    cols : (N, C, K0, K1, K2, G0, G1, G2)     one row per (channel, kernel offset)

so that, per sample, ``cols[n]`` is the ``(C*K, G)`` column matrix and the
convolution is the matrix product ``w.reshape(F, C*K) @ cols[n]``.  Padding is
never materialised: positions that fall in the zero padding are written as 0
by ``im2col`` and skipped by ``col2im``.

The kernels do no validation (boundscheck is off in the optimised build): the
Python wrappers below check every size against the buffers first and raise
``ValueError`` instead of touching memory out of range.
"""
cimport cython
from cython cimport floating

import numpy as np


cdef inline Py_ssize_t _first_valid(Py_ssize_t off, Py_ssize_t s) noexcept nogil:
    """Smallest g >= 0 with g*s + off >= 0."""
    if off >= 0:
        return 0
    return (-off + s - 1) // s


cdef inline Py_ssize_t _end_valid(Py_ssize_t off, Py_ssize_t s, Py_ssize_t size,
                                  Py_ssize_t G) noexcept nogil:
    """One past the largest g < G with g*s + off < size (clipped to [0, G])."""
    cdef Py_ssize_t hi
    if size - off <= 0:
        return 0
    hi = (size - off + s - 1) // s
    return G if hi > G else hi


cdef void _im2col(const floating[::1] x, floating[::1] cols,
                  Py_ssize_t NC, Py_ssize_t[3] S, Py_ssize_t[3] K, Py_ssize_t[3] G,
                  Py_ssize_t[3] st, Py_ssize_t[3] pd, Py_ssize_t[3] dl) noexcept nogil:
    cdef Py_ssize_t nc, k0, k1, k2, g0, g1, g2, i0, i1, off2, lo, hi, xb, cb, rb, xrow
    cdef Py_ssize_t Sn = S[0] * S[1] * S[2]
    cdef Py_ssize_t Gn = G[0] * G[1] * G[2]
    cdef Py_ssize_t G12 = G[1] * G[2]
    cdef Py_ssize_t s2 = st[2]
    cb = 0
    for nc in range(NC):
        xb = nc * Sn
        for k0 in range(K[0]):
            for k1 in range(K[1]):
                for k2 in range(K[2]):
                    off2 = k2 * dl[2] - pd[2]
                    lo = _first_valid(off2, s2)
                    hi = _end_valid(off2, s2, S[2], G[2])
                    if lo > G[2]:
                        lo = G[2]
                    if hi < lo:
                        hi = lo
                    rb = cb
                    for g0 in range(G[0]):
                        i0 = g0 * st[0] + k0 * dl[0] - pd[0]
                        if i0 < 0 or i0 >= S[0]:
                            for g2 in range(G12):
                                cols[rb + g2] = 0
                            rb += G12
                            continue
                        for g1 in range(G[1]):
                            i1 = g1 * st[1] + k1 * dl[1] - pd[1]
                            if i1 < 0 or i1 >= S[1]:
                                for g2 in range(G[2]):
                                    cols[rb + g2] = 0
                            else:
                                xrow = xb + (i0 * S[1] + i1) * S[2] + off2
                                for g2 in range(lo):
                                    cols[rb + g2] = 0
                                if s2 == 1:
                                    for g2 in range(lo, hi):
                                        cols[rb + g2] = x[xrow + g2]
                                else:
                                    for g2 in range(lo, hi):
                                        cols[rb + g2] = x[xrow + g2 * s2]
                                for g2 in range(hi, G[2]):
                                    cols[rb + g2] = 0
                            rb += G[2]
                    cb += Gn


cdef void _col2im(const floating[::1] cols, floating[::1] dx,
                  Py_ssize_t NC, Py_ssize_t[3] S, Py_ssize_t[3] K, Py_ssize_t[3] G,
                  Py_ssize_t[3] st, Py_ssize_t[3] pd, Py_ssize_t[3] dl) noexcept nogil:
    """dx (zero-filled by the caller) += the scatter of cols back to input positions."""
    cdef Py_ssize_t nc, k0, k1, k2, g0, g1, g2, i0, i1, off2, lo, hi, xb, cb, rb, xrow
    cdef Py_ssize_t Sn = S[0] * S[1] * S[2]
    cdef Py_ssize_t Gn = G[0] * G[1] * G[2]
    cdef Py_ssize_t G12 = G[1] * G[2]
    cdef Py_ssize_t s2 = st[2]
    cb = 0
    for nc in range(NC):
        xb = nc * Sn
        for k0 in range(K[0]):
            for k1 in range(K[1]):
                for k2 in range(K[2]):
                    off2 = k2 * dl[2] - pd[2]
                    lo = _first_valid(off2, s2)
                    hi = _end_valid(off2, s2, S[2], G[2])
                    rb = cb
                    for g0 in range(G[0]):
                        i0 = g0 * st[0] + k0 * dl[0] - pd[0]
                        if i0 < 0 or i0 >= S[0]:
                            rb += G12
                            continue
                        for g1 in range(G[1]):
                            i1 = g1 * st[1] + k1 * dl[1] - pd[1]
                            if i1 >= 0 and i1 < S[1]:
                                xrow = xb + (i0 * S[1] + i1) * S[2] + off2
                                if s2 == 1:
                                    for g2 in range(lo, hi):
                                        dx[xrow + g2] += cols[rb + g2]
                                else:
                                    for g2 in range(lo, hi):
                                        dx[xrow + g2 * s2] += cols[rb + g2]
                            rb += G[2]
                    cb += Gn


def _geometry(shape_x, K, G, stride, padding, dilation):
    """Validate a 3-d geometry; return C arrays' worth of Python ints."""
    if not (len(shape_x) == 5 and len(K) == len(G) == len(stride) == len(padding)
            == len(dilation) == 3):
        raise ValueError("conv kernels need 3 spatial dimensions")
    S = tuple(int(v) for v in shape_x[2:])
    K, G = tuple(int(v) for v in K), tuple(int(v) for v in G)
    st, pd, dl = (tuple(int(v) for v in p) for p in (stride, padding, dilation))
    for j in range(3):
        if S[j] < 0 or K[j] < 1 or G[j] < 1 or st[j] < 1 or pd[j] < 0 or dl[j] < 1:
            raise ValueError("invalid convolution geometry")
        if (K[j] - 1) * dl[j] + (G[j] - 1) * st[j] + 1 > S[j] + 2 * pd[j]:
            raise ValueError("the output grid does not fit in the padded input")
    return S, K, G, st, pd, dl


def im2col(x, K, G, stride, padding, dilation):
    """Return ``cols`` of shape (N, C, *K, *G) for a C-contiguous float32/float64 ``x``
    of shape (N, C, S0, S1, S2); see the module docstring."""
    if not isinstance(x, np.ndarray) or x.dtype not in (np.float32, np.float64):
        raise TypeError("im2col needs a float32 or float64 ndarray")
    if not x.flags.c_contiguous:
        x = np.ascontiguousarray(x)
    S, K, G, st, pd, dl = _geometry(x.shape, K, G, stride, padding, dilation)
    cdef Py_ssize_t NC = x.shape[0] * x.shape[1]
    cols = np.empty(tuple(x.shape[:2]) + K + G, dtype=x.dtype)
    if cols.size == 0:
        return cols
    cdef Py_ssize_t[3] cS, cK, cG, cst, cpd, cdl
    for j in range(3):
        cS[j], cK[j], cG[j], cst[j], cpd[j], cdl[j] = S[j], K[j], G[j], st[j], pd[j], dl[j]
    cdef const float[::1] x32
    cdef float[::1] c32
    cdef const double[::1] x64
    cdef double[::1] c64
    if x.dtype == np.float32:
        x32, c32 = x.reshape(-1), cols.reshape(-1)
        with nogil:
            _im2col(x32, c32, NC, cS, cK, cG, cst, cpd, cdl)
    else:
        x64, c64 = x.reshape(-1), cols.reshape(-1)
        with nogil:
            _im2col(x64, c64, NC, cS, cK, cG, cst, cpd, cdl)
    return cols


def col2im(cols, x_shape, stride, padding, dilation, out=None):
    """The adjoint of :func:`im2col`: sum ``cols`` (N, C, *K, *G) back into a new
    zero-initialised array of shape ``x_shape`` (N, C, S0, S1, S2), or add it
    into ``out`` (a C-contiguous array of that shape and of ``cols``' dtype)."""
    if not isinstance(cols, np.ndarray) or cols.dtype not in (np.float32, np.float64):
        raise TypeError("col2im needs a float32 or float64 ndarray")
    if cols.ndim != 8 or tuple(cols.shape[:2]) != tuple(x_shape[:2]):
        raise ValueError("cols must have shape (N, C, K0, K1, K2, G0, G1, G2)")
    if not cols.flags.c_contiguous:
        cols = np.ascontiguousarray(cols)
    S, K, G, st, pd, dl = _geometry(tuple(x_shape), cols.shape[2:5], cols.shape[5:],
                                    stride, padding, dilation)
    if out is None:
        dx = np.zeros(tuple(x_shape), dtype=cols.dtype)
    else:
        if (not isinstance(out, np.ndarray) or out.dtype != cols.dtype
                or tuple(out.shape) != tuple(x_shape) or not out.flags.c_contiguous
                or not out.flags.writeable):
            raise ValueError("out must be a writeable C-contiguous array of x_shape and cols' dtype")
        dx = out
    if cols.size == 0 or dx.size == 0:
        return dx
    cdef Py_ssize_t NC = dx.shape[0] * dx.shape[1]
    cdef Py_ssize_t[3] cS, cK, cG, cst, cpd, cdl
    for j in range(3):
        cS[j], cK[j], cG[j], cst[j], cpd[j], cdl[j] = S[j], K[j], G[j], st[j], pd[j], dl[j]
    cdef float[::1] d32
    cdef const float[::1] c32
    cdef double[::1] d64
    cdef const double[::1] c64
    if cols.dtype == np.float32:
        c32, d32 = cols.reshape(-1), dx.reshape(-1)
        with nogil:
            _col2im(c32, d32, NC, cS, cK, cG, cst, cpd, cdl)
    else:
        c64, d64 = cols.reshape(-1), dx.reshape(-1)
        with nogil:
            _col2im(c64, d64, NC, cS, cK, cG, cst, cpd, cdl)
    return dx
