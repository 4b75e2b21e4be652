"""Compiled convolution kernels for N-d convolutions (``mygrad_c.nnet.layers.conv``).

Every kernel works on three spatial dimensions; 1-d and 2-d convolutions are
run as 3-d ones with leading spatial dimensions of size 1 (kernel 1, stride 1,
dilation 1, padding 0), which costs nothing in the inner loops.

Layouts (all C-contiguous):

    x    : (N, C, S0, S1, S2)                 the unpadded input
    w    : (F, C, K0, K1, K2)                 the filters, as the matrix W (F, C*K)
    cols : (n, C, K0, K1, K2, G0, G1, G2)     one row per (channel, kernel offset)

so that, per sample, ``cols[i]`` is the ``(C*K, G)`` column matrix and the
convolution is the matrix product ``W @ cols[i]``.  Padding is never
materialised: positions that fall in the zero padding are written as 0 by
``im2col`` and skipped by ``col2im``.

The drivers ``conv_forward``, ``conv_grad_w`` and ``conv_grad_x`` never build
the column matrix of the whole batch (for a 32-channel 3x3 convolution it is 9
times the input): they unfold a few samples at a time into a buffer of about
``chunk_bytes`` (small enough to stay in the core's L2 cache), hand it to
NumPy's matmul (BLAS, one GEMM per sample), and go on to the next few.  The
backward pass unfolds the input again instead of keeping the forward pass's
columns, which costs one cache-resident pass and saves C*K*G values per sample.
A 1x1 convolution with stride 1 and no padding needs no unfolding at all.

    forward   out[i]  = W @ im2col(x[i])                     (F, G)
    d/dw      dW^T   += im2col(x[i]) @ grad[i]^T             (C*K, F)
    d/dx      dx[i]   = col2im(W^T @ grad[i])                (C, S)

On a CPU with AVX-512, a stride-1 pass with enough filter rows goes through the direct
kernels of ``_direct_conv.h`` instead (``DIRECT``): no column matrix at all - each filter
row reads a contiguous slice of the zero-padded sample, at "full-width" output positions
whose wrapped ones are computed and dropped.  d/dx of a stride-1 convolution is itself one
(of the gradient padded by d*(K-1) - p, with the filters transposed and flipped).  They
decline (returning None: BLAS then does the pass) where BLAS is faster or where a
floating-point flag NumPy would report was raised, so warnings and nan/inf results stay
BLAS's.

With more than one thread (``mygrad_c._parallel``), a large pass is cut into ranges of
samples that run at the same time, each with its own column buffer: NumPy's matmul
releases the GIL, and so do the kernels.  The forward pass and d/dx are the same numbers
however they are cut; d/dw then sums the samples of each half of the batch and adds the
two halves (a rounding that differs from the one-thread sum's by float rounding; summing
by halves with one thread too would cost 2-4 % of that pass).

The kernels do no validation (boundscheck is off in the optimised build): the
Python-facing functions below check every size against the buffers first and
raise ``ValueError``/``TypeError`` instead of touching memory out of range.
"""
cimport cython
from cython cimport floating
from libc.string cimport memcpy, memset

cdef extern from "_direct_conv.h" nogil:
    int dc_isa()
    int DC_NONE, DC_AVX2, DC_AVX512, DC_AVX512_NARROW
    const int DC_TILES[4][5]
    void dc_clear_flags()
    int dc_raised(int divide, int over, int under, int invalid)
    void dc_fwd_f32(int isa, const float* xs, const float* wp, const Py_ssize_t* koff, Py_ssize_t K,
                    float* out, Py_ssize_t Pv, Py_ssize_t Fp)
    void dc_fwd_f64(int isa, const double* xs, const double* wp, const Py_ssize_t* koff, Py_ssize_t K,
                    double* out, Py_ssize_t Pv, Py_ssize_t Fp)
    void dc_dw_f32(int isa, const float* xs, Py_ssize_t xs_step, const float* gf, Py_ssize_t ns,
                   const Py_ssize_t* koff, Py_ssize_t Kp, Py_ssize_t Pv, Py_ssize_t Fp, float* dwv)
    void dc_dw_f64(int isa, const double* xs, Py_ssize_t xs_step, const double* gf, Py_ssize_t ns,
                   const Py_ssize_t* koff, Py_ssize_t Kp, Py_ssize_t Pv, Py_ssize_t Fp, double* dwv)
    void dc_pad_f32(const float* x, float* xs, Py_ssize_t n_xs, Py_ssize_t C,
                    const Py_ssize_t* S, const Py_ssize_t* P, const Py_ssize_t* q)
    void dc_pad_f64(const double* x, double* xs, Py_ssize_t n_xs, Py_ssize_t C,
                    const Py_ssize_t* S, const Py_ssize_t* P, const Py_ssize_t* q)
    void dc_compact_f32(const float* full, Py_ssize_t Pv, float* out, Py_ssize_t F,
                        const Py_ssize_t* G, const Py_ssize_t* P)
    void dc_compact_f64(const double* full, Py_ssize_t Pv, double* out, Py_ssize_t F,
                        const Py_ssize_t* G, const Py_ssize_t* P)
    void dc_spread_f32(const float* grad, float* gf, Py_ssize_t Fp, Py_ssize_t Pv, Py_ssize_t F,
                       const Py_ssize_t* G, const Py_ssize_t* P)
    void dc_spread_f64(const double* grad, double* gf, Py_ssize_t Fp, Py_ssize_t Pv, Py_ssize_t F,
                       const Py_ssize_t* G, const Py_ssize_t* P)

import threading
from functools import partial

import numpy as np

from mygrad_c import _parallel

DEFAULT_CHUNK_BYTES = 1 << 20
_SCRATCH_MAX = 1 << 23  # each thread keeps its column buffer between calls, up to 8 MB
_local = threading.local()

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


cdef struct Geometry:
    Py_ssize_t C          # channels
    Py_ssize_t S[3]       # input spatial shape
    Py_ssize_t K[3]       # kernel shape
    Py_ssize_t G[3]       # output grid
    Py_ssize_t st[3]      # stride
    Py_ssize_t pd[3]      # padding
    Py_ssize_t dl[3]      # dilation
    Py_ssize_t Sn, Kn, Gn  # products of S, K, G


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


cdef inline void _valid_range(Py_ssize_t off, Py_ssize_t s, Py_ssize_t size, Py_ssize_t G,
                              Py_ssize_t* lo, Py_ssize_t* hi) noexcept nogil:
    """[lo, hi): the output positions g < G whose input position g*s + off lies in [0, size)."""
    lo[0] = _first_valid(off, s)
    if lo[0] > G:
        lo[0] = G
    hi[0] = _end_valid(off, s, size, G)
    if hi[0] < lo[0]:
        hi[0] = lo[0]


cdef void _im2col(const floating* x, floating* cols, Py_ssize_t n,
                  const Geometry* g) noexcept nogil:
    """cols (n, C, *K, *G) <- the windows of x (n, C, *S); padding reads as 0.

    For each (channel, kernel offset) the output positions whose input lies inside
    x form a box [lo0, hi0) x [lo1, hi1) x [lo2, hi2): it is copied row by row with
    plain loops, and the rest of the row block is zeroed, so the inner loop has no
    test in it.  (Plain loops: a memcpy call per row costs more than its 24 floats.)"""
    cdef Py_ssize_t c, k0, k1, k2, g0, g1, j, lo0, hi0, lo1, hi1, lo2, hi2, off0, off1, off2
    cdef Py_ssize_t S0 = g.S[0], S1 = g.S[1], S2 = g.S[2], G0 = g.G[0], G1 = g.G[1], G2 = g.G[2]
    cdef Py_ssize_t K0 = g.K[0], K1 = g.K[1], K2 = g.K[2], s0 = g.st[0], s1 = g.st[1], s2 = g.st[2]
    cdef Py_ssize_t Sn = g.Sn, plane = G1 * G2
    cdef const floating* xc
    cdef const floating* src
    cdef floating* block = cols
    cdef floating* row
    for c in range(n * g.C):
        xc = x + c * Sn
        for k0 in range(K0):
            off0 = k0 * g.dl[0] - g.pd[0]
            _valid_range(off0, s0, S0, G0, &lo0, &hi0)
            for k1 in range(K1):
                off1 = k1 * g.dl[1] - g.pd[1]
                _valid_range(off1, s1, S1, G1, &lo1, &hi1)
                for k2 in range(K2):
                    off2 = k2 * g.dl[2] - g.pd[2]
                    _valid_range(off2, s2, S2, G2, &lo2, &hi2)
                    for j in range(lo0 * plane):
                        block[j] = 0
                    for g0 in range(lo0, hi0):
                        row = block + g0 * plane
                        for j in range(lo1 * G2):
                            row[j] = 0
                        for g1 in range(lo1, hi1):
                            src = xc + ((g0 * s0 + off0) * S1 + g1 * s1 + off1) * S2 + off2
                            for j in range(lo2):
                                row[g1 * G2 + j] = 0
                            if s2 == 1:
                                for j in range(lo2, hi2):
                                    row[g1 * G2 + j] = src[j]
                            else:
                                for j in range(lo2, hi2):
                                    row[g1 * G2 + j] = src[j * s2]
                            for j in range(hi2, G2):
                                row[g1 * G2 + j] = 0
                        for j in range(hi1 * G2, plane):
                            row[j] = 0
                    for j in range(hi0 * plane, G0 * plane):
                        block[j] = 0
                    block += G0 * plane


cdef void _col2im(const floating* cols, floating* dx, Py_ssize_t n,
                  const Geometry* g) noexcept nogil:
    """dx (n, C, *S) += the scatter of cols (n, C, *K, *G) back to the input positions
    (the adjoint of ``_im2col``: the same boxes, entries outside them dropped)."""
    cdef Py_ssize_t c, k0, k1, k2, g0, g1, j, lo0, hi0, lo1, hi1, lo2, hi2, off0, off1, off2
    cdef Py_ssize_t S0 = g.S[0], S1 = g.S[1], S2 = g.S[2], G0 = g.G[0], G1 = g.G[1], G2 = g.G[2]
    cdef Py_ssize_t K0 = g.K[0], K1 = g.K[1], K2 = g.K[2], s0 = g.st[0], s1 = g.st[1], s2 = g.st[2]
    cdef Py_ssize_t Sn = g.Sn, plane = G1 * G2
    cdef floating* xc
    cdef floating* dst
    cdef const floating* block = cols
    cdef const floating* row
    for c in range(n * g.C):
        xc = dx + c * Sn
        for k0 in range(K0):
            off0 = k0 * g.dl[0] - g.pd[0]
            _valid_range(off0, s0, S0, G0, &lo0, &hi0)
            for k1 in range(K1):
                off1 = k1 * g.dl[1] - g.pd[1]
                _valid_range(off1, s1, S1, G1, &lo1, &hi1)
                for k2 in range(K2):
                    off2 = k2 * g.dl[2] - g.pd[2]
                    _valid_range(off2, s2, S2, G2, &lo2, &hi2)
                    for g0 in range(lo0, hi0):
                        for g1 in range(lo1, hi1):
                            row = block + g0 * plane + g1 * G2
                            dst = xc + ((g0 * s0 + off0) * S1 + g1 * s1 + off1) * S2 + off2
                            if s2 == 1:
                                for j in range(lo2, hi2):
                                    dst[j] += row[j]
                            else:
                                for j in range(lo2, hi2):
                                    dst[j * s2] += row[j]
                    block += G0 * plane


# ---------------------------------------------------------------------------
# validation: everything the kernels index is checked here
# ---------------------------------------------------------------------------
cdef Geometry _geometry(x_shape, K, G, stride, padding, dilation) except *:
    """Check a 3-d geometry against the input shape (N, C, S0, S1, S2)."""
    cdef Geometry g
    if not (len(x_shape) == 5 and len(K) == len(G) == len(stride) == len(padding)
            == len(dilation) == 3):
        raise ValueError("conv kernels need an (N, C, S0, S1, S2) input and 3 spatial dimensions")
    g.C = int(x_shape[1])
    for j in range(3):
        g.S[j], g.K[j], g.G[j] = int(x_shape[2 + j]), int(K[j]), int(G[j])
        g.st[j], g.pd[j], g.dl[j] = int(stride[j]), int(padding[j]), int(dilation[j])
        if (g.S[j] < 0 or g.K[j] < 1 or g.G[j] < 1 or g.st[j] < 1 or g.pd[j] < 0
                or g.dl[j] < 1):
            raise ValueError("invalid convolution geometry")
        if (g.K[j] - 1) * g.dl[j] + (g.G[j] - 1) * g.st[j] + 1 > g.S[j] + 2 * g.pd[j]:
            raise ValueError("the output grid does not fit in the padded input")
    g.Sn = g.S[0] * g.S[1] * g.S[2]
    g.Kn = g.K[0] * g.K[1] * g.K[2]
    g.Gn = g.G[0] * g.G[1] * g.G[2]
    return g


cdef tuple _grid(x_shape, w_shape, stride, padding, dilation):
    """The output grid of x (N, C, *S) convolved with w (F, C, *K); ValueError if empty."""
    if len(w_shape) != 5 or len(x_shape) != 5 or x_shape[1] != w_shape[1]:
        raise ValueError("x (N, C, S0, S1, S2) and w (F, C, K0, K1, K2) do not match")
    G = []
    for j in range(3):
        room = int(x_shape[2 + j]) + 2 * int(padding[j]) - (int(w_shape[2 + j]) - 1) * int(dilation[j]) - 1
        if room < 0 or int(stride[j]) < 1:
            raise ValueError("invalid convolution geometry")
        G.append(room // int(stride[j]) + 1)
    return tuple(G)


def _float_array(a, name):
    if not isinstance(a, np.ndarray) or a.dtype not in _FLOATS:
        raise TypeError(f"{name} must be a float32 or float64 ndarray")
    return a if a.flags.c_contiguous else np.ascontiguousarray(a)


cdef Py_ssize_t _samples_per_chunk(Py_ssize_t per_sample, Py_ssize_t N, chunk_bytes) except -1:
    cdef Py_ssize_t nb = int(chunk_bytes) // max(<Py_ssize_t>1, per_sample)
    return max(<Py_ssize_t>1, min(nb, N))


def _scratch(shape, dtype):
    """An uninitialised C-contiguous array for this thread's column buffer.  The memory is
    reused from call to call: fresh memory from the OS costs a page fault and a zeroing
    per page, which for a cache-sized buffer takes longer than filling it."""
    nbytes = int(np.prod(shape)) * np.dtype(dtype).itemsize
    buf = getattr(_local, "buf", None)
    if buf is None or buf.nbytes < nbytes + 64:
        buf = np.empty(nbytes + 64, dtype=np.uint8)
        if nbytes <= _SCRATCH_MAX:
            _local.buf = buf
    start = -buf.ctypes.data % 64   # aligned to a cache line (and an AVX-512 vector)
    return buf[start:start + nbytes].view(dtype).reshape(shape)


cdef bint _is_identity(const Geometry* g) noexcept:
    """A 1x1 kernel with stride 1 and no padding: the columns are the input itself."""
    for j in range(3):
        if g.K[j] != 1 or g.st[j] != 1 or g.pd[j] != 0:
            return False
    return True


cdef void _unfold(cols, x, Py_ssize_t n0, Py_ssize_t n, const Geometry* g):
    """Unfold samples n0 .. n0+n-1 of the validated C-contiguous x into the
    C-contiguous cols (n, C*K, G)."""
    cdef const float[::1] x32
    cdef float[::1] c32
    cdef const double[::1] x64
    cdef double[::1] c64
    if x.size == 0:  # only padding is read (S has a zero axis)
        cols[...] = 0
        return
    if x.dtype == np.float32:
        x32, c32 = x.reshape(-1), cols.reshape(-1)
        with nogil:
            _im2col(&x32[n0 * g.C * g.Sn], &c32[0], n, g)
    else:
        x64, c64 = x.reshape(-1), cols.reshape(-1)
        with nogil:
            _im2col(&x64[n0 * g.C * g.Sn], &c64[0], n, g)


cdef void _fold(dx, cols, Py_ssize_t n0, Py_ssize_t n, const Geometry* g, bint overwrite=False):
    """Add cols (n samples) into samples n0 .. n0+n-1 of the validated C-contiguous dx,
    or with ``overwrite`` write them there (the samples are zeroed first, while in cache)."""
    cdef float[::1] d32
    cdef const float[::1] c32
    cdef double[::1] d64
    cdef const double[::1] c64
    cdef Py_ssize_t block = g.C * g.Sn
    if dx.dtype == np.float32:
        d32, c32 = dx.reshape(-1), cols.reshape(-1)
        with nogil:
            if overwrite:
                memset(&d32[n0 * block], 0, n * block * sizeof(float))
            _col2im(&c32[0], &d32[n0 * block], n, g)
    else:
        d64, c64 = dx.reshape(-1), cols.reshape(-1)
        with nogil:
            if overwrite:
                memset(&d64[n0 * block], 0, n * block * sizeof(double))
            _col2im(&c64[0], &d64[n0 * block], n, g)


cdef bint _split(Py_ssize_t N, Py_ssize_t macs_per_sample, bint direct) except -1:
    """Is a pass over N samples cut into ranges of samples that threads run at once?
    With more than one thread, from 8 x the size an elementwise pass is split at
    (``_parallel.MIN_SIZE``: 4 M multiply-adds; handing a range to a thread costs 20-60 us,
    such a pass takes a few hundred; tests that set it low split every pass) - or 32 x
    (17 M) for a pass the ``direct`` kernels run, which do the same work 2-3 x faster
    (measured: below about 20 M multiply-adds two threads took longer than one)."""
    return (N >= 2 and _parallel.num_threads() > 1
            and N * macs_per_sample >= (32 if direct else 8) * <Py_ssize_t>_parallel.MIN_SIZE)


def _by_samples(run_range, Py_ssize_t N):
    """``run_range(lo, hi)`` over N samples cut into one range per thread, at the same
    time; None (nothing to rely on: the caller runs the pass in one piece) if a range
    met a floating-point error, so that NumPy's warning or error comes out once."""
    cdef Py_ssize_t k, parts = min(<Py_ssize_t>_parallel.num_threads(), N)
    bounds = [N * k // parts for k in range(parts + 1)]
    return _parallel.run([partial(run_range, bounds[k], bounds[k + 1]) for k in range(parts)])


def _output(out, shape, dtype):
    """A new C-contiguous array of ``shape`` and ``dtype``, or ``out`` checked to be one."""
    shape = tuple(shape)
    if out is None:
        return np.empty(shape, dtype=dtype)
    if (not isinstance(out, np.ndarray) or out.dtype != dtype or tuple(out.shape) != shape
            or not out.flags.c_contiguous or not out.flags.writeable):
        raise ValueError(f"out must be a writeable C-contiguous {np.dtype(dtype)} array of shape {shape}")
    return out


# ---------------------------------------------------------------------------
# direct stride-1 kernels (_direct_conv.h): no column matrix at all
# ---------------------------------------------------------------------------
# The instruction set whose direct kernels the stride-1 passes use: 2 (AVX-512), 1 (AVX2
# with FMA), or 0 - none, im2col + BLAS (this CPU has neither, or it was set to 0: tests
# set it to run the same passes through BLAS, or through the AVX2 kernels on an AVX-512 CPU)
AVAILABLE = dc_isa()
DIRECT = AVAILABLE
# When they are faster than BLAS (measured on row 11-14 shapes and a few others): at most
# this many multiply-adds per useful one (wrapped positions, filter padding); at least this
# many filter rows C*K (with fewer the tiles are mostly loads and stores: a 1-channel 3x3
# convolution is faster through BLAS); and for d/dw, sums per tile (F*C*K vectors) that
# stay in the L2 cache (2.4 MB of them, for 64 filters of 64x3x3, made it slower than BLAS)
_MAX_WASTE = 2.0
_MIN_ROWS = 16
_MAX_DW_SUMS_BYTES = 1 << 20


def _round_up(Py_ssize_t v, Py_ssize_t m):
    return (v + m - 1) // m * m


cdef class _Layout:
    """Where one padded sample and its full-width positions lie (see _direct_conv.h):
    the padded spatial shape P, the number of full-width positions ``npos`` (rounded up
    to ``align``) of which ``useful`` are kept, and the length ``n_xs`` of the sample
    buffer with the slack the loads need; ``offsets`` gives each filter row's offset."""
    cdef Py_ssize_t C, Kn, npos, useful, n_xs
    cdef Py_ssize_t S[3]
    cdef Py_ssize_t P[3]
    cdef Py_ssize_t q[3]
    cdef Py_ssize_t G[3]
    cdef Py_ssize_t K[3]
    cdef Py_ssize_t d[3]

    def __init__(self, x_shape, K, dilation, padding, Py_ssize_t align):
        cdef Py_ssize_t j, last, plane, last_row
        self.C = x_shape[1]
        self.Kn = self.C
        for j in range(3):
            self.S[j], self.q[j] = x_shape[2 + j], padding[j]
            self.K[j], self.d[j] = K[j], dilation[j]
            self.P[j] = self.S[j] + 2 * self.q[j]
            self.G[j] = self.P[j] - (self.K[j] - 1) * self.d[j]
            self.Kn *= self.K[j]
        plane = self.P[1] * self.P[2]
        last = (self.G[0] - 1) * plane + (self.G[1] - 1) * self.P[2] + self.G[2]
        self.npos = _round_up(last, align)
        self.useful = self.G[0] * self.G[1] * self.G[2]
        last_row = ((self.C - 1) * self.P[0] * plane + (self.K[0] - 1) * self.d[0] * plane
                    + (self.K[1] - 1) * self.d[1] * self.P[2] + (self.K[2] - 1) * self.d[2])
        # (rounded up to whole vectors: what follows xs in its buffer starts aligned)
        self.n_xs = _round_up(max(self.C * self.P[0] * plane, last_row + self.npos), 16)

    def waste(self, Py_ssize_t F, Py_ssize_t Fp):
        """Multiply-adds done per useful one (wrapped positions, filters padded to Fp)."""
        return float(self.npos * Fp) / max(1, self.useful * F)

    def offsets(self, Py_ssize_t rows=1):
        """The offset in ``xs`` of each filter row k = (c, k0, k1, k2), padded to a
        multiple of ``rows`` with rows that read offset 0."""
        cdef Py_ssize_t c, k0, k1, k2, k = 0, plane = self.P[1] * self.P[2]
        koff = np.zeros(_round_up(self.Kn, rows), dtype=np.intp)
        cdef Py_ssize_t[::1] o = koff
        for c in range(self.C):
            for k0 in range(self.K[0]):
                for k1 in range(self.K[1]):
                    for k2 in range(self.K[2]):
                        o[k] = ((c * self.P[0] + k0 * self.d[0]) * plane + k1 * self.d[1] * self.P[2]
                                + k2 * self.d[2])
                        k += 1
        return koff


cdef bint _flags_raised():
    err = np.geterr()
    return dc_raised(err["divide"] != "ignore", True, err["under"] != "ignore", True)


cdef void _forward_samples(const floating[::1] x, const floating[::1] wp, floating[::1] xs,
                           floating[::1] full, floating[::1] out, const Py_ssize_t[::1] koff,
                           _Layout lay, int isa, Py_ssize_t N, Py_ssize_t CK, Py_ssize_t Fp,
                           Py_ssize_t F, Py_ssize_t xstride, Py_ssize_t ostride) noexcept:
    """_direct_forward's loop over the samples: pad, convolve at full width, compact."""
    cdef Py_ssize_t n
    with nogil:
        for n in range(N):
            if floating is float:
                dc_pad_f32(&x[n * xstride], &xs[0], lay.n_xs, lay.C, lay.S, lay.P, lay.q)
                dc_fwd_f32(isa, &xs[0], &wp[0], &koff[0], CK, &full[0], lay.npos, Fp)
                dc_compact_f32(&full[0], lay.npos, &out[n * ostride], F, lay.G, lay.P)
            else:
                dc_pad_f64(&x[n * xstride], &xs[0], lay.n_xs, lay.C, lay.S, lay.P, lay.q)
                dc_fwd_f64(isa, &xs[0], &wp[0], &koff[0], CK, &full[0], lay.npos, Fp)
                dc_compact_f64(&full[0], lay.npos, &out[n * ostride], F, lay.G, lay.P)


cdef void _grad_w_samples(const floating[::1] x, const floating[::1] grad, floating[::1] xs,
                          floating[::1] gf, floating[::1] dwv, const Py_ssize_t[::1] koff,
                          _Layout lay, int isa, Py_ssize_t N, Py_ssize_t nb, Py_ssize_t Kp,
                          Py_ssize_t Fp, Py_ssize_t F, Py_ssize_t xstride,
                          Py_ssize_t gstride) noexcept:
    """_direct_grad_w's loop: nb samples at a time padded and spread side by side, then
    their sums added into dwv."""
    cdef Py_ssize_t n0 = 0, n, j, gsize = Fp * lay.npos
    with nogil:
        while n0 < N:
            n = min(nb, N - n0)
            for j in range(n):
                if floating is float:
                    dc_pad_f32(&x[(n0 + j) * xstride], &xs[j * lay.n_xs], lay.n_xs, lay.C,
                               lay.S, lay.P, lay.q)
                    dc_spread_f32(&grad[(n0 + j) * gstride], &gf[j * gsize], Fp, lay.npos, F,
                                  lay.G, lay.P)
                else:
                    dc_pad_f64(&x[(n0 + j) * xstride], &xs[j * lay.n_xs], lay.n_xs, lay.C,
                               lay.S, lay.P, lay.q)
                    dc_spread_f64(&grad[(n0 + j) * gstride], &gf[j * gsize], Fp, lay.npos, F,
                                  lay.G, lay.P)
            if floating is float:
                dc_dw_f32(isa, &xs[0], lay.n_xs, &gf[0], n, &koff[0], Kp, lay.npos, Fp, &dwv[0])
            else:
                dc_dw_f64(isa, &xs[0], lay.n_xs, &gf[0], n, &koff[0], Kp, lay.npos, Fp, &dwv[0])
            n0 += n


def _direct_forward(x, w, out, dilation, padding):
    """out (N, F, *G) <- the stride-1 convolution of x (N, C, *S) padded by ``padding``
    with w (F, C, *K), by dc_fwd; None (``out`` partly written) if the layout wastes too
    much or a floating-point flag was raised - the caller then uses im2col + BLAS."""
    cdef int isa = _isa()
    cdef Py_ssize_t F = w.shape[0]
    if isa == DC_NONE:
        return None
    if isa == DC_AVX512 and _round_up(F, DC_TILES[DC_AVX512_NARROW][0]) < _round_up(F, DC_TILES[isa][0]):
        isa = DC_AVX512_NARROW   # (tiles of fewer filters: less padding)
    cdef Py_ssize_t MR = DC_TILES[isa][0], NV = DC_TILES[isa][1], lanes = DC_TILES[isa][4] // x.itemsize
    cdef Py_ssize_t N = x.shape[0], Fp = _round_up(F, MR), CK
    cdef _Layout lay = _Layout(x.shape, w.shape[2:], dilation, padding, NV * lanes)
    if lay.waste(F, Fp) > _MAX_WASTE:
        return None
    CK = lay.Kn
    offsets = lay.offsets()
    # the filters packed per block of MR: wp[block, k, i] = w[block * MR + i, k]
    wp = np.zeros((Fp, CK), dtype=x.dtype)
    wp[:F] = w.reshape(F, CK)
    wp = np.ascontiguousarray(wp.reshape(Fp // MR, MR, CK).transpose(0, 2, 1))
    buf = _scratch((lay.n_xs + Fp * lay.npos,), x.dtype)
    xs, full = buf[:lay.n_xs], buf[lay.n_xs:]
    cdef const Py_ssize_t[::1] koff = offsets
    cdef Py_ssize_t xstride = lay.C * lay.S[0] * lay.S[1] * lay.S[2], ostride = F * lay.useful
    dc_clear_flags()
    if x.dtype == np.float32:
        _forward_samples[float](x.reshape(-1), wp.reshape(-1), xs, full, out.reshape(-1), koff, lay,
                                isa, N, CK, Fp, F, xstride, ostride)
    else:
        _forward_samples[double](x.reshape(-1), wp.reshape(-1), xs, full, out.reshape(-1), koff, lay,
                                 isa, N, CK, Fp, F, xstride, ostride)
    return None if _flags_raised() else out


def _direct_grad_w(x, grad, w_shape, dilation, padding, chunk_bytes):
    """dL/dw (F, C*K) of a stride-1 convolution by dc_dw, or None (see _direct_forward).
    The samples go through a few at a time (as many as fit in ``chunk_bytes``)."""
    cdef int isa = _isa()
    if isa == DC_NONE:
        return None
    cdef Py_ssize_t WF = DC_TILES[isa][2], WK = DC_TILES[isa][3], lanes = DC_TILES[isa][4] // x.itemsize
    cdef Py_ssize_t N = x.shape[0], F = w_shape[0], nb, Fp = _round_up(F, WF), Kp
    cdef _Layout lay = _Layout(x.shape, w_shape[2:], dilation, padding, lanes)
    Kp = _round_up(lay.Kn, WK)
    if lay.waste(F, Fp) > _MAX_WASTE or Fp * Kp * lanes * x.itemsize > _MAX_DW_SUMS_BYTES:
        return None
    offsets = lay.offsets(WK)
    dwv = np.zeros((Fp, Kp, lanes), dtype=x.dtype)
    cdef Py_ssize_t gsize = Fp * lay.npos, xstride = lay.C * lay.S[0] * lay.S[1] * lay.S[2]
    cdef Py_ssize_t gstride = F * lay.useful
    nb = _samples_per_chunk((lay.n_xs + gsize) * x.itemsize, N, chunk_bytes)
    buf = _scratch((nb * (lay.n_xs + gsize),), x.dtype)
    xs, gf = buf[:nb * lay.n_xs], buf[nb * lay.n_xs:]
    cdef const Py_ssize_t[::1] koff = offsets
    dc_clear_flags()
    if x.dtype == np.float32:
        _grad_w_samples[float](x.reshape(-1), grad.reshape(-1), xs, gf, dwv.reshape(-1), koff, lay,
                               isa, N, nb, Kp, Fp, F, xstride, gstride)
    else:
        _grad_w_samples[double](x.reshape(-1), grad.reshape(-1), xs, gf, dwv.reshape(-1), koff, lay,
                                isa, N, nb, Kp, Fp, F, xstride, gstride)
    # a wrapped position multiplies what it reads by a gradient of 0: an inf there makes
    # nan and raises a flag, a nan stays nan quietly - either way BLAS redoes the pass
    dw = np.ascontiguousarray(dwv.sum(axis=2)[:F, :lay.Kn])
    if _flags_raised() or np.isnan(dw).any():
        return None
    return dw


cdef int _isa() except -1:
    """The instruction set of the direct kernels to run: ``DIRECT`` if this CPU has it,
    else DC_NONE."""
    return DIRECT if 0 < DIRECT <= AVAILABLE else DC_NONE


cdef bint _direct(const Geometry* g, x, Py_ssize_t rows) except -1:
    """Do the direct kernels apply: the CPU has them, stride 1, not a 1x1 convolution
    without padding (which needs no unfolding: one matmul), a non-empty input and enough
    filter rows (``rows``: C*K, or F*K for d/dx)?  (_direct_forward and _direct_grad_w
    check the rest.)"""
    return (_isa() != DC_NONE and not _is_identity(g) and x.size > 0 and rows >= _MIN_ROWS
            and g.st[0] == 1 and g.st[1] == 1 and g.st[2] == 1)


# ---------------------------------------------------------------------------
# the whole convolution: forward and the two gradients
# ---------------------------------------------------------------------------
def conv_forward(x, w, stride, padding, dilation, chunk_bytes=DEFAULT_CHUNK_BYTES, out=None,
                 bint split=True):
    """``out`` (N, F, G0, G1, G2) of x (N, C, S0, S1, S2) and w (F, C, K0, K1, K2).

    ``x`` and ``w`` are float32 or float64 arrays of one dtype; the output is a
    new C-contiguous array of that dtype (or ``out``, such an array, written).
    ``split``: a large pass may be cut by samples (see the module docstring)."""
    x, w = _float_array(x, "x"), _float_array(w, "w")
    if x.dtype != w.dtype:
        raise TypeError("x and w must have the same dtype")
    G = _grid(x.shape, w.shape, stride, padding, dilation)
    cdef Geometry g = _geometry(x.shape, w.shape[2:], G, stride, padding, dilation)
    cdef Py_ssize_t N = x.shape[0], F = w.shape[0], CK = g.C * g.Kn, n0, n, nb
    out = _output(out, (N, F) + G, x.dtype)
    if out.size == 0:
        return out
    cdef bint direct = _direct(&g, x, CK)
    if split and _split(N, F * CK * g.Gn, direct) and _by_samples(
            lambda lo, hi: conv_forward(x[lo:hi], w, stride, padding, dilation, chunk_bytes,
                                        out[lo:hi], False), N) is not None:
        return out
    out3 = out.reshape(N, F, g.Gn)
    wmat = w.reshape(F, CK)
    if CK == 0:
        out.fill(0)
        return out
    if direct and _direct_forward(x, w, out, dilation, padding) is not None:
        return out
    if _is_identity(&g):
        np.matmul(wmat, x.reshape(N, CK, g.Gn), out=out3)
        return out
    nb = _samples_per_chunk(CK * g.Gn * x.itemsize, N, chunk_bytes)
    cols = _scratch((nb, CK, g.Gn), x.dtype)
    for n0 in range(0, N, nb):
        n = min(nb, N - n0)
        _unfold(cols[:n], x, n0, n, &g)
        np.matmul(wmat, cols[:n], out=out3[n0:n0 + n])
    return out


def conv_grad_w(x, grad, w_shape, stride, padding, dilation, chunk_bytes=DEFAULT_CHUNK_BYTES,
                bint split=True):
    """dL/dw (shape ``w_shape``) from x (N, C, S0, S1, S2) and grad = dL/dout (N, F, G0, G1, G2)."""
    x, grad = _float_array(x, "x"), _float_array(grad, "grad")
    if x.dtype != grad.dtype:
        raise TypeError("x and grad must have the same dtype")
    w_shape = tuple(int(v) for v in w_shape)
    G = _grid(x.shape, w_shape, stride, padding, dilation)
    if grad.shape != (x.shape[0], w_shape[0]) + G:
        raise ValueError(f"grad must have shape {(x.shape[0], w_shape[0]) + G}, got {grad.shape}")
    cdef Geometry g = _geometry(x.shape, w_shape[2:], G, stride, padding, dilation)
    cdef Py_ssize_t N = x.shape[0], F = w_shape[0], CK = g.C * g.Kn, n0, n, nb
    cdef bint direct = _direct(&g, x, CK)
    if split and _split(N, F * CK * g.Gn, direct):
        # the two halves of the batch, each summed on its own, then added
        halves = [lambda lo=lo, hi=hi: conv_grad_w(x[lo:hi], grad[lo:hi], w_shape, stride,
                                                   padding, dilation, chunk_bytes, False)
                  for lo, hi in ((0, N // 2), (N // 2, N))]
        parts = _parallel.run(halves)
        if parts is None:   # (a floating-point error: NumPy's warning, once)
            parts = [half() for half in halves]
        return parts[0] + parts[1]
    dwT = np.zeros((CK, F), dtype=x.dtype)
    if N == 0 or dwT.size == 0:
        return dwT.T.reshape(w_shape)
    g3 = grad.reshape(N, F, g.Gn)
    if direct:
        dw = _direct_grad_w(x, grad, w_shape, dilation, padding, chunk_bytes)
        if dw is not None:
            return dw.reshape(w_shape)
    if _is_identity(&g):
        cols = x.reshape(N, CK, g.Gn)
        dwT = np.matmul(cols, g3.transpose(0, 2, 1)).sum(axis=0)
        return np.ascontiguousarray(dwT.T).reshape(w_shape)
    nb = _samples_per_chunk(CK * g.Gn * x.itemsize, N, chunk_bytes)
    cols = _scratch((nb, CK, g.Gn), x.dtype)
    part = np.empty((nb, CK, F), dtype=x.dtype)
    for n0 in range(0, N, nb):
        n = min(nb, N - n0)
        _unfold(cols[:n], x, n0, n, &g)
        np.matmul(cols[:n], g3[n0:n0 + n].transpose(0, 2, 1), out=part[:n])
        dwT += part[0] if n == 1 else part[:n].sum(axis=0)
    return np.ascontiguousarray(dwT.T).reshape(w_shape)


def conv_grad_x(grad, w, x_shape, stride, padding, dilation, chunk_bytes=DEFAULT_CHUNK_BYTES,
                out=None, bint split=True):
    """dL/dx (shape ``x_shape`` = (N, C, S0, S1, S2)) from grad = dL/dout (N, F, G0, G1, G2)
    and w (F, C, K0, K1, K2); written into ``out`` if given (such an array)."""
    grad, w = _float_array(grad, "grad"), _float_array(w, "w")
    if grad.dtype != w.dtype:
        raise TypeError("grad and w must have the same dtype")
    x_shape = tuple(int(v) for v in x_shape)
    G = _grid(x_shape, w.shape, stride, padding, dilation)
    if grad.shape != (x_shape[0], w.shape[0]) + G:
        raise ValueError(f"grad must have shape {(x_shape[0], w.shape[0]) + G}, got {grad.shape}")
    cdef Geometry g = _geometry(x_shape, w.shape[2:], G, stride, padding, dilation)
    cdef Py_ssize_t N = x_shape[0], F = w.shape[0], CK = g.C * g.Kn, n0, n, nb
    dx = _output(out, x_shape, w.dtype)
    if N == 0 or CK == 0 or g.Sn == 0:
        dx[...] = 0
        return dx
    cdef bint direct = _direct(&g, grad, F * g.Kn)
    if split and _split(N, F * CK * g.Gn, direct) and _by_samples(
            lambda lo, hi: conv_grad_x(grad[lo:hi], w, (hi - lo,) + x_shape[1:], stride, padding,
                                       dilation, chunk_bytes, dx[lo:hi], False), N) is not None:
        return dx
    if direct:
        # d/dx of a stride-1 convolution: the convolution of grad, padded by d*(K-1) - p,
        # with the filters transposed (C, F, *K) and flipped
        q = [g.dl[j] * (g.K[j] - 1) - g.pd[j] for j in range(3)]
        if min(q) >= 0 and _direct_forward(
                grad, w.transpose(1, 0, 2, 3, 4)[:, :, ::-1, ::-1, ::-1], dx, dilation, q) is not None:
            return dx
    wT = w.reshape(F, CK).T
    g3 = grad.reshape(N, F, g.Gn)
    if _is_identity(&g):
        np.matmul(wT, g3, out=dx.reshape(N, CK, g.Gn))
        return dx
    nb = _samples_per_chunk(CK * g.Gn * w.itemsize, N, chunk_bytes)
    dcols = _scratch((nb, CK, g.Gn), w.dtype)
    for n0 in range(0, N, nb):
        n = min(nb, N - n0)
        np.matmul(wT, g3[n0:n0 + n], out=dcols[:n])
        _fold(dx, dcols[:n], n0, n, &g, True)
    return dx


# ---------------------------------------------------------------------------
# the unfolding on its own (tests and fuzzers check the kernels through these)
# ---------------------------------------------------------------------------
def im2col(x, K, G, stride, padding, dilation):
    """Return ``cols`` of shape (N, C, *K, *G) for a float32/float64 ``x``
    of shape (N, C, S0, S1, S2); see the module docstring."""
    x = _float_array(x, "x")
    cdef Geometry g = _geometry(x.shape, K, G, stride, padding, dilation)
    cols = np.empty(tuple(x.shape[:2]) + tuple(g.K) + tuple(g.G), dtype=x.dtype)
    if cols.size:
        _unfold(cols, x, 0, x.shape[0], &g)
    return cols


def col2im(cols, x_shape, stride, padding, dilation, out=None):
    """The adjoint of :func:`im2col`: sum ``cols`` (N, C, *K, *G) back into a new
    zero-initialised array of shape ``x_shape`` (N, C, S0, S1, S2), or add it
    into ``out`` (a C-contiguous array of that shape and of ``cols``' dtype)."""
    cols = _float_array(cols, "cols")
    if cols.ndim != 8 or tuple(cols.shape[:2]) != tuple(x_shape[:2]):
        raise ValueError("cols must have shape (N, C, K0, K1, K2, G0, G1, G2)")
    cdef Geometry g = _geometry(tuple(x_shape), cols.shape[2:5], cols.shape[5:],
                                stride, padding, dilation)
    if out is None:
        dx = np.zeros(tuple(x_shape), dtype=cols.dtype)
    else:
        if (not isinstance(out, np.ndarray) or out.dtype != cols.dtype
                or tuple(out.shape) != tuple(x_shape) or not out.flags.c_contiguous
                or not out.flags.writeable):
            raise ValueError("out must be a writeable C-contiguous array of x_shape and cols' dtype")
        dx = out
    if cols.size and dx.size:
        _fold(dx, cols, 0, x_shape[0], &g)
    return dx
