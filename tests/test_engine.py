"""The backward pass: gradient seeding, accumulation, graph clearing, deep graphs and memory."""
from __future__ import annotations

import gc
import sys
import tracemalloc
import weakref

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import mygrad
import numpy as np
import pytest
from hypothesis import given
from numpy.testing import assert_allclose, assert_array_equal

import mygrad_c as mg
from mygrad_c.errors import InvalidBackprop
from helpers import float_arrays, tols

FLOATS = st.sampled_from([np.float16, np.float32, np.float64])


def run_both(script):
    """Run ``script(lib)`` with mygrad_c and MyGrad; it returns a dict of observations."""
    return script(mg), script(mygrad)


def assert_observations_equal(ours, ref):
    assert ours.keys() == ref.keys()
    for k in ref:
        a, b = ours[k], ref[k]
        if b is None or a is None:
            assert a is None and b is None, (k, a, b)
        elif isinstance(b, np.ndarray):
            assert isinstance(a, np.ndarray), (k, type(a))
            assert a.shape == b.shape and a.dtype == b.dtype, (k, a, b)
            assert_allclose(a, b, **tols(b.dtype), err_msg=k)
        else:
            assert a == b, (k, a, b)


# ---------------------------------------------------------------------------
# what backward fills in
# ---------------------------------------------------------------------------
@given(data=st.data(), dtype=FLOATS)
def test_backward_fills_every_nonconstant_tensor(data, dtype):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3))
    arrs = [data.draw(float_arrays(s, dtype=dtype, min_value=-2, max_value=2)) for s in shapes.input_shapes]
    consts = data.draw(st.lists(st.booleans(), min_size=3, max_size=3))
    seed = data.draw(st.sampled_from(["none", "array", "scalar"]))
    g = np.random.default_rng(0).uniform(-1, 1, size=shapes.result_shape).astype(dtype)

    def script(lib):
        a, b, c = (lib.tensor(x, constant=k) for x, k in zip(arrs, consts))
        ab = a * b
        out = ab + c * a - b
        if seed == "none":
            out.backward()
        elif seed == "array":
            out.backward(g)
        else:
            out.backward(2.0)
        obs = {}
        for name, t in dict(a=a, b=b, c=c, ab=ab, out=out).items():
            obs[name + ".grad"] = t.grad
            obs[name + ".constant"] = t.constant
            obs[name + ".creator"] = t.creator is None
        return obs

    ours, ref = run_both(script)
    assert_observations_equal(ours, ref)


def test_grad_has_tensor_shape_and_dtype():
    for dt in (np.float16, np.float32, np.float64):
        x = mg.tensor(np.ones((2, 3), dtype=dt))
        y = x * 2
        y.backward()
        assert x.grad.shape == (2, 3) and x.grad.dtype == dt
        assert type(x.grad) is np.ndarray
        assert_array_equal(x.grad, 2)
        # the root's grad is the seed: ones shaped like the root
        assert y.grad.shape == (2, 3)
        assert_array_equal(y.grad, 1)


def test_grad_dtype_when_mixing_precisions():
    def script(lib):
        a = lib.tensor([1.0, 2.0], dtype="float16")
        b = lib.tensor([3.0, 4.0], dtype="float32")
        c = lib.tensor(2.0)
        out = a * b * c
        out.backward()
        return {"a": a.grad, "b": b.grad, "c": c.grad, "out": out.grad}

    assert_observations_equal(*run_both(script))


def test_backward_on_constant_and_integer_tensors():
    def script(lib):
        x = lib.tensor([1.0, 2.0], constant=True)
        y = x * 2
        y.backward()
        i = lib.tensor([1, 2])
        j = i * 2
        j.backward()
        return {"x": x.grad, "y": y.grad, "yc": y.constant, "i": i.grad, "j": j.grad}

    assert_observations_equal(*run_both(script))


@pytest.mark.parametrize("grad", [None, 2.0, 3, [1.0, 2.0], [[1.0], [2.0]], np.ones((2, 2), np.float32),
                                  np.array([1, 2]), [[[1.0, 2.0]]], [1.0, 2.0, 3.0], np.ones((2, 2, 1))])
def test_backward_seed_broadcasting_and_errors(grad):
    def script(lib):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]])
        y = x * x
        try:
            y.backward(grad)
        except Exception as e:  # noqa: BLE001
            return {"error": type(e).__name__, "x": x.grad, "writeable": x.data.flags.writeable}
        return {"x": x.grad, "y": y.grad}

    ours, ref = run_both(script)
    assert_observations_equal(ours, ref)


def test_incompatible_grad_error_is_value_error():
    x = mg.tensor([1.0, 2.0])
    with pytest.raises(ValueError):
        (x * 2).backward([1.0, 2.0, 3.0])
    assert x.grad is None


def test_scalar_root_default_grad():
    x = mg.tensor(3.0)
    (x * x).backward()
    assert x.grad.shape == () and x.grad == 6.0


def test_gradient_accumulates_over_uses():
    def script(lib):
        x = lib.tensor([1.0, -2.0, 3.0])
        y = x * x
        z = y * x + x + x * 3 + y
        z.backward(np.array([1.0, 2.0, 3.0]))
        return {"x": x.grad, "y": y.grad, "z": z.grad}

    assert_observations_equal(*run_both(script))


def test_same_tensor_twice_in_one_op():
    for lib in (mg, mygrad):
        x = lib.tensor([1.0, 2.0])
        (x + x).backward()
        assert_array_equal(x.grad, [2.0, 2.0])
        y = lib.tensor([1.0, 2.0])
        (y * y).backward()
        assert_array_equal(y.grad, [2.0, 4.0])


def test_grad_is_a_fresh_writeable_array():
    x = mg.tensor(np.ones((3,)))
    y = x + 0
    y.backward()
    # the grad must not alias the seed or another tensor's grad
    assert x.grad.flags.writeable
    x.grad[0] = 100.0
    assert y.grad[0] == 1.0
    a = mg.tensor(np.ones((2, 2)))
    b = mg.tensor(1.0)
    (a + b).backward()  # a's grad is the broadcast seed
    assert a.grad.flags.writeable and a.grad.flags.c_contiguous
    assert b.grad == 4.0


# ---------------------------------------------------------------------------
# graph clearing
# ---------------------------------------------------------------------------
def test_graph_cleared_after_backward():
    def script(lib):
        x = lib.tensor([1.0, 2.0])
        y = x * 2
        z = y * 3
        z.backward()
        return {"x": x.grad, "y": y.grad, "z": z.grad, "yc": y.creator is None, "zc": z.creator is None,
                "xw": x.data.flags.writeable, "yw": y.data.flags.writeable, "zw": z.data.flags.writeable}

    assert_observations_equal(*run_both(script))


def test_backward_twice():
    def script(lib):
        x = lib.tensor([1.0, 2.0])
        y = 2 * x
        y.backward()
        first = x.grad.copy()
        y.backward()
        return {"first": first, "x": x.grad, "y": y.grad}

    assert_observations_equal(*run_both(script))


def test_stale_grad_nulled_on_reuse():
    def script(lib):
        x = lib.tensor(3.0)
        (x * x).backward()
        g = x.grad.copy()
        y = x + 1
        after_use = x.grad
        y.backward()
        return {"g": g, "after_use": after_use, "x": x.grad}

    assert_observations_equal(*run_both(script))


def test_unused_tensor_keeps_grad():
    def script(lib):
        x = lib.tensor([1.0, 2.0])
        w = lib.tensor([3.0, 4.0])
        (x * w).backward()
        y = x * 2  # w is not used: keeps its grad
        return {"w": w.grad, "x": x.grad}

    assert_observations_equal(*run_both(script))


def test_invalid_backprop_through_cleared_intermediate():
    for lib in (mg, mygrad):
        x = lib.tensor([1.0, 2.0])
        y = x * 2
        z = y * 3
        y.backward()  # clears the graph under z
        gx = x.grad.copy()
        with pytest.raises(lib.errors.InvalidBackprop):
            z.backward()
        # the failed backward leaves the earlier gradient of x in place
        assert_array_equal(x.grad, gx)


def test_invalid_backprop_after_sibling_backward():
    for lib in (mg, mygrad):
        x = lib.tensor([1.0, 2.0])
        y = x * 2
        z = y * 3
        w = y + 1
        z.backward()
        with pytest.raises(lib.errors.InvalidBackprop):
            w.backward()
        assert_array_equal(x.grad, [6.0, 6.0])


def test_invalid_backprop_after_clear_graph():
    for lib in (mg, mygrad):
        x = lib.tensor([1.0, 2.0])
        y = x * 2
        z = y * 3
        x.clear_graph()
        with pytest.raises(lib.errors.InvalidBackprop):
            z.backward()
        assert x.grad is None


def test_invalid_backprop_is_exported():
    assert issubclass(InvalidBackprop, Exception)
    import mygrad_c.errors as errs

    for name in ("InvalidBackprop", "InvalidGradient", "MyGradException"):
        assert hasattr(errs, name)


def test_clear_graph_of_root():
    def script(lib):
        x = lib.tensor([1.0, 2.0])
        y = x * 2
        z = y * 3
        z.clear_graph()
        z.backward()
        return {"x": x.grad, "y": y.grad, "z": z.grad, "zc": z.creator is None, "yc": y.creator is None,
                "xw": x.data.flags.writeable}

    assert_observations_equal(*run_both(script))


def test_backward_from_intermediate_leaves_downstream():
    def script(lib):
        x = lib.tensor([1.0, 2.0])
        y = x * 2
        z = y * 3
        y.backward()
        return {"x": x.grad, "y": y.grad, "z": z.grad, "zc": z.creator is None}

    assert_observations_equal(*run_both(script))


# ---------------------------------------------------------------------------
# deep graphs and memory
# ---------------------------------------------------------------------------
def _chain(n, x):
    for _ in range(n // 2):
        x = x * 1.0001 + 0.1
    return x


def test_deep_chain_100k_ops_no_recursion_error():
    limit = sys.getrecursionlimit()
    x = mg.tensor(1.0)
    y = _chain(50_000, x)
    mid = weakref.ref(y)
    y = _chain(50_000, y)
    assert mid() is not None
    y.backward()
    gc.disable()
    try:
        assert mid() is None  # intermediates freed by reference counting once backward returns
    finally:
        gc.enable()
    assert sys.getrecursionlimit() == limit
    assert_allclose(x.grad, 1.0001 ** 50_000, rtol=1e-9)
    assert y.creator is None


def test_deep_branching_graph():
    # a long chain where every node also feeds the final sum: accumulation at depth
    x = mg.tensor(np.array([1.0, 2.0]))
    total = x * 0
    y = x
    for _ in range(5000):
        y = y * 1.0
        total = total + y
    total.backward()
    assert_allclose(x.grad, [5000.0, 5000.0])


def test_memory_released_after_backward_weakref():
    x = mg.tensor(np.ones(1000))
    y = x * 2
    ref_y = weakref.ref(y)
    z = y * 3
    op_ref = weakref.ref(z.creator)
    for _ in range(100):
        z = z + 1
    z.backward()
    del y
    gc.disable()
    try:
        # released by reference counting alone, without the garbage collector
        assert ref_y() is None
        assert op_ref() is None
    finally:
        gc.enable()
    assert x.data.flags.writeable


def test_memory_released_when_graph_dropped():
    x = mg.tensor(np.ones(10))
    y = x * 2
    r = weakref.ref(y)
    del y
    assert r() is None
    assert x.data.flags.writeable


def test_memory_returns_after_deep_backward_tracemalloc():
    x = mg.tensor(np.ones(1000))  # 8 kB per intermediate
    for _ in range(2):  # warm-up: first-use caches are not leaks
        w = x
        for _ in range(2000):
            w = w * 1.0
        w.backward()
        del w
    gc.collect()
    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        y = x
        for _ in range(2000):
            y = y * 1.0
        held, _ = tracemalloc.get_traced_memory()
        y.backward()
        del y
        gc.collect()  # a full collection also empties CPython's free lists (tuples, floats)
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert held - base > 2000 * 8000  # the graph really held its arrays
    # only the result gradient (8 kB) and small bookkeeping may remain
    assert after - base < 200_000, (base, held, after)
    assert_array_equal(x.grad, np.ones(1000))


def test_deep_chain_memory_released():
    x = mg.tensor(1.0)
    _chain(20_000, x).backward()  # warm-up
    gc.collect()
    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        y = _chain(20_000, x)
        held, _ = tracemalloc.get_traced_memory()
        y.backward()
        del y
        gc.collect()  # empties CPython's free lists; reference cycles would also show up below
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert held - base > 1_000_000
    assert after - base < 50_000, (base, held, after)


def test_deep_chain_time_is_linear():
    import time

    def run(n):
        best = float("inf")
        for _ in range(2):
            x = mg.tensor(1.0)
            t0 = time.perf_counter()
            _chain(n, x).backward()
            best = min(best, time.perf_counter() - t0)
        return best

    run(2000)
    small, big = run(20_000), run(80_000)
    # forward + backward, garbage collector on (as users run it): linear growth gives 4x;
    # allow 2x for noise
    assert big / small < 8, (small, big)


# ---------------------------------------------------------------------------
# the engine's shortcut for mygrad_c's own elementwise operations
# ---------------------------------------------------------------------------
def _ufunc_likes():
    """mygrad_c's ufunc-like functions of real floats, with their operation classes."""
    found = {}
    for name in dir(mg):
        f = getattr(mg, name)
        if isinstance(f, type) and issubclass(f, mg.ufunc) and f._Op is not None:
            found[f.__name__] = f
    return [found[k] for k in sorted(found)]


def _as_users_op(Op):
    """A subclass of ``Op`` defined outside mygrad_c: the engine runs it through the
    operation's own ``__call__`` and ``backward_var``, as a user's operation."""
    return type("Users" + Op.__name__, (Op,), {"__module__": "users_code"})


@pytest.mark.parametrize("f", _ufunc_likes(), ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("split", [False, True], ids=["whole", "split"])
def test_elementwise_shortcut_is_the_operations_own_methods(f, dtype, split, monkeypatch):
    # The engine calls the NumPy ufunc and ``_derivative`` of mygrad_c's elementwise ops
    # itself, without ``UfuncOp.__call__``/``backward_var``: the values and gradients must
    # be those of the methods, bit for bit - for 0-d, broadcast, non-contiguous and empty
    # inputs, in every float dtype, and with large passes split over threads.
    from mygrad_c import _parallel

    if split:
        monkeypatch.setattr(_parallel, "MIN_SIZE", 2)
        monkeypatch.setattr(_parallel, "_threads", 3)
    rng = np.random.default_rng(0)
    nin = f._numpy_ufunc.nin
    if f._numpy_ufunc.signature is not None:   # (matmul)
        shapes = [[(3, 4), (4, 2)], [(2, 3, 4), (4,)], [(4,), (4, 3)], [(4, 3), (3, 3)], [(0, 3), (3, 2)]]
    elif nin == 1:
        shapes = [[()], [(3, 4)], [(4, 3)], [(0, 3)]]
    else:
        shapes = [[(), ()], [(3, 4), (4,)], [(1, 4), (3, 1)], [(4, 3), (4, 3)], [(0, 3), (3,)]]
    for shape_set in shapes:
        arrays = [rng.uniform(0.25, 0.9, size=s).astype(dtype) for s in shape_set]
        if shape_set[0] == (4, 3):
            arrays = [a.T.copy().T for a in arrays]   # (F-ordered: not C-contiguous)
        outcomes = []
        for Op in (f._Op, _as_users_op(f._Op)):
            xs = [mg.tensor(a) for a in arrays]
            with np.errstate(all="ignore"):
                y = mg.execute_op(Op, *xs)
                y.backward(np.linspace(-2, 2, y.size, dtype=y.dtype).reshape(y.shape))
            outcomes.append([y.data] + [x.grad for x in xs])
        ours, methods = outcomes
        for a, b in zip(ours, methods):
            assert a.dtype == b.dtype and a.shape == b.shape
            assert_array_equal(a, b, strict=True)

