"""Fuzz relu: ``mygrad_c._relu.relu_forward`` / ``relu_backward`` directly, and
``mygrad_c.nnet.relu`` (forward and backward) through its public wrapper.  The
backward takes x, or the forward's mask ``x > 0`` (bool).

Reference (plain NumPy): MyGrad's formulas ``x * (x > 0)`` and ``grad * (x > 0)``
with the mask in x's dtype, compared bit for bit (signs of zeros included,
NaN where NaN); the one deliberate difference is ``relu(-inf) = -0.0`` (MyGrad:
NaN).  Arrays the kernels do not take (other dtypes, non-contiguous layouts,
mismatched shapes) must raise TypeError/ValueError; through the public function
every layout and float dtype must work.

    python tests/fuzz/fuzz_relu.py -max_total_time=60
"""
from _common import Provider, add_repo_to_path, instrumented, run_main

add_repo_to_path()
import numpy as np  # noqa: E402

with instrumented():
    import mygrad_c as mg
    from mygrad_c._relu import relu_backward, relu_forward

KERNEL_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _reference(x, grad):
    mask = (x > 0).astype(x.dtype)
    with np.errstate(all="ignore"):
        out = np.where(np.isneginf(x), x.dtype.type(-0.0), x * mask)
        dx = None if grad is None else np.asarray(grad * mask)
    return out, dx


def _same_bits(actual, expected, what):
    """Equal values (compared in float64, which keeps every float32/16 value), equal signs
    of zeros, NaN where NaN."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, what
    nan = np.isnan(expected)
    assert np.array_equal(np.isnan(actual), nan), what
    ok = ~nan
    assert np.array_equal(actual[ok], expected[ok]), what
    assert np.array_equal(np.signbit(actual[ok]), np.signbit(expected[ok])), what


def _expect(exc, fn):
    try:
        fn()
    except exc:
        return
    raise AssertionError(f"expected {exc.__name__}")


def _kernels(p: Provider) -> None:
    shape = tuple(p.int_in(0, 4) for _ in range(p.int_in(0, 3)))
    dtype = np.dtype(p.pick((np.float32, np.float64, np.float16, np.int32)))
    x = p.array(shape, dtype)
    gdtype = dtype if p.byte() < 200 else np.dtype(p.pick((np.float32, np.float64)))
    gshape = shape if p.byte() < 220 or not shape else shape[:-1] + (shape[-1] + 1,)
    grad = p.array(gshape, gdtype)
    usable = lambda a: a.dtype in KERNEL_DTYPES and a.flags.c_contiguous  # noqa: E731
    if not usable(x):
        _expect(TypeError, lambda: relu_forward(x))
    else:
        out = relu_forward(x)
        assert out.dtype == x.dtype
        _same_bits(out, _reference(x, None)[0], "relu_forward")
    # the backward's second argument: x itself, or the forward's mask x > 0 (a bool array)
    ref = x if p.flag() else np.asarray(x > 0)
    if not usable(grad) or not (ref.flags.c_contiguous and ref.dtype in (grad.dtype, np.bool_)):
        return _expect(TypeError, lambda: relu_backward(grad, ref))
    if grad.shape != ref.shape:
        return _expect(ValueError, lambda: relu_backward(grad, ref))
    _same_bits(relu_backward(grad, ref), np.asarray(grad * (x > 0).astype(grad.dtype)), "relu_backward")


def _public(p: Provider) -> None:
    shape = tuple(p.int_in(0, 4) for _ in range(p.int_in(0, 3)))
    dtype = np.dtype(p.pick((np.float32, np.float64, np.float16)))
    x = p.array(shape, dtype)
    xc = mg.tensor(x)
    out = mg.nnet.relu(xc)
    assert out.dtype == xc.dtype.newbyteorder("=")  # NumPy's results are native-endian
    ref_out, _ = _reference(np.asarray(x), None)
    _same_bits(out.data, ref_out, "relu forward")
    grad = p.array(shape, dtype)
    out.backward(grad)
    assert xc.grad.dtype == xc.dtype
    _same_bits(xc.grad, _reference(np.asarray(x), np.asarray(grad))[1], "relu backward")


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
