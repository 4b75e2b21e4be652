"""Views of tensors, compared with MyGrad: ``.base`` is the root base, memory is shared,
writes through either side are seen by both, and a view's gradient is the view of
its base's gradient.

Each scenario is a function ``f(lib)`` run once with ``lib = mygrad_c`` and once
with ``lib = mygrad``; it returns the tensors it made.  ``assert_mirrored`` then
compares, tensor by tensor, values, dtypes, constant flags, whether a creator is
recorded, the read-only flag, which of the returned tensors is each one's ``.base``
(the identity pattern), which pairs share memory, and the gradients.  These
helpers are shared with test_in_place.py, test_memory_guard.py and
test_views_stateful.py.
"""
from __future__ import annotations

from typing import Callable, Sequence

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import mygrad
import numpy as np
import pytest
from hypothesis import given
from numpy.testing import assert_allclose, assert_array_equal

import mygrad_c as mg

LIBS = (mg, mygrad)


# ---------------------------------------------------------------------------
# mirrored scenarios
# ---------------------------------------------------------------------------
def _identity_index(obj, tensors) -> object:
    if obj is None:
        return None
    for i, t in enumerate(tensors):
        if obj is t:
            return i
    return "other"


def _is_tensor(t) -> bool:
    return isinstance(t, (mg.Tensor, mygrad.Tensor))


def describe(tensors: Sequence, *, grads: bool = True) -> list[dict]:
    """Everything observable about ``tensors`` that must match between the libraries."""
    out = []
    arrays = [t.data if _is_tensor(t) else np.asarray(t) for t in tensors]
    for i, t in enumerate(tensors):
        if not _is_tensor(t):  # a plain array / bool / None in the scenario
            a = None if t is None else np.array(t)
            out.append({"plain": a, "writeable": None if a is None else np.asarray(t).flags.writeable,
                        "shares": tuple(j for j, b in enumerate(arrays)
                                        if j != i and a is not None and np.shares_memory(np.asarray(t), b))})
            continue
        d = t.data
        info = {
            "data": np.array(d),
            "type": type(t).__name__,   # (a Tensor subclass is kept as MyGrad keeps it)
            "dtype": d.dtype,
            "shape": d.shape,
            "constant": t.constant,
            "has_creator": t.creator is not None,
            "writeable": d.flags.writeable,
            "readonly_view": isinstance(t, mg.Tensor) and mg._engine.is_readonly_view(t),
            "guard_locked_view": (isinstance(t, mg.Tensor) and t.base is not None
                                  and mg._engine.is_guard_locked(t)),
            "base": _identity_index(t.base, tensors),
            "shares": tuple(j for j, a in enumerate(arrays) if j != i and np.shares_memory(d, a)),
        }
        if grads:
            try:
                g = t.grad
            except Exception as e:  # noqa: BLE001 - reading it fails in both (hunt seed 176:
                # a view whose base was reshaped under no_autodiff is re-taken from it)
                info["grad"], info["grad_dtype"] = f"reading it raises {type(e).__name__}", None
            else:
                info["grad"] = None if g is None else np.array(g)
                info["grad_dtype"] = None if g is None else np.asarray(g).dtype
        out.append(info)
    return out


def assert_same_description(got: list[dict], want: list[dict], context: str = "") -> None:
    assert len(got) == len(want), context
    for i, (g, w) in enumerate(zip(got, want)):
        assert g.keys() == w.keys(), (context, i, g.keys(), w.keys())
        for key in w:
            gv, wv = g[key], w[key]
            msg = f"{context} tensor {i}: {key}: mygrad_c {gv!r} vs mygrad {wv!r}"
            if key in ("readonly_view", "guard_locked_view"):
                continue
            if key == "writeable" and g.get("guard_locked_view") and wv is True:
                # Deliberate difference: a live graph that uses a base's memory makes every
                # view of that memory read-only in mygrad_c.  MyGrad locks only the arrays
                # the graph itself used, so a view whose own graph was released (by
                # backward or clear_graph) stays writeable and a write through it
                # silently corrupts the gradient (test_released_view_of_used_base_is_locked).
                assert gv is False, msg
                continue
            if isinstance(wv, np.ndarray) or isinstance(gv, np.ndarray):
                assert gv is not None and wv is not None, msg
                assert np.shape(gv) == np.shape(wv), msg
                if np.asarray(wv).dtype.kind == "f":
                    assert_allclose(gv, wv, rtol=1e-6, atol=1e-9, equal_nan=True, err_msg=msg)
                else:
                    assert_array_equal(gv, wv, err_msg=msg)
            else:
                assert gv == wv, msg


def test_released_view_of_used_base_is_locked():
    """The deliberate difference above, and why: in MyGrad the write goes through and
    x.grad comes out as 2 * 100 for an x[0] that was 0 when y was computed."""
    x = mg.tensor(np.arange(4.0))
    v = x[:2]
    v.clear_graph()
    y = (x * x).sum()
    with pytest.raises(ValueError, match="read-only"):
        v.data[0] = 100.0
    y.backward()
    assert_array_equal(x.grad, [0.0, 2.0, 4.0, 6.0])
    assert v.data.flags.writeable


@pytest.mark.parametrize("release", ["backward", "clear_graph"])
def test_released_view_is_cut_off_as_in_mygrad(release):
    """MyGrad's rule, which code written for it relies on: once a view's graph is
    released, a write into the base is no longer seen through it (it keeps its old
    data), a write through it does not reach the base (it is cut off first), and a
    view taken from it has it as its base.  (Issue 11 reversed an earlier deliberate
    difference here.)"""
    def scenario(lib):
        x = lib.tensor(np.arange(4.0))
        v = x[:2]
        if release == "backward":
            (v * v).sum().backward()
        else:
            v.clear_graph()
        out = [v.base is x, v.grad]
        x[0] = 5.0
        out += [v.data.copy(), v.base is x]
        v[1] = 7.0
        out += [x.data.copy(), v.data.copy(), v.base is None]
        w = v[::-1]
        out += [w.base is v]
        (x * np.arange(1.0, 5.0)).sum().backward()
        out += [x.grad, v.grad, w.grad]
        return out

    ours, ref = scenario(mg), scenario(mygrad)
    assert len(ours) == len(ref)
    for a, b in zip(ours, ref):
        if isinstance(b, np.ndarray):
            assert_array_equal(a, b)
        else:
            assert a == b or (a is None and b is None)
    assert_array_equal(ours[2], [0.0, 1.0])   # stale: the write into x is not seen
    assert_array_equal(ours[4], [5.0, 1.0, 2.0, 3.0])  # the write through v stays in v


def run_scenario(f: Callable) -> tuple:
    """Run ``f(lib)`` in both libraries: (result_c, result_ref, error_c, error_ref)."""
    results, errors = [], []
    for lib in LIBS:
        try:
            results.append(f(lib))
            errors.append(None)
        except Exception as e:  # noqa: BLE001
            results.append(None)
            errors.append(e)
    return results[0], results[1], errors[0], errors[1]


def assert_same_error(err_c, err_r, context="") -> None:
    if err_r is None:
        assert err_c is None, f"{context}: mygrad_c raised {err_c!r}, mygrad did not"
        return
    assert err_c is not None, f"{context}: mygrad raised {err_r!r}, mygrad_c did not"
    assert type(err_c).__name__ == type(err_r).__name__, (context, err_c, err_r)
    assert str(err_c) == str(err_r), (context, str(err_c), str(err_r))


def check_mirrored(f: Callable, *, backward: Callable | None = None, context: str = "") -> tuple:
    """Run scenario ``f`` in both libraries and compare everything (see module doc).

    ``backward(lib, tensors)`` (optional) is then run in both, and the same
    comparison repeated with gradients.  Returns the two lists of tensors.
    """
    tc, tr, ec, er = run_scenario(f)
    assert_same_error(ec, er, context)
    if er is not None:
        return None, None
    assert_same_description(describe(tc), describe(tr), context + " (before backward)")
    if backward is not None:
        errs = []
        for lib, ts in ((mg, tc), (mygrad, tr)):
            try:
                backward(lib, ts)
                errs.append(None)
            except Exception as e:  # noqa: BLE001
                errs.append(e)
        assert_same_error(*errs, context=context + " (backward)")
        assert_same_description(describe(tc), describe(tr), context + " (after backward)")
    return tc, tr


def backward_sum_sq(i: int = 0) -> Callable:
    """backward of sum(t_i ** 2) with a fixed non-trivial weight."""
    def bw(lib, ts):
        t = ts[i]
        w = np.linspace(-1.5, 2.0, num=max(t.data.size, 1))[: t.data.size].reshape(t.data.shape)
        (t * t * w).sum().backward()
    return bw


# ---------------------------------------------------------------------------
# the view operations
# ---------------------------------------------------------------------------
def _x(lib, shape=(2, 3, 4)):
    return lib.tensor(np.arange(np.prod(shape), dtype=np.float64).reshape(shape) - 7.5)


VIEWS: dict[str, Callable] = {
    "slice": lambda lib, x: x[1:],
    "int-index": lambda lib, x: x[0],
    "step": lambda lib, x: x[..., ::2],
    "negative-step": lambda lib, x: x[::-1, :, 1:3],
    "newaxis": lambda lib, x: x[None, 1, ..., None],
    "ellipsis": lambda lib, x: x[...],
    "empty-slice": lambda lib, x: x[:, 3:3],
    "reshape": lambda lib, x: x.reshape(6, 4),
    "reshape-fn": lambda lib, x: lib.reshape(x, (4, -1)),
    "reshape-of-transpose(copy)": lambda lib, x: x.T.reshape(-1),
    "transpose": lambda lib, x: lib.transpose(x, (2, 0, 1)),
    "T": lambda lib, x: x.T,
    "method-transpose": lambda lib, x: x.transpose(1, 0, 2),
    "swapaxes": lambda lib, x: lib.swapaxes(x, 0, 2),
    "method-swapaxes": lambda lib, x: x.swapaxes(-1, 1),
    "moveaxis": lambda lib, x: lib.moveaxis(x, 0, -1),
    "moveaxis-multi": lambda lib, x: lib.moveaxis(x, (0, 1), (2, 0)),
    "squeeze": lambda lib, x: lib.squeeze(x[:1, :, :1]),
    "squeeze-axis": lambda lib, x: x[:, :1].squeeze(axis=1),
    "expand_dims": lambda lib, x: lib.expand_dims(x, 1),
    "expand_dims-neg": lambda lib, x: lib.expand_dims(x, -1),
    "broadcast_to": lambda lib, x: lib.broadcast_to(x, (2, 2, 3, 4)),
    "broadcast_to-same-shape": lambda lib, x: lib.broadcast_to(x, (2, 3, 4)),
    "ravel": lambda lib, x: lib.ravel(x),
    "method-ravel": lambda lib, x: x.ravel(),
    "ravel-of-strided(copy)": lambda lib, x: lib.ravel(x[:, ::2]),
    "flatten(copy)": lambda lib, x: x.flatten(),
    "advanced-index(copy)": lambda lib, x: x[[0, 1, 1]],
    "bool-index(copy)": lambda lib, x: x[x > 0],
    "view-of-view": lambda lib, x: x[1:].T[::2],
    "view-of-view-of-view": lambda lib, x: lib.moveaxis(x[0].reshape(2, 2, 3), 0, 2)[..., 1],
    "reshape-of-slice": lambda lib, x: x[1].reshape(12),
    "copy-then-view": lambda lib, x: (x * 1)[0],
}


@pytest.mark.parametrize("name", list(VIEWS))
@pytest.mark.parametrize("constant", [False, True])
def test_view_matches_mygrad(name, constant):
    def scenario(lib):
        x = lib.tensor(_x(lib), constant=constant)
        v = VIEWS[name](lib, x)
        return [x, v]

    tc, tr = check_mirrored(scenario, context=name)
    xc, vc = tc
    # np.shares_memory on the tensors themselves agrees with the arrays
    assert np.shares_memory(xc, vc) == np.shares_memory(tr[0], tr[1])
    if not constant:
        def bw(lib, ts):
            x, v = ts
            w = np.arange(v.data.size, dtype=np.float64).reshape(v.data.shape) % 5 - 2
            (v * w).sum().backward()
        check_mirrored(scenario, backward=bw, context=name)


@pytest.mark.parametrize("name", list(VIEWS))
def test_view_grad_after_backward_through_base(name):
    """Backprop from a use of the base: the view's grad is the view of the base's grad."""
    def scenario(lib):
        x = _x(lib)
        return [x, VIEWS[name](lib, x)]

    tc, tr = check_mirrored(scenario, backward=backward_sum_sq(0), context=name)
    xc, vc = tc
    if vc.base is xc:
        assert_array_equal(vc.grad, VIEWS[name](np, xc.grad))


@pytest.mark.parametrize("name", list(VIEWS))
def test_write_through_base_seen_by_view(name):
    def scenario(lib):
        x = _x(lib)
        v = VIEWS[name](lib, x)
        x[...] = -x  # (an in-place write into the base)
        return [x, v]

    check_mirrored(scenario, backward=backward_sum_sq(1), context=name)


@pytest.mark.parametrize("name", list(VIEWS))
def test_write_through_view_seen_by_base(name):
    def scenario(lib):
        x = _x(lib)
        v = VIEWS[name](lib, x)
        v[...] = 2 * v + 1
        return [x, v]

    check_mirrored(scenario, backward=backward_sum_sq(0), context=name)


@pytest.mark.parametrize("name", list(VIEWS))
def test_data_write_without_graph(name):
    """Writes into ``.data`` of a view / base (no graph alive) are seen by both sides."""
    def scenario(lib):
        x = _x(lib)
        v = VIEWS[name](lib, x)
        x.clear_graph()
        v.clear_graph()
        if v.data.flags.writeable and v.data.size:
            v.data[...] = 100.0
        x.data[0] = -100.0
        return [x, v]

    check_mirrored(scenario, context=name)


@pytest.mark.parametrize("name", ["slice", "T", "reshape", "view-of-view", "ravel", "expand_dims"])
def test_views_of_views_share_root_base(name):
    def scenario(lib):
        x = _x(lib)
        v = VIEWS[name](lib, x)
        w = v[..., :1]
        u = lib.expand_dims(w, 0)
        return [x, v, w, u]

    tc, _ = check_mirrored(scenario, backward=backward_sum_sq(3), context=name)
    x, v, w, u = tc
    if v.base is x:
        assert w.base is x and u.base is x


def test_view_of_non_tensor_result_has_no_base():
    for lib in LIBS:
        x = lib.tensor([1.0, 2.0, 3.0])
        y = x + 0
        v = y[1:]
        assert v.base is y
        assert x.base is None


def test_base_of_leaf_made_from_array_view_is_none():
    def scenario(lib):
        arr = np.arange(6.0)  # (one array per library: locking it in one must not affect the other)
        a = lib.tensor(arr[1:], copy=False)
        return [a, a[1:]]
    check_mirrored(scenario, backward=backward_sum_sq(1))


def test_view_grad_is_view_of_base_grad_memory():
    for lib in LIBS:
        x = lib.tensor(np.arange(6.0).reshape(2, 3))
        v = x[:, 1:]
        (x ** 2).sum().backward()
        assert_array_equal(v.grad, x.grad[:, 1:])


def test_view_used_in_graph_grad_flows_to_base():
    def scenario(lib):
        x = _x(lib)
        a = x[0]
        b = x.T
        c = lib.moveaxis(x, 1, 0)[1]
        return [x, a, b, c]

    def bw(lib, ts):
        x, a, b, c = ts
        (a.sum() * 2 + (b ** 3).sum() - (c * c).sum()).backward()

    check_mirrored(scenario, backward=bw)


def test_view_grad_when_only_view_in_graph():
    """backward from a view's use: x.grad is zeros outside the view; v.grad its view."""
    def scenario(lib):
        x = _x(lib)
        v = x[1, ::2]
        return [x, v]

    def bw(lib, ts):
        (ts[1] ** 2).sum().backward()

    check_mirrored(scenario, backward=bw)


def test_grad_of_view_after_base_used_again_is_none():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0])
        v = x[:2]
        (x * 2).sum().backward()
        _ = x * 3  # using the base again nulls its gradient
        return [x, v]

    check_mirrored(scenario)


def test_view_constant_flag_follows_base():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0], constant=True)
        y = lib.tensor([1, 2, 3])
        return [x, x[1:], y, y[::2], x.T, lib.broadcast_to(y, (2, 3))]

    check_mirrored(scenario)


# ---------------------------------------------------------------------------
# property-based: random basic-index views of random arrays
# ---------------------------------------------------------------------------
@st.composite
def array_and_view_index(draw):
    arr = draw(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
                          elements=st.floats(-5, 5)))
    index = draw(hnp.basic_indices(arr.shape, allow_newaxis=True, allow_ellipsis=True))
    return arr, index


@given(array_and_view_index(), st.integers(0, 3))
def test_random_basic_index_views(pair, op):
    arr, index = pair

    def scenario(lib):
        x = lib.tensor(arr)
        v = x[index]
        w = [v, v.T, lib.expand_dims(v, 0), lib.ravel(v) if v.ndim else v][op]
        return [x, v, w]

    def bw(lib, ts):
        x, v, w = ts
        (w * w).sum().backward()

    check_mirrored(scenario, backward=bw, context=f"{arr.shape} {index} {op}")


@given(array_and_view_index(), st.floats(-3, 3))
def test_random_setitem_through_basic_view(pair, value):
    arr, index = pair

    def scenario(lib):
        x = lib.tensor(arr)
        y = x * 1
        v = y[index]
        v[...] = value * v
        return [x, y, v]

    check_mirrored(scenario, backward=backward_sum_sq(1), context=f"{arr.shape} {index}")


@pytest.mark.parametrize("bw", [backward_sum_sq(0), backward_sum_sq(1), backward_sum_sq(2)],
                         ids=["from-x", "from-squeezed", "from-y"])
def test_squeeze_of_nothing(bw):
    """Squeezing nothing returns the input's own array (NumPy does) and is not a view
    (``base is None``, as in MyGrad): values, memory, lock flags and gradients match."""
    def scenario(lib):
        x = lib.tensor(np.linspace(-1.0, 1.0, 6).reshape(2, 3))
        s = lib.squeeze(x)
        y = s * x
        return [x, s, y]

    check_mirrored(scenario, backward=bw)
