"""Every catalog call gives MyGrad's value and gradients bit for bit, except the named few.

The calls are ``test_op_attributes.ALL_CALLS`` (one per public function, plus option variants),
built in each library by ``bad_input_report``; each result is back-propagated with the same
upstream gradient, and the bytes of the value and of every input tensor's gradient are compared
(so signed zeros and the last bit count).  ``ROUNDING_ONLY`` lists the calls that agree with
MyGrad to rounding only, each with the reason (docs/guide/migrating.md, "The same numbers, bit
for bit"); a call on it that becomes bit-exact fails the test, so the list stays true.
Per-dtype variants of the same check live beside each family (``*_bit_for_bit_*``).
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import mygrad
import mygrad_c
from helpers import bits
from test_op_attributes import ALL_CALLS, _desc, run_call

ROUNDING_ONLY = {
    "empty((2, 3))": "uninitialised memory",
    "nnet.layers.conv_nd(T(x_nchw), T(w_fchw), stride=1)": "a direct convolution or one GEMM over unfolded windows",
    "nnet.layers.conv_nd(T(x_1d), T(w_1d), stride=1)": "a direct convolution or one GEMM over unfolded windows",
    "nnet.layers.batchnorm(T(f3), eps=0.0)": "x_norm of a 1-d input: another formula",
    "nnet.layers.gru.gru(T(gX), T(gU), T(gW), T(gb), T(gU), T(gW), T(gb), T(gU), T(gW), T(gb))":
        "MyGrad's numba loops sum in another order (tests/nnet/test_gru.py compares to rounding)",
}


def _tensors(obj, found):
    if isinstance(obj, (mygrad.Tensor, mygrad_c.Tensor)):
        found.append(obj)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            _tensors(v, found)
    elif isinstance(obj, dict):
        for v in obj.values():
            _tensors(v, found)
    return found


def _run(lib: str, call):
    ran = run_call(lib, call)
    if isinstance(ran, Exception):
        return type(ran).__name__  # compared: the same exception type
    out, inputs = ran
    tensors = _tensors(inputs, [])
    if hasattr(out, "backward") and out.dtype.kind == "f":
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            try:
                out.backward(np.cos(np.arange(out.size) + 0.3).reshape(out.shape).astype(out.dtype))
            except Exception as e:  # noqa: BLE001
                return type(e).__name__
    value = bits(out.data) if hasattr(out, "data") else repr(out)
    return value, [None if t.grad is None else bits(t.grad) for t in tensors]


@pytest.mark.parametrize("call", ALL_CALLS, ids=_desc)
def test_catalog_bit_for_bit_as_mygrad(call):
    ours, ref = _run("mygrad_c", call), _run("mygrad", call)
    if _desc(call) in ROUNDING_ONLY:
        assert ours != ref, "now bit for bit: remove it from ROUNDING_ONLY (and the docs' list)"
        return
    if isinstance(ref, str) or isinstance(ours, str):
        assert ours == ref, "exceptions differ"
        return
    assert ours[0] == ref[0], "values differ"
    assert ours[1] == ref[1], "gradients differ"


MIXED_DTYPE_GRAPHS = {
    "two float64 branches": "z = x * c1 + x * c2",
    "three float64 branches": "z = x * c1 + x * c2 + x * c3",
    "a float64 chain back to x": "z = (x * 1 - 0.3) * x",
    "in-place float64 chain": "z = x * 1\nz -= 0.3\nz *= x",
    "float32 and float64 branches": "z = x * x + x * c1",
}


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
@pytest.mark.parametrize("graph", sorted(MIXED_DTYPE_GRAPHS))
def test_gradient_contributions_of_a_wider_dtype_accumulate_as_mygrad(graph, dtype):
    """A float32 (float16) tensor whose gradient arrives from several float64 operations: the
    first contribution is cast to its dtype, each later one added in float64 and the sum cast
    back, in MyGrad's order - so the gradient is MyGrad's bit for bit (casting every
    contribution before adding rounds twice and differs in the last bit)."""
    rng = np.random.default_rng(len(graph))
    a = rng.standard_normal(300).astype(dtype)
    c1, c2, c3 = rng.standard_normal((3, 300))
    g = np.cos(np.arange(300)).astype(dtype)
    grads = []
    for lib in (mygrad, mygrad_c):
        ns = dict(x=lib.tensor(a), c1=c1, c2=c2, c3=c3)
        exec(MIXED_DTYPE_GRAPHS[graph], ns)
        ns["z"].backward(g)
        grads.append(ns["x"].grad)
    assert grads[1].dtype == grads[0].dtype == dtype
    assert bits(grads[1]) == bits(grads[0])


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
@pytest.mark.parametrize("func", ["multiply", "add", "divide", "sin"])
def test_out_target_of_a_wider_dtype_passes_the_gradient_in_its_dtype(func, dtype):
    """``mg.multiply(x, y, out=z)`` with float32 inputs and a float64 target: the operation
    computes in NumPy's float32 loop and its result is cast into z (the values); its gradient
    reaches it in float64 and is rounded once, in the inputs' accumulation - MyGrad's bits."""
    rng = np.random.default_rng(7)
    a, b = rng.standard_normal((2, 4, 3)).astype(dtype)
    g = np.cos(np.arange(12)).reshape(4, 3).astype(dtype)
    results = []
    for lib in (mygrad, mygrad_c):
        x, y = lib.tensor(a), lib.tensor(b)
        z = x * 1.0  # float64
        f = getattr(lib, func)
        f(x, out=z) if func == "sin" else f(x, y, out=z)
        (z / 3).backward(g)
        results.append([z.data, x.grad] + ([] if func == "sin" else [y.grad]))
    for ours, ref in zip(results[1], results[0]):
        assert bits(ours) == bits(ref)


@pytest.mark.parametrize("other", [[1.5, -2.0, 0.25], 1.5, np.float32(2.0), "tensor64"])
@pytest.mark.parametrize("target", [np.float32, np.float64])
def test_out_target_with_list_and_scalar_operands(other, target):
    """out= a tensor with a list, a Python or NumPy scalar or a float64 tensor as the other
    operand of a float32 tensor: MyGrad's values, dtypes and gradients."""
    a = np.array([0.5, -1.25, 3.0], np.float32)
    results = []
    for lib in (mygrad, mygrad_c):
        x = lib.tensor(a)
        y = lib.tensor(np.array([1.5, -2.0, 0.25])) if isinstance(other, str) else other
        z = lib.tensor(np.zeros(3, target))
        r = lib.multiply(x, y, out=z)
        r.backward(np.array([1.0, -0.5, 2.0], target))
        results.append([r.data, x.grad] + ([y.grad] if isinstance(other, str) else []))
    for ours, ref in zip(results[1], results[0]):
        assert bits(ours) == bits(ref)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("grad_dtype", [None, np.float16, np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum", "mean_keepdims"])
def test_a_whole_reduction_of_a_square_as_mygrad(dtype, grad_dtype, reduction):
    """``square(x).mean()`` (and ``.sum()``): the mean's value (computed without np.mean's
    Python layer for float32/float64), the repeated gradient it passes back and square's
    derivative of a repeated gradient (one value doubled, times x) are MyGrad's bits -
    with huge, tiny and signed-zero values, any upstream dtype, over many shapes."""
    rng = np.random.default_rng(7)
    shapes = [(), (1,), (5,), (3, 4), (2, 0, 3), (64, 256), (17, 1, 3)]
    for k, shape in enumerate(shapes):
        a = rng.standard_normal(shape) * 10.0 ** rng.integers(-6, 6, size=shape)
        if a.size:
            a.reshape(-1)[0] = -0.0
        a = a.astype(dtype)
        g = None if grad_dtype is None else np.asarray(rng.standard_normal()).astype(grad_dtype)
        results = []
        for lib in (mygrad, mygrad_c):
            x = lib.tensor(a)
            y = lib.square(x)
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                r = {"mean": lambda: y.mean(), "sum": lambda: y.sum(),
                     "mean_keepdims": lambda: lib.mean(y, keepdims=True)}[reduction]()
                r.backward(g if g is None or reduction != "mean_keepdims"
                           else g.reshape((1,) * len(shape)))
            results.append([r.data, x.grad, y.grad])
        for ours, ref in zip(results[1], results[0]):
            assert bits(ours) == bits(ref), (shape, k)
