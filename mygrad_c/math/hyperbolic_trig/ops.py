"""MyGrad's module path ``mygrad.math.hyperbolic_trig.ops``: the op classes of the hyperbolic
functions.

Re-exports only; the home is ``mygrad_c.math.elementwise``.
"""
from mygrad_c.math.elementwise import (
    Arccosh, Arccoth, Arccsch, Arcsinh, Arctanh, Cosh, Coth, Csch, Sech, Sinh, Tanh,
)
from mygrad_c.operation_base import Operation
from mygrad_c.ufuncs import UnaryUfunc

__all__ = [
    "Sinh", "Cosh", "Tanh", "Csch", "Sech", "Coth", "Arcsinh", "Arccosh", "Arctanh", "Arccsch",
    "Arccoth",
]
