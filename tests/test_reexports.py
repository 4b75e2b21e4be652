"""NumPy names re-exported at top level (mygrad_c._numpy_reexports) and mygrad_c.typing."""
from __future__ import annotations

import inspect

import mygrad
import mygrad.typing
import numpy as np
import pytest
from numpy.testing import assert_array_equal

import mygrad_c as mg
import mygrad_c.typing
from mygrad_c import _numpy_reexports


def _numpy_objects_in_mygrad():
    out = []
    for name in dir(mygrad):
        obj = getattr(mygrad, name)
        if not name.startswith("_") and hasattr(np, name) and getattr(np, name) is obj:
            out.append(name)
    return out


@pytest.mark.parametrize("name", _numpy_objects_in_mygrad())
def test_every_numpy_object_mygrad_reexports_is_numpys_own(name):
    """e.g. ``mg.float32 is np.float32``, ``mg.allclose is np.allclose``, ``mg.pi == np.pi``."""
    assert getattr(mg, name) is getattr(mygrad, name)


def test_reexports_module_lists_the_non_ufunc_names():
    expected = {n for n in _numpy_objects_in_mygrad() if not isinstance(getattr(np, n), np.ufunc)}
    assert set(_numpy_reexports.__all__) == expected


@pytest.mark.parametrize("name,value", [("pi", np.pi), ("e", np.e), ("euler_gamma", np.euler_gamma),
                                        ("inf", np.inf), ("newaxis", None)])
def test_constants(name, value):
    assert getattr(mg, name) == value or (value is None and getattr(mg, name) is None)
    assert np.isnan(mg.nan)


@pytest.mark.parametrize("name", ["float16", "float32", "float64", "int8", "int16", "int32", "int64",
                                  "uint8", "uint16", "uint32", "uint64", "bool_", "double", "single",
                                  "half", "longdouble", "intp", "uintp"])
def test_dtype_mirrors_make_tensors_of_that_dtype(name):
    t = mg.tensor([1, 0], dtype=getattr(mg, name))
    assert t.dtype == np.dtype(getattr(np, name))
    assert t.constant == (t.dtype.kind != "f")


def test_pass_through_functions_on_arrays():
    a, b = np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9])
    assert mg.allclose(a, b) and mg.isclose(a, b).all()
    assert mg.shape(np.zeros((2, 3))) == (2, 3)
    assert mg.result_type(np.float32, np.int64) == np.float64
    assert mg.can_cast(np.float32, np.float64) and not mg.can_cast(np.float64, np.int8)
    assert mg.shares_memory(a, a[::2]) and not mg.may_share_memory(a, b)
    assert mg.min_scalar_type(3) == np.uint8
    assert_array_equal(mg.bincount(np.array([0, 1, 1, 3])), [1, 2, 0, 1])
    dst = np.zeros(2)
    mg.copyto(dst, a)
    assert_array_equal(dst, a)


@pytest.mark.parametrize("name", ["allclose", "isclose", "shape", "result_type", "can_cast", "shares_memory",
                                  "may_share_memory", "min_scalar_type", "bincount", "copyto"])
def test_pass_through_signatures_match_mygrad(name):
    try:
        sig = inspect.signature(getattr(mygrad, name))
    except ValueError:  # some NumPy builtins have no introspectable signature
        return
    assert inspect.signature(getattr(mg, name)) == sig


# ---------------------------------------------------------------------------
# mygrad_c.typing
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", [n for n in dir(mygrad.typing) if not n.startswith("_")])
def test_typing_has_mygrads_public_names(name):
    ours, ref = getattr(mygrad_c.typing, name), getattr(mygrad.typing, name)
    assert type(ours) is type(ref)  # marker class / TypeVar / typing.Union alike
    assert name in mygrad_c.typing.__all__


def test_typing_aliases_are_usable_annotations():
    from mygrad_c.typing import ArrayLike, DTypeLikeReals, Index, Real, Shape

    def f(x: ArrayLike, dtype: DTypeLikeReals = None, shape: Shape = (), index: Index = 0, r: Real = 1.0):
        return x

    assert "ArrayLike" in str(inspect.signature(f))
    assert int in Real.__args__ and float in Real.__args__
    assert slice in Index.__args__ and np.ndarray in Index.__args__
