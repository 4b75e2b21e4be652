"""In-place operations compared with MyGrad: setitem (basic / advanced / boolean /
repeated indices), augmented assignment on tensors and views, ``out=`` (ndarray and
tensor targets, with ``where=``), writes into constants, integer tensors and broadcast
views, and all of it under ``no_autodiff``.

Each scenario runs in mygrad_c and in mygrad; values, which objects are the same,
flags, memory sharing and every gradient after a later backward must agree (see
``check_mirrored`` in test_views.py).
"""
from __future__ import annotations

import hypothesis.strategies as st
import mygrad
import numpy as np
import pytest
from hypothesis import given
from numpy.testing import assert_array_equal

import mygrad_c as mg
from mygrad_c.errors import InvalidGradient
from test_views import backward_sum_sq, check_mirrored, run_scenario, assert_same_error
from helpers import assert_same_trace, outcome


def _a(lib, shape=(3, 4), constant=None, dtype=np.float64):
    return lib.tensor((np.arange(np.prod(shape)).reshape(shape) - 4.5).astype(dtype), constant=constant)


def bw_all(lib, ts):
    """backward of a weighted sum over every live float tensor returned (last one first)."""
    tensors = [t for t in ts if isinstance(t, lib.Tensor)]
    total = None
    for k, t in enumerate(tensors):
        if t.dtype.kind != "f":
            continue
        term = (t * (k + 1.5)).sum() + (t * t).sum()
        total = term if total is None else total + term
    if total is not None:
        total.backward()


def bw_last(lib, ts):
    t = [t for t in ts if isinstance(t, lib.Tensor)][-1]
    (t * t).sum().backward()


def bw_first(lib, ts):
    (ts[0] ** 2).sum().backward()


BACKWARDS = [bw_all, bw_last, bw_first]

# ---------------------------------------------------------------------------
# setitem
# ---------------------------------------------------------------------------
INDICES = {
    "int": 1,
    "neg-int": -1,
    "slice": np.s_[1:],
    "step-slice": np.s_[::2, 1::2],
    "ellipsis": np.s_[..., 0],
    "newaxis": np.s_[None, 0],
    "tuple-int": (1, 2),
    "empty-slice": np.s_[2:2],
    "adv-int-list": [0, 2],
    "adv-repeated": [0, 0, 2, 0],
    "adv-pair": ([0, 1, 1], [3, 3, 3]),
    "adv-mixed-slice": np.s_[[2, 0], 1:3],
    "adv-negative": ([-1, 0], [-2, -2]),
    "bool-mask": "mask",
    "bool-row-mask": np.array([True, False, True]),
    "bool-all-false": np.zeros(3, dtype=bool),
}

VALUES = {
    "scalar": lambda lib, shape: -2.5,
    "array": lambda lib, shape: np.full(shape, 7.0) + np.arange(np.prod(shape)).reshape(shape),
    "tensor": lambda lib, shape: lib.tensor(np.full(shape, 3.0) - np.arange(np.prod(shape)).reshape(shape)),
    "broadcast-tensor": lambda lib, shape: lib.tensor(11.0),
    "const-tensor": lambda lib, shape: lib.tensor(np.ones(shape), constant=True),
    "int-tensor": lambda lib, shape: lib.tensor(np.ones(shape, dtype=np.int64)),
}


def _index(name, data):
    idx = INDICES[name]
    if isinstance(idx, str):
        return data > 0
    return idx


@pytest.mark.parametrize("value", list(VALUES))
@pytest.mark.parametrize("index", list(INDICES))
@pytest.mark.parametrize("target", ["leaf", "intermediate", "view", "used-before"])
def test_setitem(target, index, value):
    def scenario(lib):
        x = _a(lib)
        idx = _index(index, np.asarray(x.data))
        shape = np.asarray(x.data)[idx].shape
        v = VALUES[value](lib, shape)
        out = [x]
        if target == "leaf":
            t = x
        elif target == "intermediate":
            t = x * 2
        elif target == "view":
            t = x[::-1][:, :]  # a view of a view of x, shaped like x
        else:  # used before being written
            y = x * x
            out.append(y)
            t = x
        t[idx] = v
        out.append(t)
        if isinstance(v, lib.Tensor):
            out.append(v)
        return out

    for bw in BACKWARDS:
        check_mirrored(scenario, backward=bw, context=f"{target} {index} {value} {bw.__name__}")


@given(st.lists(st.integers(-3, 2), min_size=1, max_size=6), st.booleans())
def test_setitem_random_repeated_indices(idx, tensor_value):
    def scenario(lib):
        x = _a(lib, (3,))
        v = lib.tensor(np.arange(len(idx), dtype=float) + 1) if tensor_value else np.arange(len(idx)) * 1.0
        y = x * 1
        y[idx] = v
        return [x, y] + ([v] if tensor_value else [])

    check_mirrored(scenario, backward=bw_last, context=str(idx))


def test_setitem_errors_match():
    cases = [
        lambda lib: _a(lib).__setitem__((0, 9), 1.0),               # out of bounds
        lambda lib: _a(lib).__setitem__(slice(None), np.ones(5)),   # shape mismatch
        lambda lib: _a(lib).__setitem__([0, 5], 1.0),
        lambda lib: _a(lib).__setitem__(np.array([True, False]), 1.0),
        lambda lib: _a(lib).__setitem__(0.5, 1.0),
    ]
    for f in cases:
        _, _, ec, er = run_scenario(f)
        assert er is not None
        assert_same_error(ec, er)


def test_setitem_failure_leaves_tensor_unchanged():
    def scenario(lib):
        x = _a(lib)
        y = x * 2
        try:
            y[0, 9] = 1.0
        except IndexError:
            pass
        return [x, y]

    check_mirrored(scenario, backward=bw_last)


# ---------------------------------------------------------------------------
# augmented assignment
# ---------------------------------------------------------------------------
AUG_OPS = {
    "+=": lambda t, o: t.__iadd__(o),
    "-=": lambda t, o: t.__isub__(o),
    "*=": lambda t, o: t.__imul__(o),
    "/=": lambda t, o: t.__itruediv__(o),
    "**=": lambda t, o: t.__ipow__(o),
}


def _aug(op, t, other):
    # use the real statement so Python's rebinding semantics are exercised
    ns = {"t": t, "o": other}
    exec(f"t {op} o", ns)
    return ns["t"]


OTHERS = {
    "scalar": lambda lib: 1.5,
    "int-scalar": lambda lib: 2,
    "array": lambda lib: np.linspace(0.5, 2.0, 4),
    "tensor": lambda lib: lib.tensor(np.linspace(1.0, 2.0, 4)),
    "row-tensor": lambda lib: lib.tensor([[0.5], [1.0], [2.0]]),
    "self-view": "self",
}


@pytest.mark.parametrize("other", list(OTHERS))
@pytest.mark.parametrize("op", list(AUG_OPS))
@pytest.mark.parametrize("target", ["leaf", "intermediate", "view", "view-of-view", "used-before"])
def test_augmented_assignment(target, op, other):
    def scenario(lib):
        x = lib.tensor(np.linspace(0.5, 3.0, 12).reshape(3, 4))
        out = [x]
        if target == "leaf":
            t = x
        elif target == "intermediate":
            t = x + 1
        elif target == "view":
            t = x[1:]
        elif target == "view-of-view":
            t = x.T[1:].T
        else:
            out.append(x * 3)
            t = x
        o = t[0] * 1 if OTHERS[other] == "self" else OTHERS[other](lib)
        before = t
        t = _aug(op, t, o)
        out += [t, before is t]
        if isinstance(o, lib.Tensor):
            out.append(o)
        return out

    for bw in BACKWARDS:
        check_mirrored(scenario, backward=bw, context=f"{target} {op} {other} {bw.__name__}")


@pytest.mark.parametrize("target", ["leaf", "intermediate", "view"])
def test_matmul_assignment(target):
    def scenario(lib):
        x = lib.tensor(np.linspace(0.5, 3.0, 9).reshape(3, 3))
        w = lib.tensor(np.linspace(-1.0, 1.0, 9).reshape(3, 3))
        t = {"leaf": lambda: x, "intermediate": lambda: x * 1, "view": lambda: x.T}[target]()
        before = t
        t @= w
        return [x, w, t, t is before]

    for bw in BACKWARDS:
        check_mirrored(scenario, backward=bw, context=f"{target} {bw.__name__}")


def test_matmul_assignment_shape_change_error():
    def scenario(lib):
        x = lib.tensor(np.ones((3, 3)))
        x @= lib.tensor(np.ones((3, 2)))
        return [x]

    check_mirrored(scenario)


@pytest.mark.parametrize("op", list(AUG_OPS))
def test_augmented_assignment_dtype_rules(op):
    """float32 target with float64 other, int target with float other."""
    def f32(lib):
        x = lib.tensor([1.0, 2.0], dtype=np.float32)
        y = lib.tensor([2.0, 4.0])
        x = _aug(op, x, y)
        return [x, y]

    def i64(lib):
        x = lib.tensor([1, 2, 3])
        x = _aug(op, x, 2.5)
        return [x]

    def i64_int(lib):
        x = lib.tensor([1, 2, 3])
        x = _aug(op, x, 2)
        return [x]

    for sc in (f32, i64, i64_int):
        check_mirrored(sc, backward=bw_last, context=f"{op} {sc.__name__}")


def test_repeated_augmented_assignment_chain():
    def scenario(lib):
        x = lib.tensor([1.0, -2.0, 3.0])
        y = x[:2]
        z = x * 1
        x *= 2
        y += x[1:]
        z -= y.sum()
        x **= 2
        y /= 3
        return [x, y, z]

    for bw in BACKWARDS:
        check_mirrored(scenario, backward=bw, context=bw.__name__)


# ---------------------------------------------------------------------------
# out= (and where=)
# ---------------------------------------------------------------------------
UFUNCS = ["add", "subtract", "multiply", "divide", "power", "maximum", "exp", "negative", "sin"]


def _call(lib, name, x, y, **kw):
    f = getattr(lib, name)
    return f(x, **kw) if name in ("exp", "negative", "sin") else f(x, y, **kw)


@pytest.mark.parametrize("where", [None, "mask"])
@pytest.mark.parametrize("target", ["tensor", "tensor-f32", "ndarray", "view", "input-itself", "intermediate"])
@pytest.mark.parametrize("name", UFUNCS)
def test_out_keyword(name, target, where):
    def scenario(lib):
        x = lib.tensor(np.linspace(0.5, 2.0, 6).reshape(2, 3))
        y = lib.tensor(np.linspace(-1.0, 1.0, 3))
        base = None
        if target == "tensor":
            out = lib.tensor(np.full((2, 3), 9.0))
        elif target == "tensor-f32":
            out = lib.zeros((2, 3))
        elif target == "ndarray":
            out = np.full((2, 3), 9.0)
        elif target == "view":
            base = lib.tensor(np.full((2, 4), 9.0))
            out = base[:, 1:]
        elif target == "input-itself":
            out = x
        else:
            out = x * 1
        kw = {"out": out}
        if where == "mask":
            kw["where"] = np.array([True, False, True])
        r = _call(lib, name, x, y, **kw)
        res = [x, y, r, out, r is out, r is x]
        if base is not None:
            res.append(base)
        return res

    for bw in (bw_all, bw_first):
        check_mirrored(scenario, backward=bw, context=f"{name} {target} {where} {bw.__name__}")


@pytest.mark.parametrize("name", ["arctan", "exp", "sin", "square", "log1p", "tan", "multiply", "power", "divide"])
@pytest.mark.parametrize("x_dtype, x_shape, out_dtype", [
    ("float16", (3,), "float64"), ("float16", (2, 3), "float64"), ("float32", (3,), "float64"),
    ("float64", (3,), "float64"), ("float64", (3,), "float32"), ("float32", (1, 3), "float16"),
])
@pytest.mark.parametrize("where", [True, "mask"])
def test_out_tensor_of_another_shape_or_dtype_back_propagates_bit_for_bit_as_mygrad(
        name, x_dtype, x_shape, out_dtype, where):
    """The gradient reaches the operation at the target's shape and dtype, is multiplied
    there and summed over the broadcast axes after (as MyGrad, which computes into the
    target): not summed or cast to the input's dtype first."""
    rng = np.random.default_rng(3)
    x = rng.uniform(0.1, 1.3, x_shape).astype(x_dtype)
    y = rng.uniform(0.5, 1.5, (3,))
    grad = rng.standard_normal((2, 3))
    kw = {} if where is True else {"where": np.array([True, False, True])}
    results = []
    for lib in (mygrad, mg):
        xt, yt = lib.tensor(x), lib.tensor(y)
        out = lib.tensor(np.full((2, 3), 2.0, dtype=out_dtype))
        f = getattr(lib, name)
        with np.errstate(all="ignore"):
            r = f(xt, out=out, **kw) if f.nin == 1 else f(xt, yt, out=out, **kw)
            r.backward(grad)
        results.append([(a.dtype, a.tobytes()) for a in (r.data, xt.grad, yt.grad if f.nin == 2 else xt.grad)])
    assert results[0] == results[1]


@pytest.mark.parametrize("where_kind", ["list", "array", "scalar-false", "scalar-true"])
def test_where_without_out(where_kind):
    """Without out=, the unselected entries are uninitialised (as in NumPy): compare the rest."""
    mask = {"list": [True, False, True], "array": np.array([False, True, True]),
            "scalar-false": False, "scalar-true": True}[where_kind]
    sel = np.broadcast_to(np.asarray(mask), (3,))
    res = {}
    for lib in (mg, mygrad):
        x = lib.tensor([1.0, 2.0, 3.0])
        r = lib.multiply(x, 10, where=mask)
        vals = np.array(r.data)[sel]
        flags = (r.constant, r.creator is None, r.dtype, r.shape)
        (r * np.array([1.0, 2.0, 3.0])).sum().backward()
        res[lib] = (vals, flags, x.grad, r.grad)
    (vc, fc, gc, rc), (vr, fr, gr, rr) = res[mg], res[mygrad]
    assert_array_equal(vc, vr)
    assert fc == fr
    assert_array_equal(gc, gr)
    assert_array_equal(rc, rr)


def test_out_on_method_ops():
    def scenario(lib):
        x = lib.tensor([-2.0, 0.5, 3.0])
        out = lib.tensor(np.zeros(3))
        r = lib.clip(x, -1, 1, out=out)
        return [x, out, r, r is out]

    check_mirrored(scenario, backward=bw_all)


def test_out_shape_and_cast_errors():
    cases = [
        lambda lib: lib.multiply(lib.tensor([1.0, 2.0]), 2, out=lib.tensor(np.zeros(3))),
        lambda lib: lib.multiply(lib.tensor([1.0, 2.0]), 2, out=lib.tensor([0, 0])),
        lambda lib: lib.add(lib.tensor([1.0, 2.0]), 2, out=np.zeros(2, dtype=int)),
    ]
    for f in cases:
        def sc(lib, f=f):
            return [f(lib)]
        check_mirrored(sc)


# ---------------------------------------------------------------------------
# writing into constants, integers, broadcast views
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("how", ["setitem", "iadd", "imul-tensor", "out", "setitem-tensor"])
@pytest.mark.parametrize("target", ["constant", "int", "bool", "broadcast", "broadcast-of-view",
                                    "expand-then-broadcast"])
def test_write_into_special_targets(target, how):
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0])
        t = {
            "constant": lambda: lib.tensor([1.0, 2.0, 3.0], constant=True),
            "int": lambda: lib.tensor([1, 2, 3]),
            "bool": lambda: lib.tensor([True, False, True]),
            "broadcast": lambda: lib.broadcast_to(x, (2, 3)),
            "broadcast-of-view": lambda: lib.broadcast_to(x[1:], (2, 2)),
            "expand-then-broadcast": lambda: lib.broadcast_to(lib.expand_dims(x, 0), (1, 3)),
        }[target]()
        before = t
        if how == "setitem":
            t[..., 0] = 5
        elif how == "setitem-tensor":
            t[..., :1] = x[:1]
        elif how == "iadd":
            t += 1
        elif how == "imul-tensor":
            t *= x
        else:
            lib.add(t, 1, out=t)
        return [x, t, t is before]

    check_mirrored(scenario, backward=bw_all, context=f"{target} {how}")


# ---------------------------------------------------------------------------
# no_autodiff
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("how", ["setitem", "setitem-adv", "iadd", "imul", "ipow", "out", "out-where"])
@pytest.mark.parametrize("target", ["leaf", "view", "intermediate", "used-before"])
def test_in_place_under_no_autodiff(target, how):
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0, 4.0])
        out = [x]
        if target == "leaf":
            t = x
        elif target == "view":
            t = x[1:3]
        elif target == "intermediate":
            t = x * 2
        else:
            out.append(x * x)
            t = x
        before = t
        with lib.no_autodiff:
            if how == "setitem":
                t[0] = -1.0
            elif how == "setitem-adv":
                t[[0, 0, 1]] = lib.tensor([5.0, 6.0, 7.0])
            elif how == "iadd":
                t += 10
            elif how == "imul":
                t *= lib.tensor(3.0)
            elif how == "ipow":
                t **= 2
            elif how == "out":
                lib.multiply(t, 2, out=t)
            else:
                lib.multiply(t, 2, out=t, where=np.arange(t.shape[0]) % 2 == 0)
        out += [t, t is before]
        return out

    for bw in BACKWARDS:
        check_mirrored(scenario, backward=bw, context=f"{target} {how} {bw.__name__}")


def test_no_autodiff_training_step_values():
    def scenario(lib):
        w = lib.tensor([1.0, -1.0, 0.5])
        for _ in range(3):
            loss = (w * w).sum()
            loss.backward()
            with lib.no_autodiff:
                w -= 0.1 * w.grad
        return [w]

    check_mirrored(scenario, backward=bw_all)


# ---------------------------------------------------------------------------
# views of views written; tensors used before the write
# ---------------------------------------------------------------------------
def test_views_of_views_written_in_turn():
    """A view of a view is rebuilt from its parent view (as in MyGrad), so backward
    from it clears the parent's graph too."""
    def scenario(lib):
        x = lib.tensor(np.linspace(-1, 1, 12).reshape(3, 4))
        a = x[1:]
        b = a[:, ::2]
        c = b.T
        y = x * 1  # used before
        c[0] = c[1] * 3
        b += 1
        a[0, 0] = x[2, 3]
        x[2] *= 2
        return [x, a, b, c, y]

    for bw in BACKWARDS + [backward_sum_sq(2), backward_sum_sq(3)]:
        check_mirrored(scenario, backward=bw, context=bw.__name__)


def test_value_written_is_a_view_of_target():
    def scenario(lib):
        x = lib.tensor(np.linspace(-1, 1, 6))
        x[:3] = x[3:]
        x[::2] = x[::-2] * 2
        return [x]

    check_mirrored(scenario, backward=bw_all)


def test_backward_twice_through_in_place_graph():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0])
        y = x * 2
        y[0] = x[1]
        y.sum().backward()
        z = y * x
        return [x, y, z]

    check_mirrored(scenario, backward=bw_last)


def test_in_place_semantics_identity():
    for lib in (mg, mygrad):
        x = lib.tensor([1.0, 2.0])
        x0 = x
        x += 1
        x[0] = 3
        lib.multiply(x, 2, out=x)
        assert x is x0
        assert_array_equal(x.data, [6.0, 6.0])


# ---------------------------------------------------------------------------
# operands that are the target itself, its base, or computed from it
# ---------------------------------------------------------------------------
OPERAND_SCENARIOS = {
    "view *= its base": lambda lib, x: _aug("*=", x[:], x),
    "view of view *= base region": lambda lib, x: _aug("*=", x[1:][:2], x[:2]),
    "view[...] = its base": lambda lib, x: x[:].__setitem__(Ellipsis, x),
    "x *= f(x)": lambda lib, x: _aug("*=", x, x * 2),
    "x[:2] = f(x)[1:]": lambda lib, x: x.__setitem__(slice(0, 2), (x ** 2)[1:]),
    "out= a view, input its base": lambda lib, x: lib.multiply(x, 2.0, out=x[:]),
    "two views of one base": lambda lib, x: _aug("*=", x[:2], x[1:]),
}


@pytest.mark.parametrize("name", sorted(OPERAND_SCENARIOS))
@pytest.mark.parametrize("bw", BACKWARDS, ids=lambda f: f.__name__)
def test_in_place_operand_refers_to_target(name, bw):
    """The other operand is (or was computed from) the object written: it must stand
    for the value before the write, and x.grad is the gradient for x's value after it."""
    def scenario(lib):
        x = lib.tensor([3.0, -2.0, 0.5])
        y = x * 1  # used before the write
        OPERAND_SCENARIOS[name](lib, x)
        return [x, y]

    check_mirrored(scenario, backward=bw, context=name)


def test_earlier_operations_no_longer_refer_to_the_written_object():
    """As in MyGrad: after `x *= 3`, an operation that used x refers to a stand-in for
    x's old state, not to the object x (whose graph now leads to that operation)."""
    for lib in (mg, mygrad):
        x = lib.tensor([1.0, 2.0])
        y = x * 2
        v = x[:1]
        w = v * 2
        x *= 3
        assert y.creator.variables[0] is not x, lib.__name__
        assert w.creator.variables[0] is not v, lib.__name__
        assert_array_equal(y.creator.variables[0].data, [1.0, 2.0])


@pytest.mark.parametrize("name", sorted(OPERAND_SCENARIOS))
def test_in_place_graph_freed_when_dropped(name):
    """An in-place write makes no reference cycle: dropping every reference frees the
    tensors at once, without backward, clear_graph or the garbage collector."""
    import gc
    import weakref

    gc.disable()
    try:
        x = mg.tensor([3.0, -2.0, 0.5])
        y = x * 1
        OPERAND_SCENARIOS[name](mg, x)
        refs = [weakref.ref(x), weakref.ref(y)]
        del x, y
        assert all(r() is None for r in refs)
    finally:
        gc.enable()


# ---------------------------------------------------------------------------
# element updates in a loop: written into the array itself when nobody can tell
# ---------------------------------------------------------------------------
def _past_states(t):
    """The data of t's past states, following the chain of in-place writes back."""
    out = []
    while t.creator is not None and type(t.creator).__name__ == "SetItem":
        t = t.creator.variables[0]
        out.append(np.array(t.data))
    return out


UPDATE_LOOPS = {
    "x[i] = x[i] * 2": lambda lib, x: [x.__setitem__(i, x[i] * 2) for i in range(x.shape[0])],
    "x[i] = x[i-1] * x[i]": lambda lib, x: [x.__setitem__(i, x[i - 1] * x[i]) for i in range(1, x.shape[0])],
    "slices": lambda lib, x: [x.__setitem__(slice(i, i + 2), x[i:i + 2] * 0.5 + 1) for i in range(x.shape[0] - 1)],
    "used before": lambda lib, x: [x.__setitem__(i, (x * x)[i] + 1) for i in range(x.shape[0])],
    "data held": lambda lib, x: [(x.data, x.__setitem__(i, 3.0)) for i in range(x.shape[0])],
    "scalar writes": lambda lib, x: [x.__setitem__(i, float(i)) for i in range(0, x.shape[0], 2)],
}


@pytest.mark.parametrize("name", sorted(UPDATE_LOOPS))
@pytest.mark.parametrize("bw", BACKWARDS, ids=lambda f: f.__name__)
def test_element_update_loops(name, bw):
    """Values, gradients and the past states seen through ``creator.variables`` all
    match MyGrad, whether or not mygrad_c overwrote the array in place."""
    def scenario(lib):
        x = lib.tensor(np.linspace(-1.0, 2.0, 6))
        y = x * 1
        z = x[0] * x[5]
        held = x.data
        UPDATE_LOOPS[name](lib, x)
        return [x, y, z, held]

    tc, tr = check_mirrored(scenario, backward=bw, context=name)


@pytest.mark.parametrize("name", sorted(UPDATE_LOOPS))
def test_past_states_keep_their_values(name):
    xs = []
    for lib in (mg, mygrad):
        x = lib.tensor(np.linspace(-1.0, 2.0, 6))
        UPDATE_LOOPS[name](lib, x)
        xs.append(x)
    states_c, states_r = _past_states(xs[0]), _past_states(xs[1])
    assert len(states_c) == len(states_r)
    for a, b in zip(states_c, states_r):
        assert_array_equal(a, b)


def test_array_held_by_user_is_not_overwritten():
    x = mg.tensor(np.ones(4))
    held = x.data
    x[0] = x[1] * 5
    assert_array_equal(held, np.ones(4))
    assert_array_equal(x.data, [5.0, 1.0, 1.0, 1.0])


@pytest.mark.parametrize("release", ["clear_graph", "backward", "introspection"])
def test_array_held_after_past_states_are_gone_is_not_overwritten(release):
    """Past states sharing an overwritten array are counted exactly, so a reference the
    user takes after some of them were freed (or given their own array) is seen."""
    x = mg.tensor(np.ones(4))
    x[0] = x[1] * 2
    if release == "clear_graph":
        x.clear_graph()
    elif release == "backward":
        x.sum().backward()
    else:
        np.asarray(x.creator.variables[0].data)
    held = x.data
    before = np.array(held)
    x[1] = 3.0
    assert_array_equal(held, before)
    assert_array_equal(x.data, [2.0, 3.0, 1.0, 1.0])


def test_element_updates_do_not_copy_the_array():
    """1,000 updates of a (1000,) tensor, with the graph kept: writing each into a copy
    would hold 8 MB of past arrays; writing in place holds one array and the
    overwritten elements."""
    import tracemalloc

    x = mg.tensor(np.ones(1000))
    tracemalloc.start()
    try:
        for i in range(1000):
            x[i] = x[i] * 2
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 6_000_000, peak  # (the graph itself takes about 3.5 kB per update)
    x.sum().backward()
    assert_array_equal(x.grad, np.ones(1000))
    assert_array_equal(x.data, np.full(1000, 2.0))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_element_updates_twice_and_dtypes(dtype):
    """Two rounds of updates and backward passes, in every float dtype (gradients that
    the engine adds straight into an input's pending gradient, past states dropped)."""
    def scenario(lib):
        x = lib.tensor(np.linspace(-1.0, 1.0, 5).astype(dtype))
        out = []
        for _ in range(2):
            for i in range(5):
                x[i] = x[i] * 2 + x[(i + 1) % 5]
            x[1:3] = x[2:4] * x[0]
            (x * x).sum().backward()
            out.append(np.array(x.grad))
        return [x] + [lib.tensor(g) for g in out]

    check_mirrored(scenario)


def test_out_where_keeps_nan_gradients_where_masked():
    """out= with where=: the gradient is masked by multiplying (as MyGrad does), so a nan
    gradient stays nan where masked (found by the stateful test)."""
    m = np.array([True, False, True, False])

    def scenario(lib):
        x = lib.tensor([-1.0, -2.0, 3.0, 4.0])
        y = x ** 0.5             # nan at 0, 1
        z = lib.tensor([5.0, 6.0, 7.0, 8.0])
        w = z * 1
        lib.multiply(y, 2.0, out=w, where=m)
        v = y * 1
        lib.multiply(z, 2.0, out=v, where=m)   # v keeps y's nan where not written
        return [x, y, z, w, v]

    with np.errstate(all="ignore"):
        check_mirrored(scenario, backward=bw_all)


@pytest.mark.parametrize("op", ["einsum", "multiply", "matmul"])
@pytest.mark.parametrize("cleared", [False, True])
def test_gradient_through_an_op_whose_input_was_cleared_then_written(op, cleared):
    """A constant input of an operation, its graph cleared (a backward from it) and then
    written in place: mygrad_c's operation keeps the values it computed with, so ``w``'s
    gradient is the derivative of the result that was computed.  MyGrad's operation then
    refers to the constant as it is now and gives the gradient at the new values (twice the
    right one here) - the stale-op-after-clear difference (seed 97).  Without the clear
    both give the right gradient."""
    import mygrad

    def run(lib):
        c = lib.tensor([1.0, 2.0, 3.0], constant=True)
        w = lib.tensor([1.0, 1.0, 1.0])
        e = {"einsum": lambda: lib.einsum("i,i", w, c), "multiply": lambda: (w * c).sum(),
             "matmul": lambda: w @ c}[op]()
        if cleared:
            c.backward()
        c *= 2
        e.backward()
        return w.grad

    assert_array_equal(run(mg), [1.0, 2.0, 3.0])
    assert_array_equal(run(mygrad), [2.0, 4.0, 6.0] if cleared else [1.0, 2.0, 3.0])


@pytest.mark.parametrize("make, index", [
    ("mg.tensor(np.zeros((0,)), constant=True)[()]", "(slice(None), -1)"),
    ("mg.tensor([[[0.75, -1.0, -0.25]], [[-0.5, -1.5, -2.0]]], constant=True).transpose()",
     "(slice(0, 0, 3), slice(0, 0, -1), -1, slice(None, None, -1), None)"),
])
def test_an_index_the_view_taken_again_cannot_take_raises_numpys_index_error(make, index):
    # (hunts 199, 200) the view's own shape set under no_autodiff: MyGrad takes the view
    # again from its base (its old shape) and indexes that, so an index with more axes
    # than it has raises NumPy's IndexError - before any check of the values' shape
    def scenario(lib, out):
        v = eval(make, {"mg": lib, "np": np})
        with lib.no_autodiff:
            v.shape = v.shape + (1,) if v.ndim > 1 else (0, 1)
        out.append(outcome(lambda: v.__setitem__(eval(index), 1.0)))
        out.extend([v.shape, v.data.tolist(), v.base.data.tolist()])
    assert_same_trace(scenario)


def test_an_element_write_through_a_view_reshaped_untracked_is_refused_clearly():
    # (hunt seed 203) the view's own shape set under no_autodiff, to one its values do not
    # fit when the view is taken again from its base: MyGrad writes the element the index
    # names in the view taken again - another than the one it names in the view - and the
    # view takes that shape.  mygrad_c refuses, naming the cause, and leaves both as they were
    def scenario(lib):
        v = lib.arange(6.0).reshape((3, 2))
        with lib.no_autodiff:
            v.shape = (2, 3)
        v[[-2], [-2]] = 9.0
        return v, v.base

    v, base = scenario(mygrad)   # (the reason for the difference: element (0, 1) of v is flat 1)
    assert v.shape == (3, 2) and base.data.tolist() == [0.0, 1.0, 9.0, 3.0, 4.0, 5.0]
    expected = np.arange(6.0).reshape((3, 2))
    expected.shape = (2, 3)
    expected[[-2], [-2]] = 9.0
    assert expected.ravel().tolist() == [0.0, 9.0, 2.0, 3.0, 4.0, 5.0]
    with pytest.raises(ValueError, match=r"view's or its base's shape set under no_autodiff"):
        scenario(mg)
    v = mg.arange(6.0).reshape((3, 2))
    with mg.no_autodiff:
        v.shape = (2, 3)
    for write in (lambda: v.__setitem__((0, 1), 9.0), lambda: v.__iadd__(1.0)):
        with pytest.raises(ValueError, match="no_autodiff"):
            write()
        assert v.shape == (2, 3) and v.base.data.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]


def test_a_write_through_a_view_of_a_base_reshaped_untracked_is_refused_clearly():
    # (hunt seed 194) the base's shape set under no_autodiff after the view was taken: the
    # view taken again from the base has another shape, which the view's values do not
    # broadcast into.  MyGrad writes, and the view takes that other shape; mygrad_c
    # refuses with a message naming the likely cause and leaves both tensors as they were
    base = mg.tensor([[0.25, 0.25], [0.75, -0.25], [1.5, 0.5]])
    view = base[2, None]
    with mg.no_autodiff:
        base.shape = (3, 2, 1)
    with pytest.raises(ValueError, match="no_autodiff"):
        view[np.array([[True, True]])] = 0.75
    assert view.shape == (1, 2) and view.data.tolist() == [[1.5, 0.5]]
    assert base.data.ravel().tolist() == [0.25, 0.25, 0.75, -0.25, 1.5, 0.5]
    # values that still fit (a leading axis of 1 more or less, as NumPy assigns) are
    # written (MyGrad raises IndexError here: the accepted untracked-shape-write-in-mygrad)
    v = mg.arange(4.0).reshape((4,))
    with mg.no_autodiff:
        v.shape = (1, 4)
    v[[0], [-3]] += 0.5
    assert v.data.ravel().tolist() == [0.0, 1.5, 2.0, 3.0]


_LAID_OUT = {
    "transposed": lambda lib: lib.tensor(np.arange(6.0).reshape(3, 2)).T,
    "transposed leaf": lambda lib: lib.tensor(np.arange(6.0).reshape(3, 2).T),
    "reversed leaf": lambda lib: lib.tensor(np.arange(6.0).reshape(2, 3)[::-1]),
    "strided leaf": lambda lib: lib.tensor(np.arange(12.0).reshape(2, 6)[:, ::2]),
    "float16 transposed leaf": lambda lib: lib.tensor(np.arange(6.0, dtype=np.float16).reshape(3, 2).T),
    "disconnected reversed view": lambda lib: _disconnected_view(lib),
}


def _disconnected_view(lib):
    base = lib.tensor(np.arange(12.0).reshape(3, 4))
    view = base[::-1, 1:]
    base.backward()   # (the view's graph is cleared: a write disconnects it from its base)
    return view[:2]


@pytest.mark.parametrize("target", list(_LAID_OUT))
@pytest.mark.parametrize("write", [
    "t -= 0.5 * t", "t += 1", "t **= 2", "t[0] = 2.0",
    "mg.add(mg.tensor(np.ones((2, 3))), t, out=t)", "mg.add(mg.tensor(np.ones((2, 3))), 1, out=t)",
    "mg.multiply(mg.tensor(np.ones((2, 3), dtype=int)), 2, out=t)",
    "mg.negative(mg.tensor(np.ones((3, 2))).T, out=t)"])
def test_the_operation_is_the_creator_of_a_target_of_any_layout(target, write):
    # (hunt seed 210) a target laid out otherwise than a ufunc lays its result out got a
    # step to its layout (`_Fit`) as its creator; MyGrad's is the operation, with its
    # inputs - code reading `t.creator.variables` (as a hunt's training loop did) saw another
    # graph.  The creator, its inputs (shapes, memory shared with the target's base), the
    # layout, and the gradients after a backward, compared with MyGrad's
    def scenario(lib, out):
        t = _LAID_OUT[target](lib)
        base = t.base
        exec(write, {"mg": lib, "np": np, "t": t})
        creator = t.creator
        out.append((type(creator).__name__, t.data.strides, t.dtype))
        out.append([(v.shape, base is not None and np.shares_memory(v.data, base.data))
                    for v in creator.variables])
        t.backward(np.arange(6.0).reshape(t.shape))
        out.extend([t, t.grad] + [v.grad for v in creator.variables])

    assert_same_trace(scenario)


@pytest.mark.parametrize("index", [(Ellipsis,), (slice(None),), (slice(None), slice(None))])
def test_a_backward_from_a_view_after_untracked_shape_sets(index):
    # (session 25) both the base's and the view's shapes set under no_autodiff, alike: MyGrad
    # scatters the view's gradient into the base's shape now, and so does mygrad_c (it
    # raised NumPy's broadcast error).  Where the index or the gradient no longer fits - the
    # view's shape alone set, or an index of two axes into the base made 1-d - MyGrad
    # crashes (ValueError / IndexError); mygrad_c raises InvalidGradient naming the cause
    def run(lib, base_too):
        x = lib.tensor([[1.0, -2.0, 3.0], [4.0, 0.5, -6.0]])
        v = x[index]
        with lib.no_autodiff:
            if base_too:
                x.shape = (-1,)
            v.shape = (-1,)
        v.backward(np.arange(6.0))
        return x, v

    fits = len(index) == 1
    if fits:
        for lib_result in (run(mygrad, True), run(mg, True)):
            x, v = lib_result
            assert x.grad.tolist() == v.grad.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    for base_too in ((False,) if fits else (False, True)):
        with pytest.raises((ValueError, IndexError)):
            run(mygrad, base_too)
        with pytest.raises(InvalidGradient, match="no_autodiff"):
            run(mg, base_too)


@pytest.mark.parametrize("chain_of", ["x[1:]", "x.T", "x.reshape(-1)[::2]"])
def test_a_masked_unview_replaces_and_differentiates_only_the_masked_elements(chain_of):
    # UnView (a write through a view, placed into its base) with a mask, as for a
    # ``view[index] = value`` whose view no longer holds its base's values (the regressions
    # shape-set/stale-view-element-write): the values and both inputs' gradients against
    # central differences, with tensor.backward and, to second order, with
    # mg.grad(create_graph=True)
    from helpers import numerical_grad
    from mygrad_c._engine import run_op
    from mygrad_c._in_place import UnView

    base0 = np.arange(1.0, 13.0).reshape(3, 4)
    view = eval(chain_of, {"x": mg.tensor(base0)})
    steps = view._view_steps
    region0 = np.linspace(-2.0, 2.0, view.size).reshape(view.shape)
    mask = np.zeros(view.shape, dtype=bool)
    mask.flat[::3] = True

    def f(b, r):
        return run_op(UnView, (mg.tensor(b), mg.tensor(r)), op_args=(steps, mask)).data

    expected = base0.copy()
    np.copyto(eval(chain_of, {"x": expected}), region0, where=mask)
    assert_array_equal(f(base0, region0), expected)

    w = np.random.default_rng(1).uniform(0.5, 1.5, base0.shape)
    b, r = mg.tensor(base0), mg.tensor(region0)
    run_op(UnView, (b, r), op_args=(steps, mask)).backward(w)
    nb, nr = numerical_grad(f, base0, region0, weights=w)
    np.testing.assert_allclose(b.grad, nb, atol=1e-7)
    np.testing.assert_allclose(r.grad, nr, atol=1e-7)
    # d/dr of sum((out * out) * w) through create_graph: 2 * out * w, masked
    b, r = mg.tensor(base0), mg.tensor(region0)
    out = run_op(UnView, (b, r), op_args=(steps, mask))
    (gr,) = mg.grad(mg.sum(out * out * w), r, create_graph=True)
    expected_gr = numerical_grad(lambda b_, r_: f(b_, r_) ** 2, base0, region0, weights=w)[1]
    np.testing.assert_allclose(gr.data, expected_gr, atol=1e-6)
    # and its derivative: d/dr of sum(gr) is 2 * w over the region, where masked
    # (and 0 over b: gr depends on the masked elements of out only, which are r's)
    g2, g2b = mg.grad(mg.sum(gr), [r, b])
    np.testing.assert_allclose(g2.data, 2.0 * eval(chain_of, {"x": w}) * mask)
    np.testing.assert_array_equal(g2b.data, np.zeros_like(base0))


@pytest.mark.parametrize("write", [
    "mg.add(x, y, out=z)", "mg.add(x, y, out=z, where=np.array([True, False, True]))",
    "mg.multiply(x, 2.0, out=z, where=np.array([False, True, True]))",
    "mg.exp(x, out=z, where=np.array([True, False, False]))",
    "mg.add(x, y, out=z[1:], where=np.array([True, False]))", "mg.exp(x, out=zf)",
    "mg.einsum('i,i->i', x, y, out=z)", "z[1] = x[0]", "z += y", "z[::-1] *= x",
])
def test_the_creator_of_an_out_write_is_named_as_mygrads(write):
    # code written for MyGrad reads ``type(t.creator).__name__`` (a masked out= is
    # MyGrad's ApplyMask); the creator of the written tensor and of its first input,
    # then the gradients, compared with MyGrad's
    def scenario(lib, out):
        x, y = lib.tensor([1.0, 2.0, 3.0]), lib.tensor([4.0, 5.0, 6.0])
        z, zf = lib.tensor([0.5, -1.0, 2.0]), lib.tensor([0.0, 0.0, 0.0], dtype="float32")
        exec(write, {"mg": lib, "np": np}, {"x": x, "y": y, "z": z, "zf": zf})
        t = zf if "zf" in write else z
        out.append(type(t.creator).__name__)
        out.append([type(v.creator).__name__ if v.creator is not None else None
                    for v in t.creator.variables])
        (t * t).sum().backward()
        out.extend([x.grad, y.grad])
    assert_same_trace(scenario)


@pytest.mark.parametrize("write, values", [
    ("v[0] = 5.0", [5.0, 0.75, -1.0, -0.25]), ("v[1:3] = 5.0", [-1.0, 5.0, 5.0, -0.25]),
    ("v[-2] = 5.0", [-1.0, 0.75, 5.0, -0.25]), ("v[0] *= 2.0", [-2.0, 0.75, -1.0, -0.25]),
])
def test_an_element_write_through_a_view_of_a_base_reshaped_untracked_names_the_views_elements(write, values):
    # (hunt seed 214) the base's shape set under no_autodiff so that the view taken again is
    # (1, 4) where the view is (4,): mygrad_c writes the elements the index names in the view
    # as it is (MyGrad: in the view taken again - all four for v[0], none for v[1:3], an
    # IndexError for v[-2]: the accepted untracked-shape-write-in-mygrad); the view then
    # takes the other shape, as in MyGrad.  A backward through the view's transpose of the
    # old shape then fails in both (MyGrad: a ValueError from its broadcast check);
    # mygrad_c's names the likely cause
    x = mg.tensor([-1.0, 0.75, -1.0, -0.25])
    v = x.transpose()
    with mg.no_autodiff:
        x.shape = (4, 1)
    exec(write, {}, {"v": v})
    assert x.data.ravel().tolist() == values and v.shape == (1, 4) and v.base is x
    assert np.shares_memory(v.data, x.data)
    with pytest.raises(ValueError, match="no_autodiff"):
        (v * v).sum().backward()


_RESHAPED_VIEW_WITH_VIEWS = {
    # (hunt seed 244) a view whose shape was set under no_autodiff, and a view taken from it
    # in that shape; a write through the first view cannot rebuild the second from the
    # written base (where the first has its old shape)
    "element write, index fails taken again": (
        lambda lib: lib.atleast_1d(lib.tensor(0.75, dtype="float32")), (1, 1),
        lambda v: v[0::1, 0:1, None], "v[0::1, 0:1, None] = -2 * w", True),
    "empty region": (
        lambda lib: lib.atleast_1d(lib.tensor(0.75, dtype="float32")), (1, 1),
        lambda v: v[0::1, :-1:1, None], "v[0::1, :-1:1, None] = -2 * w", True),
    "augmented": (lambda lib: lib.tensor([0.75, 1.0])[...], (1, 2), lambda v: v[0, :], "v *= 3.0", True),
    "out=": (lambda lib: lib.tensor([0.75, 1.0])[...], (1, 2), lambda v: v[0, :],
             "lib.multiply(v, 2.0, out=v)", True),
    # (MyGrad writes here, then fails taking the views again: the accepted
    # untracked-shape-write-in-mygrad - its base is written, mygrad_c's is not)
    "element write after which MyGrad fails": (
        lambda lib: lib.tensor([0.75, 1.0])[...], (1, 2), lambda v: v[0, :], "v[0] = 2.0", False),
}


@pytest.mark.parametrize("case", list(_RESHAPED_VIEW_WITH_VIEWS))
def test_a_write_through_a_reshaped_view_whose_views_cannot_be_taken_again_changes_nothing(case):
    # before the fix the base took its new value, then rebuilding the second view raised
    # IndexError: the write failed with the base written and given a creator, the view
    # back in its old shape (or, for "element write", no error where MyGrad raises one)
    make, shape, second, write, mygrad_unchanged = _RESHAPED_VIEW_WITH_VIEWS[case]
    states = {}
    for lib in (mygrad, mg):
        v = make(lib)
        base = v.base
        with lib.no_autodiff:
            v.shape = shape
        w = second(v)
        before = (base.data.copy(), v.data.copy(), v.shape, w.data.copy())
        with pytest.raises((IndexError, ValueError)) as info:
            exec(write, {"lib": lib}, {"v": v, "w": w})
        states[lib] = (info.type, base, v, w, before)
    assert states[mg][0] is states[mygrad][0]          # MyGrad's exception type
    _, base, v, w, (base_data, v_data, v_shape, w_data) = states[mg]
    assert base.creator is None and v.shape == v_shape and v.base is base
    assert_array_equal(base.data, base_data)
    assert_array_equal(v.data, v_data)
    assert_array_equal(w.data, w_data)
    # the base goes on working (a backward through the views of the reshaped view fails
    # in both: the accepted untracked-shape-backward-in-mygrad)
    grads = {}
    for lib in (mygrad, mg) if mygrad_unchanged else (mg,):
        _, base, v, w, _ = states[lib]
        (base * base).sum().backward()
        grads[lib] = base.grad
    assert_array_equal(grads[mg], 2 * base_data)
    if mygrad_unchanged:
        _, mbase, mv, mw, _ = states[mygrad]
        assert mbase.creator is None and mv.shape == v_shape
        assert_array_equal(mbase.data, base_data)
        assert_array_equal(grads[mg], grads[mygrad])


@pytest.mark.parametrize("input_constant", [True, False])
@pytest.mark.parametrize("target_constant", [True, False])
@pytest.mark.parametrize("where", [True, np.array([True, False, True])])
@pytest.mark.parametrize("view", [False, True])
def test_the_values_an_out_write_records_are_constants_as_mygrads(input_constant, target_constant, where, view):
    # (hunt seed 215) MyGrad records the new values of an out= target - ApplyMask's value
    # for a masked write, UnView's region for a write into a view - as a constant just when
    # the target is one, whatever the inputs are; mygrad_c took the inputs' flag.  The
    # constant flags along the target's creators, compared with MyGrad's, then a backward
    def scenario(lib, out):
        x = lib.tensor([1.0, 2.0, 3.0], constant=input_constant)
        b = lib.tensor([0.5, -1.0, 2.0], constant=target_constant)
        y = b[...] if view else b
        lib.negative(x, out=y, where=where)
        stack, seen = [y], 0
        while stack and seen < 6:
            t = stack.pop()
            seen += 1
            if t.creator is not None:
                out.append((type(t.creator).__name__, [v.constant for v in t.creator.variables]))
                stack.extend(t.creator.variables)
        if not b.constant:
            (b * b).sum().backward()
            out.extend([x.grad, b.grad])
    assert_same_trace(scenario)


@pytest.mark.parametrize("view_of", ["b[1:3]", "b.T", "b.reshape(6)[::2]", "b[1:][:, ::-1]"])
@pytest.mark.parametrize("write", ["v *= 2.0", "v[...] = v + 1.0", "v[0] = 7.0",
                                   "mg.add(v, 1.0, out=v)", "mg.add(v, 1.0, out=v, where=v.data > 2)"])
def test_the_region_written_through_a_view_shares_the_bases_new_memory_as_mygrads(view_of, write):
    # (hunt seed 214) after a write through a view, the region the base's UnView takes
    # (``b.creator.variables[1]``) holds the view of the base's new array in MyGrad: it
    # shares memory with the base and the view, is read-only while the graph lives, and a
    # write into the base under mem_guard_off shows in it.  A training loop: the same leaf
    # base and view, written, back-propagated and released three times; every step's
    # memory relations, flags, values and gradients compared with MyGrad
    def scenario(lib, out):
        b = lib.tensor(np.arange(6.0).reshape(2, 3) - 2.0)
        v = eval(view_of, {}, {"b": b})
        for step in range(3):
            exec(write, {"mg": lib}, {"v": v})
            r = b.creator.variables[1]
            out.append([type(b.creator).__name__, r.data.tolist(), r.base is None,
                        np.shares_memory(r.data, b.data), np.shares_memory(r.data, v.data),
                        r.data.flags.writeable, b.data.flags.writeable])
            (b * b).sum().backward()
            out.append([b.grad.tolist(), None if r.grad is None else r.grad.tolist(),
                        r.data.flags.writeable, b.data.flags.writeable, v.data.flags.writeable])
            b = lib.tensor(b.data)   # the next step's leaf (MyGrad cannot write through a
            with lib.mem_guard_off:  # view of a tensor holding a gradient)
                v = eval(view_of, {}, {"b": b})
                v *= 1.5
            r = b.creator.variables[1]
            out.append([r.data.tolist(), np.shares_memory(r.data, b.data), r.data.flags.writeable])
            b.data[...] += 1.0
            out.append([r.data.tolist(), b.data.tolist()])
            b = lib.tensor(b.data)
            v = eval(view_of, {}, {"b": b})
    assert_same_trace(scenario)


@pytest.mark.parametrize("n", [0, 1])   # (the view taken again has shape (2, n): -2 is out of bounds)
def test_a_failed_write_through_a_reshaped_view_leaves_its_graph_as_it_was(n):
    # (hunt seed 250) the view's shape set under no_autodiff, then a write whose index is out
    # of bounds in the view taken again from its base: IndexError in both libraries.  MyGrad
    # has by then replaced the view's creator's input by a new tensor, so the view no longer
    # back-propagates at all (its own .grad stays None: the accepted
    # failed-write-rebuilds-views-in-mygrad).  mygrad_c's failed write changes nothing: the
    # view and its base get the gradients they get without the write
    results = []
    for attempt_write in (True, False):
        v = mg.arange(float(2 * n)).reshape((2, n))
        base = v.base
        with mg.no_autodiff:
            v.shape = (n, 2)
        if attempt_write:
            with pytest.raises(IndexError):
                v[None, None, :, None, -2] *= 2.0
            mv = mygrad.arange(float(2 * n)).reshape((2, n))
            with mygrad.no_autodiff:
                mv.shape = (n, 2)
            with pytest.raises(IndexError):   # (MyGrad's type, and its message)
                mv[None, None, :, None, -2] *= 2.0
        assert v.creator.variables[0] is base and v.base is base
        v.backward()
        results.append((v.data.tolist(), base.data.tolist(), v.grad.tolist(), base.grad.tolist()))
    assert results[0] == results[1]
