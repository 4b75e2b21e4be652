"""MyGrad's module path ``mygrad.math.arithmetic.funcs``: the arithmetic functions and their op
classes.

Re-exports only; the homes are ``mygrad_c.math.arithmetic`` (``add``, ...) and
``mygrad_c.math.sequential`` (``add_sequence``, ``multiply_sequence``).
"""
from mygrad_c.math.arithmetic import (
    Add, Divide, Multiply, Negative, Positive, Power, Reciprocal, Square, Subtract, add, divide,
    multiply, negative, positive, power, reciprocal, square, subtract, true_divide,
)
from mygrad_c.math.sequential import AddSequence, MultiplySequence, add_sequence, multiply_sequence
from mygrad_c.tensor_base import Tensor
from mygrad_c.typing import ArrayLike, DTypeLikeReals, Mask
from mygrad_c.ufuncs import ufunc_creator

__all__ = [
    "add", "add_sequence", "divide", "multiply", "multiply_sequence", "negative", "positive",
    "power", "reciprocal", "square", "subtract", "true_divide",
]
