"""Fuzz ``mygrad_c._engine.reduce_broadcast`` (the engine's broadcast reduction).

Drives it with gradients of any dtype/shape/layout (0-d, empty, strided,
reversed, stride-0 broadcast, big-endian, read-only, offset) and target shapes
that are valid or not, and compares with a float64 NumPy reference: the sum
over the prepended axes and (keeping them) over the axes where the target has
length 1.  Invalid targets must raise ValueError (exactly when NumPy says the
shape does not broadcast).

    python tests/fuzz/fuzz_reduce_broadcast.py -max_total_time=60
"""
import sys

from _common import Provider, add_repo_to_path, instrumented, run_main

add_repo_to_path()
import numpy as np  # noqa: E402

with instrumented():
    from mygrad_c._engine import reduce_broadcast

DTYPES = (np.float64, np.float32, np.float16, np.int64, np.int32, np.uint8, np.bool_)


def _broadcasts(var_shape, shape) -> bool:
    if len(var_shape) > len(shape) or any(v < 0 for v in var_shape):
        return False
    try:
        np.broadcast_shapes(tuple(var_shape), tuple(shape))
    except ValueError:
        return False
    return np.broadcast_shapes(tuple(var_shape), tuple(shape)) == tuple(shape)


def test_one_input(data: bytes) -> None:
    p = Provider(data)
    ndim = p.int_in(0, 4)
    shape = tuple(p.int_in(0, 4) if p.byte() < 40 else p.int_in(1, 4) for _ in range(ndim))
    dtype = np.dtype(p.pick(DTYPES))
    grad = p.array(shape, dtype)
    # a target shape: drop leading axes, squash some axes to 1, sometimes corrupt one
    lead = p.int_in(0, ndim)
    var = [1 if p.byte() < 80 else s for s in shape[lead:]]
    if p.byte() < 30 and var:
        var[p.int_in(0, len(var) - 1)] = p.int_in(-2, 5)
    if p.byte() < 10:
        var = [p.int_in(1, 3)] + list(shape)   # more axes than the gradient
    var_shape = tuple(var)

    if not _broadcasts(var_shape, shape):
        try:
            reduce_broadcast(grad, var_shape)
        except ValueError:
            return
        raise AssertionError(f"no ValueError reducing shape {shape} to {var_shape}")

    out = reduce_broadcast(grad, var_shape)
    assert isinstance(out, np.ndarray), type(out)
    assert out.shape == var_shape, (out.shape, var_shape)
    lead_n = len(shape) - len(var_shape)
    axes = tuple(range(lead_n)) + tuple(lead_n + i for i, v in enumerate(var_shape)
                                        if v == 1 and shape[lead_n + i] != 1)
    expected_dtype = np.add.reduce(np.zeros((1,), dtype=grad.dtype)).dtype if axes else grad.dtype
    assert out.dtype == expected_dtype, (out.dtype, expected_dtype, dtype)
    if not axes:
        assert np.array_equal(out, grad, equal_nan=True)
        return
    g64 = np.asarray(grad, dtype=np.float64)
    ref = np.sum(g64, axis=axes, keepdims=True).reshape(var_shape)
    got = out.astype(np.float64)
    finite = np.isfinite(ref)
    assert np.array_equal(got[~finite], ref[~finite], equal_nan=True), (got, ref)
    if dtype.kind == "f":
        eps = np.finfo(dtype).eps
        scale = np.sum(np.abs(g64), axis=axes, keepdims=True).reshape(var_shape)
        err = np.abs(got - ref)[finite]
        assert np.all(err <= 4 * eps * scale[finite] + 1e-12), (got, ref)
    else:  # integer sums wrap identically in any order: compare in the result dtype
        ref_int = np.sum(grad.astype(expected_dtype), axis=axes, keepdims=True).reshape(var_shape)
        assert np.array_equal(out, ref_int), (out, ref_int)


def main():
    run_main(test_one_input)


if __name__ == "__main__":
    main()
