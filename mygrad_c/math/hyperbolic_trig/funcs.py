"""MyGrad's module path ``mygrad.math.hyperbolic_trig.funcs``: the hyperbolic functions.

Re-exports only; the home is ``mygrad_c.math.elementwise``.
"""
from mygrad_c.math.elementwise import (
    Arccosh, Arccoth, Arccsch, Arcsinh, Arctanh, Cosh, Coth, Csch, Sech, Sinh, Tanh, arccosh,
    arccoth, arccsch, arcsinh, arctanh, cosh, coth, csch, sech, sinh, tanh,
)
from mygrad_c.tensor_base import Tensor
from mygrad_c.typing import ArrayLike, DTypeLikeReals, Mask
from mygrad_c.ufuncs import ufunc_creator

__all__ = [
    "arccosh", "arccoth", "arccsch", "arcsinh", "arctanh", "cosh", "coth", "csch", "sech", "sinh",
    "tanh",
]
