# cython: language_level=3
"""The time loops of the GRU layer (``mygrad_c.nnet.layers.gru``), forward and backward.

The recurrence, for t = 0 .. T-1 (``s[0]`` is the seed state)::

    z[t] = sigmoid(xz[t] + s[t] @ Wz)          xz = X Uz + bz  (precomputed for all t)
    r[t] = sigmoid(xr[t] + s[t] @ Wr)          xr = X Ur + br
    h[t] = tanh(xh[t] + (r[t] * s[t]) @ Wh)    xh = X Uh + bh
    s[t+1] = (1 - z[t]) * h[t] + z[t] * s[t]

The input projections do not depend on the state, so the caller computes them
for every step with one matrix product; only the state-to-state products remain
inside the loop.  Each step is two matrix products (NumPy's BLAS, ``out=`` into
preallocated buffers) and two fused elementwise kernels written here (nogil
loops over float32 or float64).  The backward pass walks the same loop in
reverse and returns the gradients of the pre-activations, from which the caller
forms every weight gradient with one matrix product each.

The ``def`` functions validate shapes, dtypes and contiguity; the ``cdef``
kernels below them trust their caller.
"""
cimport cython
from cython cimport floating
from libc.math cimport exp, expf, tanh, tanhf

import numpy as np


# ---------------------------------------------------------------------------
# elementwise kernels (one step, all N x D entries)
# ---------------------------------------------------------------------------
cdef inline floating _exp(floating x) noexcept nogil:
    if floating is float:
        return expf(x)
    else:
        return exp(x)


cdef inline floating _sigmoid(floating x) noexcept nogil:
    # exp(-x) overflows to inf for very negative x, giving 1 / inf = 0: no nan
    return 1 / (1 + _exp(-x))


cdef inline floating _tanh(floating x) noexcept nogil:
    if floating is float:
        return tanhf(x)
    else:
        return tanh(x)


cdef void _gates(const floating[:, ::1] xzrh, const floating[:, ::1] szr,
                 const floating[:, ::1] sp, floating[:, ::1] z, floating[:, ::1] r,
                 floating[:, ::1] rs) noexcept nogil:
    """z = sigmoid(xz + s Wz), r = sigmoid(xr + s Wr), rs = r * s."""
    cdef Py_ssize_t n, d, N = sp.shape[0], D = sp.shape[1]
    cdef floating rv
    for n in range(N):
        for d in range(D):
            z[n, d] = _sigmoid(xzrh[n, d] + szr[n, d])
            rv = _sigmoid(xzrh[n, D + d] + szr[n, D + d])
            r[n, d] = rv
            rs[n, d] = rv * sp[n, d]


cdef void _update(const floating[:, ::1] xzrh, const floating[:, ::1] rsh,
                  const floating[:, ::1] sp, const floating[:, ::1] z,
                  floating[:, ::1] h, floating[:, ::1] s_new) noexcept nogil:
    """h = tanh(xh + (r s) Wh), s_new = (1 - z) h + z s."""
    cdef Py_ssize_t n, d, N = sp.shape[0], D = sp.shape[1]
    cdef floating hv, zv
    for n in range(N):
        for d in range(D):
            hv = _tanh(xzrh[n, 2 * D + d] + rsh[n, d])
            h[n, d] = hv
            zv = z[n, d]
            s_new[n, d] = (1 - zv) * hv + zv * sp[n, d]


cdef void _back_a(const floating[:, ::1] dS, const floating[:, ::1] sp,
                  const floating[:, ::1] z, const floating[:, ::1] h,
                  floating[:, ::1] dzr, floating[:, ::1] dah,
                  floating[:, ::1] dsp) noexcept nogil:
    """From dL/ds[t+1]: daz, dah, and the direct part of dL/ds[t] (dS * z)."""
    cdef Py_ssize_t n, d, N = sp.shape[0], D = sp.shape[1]
    cdef floating g, zv, hv
    for n in range(N):
        for d in range(D):
            g = dS[n, d]
            zv = z[n, d]
            hv = h[n, d]
            dah[n, d] = g * (1 - zv) * (1 - hv * hv)
            dzr[n, d] = g * (sp[n, d] - hv) * zv * (1 - zv)
            dsp[n, d] = g * zv


cdef void _back_b(const floating[:, ::1] drs, const floating[:, ::1] sp,
                  const floating[:, ::1] r, floating[:, ::1] dzr,
                  floating[:, ::1] dsp) noexcept nogil:
    """From dL/d(r s) = dah Wh^T: dar, and its part of dL/ds[t] (drs * r)."""
    cdef Py_ssize_t n, d, N = sp.shape[0], D = sp.shape[1]
    cdef floating g, rv
    for n in range(N):
        for d in range(D):
            g = drs[n, d]
            rv = r[n, d]
            dzr[n, D + d] = g * sp[n, d] * rv * (1 - rv)
            dsp[n, d] += g * rv


cdef void _add_into(floating[:, ::1] a, const floating[:, ::1] b) noexcept nogil:
    cdef Py_ssize_t n, d
    for n in range(a.shape[0]):
        for d in range(a.shape[1]):
            a[n, d] += b[n, d]


cdef void _sum2(floating[:, ::1] out, const floating[:, ::1] a,
                const floating[:, ::1] b) noexcept nogil:
    cdef Py_ssize_t n, d
    for n in range(out.shape[0]):
        for d in range(out.shape[1]):
            out[n, d] = a[n, d] + b[n, d]


# ---------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------
def _check(name, arr, dtype, shape):
    if not isinstance(arr, np.ndarray):
        raise TypeError(f"{name} must be a numpy array")
    if arr.dtype != dtype:
        raise TypeError(f"{name} must have dtype {dtype}, got {arr.dtype}")
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
    if not arr.flags.c_contiguous:
        raise ValueError(f"{name} must be C-contiguous")


def _check_state(s, z, r, h, rs):
    if not isinstance(s, np.ndarray) or s.ndim != 3 or s.dtype not in (np.float32, np.float64):
        raise TypeError("s must be a shape-(T+1, N, D) float32/float64 array")
    T1, N, D = s.shape
    if T1 < 1:
        raise ValueError("s must hold at least the seed state")
    _check("s", s, s.dtype, (T1, N, D))
    for name, a in (("z", z), ("r", r), ("h", h), ("rs", rs)):
        _check(name, a, s.dtype, (T1 - 1, N, D))
    return T1 - 1, N, D


# ---------------------------------------------------------------------------
# forward
# ---------------------------------------------------------------------------
def gru_forward(xzrh, Wzr, Wh, s, z, r, h, rs):
    """Run the recurrence, filling ``s[1:]``, ``z``, ``r``, ``h`` and ``rs = r * s[:-1]`` in place.

    Parameters
    ----------
    xzrh : ndarray, shape-(T, N, 3D)
        The input projections plus biases, ``[X Uz + bz | X Ur + br | X Uh + bh]``.
    Wzr : ndarray, shape-(D, 2D)
        ``[Wz | Wr]``.
    Wh : ndarray, shape-(D, D)
    s : ndarray, shape-(T+1, N, D)
        ``s[0]`` holds the seed state on entry.
    z, r, h, rs : ndarray, shape-(T, N, D)
        Outputs.

    All arrays must be C-contiguous and share one dtype (float32 or float64).
    """
    T, N, D = _check_state(s, z, r, h, rs)
    dt = s.dtype
    _check("xzrh", xzrh, dt, (T, N, 3 * D))
    _check("Wzr", Wzr, dt, (D, 2 * D))
    _check("Wh", Wh, dt, (D, D))
    if dt == np.float32:
        _forward[float](xzrh, Wzr, Wh, s, z, r, h, rs)
    else:
        _forward[double](xzrh, Wzr, Wh, s, z, r, h, rs)


cdef _forward(const floating[:, :, ::1] xzrh, const floating[:, ::1] Wzr,
              const floating[:, ::1] Wh, floating[:, :, ::1] s,
              floating[:, :, ::1] z, floating[:, :, ::1] r, floating[:, :, ::1] h,
              floating[:, :, ::1] rs):
    cdef Py_ssize_t t, T = z.shape[0], N = z.shape[1], D = z.shape[2]
    s_arr, rs_arr = np.asarray(s), np.asarray(rs)
    dt = s_arr.dtype
    szr_arr = np.empty((N, 2 * D), dtype=dt)
    rsh_arr = np.empty((N, D), dtype=dt)
    cdef floating[:, ::1] szr = szr_arr
    cdef floating[:, ::1] rsh = rsh_arr
    Wzr_arr, Wh_arr = np.asarray(Wzr), np.asarray(Wh)
    for t in range(T):
        np.matmul(s_arr[t], Wzr_arr, out=szr_arr)
        with nogil:
            _gates(xzrh[t], szr, s[t], z[t], r[t], rs[t])
        np.matmul(rs_arr[t], Wh_arr, out=rsh_arr)
        with nogil:
            _update(xzrh[t], rsh, s[t], z[t], h[t], s[t + 1])


# ---------------------------------------------------------------------------
# backward
# ---------------------------------------------------------------------------
def gru_backward(G, s, z, r, h, rs, Wzr, Wh, dzr, dah, Py_ssize_t bp_lim=-1):
    """Back-propagate through the recurrence (fills ``dzr`` and ``dah`` in place).

    Parameters
    ----------
    G : ndarray, shape-(T, N, D)
        dL/ds[1:] from the layer's output (not yet propagated through time).
    s, z, r, h, rs : ndarray
        As filled by ``gru_forward``.
    Wzr, Wh : ndarray
        As given to ``gru_forward``.
    dzr : ndarray, shape-(T, N, 2D)
        Output: ``[dL/d(pre-z) | dL/d(pre-r)]`` for every step.
    dah : ndarray, shape-(T, N, D)
        Output: dL/d(pre-h) for every step.
    bp_lim : int
        Propagate each step's gradient at most ``bp_lim`` steps back in time;
        negative for no limit.
    """
    T, N, D = _check_state(s, z, r, h, rs)
    dt = s.dtype
    _check("G", G, dt, (T, N, D))
    _check("Wzr", Wzr, dt, (D, 2 * D))
    _check("Wh", Wh, dt, (D, D))
    _check("dzr", dzr, dt, (T, N, 2 * D))
    _check("dah", dah, dt, (T, N, D))
    if T == 0:
        return
    WzrT = np.ascontiguousarray(Wzr.T)
    WhT = np.ascontiguousarray(Wh.T)
    if bp_lim < 0 or bp_lim >= T - 1:
        if dt == np.float32:
            _backward_full[float](G, s, z, r, h, WzrT, WhT, dzr, dah)
        else:
            _backward_full[double](G, s, z, r, h, WzrT, WhT, dzr, dah)
    else:
        if dt == np.float32:
            _backward_truncated[float](G, s, z, r, h, WzrT, WhT, dzr, dah, bp_lim)
        else:
            _backward_truncated[double](G, s, z, r, h, WzrT, WhT, dzr, dah, bp_lim)


cdef class _Step:
    """One backward step (two elementwise kernels around two BLAS products) and its buffers.

    Small products such as these run single-threaded in BLAS, so calling it per
    step costs a few microseconds; the kernels run without the GIL.
    """
    cdef object WzrT, WhT, drs_arr, tmp_arr

    def __init__(self, WzrT, WhT, Py_ssize_t N, Py_ssize_t D, dt):
        self.WzrT = np.asarray(WzrT)
        self.WhT = np.asarray(WhT)
        self.drs_arr = np.empty((N, D), dtype=dt)
        self.tmp_arr = np.empty((N, D), dtype=dt)

    cdef run(self, const floating[:, ::1] dS, const floating[:, ::1] sp,
             const floating[:, ::1] z, const floating[:, ::1] r, const floating[:, ::1] h,
             object dzr_t, object dah_t, floating[:, ::1] dsp):
        """Given dS = dL/ds[t+1] (total), write the step's pre-activation gradients
        (dzr_t = [daz | dar], dah_t) and dL/ds[t] (dsp)."""
        cdef floating[:, ::1] dzr = dzr_t
        cdef floating[:, ::1] dah = dah_t
        cdef floating[:, ::1] drs = self.drs_arr
        cdef floating[:, ::1] tmp = self.tmp_arr
        with nogil:
            _back_a(dS, sp, z, h, dzr, dah, dsp)
        np.matmul(dah_t, self.WhT, out=self.drs_arr)     # dL/d(r * s) = dah Wh^T
        with nogil:
            _back_b(drs, sp, r, dzr, dsp)
        np.matmul(dzr_t, self.WzrT, out=self.tmp_arr)    # [daz | dar] [Wz | Wr]^T
        with nogil:
            _add_into(dsp, tmp)


cdef _backward_full(const floating[:, :, ::1] G, const floating[:, :, ::1] s,
                    const floating[:, :, ::1] z, const floating[:, :, ::1] r,
                    const floating[:, :, ::1] h, const floating[:, ::1] WzrT,
                    const floating[:, ::1] WhT, floating[:, :, ::1] dzr,
                    floating[:, :, ::1] dah):
    cdef Py_ssize_t t, T = z.shape[0], N = z.shape[1], D = z.shape[2]
    dt = np.asarray(s).dtype
    cdef floating[:, ::1] carry = np.zeros((N, D), dtype=dt)
    cdef floating[:, ::1] dS = np.empty((N, D), dtype=dt)
    cdef _Step step = _Step(WzrT, WhT, N, D, dt)
    dzr_arr, dah_arr = np.asarray(dzr), np.asarray(dah)
    for t in range(T - 1, -1, -1):
        with nogil:
            _sum2(dS, G[t], carry)
        step.run(dS, s[t], z[t], r[t], h[t], dzr_arr[t], dah_arr[t], carry)


cdef _backward_truncated(const floating[:, :, ::1] G, const floating[:, :, ::1] s,
                         const floating[:, :, ::1] z, const floating[:, :, ::1] r,
                         const floating[:, :, ::1] h, const floating[:, ::1] WzrT,
                         const floating[:, ::1] WhT, floating[:, :, ::1] dzr,
                         floating[:, :, ::1] dah, Py_ssize_t bp_lim):
    # total[t] = sum over j <= bp_lim of step t+j's gradient carried j steps back:
    # level i holds the gradients carried exactly i steps
    cdef Py_ssize_t t, i, T = z.shape[0], N = z.shape[1], D = z.shape[2]
    dt = np.asarray(s).dtype
    cdef floating[:, :, ::1] total = np.array(np.asarray(G), copy=True)
    cdef floating[:, :, ::1] level = np.array(np.asarray(G), copy=True)
    cdef floating[:, :, ::1] new = np.zeros_like(np.asarray(G))
    cdef floating[:, :, ::1] swap
    cdef floating[:, ::1] scratch = np.empty((N, D), dtype=dt)
    cdef _Step step = _Step(WzrT, WhT, N, D, dt)
    dzr_arr, dah_arr = np.asarray(dzr), np.asarray(dah)
    for i in range(bp_lim):
        for t in range(1, T):
            step.run(level[t], s[t], z[t], r[t], h[t], dzr_arr[t], dah_arr[t], new[t - 1])
        with nogil:
            for t in range(T - 1):
                _add_into(total[t], new[t])
        swap = level
        level = new
        new = swap
        new[T - 1, :, :] = 0
    for t in range(T):
        step.run(total[t], s[t], z[t], r[t], h[t], dzr_arr[t], dah_arr[t], scratch)
