"""MyGrad's module path ``mygrad.math.arithmetic.ops``: the arithmetic op classes.

Re-exports only; the homes are ``mygrad_c.math.arithmetic`` (``Add``, ...) and
``mygrad_c.math.sequential`` (``AddSequence``, ``MultiplySequence``).
"""
from mygrad_c.math.arithmetic import (
    Add, Divide, Multiply, Negative, Positive, Power, Reciprocal, Square, Subtract,
)
from mygrad_c.math.sequential import AddSequence, MultiplySequence
from mygrad_c.operation_base import Operation
from mygrad_c.ufuncs import BinaryUfunc, UnaryUfunc

__all__ = [
    "Add", "Subtract", "Multiply", "Divide", "Reciprocal", "Power", "Square", "Positive",
    "Negative", "AddSequence", "MultiplySequence",
]
