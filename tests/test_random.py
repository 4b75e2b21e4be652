"""Tests of mygrad_c.random: same signatures as MyGrad, draws from NumPy's global RNG."""
import inspect

import mygrad
import numpy as np
import pytest

import mygrad_c as mg

FLOAT_FUNCS = ["random", "random_sample", "ranf", "sample"]


def test_all_and_signatures_match_mygrad():
    assert sorted(mg.random.__all__) == sorted(mygrad.random.__all__)
    for name in mygrad.random.__all__:
        sig_c = inspect.signature(getattr(mg.random, name))
        sig_r = inspect.signature(getattr(mygrad.random, name))
        assert [(p.name, p.kind, p.default) for p in sig_c.parameters.values()] == \
            [(p.name, p.kind, p.default) for p in sig_r.parameters.values()], name


@pytest.mark.parametrize("name, args, kwargs", [
    ("rand", (), {}),
    ("rand", (2, 3), {}),
    ("rand", (0, 2), {}),
    ("randn", (), {}),
    ("randn", (4,), {}),
    ("randint", (5,), {}),
    ("randint", (-3, 7), {"shape": (2, 3)}),
    ("randint", (0, 5, 4), {}),
    ("randint", (0, 5), {"shape": 3, "dtype": np.int8}),
    ("randint", (0, 2), {"dtype": bool}),
    ("random", (), {}),
    ("random", ((2, 2),), {}),
    ("random_sample", (3,), {}),
    ("ranf", ((1, 2),), {}),
    ("sample", (None,), {}),
])
def test_seeded_draws_equal_numpy_and_mygrad(name, args, kwargs):
    mg.random.seed(123)
    ours = getattr(mg.random, name)(*args, **kwargs)
    mygrad.random.seed(123)
    ref = getattr(mygrad.random, name)(*args, **kwargs)
    np.random.seed(123)
    np_name = {"ranf": "random_sample", "sample": "random_sample"}.get(name, name)
    if name == "randint":  # numpy's randint names the shape argument "size"
        if "shape" in kwargs:
            kwargs = dict(kwargs, size=kwargs.pop("shape"))
    expected = np.asarray(getattr(np.random, np_name)(*args, **kwargs))

    assert isinstance(ours, mg.Tensor)
    assert ours.shape == ref.shape == expected.shape
    assert ours.dtype == ref.dtype == expected.dtype
    assert ours.constant == ref.constant
    np.testing.assert_array_equal(ours.data, expected)
    np.testing.assert_array_equal(ours.data, ref.data)


def test_seed_makes_draws_reproducible():
    mg.random.seed(7)
    a = [mg.random.rand(3), mg.random.randn(2, 2), mg.random.randint(0, 100, shape=5), mg.random.random(2)]
    mg.random.seed(7)
    b = [mg.random.rand(3), mg.random.randn(2, 2), mg.random.randint(0, 100, shape=5), mg.random.random(2)]
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x.data, y.data)
    # mg.random.seed seeds numpy's global state itself
    mg.random.seed(7)
    np.testing.assert_array_equal(np.random.rand(3), a[0].data)
    assert mg.random.seed(1) is None


@pytest.mark.parametrize("name", ["rand", "randn"])
def test_star_shape_constant(name):
    f = getattr(mg.random, name)
    x = f(2, 3)
    assert x.shape == (2, 3) and x.dtype == np.float64 and not x.constant
    assert f(2, constant=True).constant
    assert f().shape == ()
    x = f(3)
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad, 2 * x.data)


@pytest.mark.parametrize("name", FLOAT_FUNCS)
def test_float_funcs(name):
    f = getattr(mg.random, name)
    x = f((2, 3))
    assert x.shape == (2, 3) and x.dtype == np.float64 and not x.constant
    assert ((0 <= x.data) & (x.data < 1)).all()
    assert f(4).shape == (4,)
    assert f().shape == ()
    assert f(constant=True).constant
    assert f(shape=(1, 1)).shape == (1, 1)


def test_randint_is_constant_integer_tensor():
    x = mg.random.randint(3, 9, shape=(50,))
    assert x.constant and x.dtype.kind == "i"
    assert ((3 <= x.data) & (x.data < 9)).all()
    assert mg.random.randint(5).shape == ()


@pytest.mark.parametrize("call", [
    lambda lib: lib.random.rand(2.5),
    lambda lib: lib.random.randn(-1),
    lambda lib: lib.random.random(-1),
    lambda lib: lib.random.randint(5, 2),
    lambda lib: lib.random.randint(0, 5, dtype="float32"),
    lambda lib: lib.random.rand(2, constant=True, foo=1),
    lambda lib: lib.random.random((2,), True),
])
def test_errors_match_mygrad(call):
    with pytest.raises(Exception) as ref:
        call(mygrad)
    with pytest.raises(ref.type):
        call(mg)
