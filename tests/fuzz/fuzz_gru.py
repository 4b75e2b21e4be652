"""Fuzz the GRU time loops ``mygrad_c._gru.gru_forward`` / ``gru_backward``.

Fuzz bytes choose T, N, D, the dtype, the values (NaN/inf included), a
truncation ``bp_lim`` and sometimes a wrong shape/dtype/layout for one
argument (which must raise TypeError/ValueError without touching the outputs).
Reference: the recurrence and its back-propagation written directly in NumPy
(float64); the truncated backward is checked against the definition "each
step's gradient travels at most ``bp_lim`` steps back", computed one source
step at a time.

    python tests/fuzz/fuzz_gru.py -max_total_time=60
"""
from _common import Provider, add_repo_to_path, assert_close_scaled, instrumented, run_main

add_repo_to_path()
import numpy as np  # noqa: E402

with instrumented():
    from mygrad_c._gru import gru_backward, gru_forward


def sig(x):
    return 0.5 * (1 + np.tanh(0.5 * x))


def mm(a, b):
    """a @ b with each product rounded before it is added.  The kernel's products are
    NumPy's matmul (BLAS), which may fuse a multiply and an add (FMA): there an overflowing
    product next to an infinity gives -inf where the separately rounded product gives
    inf - inf = nan - so the forward is checked against either (``ref_forward``'s
    ``product``)."""
    return (a[..., :, None] * b).sum(axis=-2)


def ref_forward(xzrh, Wzr, Wh, s0, product=mm):
    T, N, D3 = xzrh.shape
    D = D3 // 3
    s = np.zeros((T + 1, N, D))
    s[0] = s0
    z, r, h = (np.zeros((T, N, D)) for _ in range(3))
    for t in range(T):
        # (one product by the whole [Wz | Wr], as the kernel computes it: with NumPy's matmul,
        # a product by each half alone may take another BLAS path, fused differently - CI's
        # fuzz step, session 27, found states [-2.5e299, inf] giving -inf one way, nan the other)
        szr = product(s[t], Wzr)
        z[t] = sig(xzrh[t, :, :D] + szr[:, :D])
        r[t] = sig(xzrh[t, :, D:2 * D] + szr[:, D:])
        h[t] = np.tanh(xzrh[t, :, 2 * D:] + product(r[t] * s[t], Wh))
        s[t + 1] = (1 - z[t]) * h[t] + z[t] * s[t]
    return s, z, r, h


def _step_back(dS, t, s, z, r, h, Wzr, Wh):
    """Given dL/ds[t+1] (the part flowing through step t), the step's pre-activation
    gradients and dL/ds[t]."""
    D = s.shape[-1]
    dah = dS * (1 - z[t]) * (1 - h[t] ** 2)
    daz = dS * (s[t] - h[t]) * z[t] * (1 - z[t])
    drs = mm(dah, Wh.T)
    dar = drs * s[t] * r[t] * (1 - r[t])
    ds = dS * z[t] + drs * r[t] + mm(np.concatenate([daz, dar], axis=-1), Wzr.T)
    return np.concatenate([daz, dar], axis=-1), dah, ds


def ref_backward(G, s, z, r, h, Wzr, Wh, bp_lim):
    T, N, D = G.shape
    dzr, dah = np.zeros((T, N, 2 * D)), np.zeros((T, N, D))
    lim = T if bp_lim < 0 else bp_lim
    for t0 in range(T):            # the gradient arriving at s[t0 + 1] ...
        dS = G[t0]
        for t in range(t0, max(t0 - lim, 0) - 1, -1):   # ... passes steps t0, ..., t0 - lim
            a, b, dS = _step_back(dS, t, s, z, r, h, Wzr, Wh)
            dzr[t] += a
            dah[t] += b
    return dzr, dah


def _expect(fn):
    try:
        fn()
    except (TypeError, ValueError):
        return
    raise AssertionError("expected TypeError/ValueError")


def test_one_input(data: bytes) -> None:
    p = Provider(data)
    T, N, D = p.int_in(0, 4), p.int_in(0, 3), p.int_in(0, 3)
    dtype = np.dtype(p.pick((np.float64, np.float32)))
    special = p.byte() < 20

    def arr(shape):
        a = p.values(int(np.prod(shape)), special).reshape(shape) / 4
        with np.errstate(all="ignore"):
            return a.astype(dtype)

    xzrh, Wzr, Wh = arr((T, N, 3 * D)), arr((D, 2 * D)), arr((D, D))
    s = np.zeros((T + 1, N, D), dtype=dtype)
    s[0] = arr((N, D))
    z, r, h, rs = (np.zeros((T, N, D), dtype=dtype) for _ in range(4))
    args = [xzrh, Wzr, Wh, s, z, r, h, rs]
    bad = p.byte() < 40
    if bad:   # corrupt one argument: dtype, shape or layout
        i = p.int_in(0, 7)
        how = p.int_in(0, 3)
        a = args[i]
        if how == 0:
            with np.errstate(all="ignore"):
                args[i] = a.astype(np.float32 if dtype == np.float64 else np.float64)
        elif how == 1:
            args[i] = np.zeros(a.shape[:-1] + (a.shape[-1] + 1,), dtype=dtype)
        elif how == 2 and not np.asfortranarray(a).flags.c_contiguous:
            args[i] = np.asfortranarray(a)
        elif how == 3:
            args[i] = a.tolist()
        else:
            bad = False
    if bad:
        before = [np.array(a, copy=True) for a in (s, z, r, h, rs)]
        _expect(lambda: gru_forward(*args))
        for a, b in zip((s, z, r, h, rs), before):
            assert np.array_equal(a, b, equal_nan=True), "outputs written by a rejected call"
        return
    nterms = 3 * D + 2
    tolmul = 50 * max(T, 1)   # errors grow through the recurrence
    with np.errstate(all="ignore"):
        gru_forward(*args)
        inputs = [np.asarray(a, np.float64) for a in (xzrh, Wzr, Wh, s[0])]
        references = [ref_forward(*inputs, product=f) for f in (mm, np.matmul)]
    failures = []
    for rs_ref, zr, rr, hr in references:   # (the kernel's must match one of them throughout)
        scale = np.maximum(1.0, np.abs(rs_ref))
        try:
            for name, got, ref in (("s", s, rs_ref), ("z", z, zr), ("r", r, rr), ("h", h, hr)):
                assert_close_scaled(got, ref, scale[: ref.shape[0]] * tolmul, nterms, dtype,
                                    f"gru_forward {name}")
            break
        except AssertionError as e:
            failures.append(e)
    else:
        raise failures[0]
    assert_close_scaled(rs, r * s[:-1], np.abs(r * s[:-1]), 1, dtype, "gru_forward rs")
    if special:
        return   # NaN/inf forward checked; the backward of NaN states is NaN either way
    G = arr((T, N, D))
    bp_lim = p.int_in(-1, T + 1)
    dzr = np.full((T, N, 2 * D), np.nan, dtype=dtype)
    dah = np.full((T, N, D), np.nan, dtype=dtype)
    gru_backward(G, s, z, r, h, rs, Wzr, Wh, dzr, dah, bp_lim)
    # the reference runs on the kernel's own (rounded) forward state
    f64 = [np.asarray(a, np.float64) for a in (G, s, z, r, h, Wzr, Wh)]
    dzr_ref, dah_ref = ref_backward(*f64, bp_lim)
    mag = 1.0 + max(float(np.max(np.abs(G), initial=0)), 1.0) * (1 + float(np.max(np.abs(Wzr), initial=0)) + float(np.max(np.abs(Wh), initial=0))) ** T
    for name, got, ref in (("dzr", dzr, dzr_ref), ("dah", dah, dah_ref)):
        assert_close_scaled(got, ref, np.full(ref.shape, mag * 10), nterms * (T + 1), dtype,
                            f"gru_backward {name} (bp_lim={bp_lim})")


def main():
    run_main(test_one_input)


if __name__ == "__main__":
    main()
