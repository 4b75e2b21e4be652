"""Tensor creation functions against MyGrad: values, shapes, default dtypes, constant flags."""
from __future__ import annotations

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import mygrad
import numpy as np
import pytest
from hypothesis import given
from numpy.testing import assert_allclose, assert_array_equal

import mygrad_c as mg


def check_same(make, *, values=True):
    """``make(lib)`` in both libraries: same type, shape, dtype, constant flag (and values)."""
    outcome = []
    for lib in (mg, mygrad):
        try:
            outcome.append(make(lib))
        except Exception as e:  # noqa: BLE001
            outcome.append(e)
    ours, ref = outcome
    if isinstance(ref, Exception):
        assert isinstance(ours, type(ref)), (ours, ref)
        return ours, ref
    assert not isinstance(ours, Exception), f"mygrad_c raised {ours!r}, MyGrad gave {ref!r}"
    if isinstance(ref, mygrad.Tensor):
        assert isinstance(ours, mg.Tensor), type(ours)
        assert ours.shape == ref.shape and ours.dtype == ref.dtype, (ours, ref)
        assert ours.constant == ref.constant, (ours.constant, ref.constant)
        assert ours.creator is None and ours.grad is None
        if values:
            assert_allclose(ours.data, ref.data, equal_nan=True)
    else:
        assert type(ours) is type(ref)
        assert ours.shape == ref.shape and ours.dtype == ref.dtype
        if values:
            assert_allclose(ours, ref)
    return ours, ref


CONSTANTS = [None, True, False]
DTYPES = [None, "float16", "float32", "float64", float, int, "int8", "bool", np.float32]
shapes = st.one_of(st.integers(0, 4), hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3))


@pytest.mark.parametrize("name", ["ones", "zeros", "empty"])
@given(shape=shapes, dtype=st.sampled_from(DTYPES), constant=st.sampled_from(CONSTANTS))
def test_shape_functions(name, shape, dtype, constant):
    kw = {} if dtype is None else dict(dtype=dtype)
    check_same(lambda lib: getattr(lib, name)(shape, constant=constant, **kw), values=name != "empty")


@pytest.mark.parametrize("name", ["ones", "zeros", "empty"])
def test_default_dtype_is_float32(name):
    t = getattr(mg, name)((2, 3))
    assert t.dtype == np.float32 == getattr(mygrad, name)((2, 3)).dtype
    assert t.constant is False


@given(shape=shapes, fill=st.sampled_from([0, 2, -1.5, True, np.float32(2.5), np.int8(3)]),
       dtype=st.sampled_from(DTYPES), constant=st.sampled_from(CONSTANTS))
def test_full(shape, fill, dtype, constant):
    check_same(lambda lib: lib.full(shape, fill, dtype=dtype, constant=constant))


def test_full_with_array_fill_and_tensor_fill():
    check_same(lambda lib: lib.full((2, 3), np.array([1.0, 2.0, 3.0])))
    check_same(lambda lib: lib.full((2,), lib.tensor(3.0)))


LIKE_SOURCES = [np.array([1.0, 2.0]), np.zeros((2, 0), np.float32), np.array(3, np.int8), np.array([[True]]),
                np.ones((2, 3), np.float16), [1, 2, 3], 2.5]


@pytest.mark.parametrize("name", ["ones_like", "zeros_like", "empty_like"])
@pytest.mark.parametrize("src", LIKE_SOURCES, ids=str)
@pytest.mark.parametrize("dtype", [None, "float32", int])
@pytest.mark.parametrize("constant", CONSTANTS)
def test_like_functions(name, src, dtype, constant):
    for as_tensor in (False, True):
        def make(lib):
            other = lib.tensor(src) if as_tensor else src
            return getattr(lib, name)(other, dtype=dtype, constant=constant)

        check_same(make, values=name != "empty_like")


@pytest.mark.parametrize("name", ["ones_like", "zeros_like", "empty_like"])
def test_like_functions_shape_keyword(name):
    check_same(lambda lib: getattr(lib, name)(lib.tensor([1.0, 2.0]), shape=(3, 1)), values=name != "empty_like")
    check_same(lambda lib: getattr(lib, name)(np.ones(2, np.int32), shape=4), values=name != "empty_like")


@pytest.mark.parametrize("src", LIKE_SOURCES, ids=str)
@pytest.mark.parametrize("fill", [0, 2.5, -1, True])
@pytest.mark.parametrize("constant", CONSTANTS)
def test_full_like(src, fill, constant):
    for as_tensor in (False, True):
        check_same(lambda lib: lib.full_like(lib.tensor(src) if as_tensor else src, fill, constant=constant))
    check_same(lambda lib: lib.full_like(src, fill, dtype="float64", shape=(2, 2), constant=constant))


def test_like_functions_of_constant_tensor():
    # the source's constant flag is not inherited (as in MyGrad)
    check_same(lambda lib: lib.ones_like(lib.tensor([1.0, 2.0], constant=True)))
    check_same(lambda lib: lib.zeros_like(lib.tensor([1.0, 2.0]) * 2))


@pytest.mark.parametrize("args", [(3,), (3, 4), (3, 4, 1), (3, 4, -1), (0,), (2, None, 0)], ids=str)
@pytest.mark.parametrize("dtype", [None, "float32", int, "float16"])
@pytest.mark.parametrize("constant", CONSTANTS)
def test_eye(args, dtype, constant):
    kw = {} if dtype is None else dict(dtype=dtype)
    check_same(lambda lib: lib.eye(*args, constant=constant, **kw))


@pytest.mark.parametrize("n", [0, 1, 3])
@pytest.mark.parametrize("dtype", [None, "float32", int])
@pytest.mark.parametrize("constant", CONSTANTS)
def test_identity(n, dtype, constant):
    kw = {} if dtype is None else dict(dtype=dtype)
    check_same(lambda lib: lib.identity(n, constant=constant, **kw))


@pytest.mark.parametrize("args,kwargs", [
    ((5,), {}), ((1, 5), {}), ((0, 1, 0.25), {}), ((5.0,), {}), ((2, 10, 3), {"dtype": "float32"}),
    ((3,), {"dtype": float}), ((10, 0, -2), {}), ((0,), {}), ((0, 1, 0.1), {"dtype": "float16"}),
], ids=str)
@pytest.mark.parametrize("constant", CONSTANTS)
def test_arange(args, kwargs, constant):
    check_same(lambda lib: lib.arange(*args, constant=constant, **kwargs))


def test_arange_keywords_and_tensor_args():
    check_same(lambda lib: lib.arange(start=1, stop=4, step=1))
    check_same(lambda lib: lib.arange(lib.tensor(3)))


@pytest.mark.parametrize("name", ["linspace", "logspace", "geomspace"])
@given(start=st.floats(0.5, 5), stop=st.floats(0.5, 5), num=st.integers(0, 7), endpoint=st.booleans(),
       dtype=st.sampled_from([None, "float32", "float64", "float16"]), constant=st.sampled_from(CONSTANTS))
def test_spaces(name, start, stop, num, endpoint, dtype, constant):
    check_same(lambda lib: getattr(lib, name)(start, stop, num=num, endpoint=endpoint, dtype=dtype,
                                              constant=constant))


@pytest.mark.parametrize("name", ["linspace", "logspace", "geomspace"])
def test_spaces_array_endpoints_and_axis(name):
    check_same(lambda lib: getattr(lib, name)([1.0, 2.0], [3.0, 10.0], num=4))
    check_same(lambda lib: getattr(lib, name)([1.0, 2.0], [3.0, 10.0], num=4, axis=1))
    check_same(lambda lib: getattr(lib, name)(1, 2))


@pytest.mark.parametrize("name", ["linspace", "logspace", "geomspace"])
@pytest.mark.parametrize("which", ["start", "stop"])
def test_spaces_refuse_tensor_endpoints_as_mygrad(name, which):
    """MyGrad passes its endpoints to NumPy, which has no implementation for tensors."""
    for lib in (mg, mygrad):
        args = {"start": 1.0, "stop": 2.0}
        args[which] = lib.tensor([1.0, 3.0])
        with pytest.raises(TypeError, match=f"no implementation found for 'numpy.{name}'"):
            getattr(lib, name)(args["start"], args["stop"], num=3)


def test_spaces_integer_dtype():
    check_same(lambda lib: lib.linspace(0, 10, 5, dtype=int))
    check_same(lambda lib: lib.logspace(0, 2, 3, base=2.0))


def test_created_tensors_are_leaves_and_differentiable():
    for make in (lambda: mg.ones(3), lambda: mg.zeros((3,)), lambda: mg.full(3, 2.0), lambda: mg.linspace(0, 1, 3),
                 lambda: mg.ones_like(mg.tensor([1.0, 2.0, 3.0])), lambda: mg.arange(3.0)):
        t = make()
        assert t.creator is None and not t.constant
        (t * t).backward()
        assert_allclose(t.grad, 2 * t.data)


def test_integer_created_tensors_are_constant_and_reject_variable():
    assert mg.arange(3).constant is True
    assert mg.ones(3, dtype=int).constant is True
    for lib in (mg, mygrad):
        with pytest.raises(ValueError):
            lib.ones(3, dtype=int, constant=False)


# ---------------------------------------------------------------------------
# tensor / asarray / astensor
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("src", [[1.0, 2.0], np.array([1, 2], np.int16), np.float32(2.0), 3, True,
                                 np.ones((2, 0)), np.arange(6.0).reshape(2, 3)[:, ::2]], ids=str)
@pytest.mark.parametrize("dtype", [None, "float32", int])
@pytest.mark.parametrize("constant", CONSTANTS)
def test_tensor_and_astensor(src, dtype, constant):
    check_same(lambda lib: lib.tensor(src, dtype=dtype, constant=constant))
    check_same(lambda lib: lib.astensor(src, dtype=dtype, constant=constant))
    check_same(lambda lib: lib.astensor(lib.tensor(src), dtype=dtype, constant=constant))


def test_astensor_identity_rules_like_mygrad():
    for lib in (mg, mygrad):
        x = lib.tensor([1.0, 2.0])
        assert lib.astensor(x) is x
        assert lib.astensor(x, dtype="float64") is x
        assert lib.astensor(x, dtype="float32") is not x
    res = []
    for lib in (mg, mygrad):
        x = lib.tensor([1.0, 2.0])
        y = lib.astensor(x, constant=True)
        res.append((y is x, y.constant, np.shares_memory(y.data, x.data)))
    assert res[0] == res[1]
    a = np.array([1.0, 2.0])
    for lib in (mg, mygrad):
        assert np.shares_memory(lib.astensor(a).data, a)


@pytest.mark.parametrize("constant", [1, 0, np.True_, "a"])
@pytest.mark.parametrize("src", ["list", "tensor", "constant tensor", "integer tensor"])
def test_astensor_refuses_a_constant_that_is_not_a_bool(src, constant):
    """Also when the input is a tensor whose flag equals it (``1 == True``), as MyGrad."""
    for lib in (mg, mygrad):
        x = {"tensor": lambda: lib.tensor([1.0, 2.0]), "constant tensor": lambda: lib.tensor([1.0], constant=True),
             "integer tensor": lambda: lib.tensor([1, 2]), "list": lambda: [1.0, 2.0]}[src]()
        with pytest.raises(TypeError, match="`constant` must be a boolean value"):
            lib.astensor(x, constant=constant)


@pytest.mark.parametrize("src", [[1.0, 2.0], np.array([1, 2], np.int8), 2.5, np.ones((2, 2), np.float32)], ids=str)
@pytest.mark.parametrize("dtype", [None, "float32", int])
def test_asarray(src, dtype):
    for wrap in (lambda lib, s: s, lambda lib, s: lib.tensor(s)):
        ours = mg.asarray(wrap(mg, src), dtype=dtype)
        ref = mygrad.asarray(wrap(mygrad, src), dtype=dtype)
        assert type(ours) is type(ref) is np.ndarray
        assert ours.dtype == ref.dtype and ours.shape == ref.shape
        assert_array_equal(ours, ref)
    t = mg.tensor([1.0, 2.0])
    assert np.shares_memory(mg.asarray(t), t.data)
