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
    """(out, arg) for x of shape (M, *S): arg = flat offset of the winner in its sample."""
    M, S = x.shape[0], x.shape[1:]
    D = len(S)
    G = tuple((S[j] - K[j]) // st[j] + 1 for j in range(D))
    out = np.empty((M,) + G, dtype=x.dtype)
    arg = np.empty((M,) + G, dtype=np.intp)
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
    return out, arg


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
        out, arg = max_pool_forward(x, K, st)
        ref_out, ref_arg = ref_pool(x, K, st)
        assert out.dtype == x.dtype and arg.dtype == np.intp
        assert_same(out, ref_out, "max_pool_forward values", exact=True)
        assert_same(arg, ref_arg, "max_pool_forward argmax", exact=True)
    # backward with arbitrary (possibly out-of-range) winners
    G = tuple(p.int_in(0, 3) for _ in range(3))
    Sn = int(np.prod(S))
    grad = p.array((M,) + G, dtype)
    arg = np.array([p.int_in(-1, Sn) if p.byte() < 15 else p.int_in(0, max(Sn - 1, 0))
                    for _ in range(int(np.prod((M,) + G)))], dtype=np.intp).reshape((M,) + G)
    if grad.dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        return _expect(TypeError, lambda: max_pool_backward(grad, arg, (M,) + S))
    if grad.size and (arg.min() < 0 or arg.max() >= Sn):
        return _expect(ValueError, lambda: max_pool_backward(grad, arg, (M,) + S))
    dx = max_pool_backward(grad, arg, (M,) + S)
    ref = np.zeros((M, Sn), dtype=dtype)
    if grad.size:
        np.add.at(ref, (np.arange(M)[:, None], arg.reshape(M, -1)), np.asarray(grad).reshape(M, -1))
    assert dx.dtype == dtype
    assert_same(dx, ref.reshape((M,) + S), "max_pool_backward", exact=True)


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
    ref_out, ref_arg = ref_pool(np.asarray(x).reshape((M,) + S), pool, st)
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
