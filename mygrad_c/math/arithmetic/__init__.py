"""Arithmetic: add, subtract, multiply, divide, power, negative, positive,
reciprocal, square, sqrt, absolute, matmul.

Each operation is a small ``UnaryUfunc``/``BinaryUfunc`` (``mygrad_c.ufuncs``):
the forward pass is the NumPy ufunc, and ``_derivative(grad, index)`` right below
it is the vector-Jacobian product for input ``index``.  The engine undoes
broadcasting, so the formulas here are the plain elementwise calculus.
"""
from __future__ import annotations

from numbers import Number

import numpy as np

from mygrad_c._engine import TensorBase, method_op, reduce_broadcast, set_arithmetic_ops
from mygrad_c._parallel import ufunc_call
from mygrad_c.ufuncs import BinaryUfunc, UnaryUfunc, make_ufunc

__all__ = [
    "add", "subtract", "multiply", "divide", "true_divide", "power", "negative",
    "positive", "reciprocal", "square", "sqrt", "absolute", "abs", "matmul",
]


class Add(BinaryUfunc):
    """f(a, b) = a + b;  df/da = df/db = 1"""

    numpy_ufunc = np.add

    def _derivative(self, grad, index):
        return grad


class Subtract(BinaryUfunc):
    """f(a, b) = a - b;  df/da = 1, df/db = -1"""

    numpy_ufunc = np.subtract

    def _derivative(self, grad, index):
        return grad if index == 0 else -grad


class Multiply(BinaryUfunc):
    """f(a, b) = a * b;  df/da = b, df/db = a"""

    numpy_ufunc = np.multiply
    takes_broadcast_grad = True   # (NumPy multiplies by a repeated value at full speed)

    def _derivative(self, grad, index):
        a, b = self.variables
        other = b.data if index == 0 else a.data
        shape = self.variables[index].shape
        # a gradient that is +-1 everywhere (``.sum()``'s), with ``other`` C-contiguous
        unit = _unit_value(grad, other) if self.where is True and other.flags.c_contiguous else 0
        if unit != 0 and shape == grad.shape:
            # the product is ``other`` (or ``-other``) written out to the gradient's shape -
            # exactly, and faster than multiplying
            out = np.empty(grad.shape, dtype=other.dtype)
            if unit > 0:
                np.copyto(out, other)
            else:
                np.negative(other, out=out)
            return out
        if unit != 0 and grad.shape == other.shape:
            # this input was broadcast against ``other``: sum ``other`` directly, without the
            # product array - the same numbers in the same order as summing ``grad * other``
            # (multiplying by +-1 is exact, and the product is laid out as ``other``)
            summed = reduce_broadcast(other, shape)
            if unit < 0:
                return np.negative(summed)
            return summed.copy() if np.may_share_memory(summed, other) else summed
        return ufunc_call(np.multiply, grad, other)


def _unit_value(grad, other) -> int:
    """+1 or -1 if ``grad`` holds that one value everywhere as a broadcast (all strides
    0), in ``other``'s (floating) dtype; else 0."""
    if (type(grad) is not np.ndarray or grad.dtype != other.dtype or grad.dtype.kind != "f"
            or grad.size == 0 or any(grad.strides)):
        return 0
    value = grad.flat[0]
    return 1 if value == 1 else (-1 if value == -1 else 0)


class Divide(BinaryUfunc):
    """f(a, b) = a / b;  df/da = 1 / b, df/db = -a / b**2"""

    numpy_ufunc = np.divide

    def _derivative(self, grad, index):
        a, b = self.variables
        if index == 0:
            return grad / b.data
        return -grad * a.data / (b.data ** 2)


class Power(BinaryUfunc):
    """f(a, b) = a ** b;  df/da = b * a**(b - 1), df/db = a**b * log(a)

    Where ``b == 0`` the derivative in ``a`` is 0 (also at ``a == 0``), and where
    ``a == 0`` the derivative in ``b`` is taken as 0, so no spurious nan/inf appear.
    """

    numpy_ufunc = np.power

    def _derivative(self, grad, index):
        a, b = (v.data for v in self.variables)
        if index == 0:
            return grad * b * (a ** np.where(b, b - 1, 1))
        with np.errstate(divide="ignore", invalid="ignore"):
            return grad * (a ** b) * np.log(np.where(a, a, 1))


class Negative(UnaryUfunc):
    """f(a) = -a;  df/da = -1"""

    numpy_ufunc = np.negative

    def _derivative(self, grad, index):
        return -grad


class Positive(UnaryUfunc):
    """f(a) = +a (a copy);  df/da = 1"""

    numpy_ufunc = np.positive

    def _derivative(self, grad, index):
        return grad


class Reciprocal(UnaryUfunc):
    """f(a) = 1 / a;  df/da = -1 / a**2"""

    numpy_ufunc = np.reciprocal

    def _derivative(self, grad, index):
        a = self.variables[0].data
        return grad * (-1 / a ** 2)  # (MyGrad's order: the same bits)


class Square(UnaryUfunc):
    """f(a) = a ** 2;  df/da = 2a

    The derivative is rounded to the dtype of the gradient it is handed - the result's -
    as MyGrad's is (of all the ufuncs, only square's): ``square(x, dtype="float16")`` - or
    into a float16 ``out=`` - back-propagates ``2 * grad * x`` as a float16 array, whatever
    ``x``'s own dtype.
    """

    numpy_ufunc = np.square
    takes_broadcast_grad = True   # (a mean's gradient: one value, doubled once)

    def _derivative(self, grad, index):
        x = self.variables[0].data
        if grad.size and grad.ndim and not any(grad.strides) and grad.shape == x.shape:
            # one value repeated (a sum's or a mean's gradient): (2 * value) * x, the same
            # numbers as the whole product, in one pass over x
            value = grad[(0,) * grad.ndim]
            return ((2 * value) * x).astype(grad.dtype, copy=False)
        return (2 * grad * x).astype(grad.dtype, copy=False)


class Sqrt(UnaryUfunc):
    """f(a) = sqrt(a);  df/da = 1 / (2 sqrt(a))  (inf at 0, as in MyGrad)"""

    numpy_ufunc = np.sqrt

    def _derivative(self, grad, index):
        with np.errstate(divide="ignore"):
            return grad / (2 * np.sqrt(self.variables[0].data))


class Abs(UnaryUfunc):
    """f(a) = |a|;  df/da = sign(a), taken as 0 at a == 0 (nan with ``nan_to_num=False``, as
    MyGrad) and 0 where a is nan (as MyGrad)"""

    numpy_ufunc = np.absolute

    def __call__(self, *tensors, where=True, dtype=None, out=None, nan_to_num=True):
        self._nan_to_num = nan_to_num
        return super().__call__(*tensors, where=where, dtype=dtype, out=out)

    def _derivative(self, grad, index):
        return grad * abs_derivative(self.variables[0].data, self._nan_to_num)


def abs_derivative(a: np.ndarray, nan_to_num: bool = True) -> np.ndarray:
    """d|a|/da as MyGrad's ``absolute`` takes it: the sign of ``a``, 0 at 0 (nan with
    ``nan_to_num=False``) and 0 where ``a`` is nan; in ``a``'s dtype if it is a float."""
    d = np.where(a > 0, 1.0, np.where(a < 0, -1.0, 0.0 if nan_to_num else np.nan))
    d[np.isnan(a)] = 0
    return d.astype(a.dtype, copy=False) if a.dtype.kind == "f" else d


class MatMul(BinaryUfunc):
    """f(a, b) = a @ b (with NumPy's rules for 1-D operands and batch broadcasting).

    df/da = grad @ b^T and df/db = a^T @ grad, after promoting 1-D operands to
    matrices (a row vector for ``a``, a column vector for ``b``) so that the same
    two formulas serve every case; the engine then sums out batch broadcasting.
    """

    numpy_ufunc = np.matmul

    def _derivative(self, grad, index):
        a, b = self.variables[0].data, self.variables[1].data
        if a.ndim == 2 and b.ndim == 2:   # (two matrices: the formulas as they stand)
            return np.matmul(grad, b.T) if index == 0 else np.matmul(a.T, grad)
        a2 = a[np.newaxis, :] if a.ndim == 1 else a
        b2 = b[:, np.newaxis] if b.ndim == 1 else b
        g = grad  # restore the axes that 1-D operands dropped: the column axis first
        if b.ndim == 1:
            g = np.expand_dims(g, -1)
        if a.ndim == 1:
            g = np.expand_dims(g, -2)
        if index == 0:
            out = np.matmul(g, b2.swapaxes(-1, -2))
            return out[..., 0, :] if a.ndim == 1 else out
        if b.ndim == 2 and a2.ndim > 2:
            # a matrix b shared by a batch: one product over the stacked rows (what MyGrad
            # computes, bit for bit; a sum of per-sample products rounds differently)
            # (rows counted, not -1: a reshape cannot infer them when the last axis is 0)
            rows = int(np.prod(a2.shape[:-1]))
            out = np.matmul(a2.reshape(rows, a2.shape[-1]).T, g.reshape(rows, g.shape[-1]))
        else:
            out = np.matmul(a2.swapaxes(-1, -2), g)
        return out[..., :, 0] if b.ndim == 1 else out


_DOC = """{summary}

Parameters
----------
{params}
out : numpy.ndarray | Tensor, optional
    Where to write the result; a tensor target is updated in place (differentiably).
where : array_like of bool, optional (keyword-only)
    Compute only where True; the gradient is zero elsewhere.
dtype : DTypeLikeReals, optional (keyword-only)
    The dtype in which to compute.
constant : bool, optional (keyword-only)
    If True, the result is a constant (no gradient flows back through it).

Returns
-------
Tensor

Examples
--------
>>> import mygrad_c as mg
{example}
"""


def _doc(summary, params, example):
    return _DOC.format(summary=summary, params=params, example=example)


_X1X2 = "x1, x2 : ArrayLike\n    The operands (broadcast together); non-tensors are constants."
_X = "x : ArrayLike\n    The operand; a non-tensor is a constant."

add = make_ufunc("add", Add, _doc(
    "Add the arguments elementwise: ``x1 + x2``.", _X1X2,
    ">>> x = mg.tensor([1.0, 2.0])\n>>> y = mg.add(x, 3.0)\n>>> y.backward()\n>>> x.grad\narray([1., 1.])"))
subtract = make_ufunc("subtract", Subtract, _doc(
    "Subtract elementwise: ``x1 - x2``.", _X1X2,
    ">>> mg.subtract(mg.tensor([3.0]), 1.0)\nTensor([2.])"))
multiply = make_ufunc("multiply", Multiply, _doc(
    "Multiply elementwise: ``x1 * x2``.", _X1X2,
    ">>> x = mg.tensor([1.0, 2.0])\n>>> mg.multiply(x, x).backward()\n>>> x.grad\narray([2., 4.])"))
true_divide = make_ufunc("true_divide", Divide, _doc(
    "Divide elementwise: ``x1 / x2``.", _X1X2,
    ">>> mg.divide(mg.tensor([1.0, 2.0]), 2.0)\nTensor([0.5, 1. ])"))
divide = true_divide
power = make_ufunc("power", Power, _doc(
    "Raise ``x1`` to the power ``x2`` elementwise.", _X1X2,
    ">>> x = mg.tensor([1.0, 2.0])\n>>> mg.power(x, 3).backward()\n>>> x.grad\narray([ 3., 12.])"))
negative = make_ufunc("negative", Negative, _doc(
    "Negate elementwise: ``-x``.", _X, ">>> mg.negative(mg.tensor([1.0, -2.0]))\nTensor([-1.,  2.])"))
positive = make_ufunc("positive", Positive, _doc(
    "Return a copy, ``+x``, that is part of the graph.", _X,
    ">>> mg.positive(mg.tensor([1.0, -2.0]))\nTensor([ 1., -2.])"))
reciprocal = make_ufunc("reciprocal", Reciprocal, _doc(
    "The elementwise reciprocal, ``1 / x``.", _X, ">>> mg.reciprocal(mg.tensor([2.0, 4.0]))\nTensor([0.5 , 0.25])"))
square = make_ufunc("square", Square, _doc(
    "The elementwise square, ``x ** 2``.", _X,
    ">>> x = mg.tensor(3.0)\n>>> mg.square(x).backward()\n>>> x.grad\narray(6.)"))
sqrt = make_ufunc("sqrt", Sqrt, _doc(
    "The elementwise non-negative square root.", _X,
    ">>> x = mg.tensor(4.0)\n>>> mg.sqrt(x).backward()\n>>> x.grad\narray(0.25)"))
absolute = make_ufunc("absolute", Abs, _doc(
    "The elementwise absolute value ``|x|`` (the derivative at 0 is taken as 0).", _X,
    ">>> x = mg.tensor([-2.0, 0.0, 3.0])\n>>> mg.absolute(x).backward()\n>>> x.grad\narray([-1.,  0.,  1.])"))
abs = absolute
matmul = make_ufunc("matmul", MatMul, _doc(
    "Matrix product of two tensors, with NumPy's rules for 1-D and stacked operands.", _X1X2,
    ">>> a = mg.tensor([[1.0, 2.0]])\n>>> b = mg.tensor([[3.0], [4.0]])\n>>> mg.matmul(a, b)\nTensor([[11.]])"))


# matmul has no where=; absolute has nan_to_num=: their signatures say so
def _fix_signatures():
    import inspect

    P = inspect.Parameter
    sig = matmul.__signature__
    matmul.__signature__ = sig.replace(parameters=[p for p in sig.parameters.values() if p.name != "where"])
    sig = absolute.__signature__
    absolute.__signature__ = sig.replace(
        parameters=list(sig.parameters.values()) + [P("nan_to_num", P.KEYWORD_ONLY, default=True)])


_fix_signatures()


# the Tensor operators + - * / record these classes (with a compiled scalar fast path)
set_arithmetic_ops(Add, Subtract, Multiply, Divide, MatMul)


# ---------------------------------------------------------------------------
# helpers used by Tensor's operators
# ---------------------------------------------------------------------------
def special_power(exponent):
    """The ufunc MyGrad uses for ``x ** exponent`` instead of ``power``: ``square`` for a
    number (or 0-d array) equal to 2, ``positive`` for one equal to 1; else None."""
    if isinstance(exponent, Number) or (isinstance(exponent, np.ndarray) and exponent.ndim == 0):
        if exponent == 2:
            return square
        if exponent == 1:
            return positive
    return None


def power_dispatch(base: TensorBase, exponent, cls=None) -> TensorBase:
    """``base ** exponent`` as MyGrad computes it: squares and identity get their own ops.

    ``cls``: the type of the result (``Tensor.__pow__`` returns its own type).
    """
    special = special_power(exponent)
    if special is not None:
        return method_op(cls, special._Op, (base,))
    return method_op(cls, Power, (base, exponent))


def _astype(t: TensorBase, dtype, casting="unsafe", copy=True, constant=None) -> TensorBase:
    """``t`` cast to ``dtype``: a new tensor without graph history (as in MyGrad)."""
    from mygrad_c.tensor_base import Tensor

    data = t.data.astype(dtype, casting=casting, copy=copy)
    if not copy and data is t.data and (constant is None or constant == t.constant):
        return t
    return type(t)(data, constant=constant, copy=False)  # constant=None: decided by the dtype

