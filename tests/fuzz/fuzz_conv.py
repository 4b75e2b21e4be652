"""Fuzz the convolution kernels: ``mygrad_c._conv.im2col`` / ``col2im`` and the chunked
drivers ``conv_forward`` / ``conv_grad_w`` / ``conv_grad_x`` directly, and
``mygrad_c.nnet.conv_nd`` (forward and backward) through its public wrapper.

References are plain NumPy: the column tensor is a fancy-index gather from the
zero-padded input, ``col2im`` is the matching ``np.add.at`` scatter, and the
convolution is an ``einsum`` over the columns.  Geometry that does not fit must
raise ValueError (kernels) or the same error as MyGrad (``conv_nd``).

    python tests/fuzz/fuzz_conv.py -max_total_time=60
"""
from _common import (Provider, add_repo_to_path, assert_close_scaled, assert_same,
                     instrumented, run_main, same_error)

add_repo_to_path()
import numpy as np  # noqa: E402

with instrumented():
    import mygrad_c as mg
    from mygrad_c import _conv
    from mygrad_c._conv import col2im, conv_forward, conv_grad_w, conv_grad_x, im2col
import mygrad  # noqa: E402  (oracle for conv_nd's errors only)


def _gather_index(S, K, G, st, pd, dl):
    """Index arrays (one per spatial axis, shape K + G) into the padded input."""
    D = len(S)
    idx = []
    for j in range(D):
        shape_k = [1] * (2 * D)
        shape_k[j] = K[j]
        shape_g = [1] * (2 * D)
        shape_g[D + j] = G[j]
        idx.append(np.arange(K[j]).reshape(shape_k) * dl[j] + np.arange(G[j]).reshape(shape_g) * st[j])
    return tuple(np.broadcast_arrays(*idx)) if idx else ()


def ref_im2col(x, K, G, st, pd, dl):
    xp = np.pad(np.asarray(x, dtype=np.float64), [(0, 0), (0, 0)] + [(p, p) for p in pd])
    return xp[(slice(None), slice(None)) + _gather_index(x.shape[2:], K, G, st, pd, dl)]


def ref_col2im(cols, x_shape, st, pd, dl):
    D = len(x_shape) - 2
    K, G = cols.shape[2:2 + D], cols.shape[2 + D:]
    padded = tuple(s + 2 * p for s, p in zip(x_shape[2:], pd))
    dxp = np.zeros(tuple(x_shape[:2]) + padded)
    idx = _gather_index(x_shape[2:], K, G, st, pd, dl)
    np.add.at(dxp, (slice(None), slice(None)) + idx, np.asarray(cols, dtype=np.float64))
    return dxp[(Ellipsis,) + tuple(slice(p, p + s) for p, s in zip(pd, x_shape[2:]))]


def _fits(S, K, G, st, pd, dl):
    return all(s >= 0 and k >= 1 and g >= 1 and t >= 1 and p >= 0 and d >= 1
               and (k - 1) * d + (g - 1) * t + 1 <= s + 2 * p
               for s, k, g, t, p, d in zip(S, K, G, st, pd, dl))


def _expect(exc, fn):
    try:
        fn()
    except exc:
        return
    raise AssertionError(f"expected {exc.__name__}")


def _geometry(p: Provider, D: int):
    S = tuple(p.int_in(0, 5) for _ in range(D))
    K = tuple(p.int_in(0, 3) if p.byte() < 20 else p.int_in(1, 3) for _ in range(D))
    st = tuple(p.int_in(0, 3) if p.byte() < 20 else p.int_in(1, 3) for _ in range(D))
    pd = tuple(p.int_in(-1, 2) if p.byte() < 20 else p.int_in(0, 2) for _ in range(D))
    dl = tuple(p.int_in(0, 2) if p.byte() < 20 else p.int_in(1, 2) for _ in range(D))
    return S, K, st, pd, dl


def _grid(S, K, st, pd, dl, p: Provider):
    G = []
    for s, k, t, q, d in zip(S, K, st, pd, dl):
        room = s + 2 * q - (k - 1) * d - 1
        g = room // t + 1 if t > 0 and room >= 0 else 1
        if p.byte() < 25:
            g += p.pick((-1, 1))
        G.append(max(g, 0 if p.byte() < 5 else 1))
    return tuple(G)


def _kernels(p: Provider) -> None:
    N, C = p.int_in(0, 2), p.int_in(0, 2)
    S, K, st, pd, dl = _geometry(p, 3)
    G = _grid(S, K, st, pd, dl, p)
    dtype = np.dtype(p.pick((np.float64, np.float32, np.float64, np.float32, np.float16, np.int32)))
    x = p.array((N, C) + S, dtype)
    ok_dtype = x.dtype in (np.dtype(np.float32), np.dtype(np.float64))
    if not ok_dtype:
        _expect(TypeError, lambda: im2col(x, K, G, st, pd, dl))
    elif not _fits(S, K, G, st, pd, dl):
        _expect(ValueError, lambda: im2col(x, K, G, st, pd, dl))
    else:
        cols = im2col(x, K, G, st, pd, dl)
        assert cols.dtype == x.dtype and cols.flags.c_contiguous
        assert_same(cols, ref_im2col(x, K, G, st, pd, dl), "im2col", exact=True)

    # col2im: a fresh column tensor (own layout), optionally accumulating into `out`
    cols = p.array((N, C) + tuple(max(k, 0) for k in K) + tuple(max(g, 0) for g in G), dtype)
    x_shape = (N, C) + S
    use_out = p.byte() < 60
    out = p.array(x_shape, dtype, layout=p.pick(("c", "c", "f", "readonly"))) if use_out else None
    kwargs = {"out": out} if use_out else {}
    if cols.dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        return _expect(TypeError, lambda: col2im(cols, x_shape, st, pd, dl, **kwargs))
    if not _fits(S, K, G, st, pd, dl):
        return _expect(ValueError, lambda: col2im(cols, x_shape, st, pd, dl, **kwargs))
    if use_out and not (out.flags.c_contiguous and out.flags.writeable
                        and out.dtype == cols.dtype and out.shape == x_shape):
        before = out.copy()
        _expect(ValueError, lambda: col2im(cols, x_shape, st, pd, dl, **kwargs))
        return assert_same(out, before, "out after a rejected col2im", exact=True)
    start = np.zeros(x_shape) if out is None else out.astype(np.float64)
    dx = col2im(cols, x_shape, st, pd, dl, **kwargs)
    if use_out:
        assert dx is out
    assert dx.dtype == cols.dtype and dx.shape == x_shape
    ref = start + ref_col2im(cols, x_shape, st, pd, dl)
    scale = np.abs(start) + ref_col2im(np.abs(np.asarray(cols, dtype=np.float64)), x_shape, st, pd, dl)
    assert_close_scaled(dx, ref, scale, int(np.prod(K)) + 1, dtype, "col2im")


def _drivers(p: Provider) -> None:
    """The chunked drivers on any 3-d geometry (the grid need not tile the input), any
    layout and dtype, any chunk size; bad input must raise TypeError/ValueError.  Half of
    the time the direct stride-1 kernels are made to take every pass they can (their
    limits of waste and filter rows lifted: on these small geometries they would decline)."""
    force = p.flag()
    saved = _conv._MAX_WASTE, _conv._MIN_ROWS
    if force:
        _conv._MAX_WASTE, _conv._MIN_ROWS = float("inf"), 1
    try:
        _drivers_checked(p)
    finally:
        _conv._MAX_WASTE, _conv._MIN_ROWS = saved


def _drivers_checked(p: Provider) -> None:
    N, C, F = p.int_in(0, 3), p.int_in(0, 3), p.int_in(0, 3)
    S, K, st, pd, dl = _geometry(p, 3)
    dtype = np.dtype(p.pick((np.float64, np.float32, np.float64, np.float32, np.float16)))
    wdtype = dtype if p.byte() < 230 else np.dtype(np.float32 if dtype == np.float64 else np.float64)
    x = p.array((N, C) + S, dtype)
    w = p.array((F, C if p.byte() < 240 else C + 1) + tuple(max(k, 0) for k in K), wdtype)
    chunk = p.pick((1, 64, 4096, 1 << 20))
    floats = (np.dtype(np.float32), np.dtype(np.float64))
    rooms = [s + 2 * q - (k - 1) * d - 1 for s, k, q, d in zip(S, K, pd, dl)]
    fits = (all(k >= 1 and t >= 1 and q >= 0 and d >= 1 and r >= 0
                for k, t, q, d, r in zip(K, st, pd, dl, rooms)) and w.shape[1] == C)
    if x.dtype not in floats or w.dtype not in floats or x.dtype != w.dtype:
        return _expect(TypeError, lambda: conv_forward(x, w, st, pd, dl, chunk_bytes=chunk))
    if not fits:
        return _expect(ValueError, lambda: conv_forward(x, w, st, pd, dl, chunk_bytes=chunk))
    G = tuple(r // t + 1 for r, t in zip(rooms, st))
    cols = ref_im2col(x, K, G, st, pd, dl)                    # (N, C, *K, *G), float64
    w64 = np.asarray(w, dtype=np.float64)
    out = conv_forward(x, w, st, pd, dl, chunk_bytes=chunk)
    assert out.dtype == x.dtype and out.shape == (N, F) + G and out.flags.c_contiguous
    ref = np.einsum("fcijk,ncijkuvw->nfuvw", w64, cols)
    scale = np.einsum("fcijk,ncijkuvw->nfuvw", np.abs(w64), np.abs(cols))
    assert_close_scaled(out, ref, scale, C * int(np.prod(K)), dtype, "conv_forward")
    gshape = (N, F) + G if p.byte() < 240 else (N, F + 1) + G
    g = p.array(gshape, dtype, special=False)
    if g.dtype not in floats:   # e.g. a big-endian layout
        _expect(TypeError, lambda: conv_grad_w(x, g, w.shape, st, pd, dl, chunk_bytes=chunk))
        return _expect(TypeError, lambda: conv_grad_x(g, w, x.shape, st, pd, dl, chunk_bytes=chunk))
    if gshape != (N, F) + G:
        _expect(ValueError, lambda: conv_grad_w(x, g, w.shape, st, pd, dl, chunk_bytes=chunk))
        return _expect(ValueError, lambda: conv_grad_x(g, w, x.shape, st, pd, dl, chunk_bytes=chunk))
    g64 = np.asarray(g, dtype=np.float64)
    dw = conv_grad_w(x, g, w.shape, st, pd, dl, chunk_bytes=chunk)
    assert dw.dtype == dtype and dw.shape == w.shape
    assert_close_scaled(dw, np.einsum("nfuvw,ncijkuvw->fcijk", g64, cols),
                        np.einsum("nfuvw,ncijkuvw->fcijk", np.abs(g64), np.abs(cols)),
                        max(N, 1) * int(np.prod(G)), dtype, "conv_grad_w")
    dx = conv_grad_x(g, w, x.shape, st, pd, dl, chunk_bytes=chunk)
    assert dx.dtype == dtype and dx.shape == x.shape
    dcols = np.einsum("fcijk,nfuvw->ncijkuvw", w64, g64)
    dcols_abs = np.einsum("fcijk,nfuvw->ncijkuvw", np.abs(w64), np.abs(g64))
    assert_close_scaled(dx, ref_col2im(dcols, x.shape, st, pd, dl),
                        ref_col2im(dcols_abs, x.shape, st, pd, dl),
                        F * int(np.prod(K)) + 1, dtype, "conv_grad_x")


def _direct(p: Provider) -> None:
    """The direct stride-1 kernels called as such, on geometries that always fit (no limit
    of waste or filter rows): their result matches the reference, or they decline (None)
    only after a floating-point flag that NumPy would report - never with nothing to show."""
    D = 3
    N, C, F = p.int_in(1, 3), p.int_in(1, 9), p.int_in(1, 10)
    K = tuple(p.int_in(1, 3) for _ in range(D))
    dl = tuple(p.int_in(1, 2) for _ in range(D))
    pd = tuple(p.int_in(0, 2) for _ in range(D))
    G = tuple(p.int_in(1, 5) for _ in range(D))
    # the input: what the grid needs, minus the padding (at least 0), maybe a bit more
    S = tuple(max(0, (g - 1) + (k - 1) * d + 1 - 2 * q) + p.int_in(0, 1) for g, k, d, q in zip(G, K, dl, pd))
    dtype = np.dtype(p.pick((np.float32, np.float64)))
    x = p.array((N, C) + S, dtype)
    w = p.array((F, C) + K, dtype)
    x, w = np.ascontiguousarray(x), np.ascontiguousarray(w)
    if x.size == 0 or not (x.dtype.isnative and w.dtype.isnative):
        return
    rooms = [s + 2 * q - (k - 1) * d - 1 for s, k, q, d in zip(S, K, pd, dl)]
    G = tuple(r + 1 for r in rooms)
    cols = ref_im2col(x, K, G, (1, 1, 1), pd, dl)
    w64 = np.asarray(w, dtype=np.float64)
    saved, _conv._MAX_WASTE = _conv._MAX_WASTE, float("inf")
    try:
        with np.errstate(all="ignore"):
            out = _conv._direct_forward(x, w, np.empty((N, F) + G, dtype), dl, pd)
            g = np.ascontiguousarray(p.array((N, F) + G, dtype, special=False))
            dw = (_conv._direct_grad_w(x, g, w.shape, dl, pd, p.pick((1, 4096, 1 << 20)))
                  if g.dtype.isnative else None)
    finally:
        _conv._MAX_WASTE = saved
    if out is not None:
        with np.errstate(all="ignore"):
            ref = np.einsum("fcijk,ncijkuvw->nfuvw", w64, cols)
            scale = np.einsum("fcijk,ncijkuvw->nfuvw", np.abs(w64), np.abs(cols))
        assert_close_scaled(out, ref, scale, C * int(np.prod(K)), dtype, "direct forward")
    else:   # declined: a flag was raised - the values had something to raise it
        assert not (np.isfinite(x).all() and np.isfinite(w).all()
                    and float(np.abs(x).max(initial=0)) * float(np.abs(w).max(initial=0)) * C * np.prod(K) < 1e30), \
            "the direct forward declined finite, moderate values"
    if dw is not None:
        g64 = np.asarray(g, dtype=np.float64)
        with np.errstate(all="ignore"):
            ref = np.einsum("nfuvw,ncijkuvw->fcijk", g64, cols).reshape(F, -1)
            scale = np.einsum("nfuvw,ncijkuvw->fcijk", np.abs(g64), np.abs(cols)).reshape(F, -1)
        assert_close_scaled(dw, ref, scale, N * int(np.prod(G)), dtype, "direct d/dw")


def _public(p: Provider) -> None:
    D = p.int_in(1, 3)
    N, C, F = p.int_in(0, 2), p.int_in(1, 2), p.int_in(1, 2)
    S, K, st, pd, dl = _geometry(p, D)
    dtype = np.dtype(p.pick((np.float64, np.float32, np.float16)))
    x = p.array((N, C) + S, dtype, special=False)
    w = p.array((F, C) + K, dtype, special=False)
    scalar = p.flag()
    kw = (dict(stride=st[0], padding=pd[0], dilation=dl[0]) if scalar
          else dict(stride=st, padding=pd, dilation=dl))
    if scalar:
        st, pd, dl = (st[0],) * D, (pd[0],) * D, (dl[0],) * D
    xc, wc = mg.tensor(x), mg.tensor(w)
    xr, wr = mygrad.tensor(np.array(x)), mygrad.tensor(np.array(w))
    res = same_error(lambda: mg.nnet.conv_nd(xc, wc, **kw), lambda: mygrad.nnet.conv_nd(xr, wr, **kw))
    if res is None:
        return
    out = res[0]
    G = out.shape[2:]
    cols = ref_im2col(x, K, G, st, pd, dl)                   # (N, C, *K, *G)
    w64 = np.asarray(w, dtype=np.float64)
    sub = "ijk"[:D]
    gsub = "uvw"[:D]
    ref = np.einsum(f"fc{sub},nc{sub}{gsub}->nf{gsub}", w64, cols)
    scale = np.einsum(f"fc{sub},nc{sub}{gsub}->nf{gsub}", np.abs(w64), np.abs(cols))
    nterms = C * int(np.prod(K))
    assert out.dtype == np.result_type(x, w), (out.dtype, x.dtype, w.dtype)
    assert_close_scaled(out.data, ref, scale, nterms, dtype, "conv_nd forward")
    g = p.array(out.shape, dtype, special=False)
    out.backward(g)
    g64 = np.asarray(g, dtype=np.float64)
    dw = np.einsum(f"nf{gsub},nc{sub}{gsub}->fc{sub}", g64, cols)
    dw_scale = np.einsum(f"nf{gsub},nc{sub}{gsub}->fc{sub}", np.abs(g64), np.abs(cols))
    dcols = np.einsum(f"fc{sub},nf{gsub}->nc{sub}{gsub}", w64, g64)
    dcols_abs = np.einsum(f"fc{sub},nf{gsub}->nc{sub}{gsub}", np.abs(w64), np.abs(g64))
    dx = ref_col2im(dcols, x.shape, st, pd, dl)
    dx_scale = ref_col2im(dcols_abs, x.shape, st, pd, dl)
    nt = max(N, 1) * int(np.prod(G)) + F * int(np.prod(K))
    assert_close_scaled(wc.grad, dw, dw_scale, nt, dtype, "conv_nd dw")
    assert_close_scaled(xc.grad, dx, dx_scale, nt, dtype, "conv_nd dx")


def test_one_input(data: bytes) -> None:
    p = Provider(data)
    p.pick((_kernels, _drivers, _public, _direct))(p)


def main():
    run_main(test_one_input)


if __name__ == "__main__":
    main()
