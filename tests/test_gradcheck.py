"""mygrad_c.testing.gradcheck / gradgradcheck: they pass correct gradients and catch wrong ones."""
from __future__ import annotations

import re

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given

import mygrad_c as mg
from helpers import float_arrays
from mygrad_c.operation_base import Operation
from mygrad_c.testing import GradcheckError, gradcheck, gradgradcheck


class _Cube(Operation):
    """f(x) = x**3 with a configurable (possibly wrong) backward pass."""

    first = staticmethod(lambda x: 3 * x ** 2)

    def __call__(self, x):
        self.variables = (x,)
        return x.data ** 3

    def backward_var(self, grad, index, **kwargs):
        return grad * self.first(self.variables[0].data)


class _WrongFirst(_Cube):
    first = staticmethod(lambda x: 3 * x ** 2 + (x > 1.5))  # wrong where x > 1.5


class _WrongSecond(_Cube):
    def backward_var_tensor(self, grad, index):
        x = mg.tensor(self.variables[0].data, constant=True)
        return grad * 3 * x ** 2  # right value, but cut off from x: no second derivative


class _Inconsistent(_Cube):
    def backward_var_tensor(self, grad, index):
        return grad * 2 * self.variables[0] ** 2  # disagrees with backward_var


class _RightSecond(_Cube):
    def backward_var_tensor(self, grad, index):
        return grad * 3 * self.variables[0] ** 2


def cube(Op):
    return lambda x: mg.execute_op(Op, x)


def test_passes_correct_gradients():
    assert gradcheck(lambda x, y: mg.sin(x) * y + mg.sum(x ** 2), [0.5, 1.0], [[2.0, 3.0]])
    assert gradcheck(cube(_Cube), np.linspace(-2, 2, 5))
    assert gradgradcheck(cube(_RightSecond), np.linspace(-2, 2, 5))


def test_wrong_first_derivative_names_input_element_and_values():
    x = np.array([[0.5, 1.0], [2.0, -1.0]])
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda a, b: mg.execute_op(_WrongFirst, b) * a, 1.0, x)
    msg = str(info.value)
    assert "input 1" in msg and "element (1, 0)" in msg
    numbers = [float(v) for v in re.findall(r"-?\d+\.\d+(?:e-?\d+)?", msg)[:2]]
    assert len(numbers) == 2 and abs(numbers[0] - numbers[1]) > 0.5  # both values are shown
    assert gradcheck(lambda a, b: mg.execute_op(_WrongFirst, b) * a, 1.0, x, raise_exception=False) is False


def test_wrong_second_derivative_is_caught():
    with pytest.raises(GradcheckError, match="second-order gradcheck failed for input 0 at element"):
        gradgradcheck(cube(_WrongSecond), np.array([0.5, -1.0]))
    assert gradgradcheck(cube(_WrongSecond), np.array([0.5, -1.0]), raise_exception=False) is False
    with pytest.raises(GradcheckError, match=r"input 0 at element \(0,\): the differentiable backward pass"):
        gradgradcheck(cube(_Inconsistent), np.array([0.5, -1.0]))


def test_gradgradcheck_reports_an_op_without_rule():
    with pytest.raises(NotImplementedError, match="_Cube"):
        gradgradcheck(cube(_Cube), np.array([0.5]))


def test_constants_and_integers_are_not_differentiated():
    calls = []

    def f(x, n, c):
        calls.append(1)
        assert n.constant and c.constant and not x.constant
        return x * n * c

    assert gradcheck(f, [1.0, 2.0], np.array([3, 4]), mg.tensor([5.0, 6.0], constant=True))
    assert len(calls) == 1 + 2 * 2  # one forward, then two per element of x only


def test_float32_inputs_are_checked_in_float64():
    seen = []

    def f(x):
        seen.append(x.dtype)
        return mg.exp(x)

    assert gradcheck(f, np.array([0.1, 0.2], dtype=np.float32))
    assert set(seen) == {np.dtype(np.float64)}


def test_non_tensor_output_is_a_type_error():
    with pytest.raises(TypeError, match="must return a tensor"):
        gradcheck(lambda x: 3.0, [1.0])


@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3), data=st.data())
def test_gradgradcheck_on_broadcast_composites(shapes, data):
    """Second derivatives through broadcasting, reductions and elementwise functions, for random
    shapes (0-d included) and memory layouts."""
    a = data.draw(float_arrays(shapes.input_shapes[0], min_value=0.2, max_value=2.0))
    b = data.draw(float_arrays(shapes.input_shapes[1], min_value=0.2, max_value=2.0))

    def f(x, y):
        z = mg.log1p(x * y) + mg.exp(-x) / y + mg.sqrt(x) ** y
        return mg.var(z) + mg.sum(mg.tanh(z) * z, axis=-1) if z.ndim else z * mg.sin(z)

    assert gradcheck(f, a, b)
    assert gradgradcheck(f, a, b, atol=1e-4)
