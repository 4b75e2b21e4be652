"""User-defined Operations run through ``mg.execute_op`` (MyGrad's documented pattern)."""
from __future__ import annotations

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import mygrad
import mygrad.operation_base
import numpy as np
import pytest
from hypothesis import given
from numpy.testing import assert_allclose, assert_array_equal

import mygrad_c as mg
import mygrad_c.operation_base
from mygrad_c.errors import InvalidGradient
from helpers import check_numerical_grad, float_arrays, tols


def make_ops(Operation):
    class CustomMultiply(Operation):
        def __call__(self, x, y):
            self.variables = (x, y)
            return x.data * y.data

        def backward_var(self, grad, index, **kwargs):
            x, y = self.variables
            if index == 0:
                return grad * y.data
            elif index == 1:
                return grad * x.data

    class Cube(Operation):
        def __call__(self, x, scale=1.0):
            self.variables = (x,)
            self.scale = scale
            return scale * x.data ** 3

        def backward_var(self, grad, index, **kwargs):
            return grad * 3 * self.scale * self.variables[0].data ** 2

    return CustomMultiply, Cube


CM_C, CUBE_C = make_ops(mygrad_c.operation_base.Operation)
CM_R, CUBE_R = make_ops(mygrad.operation_base.Operation)


def custom_multiply(lib, x, y, constant=None):
    Op = CM_C if lib is mg else CM_R
    return lib.execute_op(Op, x, y, constant=constant)


@given(data=st.data(), dtype=st.sampled_from([np.float16, np.float32, np.float64]))
def test_custom_multiply_matches_mygrad(data, dtype):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    a = data.draw(float_arrays(shapes.input_shapes[0], dtype=dtype, min_value=-3, max_value=3))
    b = data.draw(float_arrays(shapes.input_shapes[1], dtype=dtype, min_value=-3, max_value=3))
    consts = data.draw(st.lists(st.booleans(), min_size=2, max_size=2))
    g = np.random.default_rng(0).uniform(-1, 1, size=shapes.result_shape).astype(dtype)
    res = {}
    for lib in (mg, mygrad):
        x, y = lib.tensor(a, constant=consts[0]), lib.tensor(b, constant=consts[1])
        out = custom_multiply(lib, x, y)
        out.backward(g)
        res[lib.__name__] = (out, x.grad, y.grad)
    (o_c, xg_c, yg_c), (o_r, xg_r, yg_r) = res["mygrad_c"], res["mygrad"]
    tol = tols(dtype) if dtype != np.float16 else dict(rtol=3e-2, atol=3e-2)
    assert isinstance(o_c, mg.Tensor)
    assert o_c.dtype == o_r.dtype and o_c.shape == o_r.shape and o_c.constant == o_r.constant
    assert_allclose(o_c.data, o_r.data, **tol)
    for ours, ref in ((xg_c, xg_r), (yg_c, yg_r)):
        if ref is None:
            assert ours is None
        else:
            # the engine reduces the broadcast gradient to the input's shape
            assert ours.shape == ref.shape and ours.dtype == ref.dtype
            assert_allclose(ours, ref, **tol)


@given(data=st.data())
def test_custom_op_numerical_gradient(data):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=3, max_side=3))
    a = data.draw(float_arrays(shapes.input_shapes[0], min_value=-3, max_value=3))
    b = data.draw(float_arrays(shapes.input_shapes[1], min_value=-3, max_value=3))
    if a.size == 0 or b.size == 0:
        return
    check_numerical_grad(lambda x, y: mg.execute_op(CM_C, x, y), a, b)
    check_numerical_grad(lambda x: mg.execute_op(CUBE_C, x, op_kwargs=dict(scale=0.5)), a)


def test_execute_op_constant_and_array_like_inputs():
    for lib in (mg, mygrad):
        x = lib.tensor(2.0)
        z = custom_multiply(lib, x, 3.0)
        assert not z.constant
        z.backward()
        assert x.grad == 3.0
        assert custom_multiply(lib, [1.0], [2.0]).constant is True
        assert custom_multiply(lib, x, 3.0, constant=True).constant is True
        assert custom_multiply(lib, lib.tensor([1, 2]), 3).constant is True
    z = custom_multiply(mg, np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    assert isinstance(z, mg.Tensor)
    assert_array_equal(z.data, [3.0, 8.0])


def test_execute_op_args_and_kwargs():
    for lib, Op in ((mg, CUBE_C), (mygrad, CUBE_R)):
        x = lib.tensor([1.0, 2.0])
        y = lib.execute_op(Op, x, op_args=(2.0,))
        assert_array_equal(y.data, [2.0, 16.0])
        y.backward()
        assert_array_equal(x.grad, [6.0, 24.0])
        x = lib.tensor([1.0, 2.0])
        y = lib.execute_op(Op, x, op_kwargs={"scale": 3.0})
        y.backward()
        assert_array_equal(x.grad, [9.0, 36.0])


def test_creator_and_variables():
    x, y = mg.tensor([1.0]), mg.tensor([2.0])
    z = custom_multiply(mg, x, y)
    assert isinstance(z.creator, CM_C)
    assert z.creator.variables[0] is x and z.creator.variables[1] is y


def test_custom_op_in_a_larger_graph():
    res = {}
    for lib in (mg, mygrad):
        x = lib.tensor([1.0, 2.0, 3.0])
        y = lib.tensor([[2.0], [3.0]])
        z = custom_multiply(lib, x * 2, y) + x
        w = custom_multiply(lib, z, z)
        w.backward()
        res[lib.__name__] = (x.grad, y.grad)
    for a, b in zip(res["mygrad_c"], res["mygrad"]):
        assert_allclose(a, b)


def test_skip_gradient():
    from mygrad_c.operation_base import SkipGradient

    class OnlyFirst(mygrad_c.operation_base.Operation):
        def __call__(self, x, y):
            self.variables = (x, y)
            return x.data + y.data

        def backward_var(self, grad, index, **kwargs):
            if index == 1:
                raise SkipGradient
            return grad

    x, y = mg.tensor([1.0, 2.0]), mg.tensor([3.0, 4.0])
    out = mg.execute_op(OnlyFirst, x, y)
    out.backward()
    assert_array_equal(x.grad, [1.0, 1.0])
    assert y.grad is None
    # MyGrad has the same name at the same path
    assert hasattr(mygrad.operation_base, "SkipGradient")


class _Bad(mygrad_c.operation_base.Operation):
    ret = None

    def __call__(self, x, y):
        self.variables = (x, y)
        return x.data * y.data

    def backward_var(self, grad, index, **kwargs):
        return self.ret if index == 1 else grad * self.variables[1].data


@pytest.mark.parametrize("ret", ["abc", None, [1.0, 2.0], {"a": 1}, np.ones((5,)), np.ones((3, 3)),
                                 np.ones(2, dtype=complex), np.array(["a", "b"]), 1.0 + 2j])
def test_invalid_gradient_leaves_mygrads_state(ret):
    """As in MyGrad, the gradients computed before the error are kept (here those of
    ``out`` and of ``c``, the input handled before the bad one), the others are None,
    and the graph is intact: a valid backward afterwards works."""
    _Bad.ret = ret
    a, b, w = mg.tensor([1.0, 2.0]), mg.tensor([3.0, 4.0]), mg.tensor(1.0)
    c = a * w
    out = mg.execute_op(_Bad, c, b)
    with pytest.raises(InvalidGradient):
        out.backward()
    for t in (a, b, w):
        assert t.grad is None
    assert_array_equal(c.grad, [3.0, 4.0])
    assert_array_equal(out.grad, [1.0, 1.0])
    assert out.creator is not None
    _Bad.ret = np.array([1.0, 2.0])
    out.backward()
    assert_array_equal(b.grad, [1.0, 2.0])
    assert_array_equal(a.grad, [3.0, 4.0])


def test_invalid_gradient_string_like_mygrad():
    class BadR(mygrad.operation_base.Operation):
        def __call__(self, x):
            self.variables = (x,)
            return x.data * 1

        def backward_var(self, grad, index, **kwargs):
            return "abc"

    class BadC(mygrad_c.operation_base.Operation):
        def __call__(self, x):
            self.variables = (x,)
            return x.data * 1

        def backward_var(self, grad, index, **kwargs):
            return "abc"

    with pytest.raises(mygrad.errors.InvalidGradient):
        mygrad.execute_op(BadR, mygrad.tensor([1.0])).backward()
    with pytest.raises(mg.errors.InvalidGradient if hasattr(mg, "errors") else InvalidGradient):
        mg.execute_op(BadC, mg.tensor([1.0])).backward()


@pytest.mark.parametrize("ret, shape, error", [
    ("tensor", (2,), "InvalidGradient"),       # a tensor is not a gradient (MyGrad's check)
    ("bool_", (), "InvalidGradient"),          # nor NumPy's bool scalar (not a number)
    ("scalar", (2,), "ValueError"),            # fewer dimensions than the input
    ("row", (2, 3), "ValueError"),
])
def test_refused_gradients_raise_mygrads_exception_type(ret, shape, error):
    results = []
    for lib in (mygrad, mg):
        class Op(lib.operation_base.Operation):
            def __call__(self, a):
                self.variables = (a,)
                return a.data * 2

            def backward_var(self, grad, index, **kwargs):
                return {"tensor": lib.tensor(grad), "bool_": np.bool_(True), "scalar": 2.0,
                        "row": np.ones(shape[-1:])}[ret]

        with pytest.raises(Exception) as info:
            lib.execute_op(Op, lib.tensor(np.ones(shape))).backward()
        results.append(info.value)
    ref, ours = results
    assert type(ref).__name__ == type(ours).__name__ == error, (ref, ours)
    if error == "ValueError":
        assert "dimension" in str(ours) and "Op.backward_var" in str(ours)


def test_valid_gradient_forms_are_accepted():
    """Python scalars for 0-d inputs, integer arrays and keepdims-shaped arrays all work."""
    for ret, shape, expected in [(2.0, (), 2.0), (np.array([1, 2]), (2,), [1.0, 2.0]),
                                 (np.ones((3, 2)), (2,), [3.0, 3.0]), (np.ones((1, 2)), (2,), [1.0, 1.0])]:
        _Bad.ret = ret
        a, b = mg.tensor(np.ones(shape)), mg.tensor(np.ones(shape))
        mg.execute_op(_Bad, a, b).backward()
        assert b.grad.shape == shape and b.grad.dtype == np.float64
        assert_allclose(b.grad, expected)


def test_operation_base_module_path():
    from mygrad_c.operation_base import Operation

    assert Operation is mygrad_c.operation_base.Operation
    with pytest.raises(NotImplementedError):
        mg.execute_op(Operation, mg.tensor(1.0))
