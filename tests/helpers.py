"""Shared test helpers: differential testing against MyGrad and numerical gradients.

Use these instead of writing new comparison loops in each test file:

- ``compare_with_mygrad(name_or_funcs, *arrays, **kwargs)`` runs the same call in
  mygrad_c and in the reference ``mygrad`` and asserts equal values, dtypes,
  constant flags and gradients for every input.
- ``numerical_grad(f, *arrays)`` / ``check_numerical_grad(...)``: central
  differences of ``sum(f(*arrays) * weights)`` for each input.
- ``arrays(...)`` / ``float_arrays(...)``: hypothesis strategies that also make
  0-d, empty, non-contiguous (strided / negative-stride) inputs.
- ``assert_same_trace(scenario)``: run ``scenario(lib, out)`` - typically a training loop
  through the same leaves and views - with both libraries, each appending what a user
  can observe after every step to ``out``; the two records must be equal.
  ``outcome(call)`` records a call's value, or the type of what it raised, and goes on.
"""
from __future__ import annotations

import gc
import warnings
from typing import Callable, Optional, Sequence

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import mygrad
import numpy as np
from numpy.testing import assert_allclose

import mygrad_c as mg

TOLS = {np.dtype("float16"): dict(rtol=1e-2, atol=1e-2),
        np.dtype("float32"): dict(rtol=1e-4, atol=1e-5),
        np.dtype("float64"): dict(rtol=1e-7, atol=1e-9)}


def bits(a) -> tuple:
    """(dtype, shape, bytes) of ``a`` with every NaN made the one canonical NaN: what "bit for
    bit" compares.  A NaN's sign and payload carry no meaning, and they differ between code paths
    that compute the same NaN (a SIMD loop and a scalar one, a debug build and a release one)."""
    a = np.array(a)
    if a.dtype.kind in "fc" and np.isnan(a).any():
        a[np.isnan(a)] = np.nan
    return a.dtype.str, a.shape, a.tobytes()


def tols(dtype) -> dict:
    """The comparison tolerances for ``dtype``: a new dict each time (a caller that overrides
    one must not loosen every later comparison of that dtype)."""
    return dict(TOLS.get(np.dtype(dtype), dict(rtol=1e-7, atol=1e-9)))


# ---------------------------------------------------------------------------
# hypothesis strategies
# ---------------------------------------------------------------------------
@st.composite
def non_contiguous(draw, arr_strategy):
    """Turn a drawn array into a same-valued non-contiguous (or negative-stride) view."""
    arr = draw(arr_strategy)
    kind = draw(st.sampled_from(["contiguous", "strided", "reversed", "transposed"]))
    if kind == "contiguous" or arr.ndim == 0:
        return arr
    if kind == "strided":
        big = np.repeat(arr, 2, axis=-1)
        return big[..., ::2]
    if kind == "reversed":
        return np.flip(np.flip(arr, axis=-1).copy(), axis=-1)
    return np.ascontiguousarray(arr.T).T


def float_arrays(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
                 dtype=np.float64, min_value=-10.0, max_value=10.0, layouts=True):
    """Finite float arrays of the given shape/dtype; by default also non-contiguous ones."""
    dtype = np.dtype(dtype)
    width = {2: 16, 4: 32, 8: 64}[dtype.itemsize]
    strat = hnp.arrays(dtype, shape, elements=st.floats(min_value, max_value, width=width,
                                                        allow_nan=False, allow_infinity=False))
    return non_contiguous(strat) if layouts else strat


# ---------------------------------------------------------------------------
# numerical derivatives
# ---------------------------------------------------------------------------
def numerical_grad(f: Callable, *arrays: np.ndarray, weights: Optional[np.ndarray] = None,
                   eps: float = 1e-6) -> list:
    """d/d(arrays[i]) of ``sum(f(*arrays) * weights)`` by central differences (float64)."""
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    out = np.asarray(f(*arrays), dtype=np.float64)
    w = np.ones_like(out) if weights is None else np.asarray(weights, dtype=np.float64)
    grads = []
    for a in arrays:
        g = np.zeros_like(a)
        it = np.nditer(a, flags=["multi_index", "zerosize_ok"])
        for _ in it:
            i = it.multi_index
            orig = a[i]
            h = eps * max(1.0, abs(orig))  # a step relative to the value keeps rounding error small
            a[i] = orig + h
            hi = np.sum(np.asarray(f(*arrays), dtype=np.float64) * w)
            a[i] = orig - h
            lo = np.sum(np.asarray(f(*arrays), dtype=np.float64) * w)
            a[i] = orig
            g[i] = (hi - lo) / (2 * h)
        grads.append(g)
    return grads


def check_numerical_grad(mg_func: Callable, *arrays: np.ndarray, rtol=1e-5, atol=1e-6,
                         weights: Optional[np.ndarray] = None, **kwargs) -> None:
    """Assert that mygrad_c's gradients of ``mg_func`` match central differences (float64)."""
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    tensors = [mg.tensor(a) for a in arrays]
    out = mg_func(*tensors, **kwargs)
    w = np.random.default_rng(0).uniform(0.5, 1.5, size=out.shape) if weights is None else weights
    out.backward(w)
    expected = numerical_grad(lambda *xs: mg_func(*xs, **kwargs).data, *arrays, weights=w)
    for t, e in zip(tensors, expected):
        assert t.grad is not None, "no gradient reached an input"
        assert_allclose(t.grad, e, rtol=rtol, atol=atol)


# ---------------------------------------------------------------------------
# differential testing against the reference MyGrad
# ---------------------------------------------------------------------------
def _resolve(name_or_func, module):
    if isinstance(name_or_func, str):
        obj = module
        for part in name_or_func.split("."):
            obj = getattr(obj, part)
        return obj
    return name_or_func


def compare_with_mygrad(func, *arrays, constant: Optional[Sequence[bool]] = None,
                        grad: Optional[np.ndarray] = None, rtol=None, atol=None,
                        check_dtype: bool = True, **kwargs):
    """Run ``func`` (a dotted name like "nnet.relu", or a (mygrad_c_fn, mygrad_fn) pair)
    on tensors made from ``arrays`` in both libraries; assert equal results and gradients.

    ``arrays`` entries that are not numpy arrays are passed through unchanged.
    Returns (mygrad_c output tensor, mygrad output tensor).
    """
    if isinstance(func, tuple):
        f_c, f_ref = func
    else:
        f_c, f_ref = _resolve(func, mg), _resolve(func, mygrad)
    consts = constant if constant is not None else [False] * len(arrays)

    def make(lib):
        out = []
        for a, c in zip(arrays, consts):
            if isinstance(a, np.ndarray):
                out.append(lib.tensor(a.copy(), constant=c if a.dtype.kind == "f" else None))
            else:
                out.append(a)
        return out

    ins_c, ins_r = make(mg), make(mygrad)
    out_c = f_c(*ins_c, **kwargs)
    out_r = f_ref(*ins_r, **kwargs)
    dt = out_r.dtype
    tol = tols(dt) if dt.kind == "f" else dict(rtol=0, atol=0)
    if rtol is not None:
        tol["rtol"] = rtol
    if atol is not None:
        tol["atol"] = atol
    assert isinstance(out_c, mg.Tensor), type(out_c)
    assert out_c.shape == out_r.shape, (out_c.shape, out_r.shape)
    if check_dtype:
        assert out_c.dtype == out_r.dtype, (out_c.dtype, out_r.dtype)
    assert out_c.constant == out_r.constant, (out_c.constant, out_r.constant)
    assert_allclose(out_c.data, out_r.data, equal_nan=True, **tol)
    if not out_r.constant:
        g = grad if grad is not None else np.random.default_rng(1).uniform(-2, 2, size=out_r.shape)
        g = np.asarray(g, dtype=out_r.dtype)
        out_c.backward(g.copy())
        out_r.backward(g.copy())
        for i, (tc, tr) in enumerate(zip(ins_c, ins_r)):
            if not isinstance(tr, mygrad.Tensor):
                continue
            if tr.grad is None:
                assert tc.grad is None, f"input {i}: mygrad gives no grad, mygrad_c gives {tc.grad}"
                continue
            assert tc.grad is not None, f"input {i}: mygrad_c gave no gradient"
            assert tc.grad.shape == tr.grad.shape, (i, tc.grad.shape, tr.grad.shape)
            if check_dtype:
                assert tc.grad.dtype == tr.grad.dtype, (i, tc.grad.dtype, tr.grad.dtype)
            assert_allclose(tc.grad, tr.grad, equal_nan=True, err_msg=f"gradient of input {i}", **tol)
    return out_c, out_r


# --- traces: the same scenario (a training loop) run with both libraries ----------------

LIBS = (mg, mygrad)


def observed(obs):
    """An observation in a form that compares across the two libraries."""
    if isinstance(obs, (mg.Tensor, mygrad.Tensor)):
        return ("tensor", type(obs).__name__, obs.constant) + observed(np.asarray(obs.data))[1:]
    if isinstance(obs, np.ndarray):
        return ("array", obs.dtype, obs.shape, obs.tobytes())
    if isinstance(obs, (list, tuple)):
        return type(obs)(observed(o) for o in obs)
    if isinstance(obs, BaseException):
        return ("raised", type(obs).__name__)
    return obs


class _Observations(list):
    """A scenario's record: each observation is taken (copied, in comparable form) when it
    is appended, so that an array written in place later (a ``.grad`` accumulating) is
    recorded as it was at that step.  Each step also drops what arrays that died during it
    left in MyGrad's lock tables (``forget_mygrads_dead_arrays``), before the next step can
    reuse their addresses."""

    def append(self, obs):
        super().append(observed(obs))
        forget_mygrads_dead_arrays()

    def extend(self, observations):
        for obs in observations:
            super().append(observed(obs))
        forget_mygrads_dead_arrays()


def forget_mygrads_dead_arrays():
    """Drop the entries of MyGrad's memory-lock tables that name arrays no longer alive.

    MyGrad keys those tables by ``id(array)``; an entry left behind by an array that died
    (e.g. a view waiting for its base's unlock) is matched by whatever new array gets the
    same id, and MyGrad then leaves that array read-only for good: a later in-place write
    into it raises ``ValueError: output array is read-only`` though nothing locks it.  When
    that happens depends on the addresses earlier tests left behind (it made CI fail once, in
    a scenario that passes on its own), so a comparison first clears what dead arrays left;
    the arrays that are alive keep their locks.  Cheap: the tables hold the live graph only.
    """
    from mygrad._utils import lock_management as locks

    tracker = locks._array_tracker
    for arr_id in [arr_id for arr_id, arr_ref in tracker.items() if arr_ref() is None]:
        del tracker[arr_id]
        locks._array_counter.pop(arr_id, None)
    waiting = locks._views_waiting_for_unlock
    for base_id in list(waiting):
        views = waiting[base_id]
        views.intersection_update([view_id for view_id in views if view_id in tracker])
        if not views:
            del waiting[base_id]


def trace(scenario):
    """Run ``scenario(lib, out)`` for both libraries (mygrad_c's trace first); each appends
    what it observes to ``out``.  An exception ends the scenario and is recorded as its
    last observation (a pytest failure inside the scenario is not an Exception: it fails
    the test)."""
    traces = []
    for lib in LIBS:
        # (MyGrad's graphs hold reference cycles: what a dead graph still locks is released
        # when the cyclic collector runs.  Collecting the young generations first (a full
        # collection made these tests 5x slower) frees the graphs the previous run
        # left and restarts the collector's counts, so it runs at the same points of the
        # scenario whatever ran before)
        gc.collect(1)
        if lib is mygrad:
            forget_mygrads_dead_arrays()
        out = _Observations()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                scenario(lib, out)
            except Exception as e:  # noqa: BLE001 - the type is compared
                out.append(e)
        traces.append(list(out))
    return traces


def assert_same_trace(scenario):
    """Assert both libraries' traces of ``scenario`` are equal, step by step; returns
    mygrad_c's."""
    ours, ref = trace(scenario)
    for step, (a, b) in enumerate(zip(ours, ref)):
        assert a == b, f"step {step}: mygrad_c {a!r} != mygrad {b!r}"
    assert len(ours) == len(ref), (ours[len(ref):], ref[len(ours):])
    return ours


def outcome(call):
    """A comparable record of ``call()``: its value, or the type of what it raised (the
    scenario goes on)."""
    try:
        value = call()
    except Exception as error:  # noqa: BLE001 - the type is what is compared
        return ("raises", type(error).__name__)
    return ("value", value)
