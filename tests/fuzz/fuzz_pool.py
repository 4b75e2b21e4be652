"""Fuzz the max-pool kernels: ``mygrad_c._pool.max_pool_forward`` /
``max_pool_backward`` directly and ``mygrad_c.nnet.max_pool`` (forward and
backward) through its public wrapper.

Reference (plain NumPy): each window flattened in row-major order, the winner
chosen by ``np.argmax`` (first maximum; the first NaN beats everything); the
backward pass is ``np.add.at`` through the winners.  Bad geometry must raise
ValueError (kernels) or the same error as MyGrad (``max_pool``).

    python tests/fuzz/fuzz_pool.py -max_total_time=60
"""
import itertools

from _common import (Provider, add_repo_to_path, assert_close_scaled, assert_same,
                     instrumented, run_main, same_error)

add_repo_to_path()
import numpy as np  # noqa: E402

with instrumented():
    import mygrad_c as mg
    from mygrad_c._pool import max_pool_backward, max_pool_forward
import mygrad  # noqa: E402  (oracle for max_pool's errors only)


def ref_pool(x, K, st):
    """(out, arg, index) for x of shape (M, *S): arg = flat offset of the winner in its sample,
    index = its row-major index within its window."""
    M, S = x.shape[0], x.shape[1:]
    D = len(S)
    G = tuple((S[j] - K[j]) // st[j] + 1 for j in range(D))
    out = np.empty((M,) + G, dtype=x.dtype)
    arg = np.empty((M,) + G, dtype=np.intp)
    index = np.empty((M,) + G, dtype=np.intp)
    offsets = np.array([np.ravel_multi_index(k, S) for k in itertools.product(*map(range, K))]
                       if all(S) else [], dtype=np.intp)
    for m in range(M):
        flat = np.asarray(x[m]).reshape(-1)
        for g in itertools.product(*map(range, G)):
            origin = np.ravel_multi_index(tuple(gi * si for gi, si in zip(g, st)), S)
            win = flat[origin + offsets]
            b = int(np.argmax(win))
            out[(m,) + g] = win[b]
            arg[(m,) + g] = origin + offsets[b]
            index[(m,) + g] = b
    return out, arg, index


def _expect(exc, fn):
    try:
        fn()
    except exc:
        return
    raise AssertionError(f"expected {exc.__name__}")


def _kernels(p: Provider) -> None:
    M = p.int_in(0, 3)
    S = tuple(p.int_in(0, 5) for _ in range(3))
    K = tuple(p.int_in(0, 3) if p.byte() < 20 else p.int_in(1, 3) for _ in range(3))
    st = tuple(p.int_in(0, 3) if p.byte() < 20 else p.int_in(1, 3) for _ in range(3))
    if p.byte() < 120:   # the unrolled 2x2 path
        K = (1, 2, 2)
    dtype = np.dtype(p.pick((np.float64, np.float32, np.float64, np.float32, np.float16)))
    x = p.array((M,) + S, dtype)
    ok_dtype = x.dtype in (np.dtype(np.float32), np.dtype(np.float64))
    fits = all(k >= 1 and t >= 1 and k <= s for k, t, s in zip(K, st, S))
    if not ok_dtype:
        _expect(TypeError, lambda: max_pool_forward(x, K, st))
    elif not fits:
        _expect(ValueError, lambda: max_pool_forward(x, K, st))
    else:
        out, index = max_pool_forward(x, K, st)
        ref_out, _, ref_index = ref_pool(x, K, st)
        Kn = int(np.prod(K))
        assert out.dtype == x.dtype and index.dtype == (np.uint8 if Kn <= 256 else np.intp)
        assert_same(out, ref_out, "max_pool_forward values", exact=True)
        assert_same(index, ref_index, "max_pool_forward argmax", exact=True)
    # backward with arbitrary (possibly out-of-range) winners: index in the window
    if not fits:
        if dtype in (np.float32, np.float64):
            _expect(ValueError, lambda: max_pool_backward(np.zeros((M, 1, 1, 1), dtype),
                                                          np.zeros((M, 1, 1, 1), np.uint8), (M,) + S, K, st))
        return
    G = tuple((s - k) // t + 1 for s, k, t in zip(S, K, st))
    if p.byte() < 20:  # a wrong grid
        G = tuple(g + p.pick((0, 1)) for g in G)
    Kn = int(np.prod(K))
    grad = p.array((M,) + G, dtype)
    idx_dtype = np.uint8 if Kn <= 256 else np.intp
    if p.byte() < 10:
        idx_dtype = p.pick((np.int32, np.intp, np.uint8))
    index = np.array([p.int_in(0, Kn + 1) if p.byte() < 15 else p.int_in(0, Kn - 1)
                      for _ in range(int(np.prod((M,) + G)))], dtype=idx_dtype).reshape((M,) + G)
    good_grid = G == tuple((s - k) // t + 1 for s, k, t in zip(S, K, st))
    if grad.dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        return _expect(TypeError, lambda: max_pool_backward(grad, index, (M,) + S, K, st))
    if (not good_grid or index.dtype != (np.uint8 if Kn <= 256 else np.intp)
            or (grad.size and index.max() >= Kn)):
        return _expect(ValueError, lambda: max_pool_backward(grad, index, (M,) + S, K, st))
    dx = max_pool_backward(grad, index, (M,) + S, K, st)
    ref = np.zeros((M,) + S, dtype=dtype)
    for i in np.ndindex(*grad.shape):
        k = np.unravel_index(int(index[i]), K)
        ref[(i[0],) + tuple(g * t + kj for g, t, kj in zip(i[1:], st, k))] += grad[i]
    assert dx.dtype == dtype
    assert_same(dx, ref, "max_pool_backward", exact=True)


def _public(p: Provider) -> None:
    D = p.int_in(1, 3)
    lead = tuple(p.int_in(0, 2) for _ in range(p.int_in(0, 2)))
    S = tuple(p.int_in(0, 5) for _ in range(D))
    pool = tuple(p.int_in(0, 3) if p.byte() < 10 else p.int_in(1, 3) for _ in range(D))
    stride = p.int_in(0, 3) if p.flag() else tuple(p.int_in(1, 3) for _ in range(D))
    dtype = np.dtype(p.pick((np.float64, np.float32, np.float16)))
    x = p.array(lead + S, dtype)
    xc, xr = mg.tensor(x), mygrad.tensor(np.array(x))
    res = same_error(lambda: mg.nnet.max_pool(xc, pool, stride),
                     lambda: mygrad.nnet.max_pool(xr, pool, stride))
    if res is None:
        return
    out = res[0]
    st = (stride,) * D if isinstance(stride, int) else stride
    M = int(np.prod(lead))
    ref_out, ref_arg, _ = ref_pool(np.asarray(x).reshape((M,) + S), pool, st)
    assert out.dtype == x.dtype
    assert_same(out.data, ref_out.reshape(out.shape), "max_pool forward", exact=True)
    g = p.array(out.shape, dtype, special=False)
    out.backward(g)
    ref = np.zeros((M, int(np.prod(S))))
    if g.size:
        np.add.at(ref, (np.arange(M)[:, None], ref_arg.reshape(M, -1)),
                  np.asarray(g, dtype=np.float64).reshape(M, -1))
    ref_abs = np.zeros_like(ref)
    if g.size:
        np.add.at(ref_abs, (np.arange(M)[:, None], ref_arg.reshape(M, -1)),
                  np.abs(np.asarray(g, dtype=np.float64)).reshape(M, -1))
    assert xc.grad is not None and xc.grad.dtype == xc.dtype
    assert_close_scaled(xc.grad, ref.reshape(x.shape), ref_abs.reshape(x.shape),
                        int(np.prod(pool)), dtype, "max_pool backward")


def test_one_input(data: bytes) -> None:
    p = Provider(data)
    if p.flag():
        _kernels(p)
    else:
        _public(p)


def main():
    run_main(test_one_input)


if __name__ == "__main__":
    main()
