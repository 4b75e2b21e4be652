"""Compiled max-pooling kernels (``mygrad_c.nnet.layers.pooling``).

The kernels pool the three trailing axes of a C-contiguous array of shape
``(M, S0, S1, S2)`` with windows ``K`` placed ``stride`` apart; fewer pooled
axes are handled as size-1 leading ones.

``max_pool_forward`` writes the maximum of every window and which element won:
``arg[m, g]`` is the winner's row-major index within its window,
``(k0*K1 + k1)*K2 + k2`` - one byte per window when the window has at most 256
elements (``uint8``), else ``intp``.  The winner is chosen exactly as
``numpy.argmax`` chooses on the flattened window: the first occurrence of the
maximum, except that a NaN beats everything and the first NaN wins.  The choice
is made without branches, so the loops run at the speed of the memory.

``max_pool_backward`` sends each output gradient to its window's winner.  When
the windows tile the input exactly (stride == window, nothing left over), every
input element belongs to one window, and the gradient is written in one pass
(the winner gets ``grad + 0``, the others ``0``) without zero-filling first;
otherwise the gradient is added into zeros (overlapping windows may share a
winner).  Either way a winner's gradient is ``0 + grad``, as MyGrad's
``np.add.at`` into zeros gives (a gradient of -0.0 arrives as +0.0).

The wrappers validate shapes, dtypes and winner indices; the loops themselves
run without bounds checks and without the GIL.
"""
cimport cython
from cython cimport floating

# GCC keeps a comparison of floats as a branch unless it may assume that no code
# inspects the floating-point exception flags; with that, the selects below become
# vectorized compare-and-blend instructions.
cdef extern from *:
    """
    #if defined(__GNUC__) && !defined(__clang__)
    #pragma GCC optimize ("no-trapping-math")
    #endif
    """

import numpy as np

ctypedef fused index_t:
    unsigned char
    Py_ssize_t

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


cdef struct Geometry:
    Py_ssize_t M
    Py_ssize_t S[3]
    Py_ssize_t K[3]
    Py_ssize_t G[3]
    Py_ssize_t st[3]
    Py_ssize_t Sn, Kn, Gn


cdef inline bint _beats(floating v, floating best) noexcept nogil:
    """Does v replace the current best?  numpy.argmax's rule: larger, or the first NaN."""
    return (v > best) | ((v != v) & (best == best))


cdef void _forward(const floating* x, floating* out, index_t* arg,
                   const Geometry* g) noexcept nogil:
    cdef Py_ssize_t m, g0, g1, g2, k0, k1, k2, k, bk, start, row
    cdef floating v, best
    cdef Py_ssize_t S1 = g.S[1], S2 = g.S[2]
    for m in range(g.M):
        for g0 in range(g.G[0]):
            for g1 in range(g.G[1]):
                for g2 in range(g.G[2]):
                    start = (g0 * g.st[0] * S1 + g1 * g.st[1]) * S2 + g2 * g.st[2]
                    best = x[start]
                    bk = 0
                    k = 0
                    for k0 in range(g.K[0]):
                        for k1 in range(g.K[1]):
                            row = start + (k0 * S1 + k1) * S2
                            for k2 in range(g.K[2]):
                                v = x[row + k2]
                                if _beats(v, best):
                                    best = v
                                    bk = k
                                k += 1
                    out[0] = best
                    arg[0] = <index_t>bk
                    out += 1
                    arg += 1
        x += g.Sn


cdef enum:
    BLOCK = 64  # windows per pass of _row_2x2


cdef void _row_2x2(const floating* r0, const floating* r1, floating* out, unsigned char* arg,
                   Py_ssize_t G2) noexcept nogil:
    """One row of 2x2 windows 2 apart along it, in two vectorizable passes per block of
    windows: the winner of each row pair (top, bottom), then the winner of the two.
    Flags are kept as 0/1 values of the data's type and combined arithmetically: the
    compiler vectorizes selects among values of one type, not indices picked by a
    comparison of floats.  (Typed constants: a literal 2 would make the sums double.)"""
    cdef floating top[BLOCK]
    cdef floating bottom[BLOCK]
    cdef floating t[BLOCK]
    cdef floating u[BLOCK]
    cdef floating a, b, c, d, zero = 0, one = 1, two = 2
    cdef Py_ssize_t j, n
    cdef bint f
    while G2 > 0:
        n = G2 if G2 < BLOCK else BLOCK
        G2 -= n
        for j in range(n):
            a = r0[2 * j]
            b = r0[2 * j + 1]
            c = r1[2 * j]
            d = r1[2 * j + 1]
            f = _beats(b, a)
            top[j] = b if f else a
            t[j] = one if f else zero
            f = _beats(d, c)
            bottom[j] = d if f else c
            u[j] = one if f else zero
        for j in range(n):
            a = top[j]
            b = bottom[j]
            c = t[j]
            d = u[j]
            f = _beats(b, a)
            out[j] = b if f else a
            a = one if f else zero
            arg[j] = <unsigned char>(c + a * (two + d - c))   # t, or 2 + u if the bottom won
        r0 += 2 * BLOCK
        r1 += 2 * BLOCK
        out += BLOCK
        arg += BLOCK


cdef void _forward_2x2(const floating* x, floating* out, unsigned char* arg,
                       Py_ssize_t planes, Py_ssize_t S1, Py_ssize_t S2, Py_ssize_t G1,
                       Py_ssize_t G2, Py_ssize_t s1, Py_ssize_t s2) noexcept nogil:
    """2x2 windows over ``planes`` independent (S1, S2) planes (same rule as ``_forward``).

    Branch-free (random data would mispredict every other branch): the winner of
    each row pair, then of the two rows, as 0/1 integers; values are re-read
    from the winning position rather than selected."""
    cdef Py_ssize_t p, g1, g2, j, top, bottom, down
    cdef const floating* r0
    cdef const floating* r1
    for p in range(planes):
        for g1 in range(G1):
            r0 = x + g1 * s1 * S2
            r1 = r0 + S2
            if s2 == 2:
                _row_2x2(r0, r1, out, arg, G2)
                out += G2
                arg += G2
                continue
            for g2 in range(G2):
                j = g2 * s2
                top = _beats(r0[j + 1], r0[j])           # 0 or 1: column of the top winner
                bottom = _beats(r1[j + 1], r1[j])
                down = _beats(r1[j + bottom], r0[j + top])
                top += down * (bottom - top)             # the winner's column
                out[g2] = r0[down * S2 + j + top]
                arg[g2] = <unsigned char>(2 * down + top)
            out += G2
            arg += G2
        x += S1 * S2


cdef enum:
    CHUNK = 1024  # horizontal winners per pass of _forward_2x2_tiled


cdef void _forward_2x2_tiled(const floating* x, floating* out, unsigned char* arg,
                             Py_ssize_t Q, Py_ssize_t G2) noexcept nogil:
    """2x2 windows tiling ``Q`` row pairs of 2*G2 elements each (planes of even sides,
    stride 2: the row pairs follow each other in memory), in long vectorizable passes
    however narrow the planes are (``_forward_2x2`` runs a pass per row, which for
    narrow rows costs more than the work in it):

    1. the winner of every horizontal pair of the chunk, as one flat pass;
    2. the winner of each horizontal winner and the one G2 further on - the one below
       it for the top row of a pair; the bottom rows' results are computed and unused,
       which costs less than a short loop per row;
    3. the top rows' results copied out.

    Same rule as ``_forward``; flags are 0/1 values of the data's type (see ``_row_2x2``)."""
    cdef floating h[CHUNK]
    cdef floating t[CHUNK]
    cdef floating v[CHUNK]
    cdef floating w[CHUNK]
    cdef floating a, b, zero = 0, one = 1, two = 2
    cdef Py_ssize_t R = CHUNK // (2 * G2), n, m, i, r, c
    cdef const floating* vr
    cdef const floating* wr
    cdef bint f
    while Q > 0:
        n = R if Q > R else Q       # row pairs in this chunk
        Q -= n
        m = 2 * n * G2              # their horizontal pairs
        for i in range(m):
            a = x[2 * i]
            b = x[2 * i + 1]
            f = _beats(b, a)
            h[i] = b if f else a
            t[i] = one if f else zero
        for i in range(m - G2):
            a = h[i]
            b = h[i + G2]
            f = _beats(b, a)
            v[i] = b if f else a
            a = one if f else zero
            w[i] = t[i] + a * (two + t[i + G2] - t[i])   # t, or 2 + the bottom's t
        for r in range(n):
            vr = v + 2 * r * G2
            wr = w + 2 * r * G2
            for c in range(G2):
                out[c] = vr[c]
                arg[c] = <unsigned char>wr[c]
            out += G2
            arg += G2
        x += 2 * m


cdef void _scatter(const floating* grad, const index_t* arg, floating* dx,
                   const Geometry* g) noexcept nogil:
    """dx (zero-filled by the caller) += grad at each window's winner."""
    cdef Py_ssize_t m, g0, g1, g2, k, K12 = g.K[1] * g.K[2]
    cdef Py_ssize_t S1 = g.S[1], S2 = g.S[2]
    for m in range(g.M):
        for g0 in range(g.G[0]):
            for g1 in range(g.G[1]):
                for g2 in range(g.G[2]):
                    k = arg[0]
                    dx[((g0 * g.st[0] + k // K12) * S1 + g1 * g.st[1] + (k // g.K[2]) % g.K[1]) * S2
                       + g2 * g.st[2] + k % g.K[2]] += grad[0]
                    grad += 1
                    arg += 1
        dx += g.Sn


cdef void _write_tiled(const floating* grad, const index_t* arg, floating* dx,
                       const Geometry* g) noexcept nogil:
    """Windows that tile dx exactly: write every element once (grad + 0 at the winner)."""
    cdef Py_ssize_t m, g0, g1, g2, k0, k1, k2, k, win, start, row
    cdef Py_ssize_t S1 = g.S[1], S2 = g.S[2]
    cdef floating v
    for m in range(g.M):
        for g0 in range(g.G[0]):
            for g1 in range(g.G[1]):
                for g2 in range(g.G[2]):
                    start = (g0 * g.K[0] * S1 + g1 * g.K[1]) * S2 + g2 * g.K[2]
                    win = arg[0]
                    v = grad[0] + 0
                    k = 0
                    for k0 in range(g.K[0]):
                        for k1 in range(g.K[1]):
                            row = start + (k0 * S1 + k1) * S2
                            for k2 in range(g.K[2]):
                                dx[row + k2] = v if k == win else 0
                                k += 1
                    grad += 1
                    arg += 1
        dx += g.Sn


cdef void _write_tiled_2x2(const floating* grad, const unsigned char* arg, floating* dx,
                           Py_ssize_t planes, Py_ssize_t G1, Py_ssize_t G2) noexcept nogil:
    """2x2 windows tiling (2*G1, 2*G2) planes exactly: zero each window, then write its
    winner (a store to a computed address; no branch)."""
    cdef Py_ssize_t p, g1, g2, a, S2 = 2 * G2
    cdef floating* r0
    cdef floating* r1
    for p in range(planes):
        for g1 in range(G1):
            r0 = dx + 2 * g1 * S2
            r1 = r0 + S2
            for g2 in range(G2):
                r0[2 * g2] = 0
                r0[2 * g2 + 1] = 0
                r1[2 * g2] = 0
                r1[2 * g2 + 1] = 0
                a = arg[g2]
                r0[(a >> 1) * S2 + 2 * g2 + (a & 1)] = grad[g2] + 0
            grad += G2
            arg += G2
        dx += 4 * G1 * G2


# ---------------------------------------------------------------------------
# Python-facing wrappers: every size the kernels rely on is checked here
# ---------------------------------------------------------------------------
cdef Geometry _geometry(shape, K, stride) except *:
    cdef Geometry g
    if len(shape) != 4 or len(K) != 3 or len(stride) != 3:
        raise ValueError("max-pool kernels need an (M, S0, S1, S2) input and 3-d windows")
    g.M = int(shape[0])
    for j in range(3):
        g.S[j], g.K[j], g.st[j] = int(shape[1 + j]), int(K[j]), int(stride[j])
        if g.K[j] < 1 or g.st[j] < 1 or g.K[j] > g.S[j]:
            raise ValueError("invalid pooling geometry")
        g.G[j] = (g.S[j] - g.K[j]) // g.st[j] + 1
    g.Sn = g.S[0] * g.S[1] * g.S[2]
    g.Kn = g.K[0] * g.K[1] * g.K[2]
    g.Gn = g.G[0] * g.G[1] * g.G[2]
    return g


cdef bint _is_2x2_planes(const Geometry* g) noexcept:
    """2x2 windows in (S1, S2) planes that can be treated as one batch of planes."""
    return g.K[0] == 1 and g.K[1] == 2 and g.K[2] == 2 and (g.st[0] == 1 or g.S[0] == 1)


cdef bint _tiles(const Geometry* g) noexcept:
    for j in range(3):
        if g.st[j] != g.K[j] or g.G[j] * g.K[j] != g.S[j]:
            return False
    return True


def window_index_dtype(window_size):
    """The dtype of ``arg`` for windows of ``window_size`` elements."""
    return np.dtype(np.uint8) if window_size <= 256 else np.dtype(np.intp)


def max_pool_forward(x, K, stride):
    """Return ``(out, arg)`` for a float32/float64 ``x`` of shape (M, S0, S1, S2).

    ``out`` has shape (M, G0, G1, G2); ``arg`` (same shape, dtype
    ``window_index_dtype(K0*K1*K2)``) holds each winner's index within its window."""
    if not isinstance(x, np.ndarray) or x.dtype not in _FLOATS:
        raise TypeError("max_pool_forward needs a float32 or float64 ndarray")
    if not x.flags.c_contiguous:
        x = np.ascontiguousarray(x)
    cdef Geometry g = _geometry(x.shape, K, stride)
    out = np.empty((g.M, g.G[0], g.G[1], g.G[2]), dtype=x.dtype)
    arg = np.empty(out.shape, dtype=window_index_dtype(g.Kn))
    if out.size == 0:
        return out, arg
    cdef const float[::1] x32
    cdef float[::1] o32
    cdef const double[::1] x64
    cdef double[::1] o64
    cdef unsigned char[::1] a8
    cdef Py_ssize_t[::1] ap
    cdef bint fast = _is_2x2_planes(&g)
    # tiled planes take the chunked kernel, unless their rows are long whole numbers of
    # vectors, which _forward_2x2 runs faster (float32, measured: 8x8 planes 7.8 -> 2.5 ns
    # per window, 24x24 3.2 -> 2.2, 32x32 1.2 against 1.8)
    cdef bint tiled_2x2 = (fast and g.st[1] == 2 and g.st[2] == 2 and g.S[1] == 2 * g.G[1]
                           and g.S[2] == 2 * g.G[2] and 2 * g.G[2] <= CHUNK
                           and (g.G[2] < 16 or g.G[2] % 8 != 0))
    cdef Py_ssize_t planes = g.M * g.S[0]
    if arg.dtype == np.uint8:
        a8 = arg.reshape(-1)
    else:
        ap = arg.reshape(-1)
    if x.dtype == np.float32:
        x32, o32 = x.reshape(-1), out.reshape(-1)
        with nogil:
            if tiled_2x2:
                _forward_2x2_tiled(&x32[0], &o32[0], &a8[0], planes * g.G[1], g.G[2])
            elif fast:
                _forward_2x2(&x32[0], &o32[0], &a8[0], planes, g.S[1], g.S[2], g.G[1], g.G[2],
                             g.st[1], g.st[2])
            elif g.Kn <= 256:
                _forward(&x32[0], &o32[0], &a8[0], &g)
            else:
                _forward(&x32[0], &o32[0], &ap[0], &g)
    else:
        x64, o64 = x.reshape(-1), out.reshape(-1)
        with nogil:
            if tiled_2x2:
                _forward_2x2_tiled(&x64[0], &o64[0], &a8[0], planes * g.G[1], g.G[2])
            elif fast:
                _forward_2x2(&x64[0], &o64[0], &a8[0], planes, g.S[1], g.S[2], g.G[1], g.G[2],
                             g.st[1], g.st[2])
            elif g.Kn <= 256:
                _forward(&x64[0], &o64[0], &a8[0], &g)
            else:
                _forward(&x64[0], &o64[0], &ap[0], &g)
    return out, arg


def max_pool_backward(grad, arg, x_shape, K, stride):
    """dL/dx (shape ``x_shape`` = (M, S0, S1, S2)) from ``grad`` (M, G0, G1, G2) and the
    winners ``arg`` of ``max_pool_forward`` for windows ``K`` placed ``stride`` apart."""
    if not isinstance(grad, np.ndarray) or grad.dtype not in _FLOATS:
        raise TypeError("max_pool_backward needs a float32 or float64 gradient")
    cdef Geometry g = _geometry(tuple(int(v) for v in x_shape), K, stride)
    G = (g.M, g.G[0], g.G[1], g.G[2])
    if not isinstance(arg, np.ndarray) or arg.dtype != window_index_dtype(g.Kn):
        raise ValueError(f"arg must be an array of dtype {window_index_dtype(g.Kn)}")
    if grad.shape != G or arg.shape != G:
        raise ValueError(f"grad and arg must have shape {G}, got {grad.shape} and {arg.shape}")
    x_shape = (g.M, g.S[0], g.S[1], g.S[2])
    if grad.size == 0:
        return np.zeros(x_shape, dtype=grad.dtype)
    if arg.min() < 0 or arg.max() >= g.Kn:
        raise ValueError("window indices out of range")
    grad = np.ascontiguousarray(grad)
    arg = np.ascontiguousarray(arg)
    cdef bint tiled = _tiles(&g)
    cdef bint fast = tiled and _is_2x2_planes(&g)
    dx = np.empty(x_shape, dtype=grad.dtype) if tiled else np.zeros(x_shape, dtype=grad.dtype)
    cdef Py_ssize_t planes = g.M * g.S[0]
    cdef const float[::1] g32
    cdef float[::1] d32
    cdef const double[::1] g64
    cdef double[::1] d64
    cdef const unsigned char[::1] a8
    cdef const Py_ssize_t[::1] ap
    if arg.dtype == np.uint8:
        a8 = arg.reshape(-1)
    else:
        ap = arg.reshape(-1)
    if grad.dtype == np.float32:
        g32, d32 = grad.reshape(-1), dx.reshape(-1)
        with nogil:
            if fast:
                _write_tiled_2x2(&g32[0], &a8[0], &d32[0], planes, g.G[1], g.G[2])
            elif g.Kn <= 256:
                if tiled:
                    _write_tiled(&g32[0], &a8[0], &d32[0], &g)
                else:
                    _scatter(&g32[0], &a8[0], &d32[0], &g)
            elif tiled:
                _write_tiled(&g32[0], &ap[0], &d32[0], &g)
            else:
                _scatter(&g32[0], &ap[0], &d32[0], &g)
    else:
        g64, d64 = grad.reshape(-1), dx.reshape(-1)
        with nogil:
            if fast:
                _write_tiled_2x2(&g64[0], &a8[0], &d64[0], planes, g.G[1], g.G[2])
            elif g.Kn <= 256:
                if tiled:
                    _write_tiled(&g64[0], &a8[0], &d64[0], &g)
                else:
                    _scatter(&g64[0], &a8[0], &d64[0], &g)
            elif tiled:
                _write_tiled(&g64[0], &ap[0], &d64[0], &g)
            else:
                _scatter(&g64[0], &ap[0], &d64[0], &g)
    return dx
