"""Fuzz the index scatter-add kernel (``mygrad_c._indexing.scatter_add_rows``) and
the gather backward that uses it (``Tensor.__getitem__`` + ``backward``).

Mode 0 calls the kernel directly with fuzz-chosen dtypes, row numbers (in and
out of range, any integer dtype, any shape), and ``src``/``out`` layouts
(strided, reversed, stride-0 broadcast, big-endian, read-only, Fortran, ...),
comparing with ``np.add.at`` or with the error the wrapper documents.
Mode 1 indexes a tensor with integer/boolean arrays, slices and ``None`` and
compares the gradient with ``np.add.at(zeros, index, grad)``.

    python tests/fuzz/fuzz_scatter_add.py -max_total_time=60
"""
from _common import Provider, add_repo_to_path, assert_same, instrumented, run_main

add_repo_to_path()
import numpy as np  # noqa: E402

with instrumented():
    import mygrad_c as mg
    from mygrad_c._indexing import scatter_add_rows

INT_DTYPES = (np.intp, np.int8, np.int16, np.int32, np.uint8, np.uint16, np.uint64)


def _expect_error(exc, fn):
    try:
        fn()
    except exc:
        return
    raise AssertionError(f"expected {exc.__name__}")


def _kernel(p: Provider) -> None:
    R, M, N = p.int_in(0, 5), p.int_in(0, 4), p.int_in(0, 7)
    dtype = np.dtype(p.pick((np.float64, np.float32)))
    out_layout = p.pick(("c", "c", "c", "f", "strided", "readonly"))
    out = p.array((R, M), dtype, layout=out_layout)
    rows_dtype = np.dtype(p.pick(INT_DTYPES))
    rows = np.array([p.int_in(-R - 1, R + 1) if p.byte() < 30 else p.int_in(0, max(R - 1, 0))
                     for _ in range(N)], dtype=np.int64)
    if rows_dtype.kind == "u":
        rows = np.where(rows < 0, rows + 2 ** 40 if rows_dtype.itemsize == 8 else 0, rows)
    rows = rows.astype(rows_dtype)
    if p.flag() and N % 2 == 0 and N:
        rows = rows.reshape(2, -1)
    src_dtype = dtype if p.byte() < 240 else np.dtype(np.float16)
    src = p.array((N, M), src_dtype)
    before = out.copy()

    if src.dtype != out.dtype:
        return _expect_error(TypeError, lambda: scatter_add_rows(out, rows, src))
    if not (out.flags.c_contiguous and out.flags.writeable):
        _expect_error(ValueError, lambda: scatter_add_rows(out, rows, src))
        assert_same(out, before, "out after a rejected call", exact=True)
        return
    flat = rows.reshape(-1).astype(np.int64) if rows.dtype != np.uint64 else rows.reshape(-1)
    if N and M and (np.any(flat < 0) or np.any(flat >= R)):
        _expect_error(IndexError, lambda: scatter_add_rows(out, rows, src))
        assert_same(out, before, "out after a rejected call", exact=True)
        return
    ref = before.copy()
    if N and M:
        np.add.at(ref, flat.astype(np.intp), src)
    res = scatter_add_rows(out, rows, src)
    assert res is out
    assert_same(out, ref, "scatter_add_rows", exact=True)   # same adds in the same order


def _index_item(p: Provider, size: int):
    kind = p.int_in(0, 5)
    if kind == 0:
        return slice(None)
    if kind == 1:
        return slice(p.int_in(-3, 3), p.int_in(-3, 4), p.pick((1, 2, -1)))
    if kind == 2:
        return p.int_in(-size - 1, size)
    if kind == 3:
        return None
    n = p.int_in(0, 6)
    if kind == 4:
        arr = np.array([p.int_in(-size - 1, size) for _ in range(n)], dtype=np.intp)
        if np.all(arr >= 0):
            arr = arr.astype(p.pick((np.intp, np.int32, np.uint8)))
        if n == 6 and p.flag():
            arr = arr.reshape(2, 3)
        return arr
    return np.array([p.flag() for _ in range(size)], dtype=bool)


def _gather(p: Provider) -> None:
    ndim = p.int_in(1, 3)
    shape = tuple(p.int_in(0, 4) for _ in range(ndim))
    dtype = np.dtype(p.pick((np.float64, np.float32, np.float16)))
    data = p.array(shape, dtype, special=False)
    index = tuple(_index_item(p, shape[min(i, ndim - 1)]) for i in range(p.int_in(1, ndim)))
    if len(index) == 1 and p.flag():
        index = index[0]
    try:
        fwd = np.asarray(data)[index]
    except (IndexError, ValueError, TypeError) as e:
        try:
            mg.tensor(data)[index]
        except type(e):
            return
        except (IndexError, ValueError, TypeError) as e2:
            raise AssertionError(f"numpy raised {e!r}, mygrad_c raised {e2!r}")
        raise AssertionError(f"numpy raised {e!r}, mygrad_c did not ({index!r})")
    x = mg.tensor(data)
    y = x[index]
    assert_same(y.data, fwd, "gather forward", exact=True)
    g = p.array(fwd.shape, dtype, special=False)
    y.backward(g)
    ref = np.zeros(shape, dtype=np.float64)
    np.add.at(ref, index, np.asarray(g, dtype=np.float64))
    assert x.grad is not None and x.grad.dtype == x.dtype == data.dtype, (x.grad, data.dtype)
    tol = 1e-2 if dtype == np.float16 else (1e-4 if dtype == np.float32 else 1e-9)
    if not np.allclose(x.grad.astype(np.float64), ref, rtol=tol, atol=tol):
        raise AssertionError(f"gather backward: index={index!r}\ngot={x.grad!r}\nref={ref!r}")


def test_one_input(data: bytes) -> None:
    p = Provider(data)
    if p.flag():
        _kernel(p)
    else:
        _gather(p)


def main():
    run_main(test_one_input)


if __name__ == "__main__":
    main()
