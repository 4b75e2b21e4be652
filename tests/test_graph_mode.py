"""no_autodiff and memory guarding (SEMANTICS.md: "memory guarding", "memory guard off", "no_autodiff")."""
from __future__ import annotations

import mygrad
import numpy as np
import pytest
from numpy.testing import assert_array_equal

import mygrad_c as mg


@pytest.fixture(autouse=True)
def _restore_modes():
    yield
    mg.turn_memory_guarding_on()
    mygrad.turn_memory_guarding_on()


# ---------------------------------------------------------------------------
# no_autodiff
# ---------------------------------------------------------------------------
def test_no_autodiff_context_manager_semantics_block():
    x = mg.tensor([1.0, 2.0])
    with mg.no_autodiff:
        y = x * 2
    assert y.creator is None
    assert type(y) is mg.Tensor
    assert_array_equal(y.data, [2.0, 4.0])
    # graph recording resumes afterwards
    z = x * 2
    assert z.creator is not None


def test_no_autodiff_matches_mygrad():
    res = {}
    for lib in (mg, mygrad):
        x = lib.tensor([1.0, 2.0])
        with lib.no_autodiff:
            y = x * 2 + x
            c = lib.tensor(1.0)
        res[lib.__name__] = (y.creator is None, y.constant, c.constant, x.data.flags.writeable,
                             y.data.flags.writeable)
        y.backward()
        res[lib.__name__] += (x.grad is None, y.grad is None)
    assert res["mygrad_c"] == res["mygrad"]


def test_no_autodiff_decorator():
    @mg.no_autodiff
    def f(x):
        return x * 2

    x = mg.tensor([1.0, 2.0])
    y = f(x)
    assert isinstance(y, mg.Tensor) and y.creator is None
    assert f.__name__ == "f"
    assert (x * 2).creator is not None  # restored after the call


def test_no_autodiff_decorator_restores_on_error():
    @mg.no_autodiff
    def f(x):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        f(mg.tensor(1.0))
    assert (mg.tensor(1.0) * 2).creator is not None


@pytest.mark.parametrize("ret", ["tensor", "array", "number"])
def test_no_autodiff_to_numpy(ret):
    def make(lib):
        def f(x):
            y = x * 2
            return {"tensor": y, "array": np.asarray(y.data), "number": 3.0}[ret]

        return lib.no_autodiff(f, to_numpy=True)

    ours = make(mg)(mg.tensor([1.0, 2.0]))
    ref = make(mygrad)(mygrad.tensor([1.0, 2.0]))
    assert type(ours) is type(ref), (type(ours), type(ref))
    assert_array_equal(ours, ref)


def test_no_autodiff_to_numpy_tuple_like_mygrad():
    def f(x):
        return x * 2, x * 3

    ours = mg.no_autodiff(f, to_numpy=True)(mg.tensor([1.0]))
    ref = mygrad.no_autodiff(f, to_numpy=True)(mygrad.tensor([1.0]))
    assert type(ours) is type(ref)
    assert_array_equal(ours, ref)


@pytest.mark.parametrize("name", ["no_autodiff", "mem_guard_off", "mem_guard_on"])
def test_switches_are_instances_of_mygrads_classes_by_name(name):
    # the class name shows in error messages, e.g. a misused decorator's TypeError
    ours, ref = getattr(mg, name), getattr(mygrad, name)
    assert type(ours).__name__ == type(ref).__name__
    errors = []
    for switch in (ours, ref):
        with pytest.raises(TypeError) as info:
            switch()   # (a decorator called without the function)
        errors.append(str(info.value))
    assert errors[0] == errors[1]


def test_no_autodiff_nested():
    x = mg.tensor([1.0])
    with mg.no_autodiff:
        with mg.no_autodiff:
            pass
        assert (x * 2).creator is None  # still off after the inner block
    assert (x * 2).creator is not None


def test_no_autodiff_in_place_update():
    x = mg.tensor([1.0, 2.0])
    x0 = x
    with mg.no_autodiff:
        x *= 2
    assert x is x0 and x.creator is None
    assert_array_equal(x.data, [2.0, 4.0])


# ---------------------------------------------------------------------------
# memory guarding
# ---------------------------------------------------------------------------
def test_memory_guarding_semantics_block():
    x = mg.tensor([1.0, 2.0])
    y = x * 2
    assert not x.data.flags.writeable
    assert not y.data.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        x.data[0] = 5.0
    y.backward()
    assert x.data.flags.writeable


def test_memory_guard_off_semantics_block():
    with mg.mem_guard_off:
        y = mg.tensor([1.0, 2.0]) * 2
    assert y.data.flags.writeable
    assert mg.mem_guard_active()


def test_locks_released_when_graph_dropped():
    x = mg.tensor([1.0, 2.0])
    y = x * 2
    del y
    assert x.data.flags.writeable
    x.data[0] = 5.0  # no error
    # a longer graph: dropping the tail keeps the locks of the live part
    x = mg.tensor([1.0, 2.0])
    y = x * 2
    z = y * 3
    del z
    assert not x.data.flags.writeable and y.data.flags.writeable is False
    del y
    assert x.data.flags.writeable


def test_lock_state_matches_mygrad():
    def script(lib):
        out = []
        x = lib.tensor([1.0, 2.0])
        y = x * 2
        z = y + x
        out.append((x.data.flags.writeable, y.data.flags.writeable, z.data.flags.writeable))
        y.clear_graph()
        out.append((x.data.flags.writeable, y.data.flags.writeable, z.data.flags.writeable))
        try:
            z.backward()  # y's graph was cleared under z
        except Exception as e:  # noqa: BLE001
            out.append(type(e).__name__)
        z.clear_graph()
        out.append((x.data.flags.writeable, y.data.flags.writeable, z.data.flags.writeable))
        w = x * 2
        w.backward()
        out.append((x.data.flags.writeable, w.data.flags.writeable))
        return out

    assert script(mg) == script(mygrad)


def test_user_array_lock_released_after_backward():
    for lib in (mg, mygrad):
        a = np.array([1.0, 2.0])
        t = lib.tensor(a, copy=False)
        y = t * 2
        assert not a.flags.writeable
        y.backward()
        assert a.flags.writeable


def test_readonly_user_array_stays_readonly():
    for lib in (mg, mygrad):
        a = np.array([1.0, 2.0])
        a.flags.writeable = False
        t = lib.tensor(a, copy=False)
        (t * 2).backward()
        assert not a.flags.writeable


def test_mem_guard_off_keeps_existing_locks():
    x = mg.tensor([1.0, 2.0])
    y = x * 2
    with mg.mem_guard_off:
        z = x * 3
        assert not mg.mem_guard_active()
    assert not x.data.flags.writeable  # still locked by y's graph
    assert z.data.flags.writeable
    y.backward()
    assert x.data.flags.writeable


def test_mem_guard_decorators_and_switches():
    @mg.mem_guard_off
    def f(x):
        assert not mg.mem_guard_active()
        return x * 2

    @mg.mem_guard_on
    def g(x):
        assert mg.mem_guard_active()
        return x * 2

    assert f(mg.tensor([1.0])).data.flags.writeable
    assert mg.mem_guard_active()
    mg.turn_memory_guarding_off()
    assert not mg.mem_guard_active()
    assert (mg.tensor([1.0]) * 2).data.flags.writeable
    assert not g(mg.tensor([1.0])).data.flags.writeable
    assert not mg.mem_guard_active()  # g restored the global "off"
    mg.turn_memory_guarding_on()
    assert mg.mem_guard_active()
    assert not (mg.tensor([1.0]) * 2).data.flags.writeable


def test_mem_guard_off_gradients_still_correct():
    with mg.mem_guard_off:
        x = mg.tensor([1.0, 2.0])
        y = x * x
        y.backward()
    assert_array_equal(x.grad, [2.0, 4.0])


def test_graph_mode_names_at_top_level():
    for name in ("no_autodiff", "mem_guard_off", "mem_guard_on", "mem_guard_active", "turn_memory_guarding_off",
                 "turn_memory_guarding_on"):
        assert hasattr(mg, name), name
