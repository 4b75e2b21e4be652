"""MyGrad's module path ``mygrad.math.trigonometric.funcs``: the trigonometric functions.

Re-exports only; the home is ``mygrad_c.math.elementwise``.
"""
from mygrad_c.math.elementwise import (
    Arccos, Arccot, Arccsc, Arcsec, Arcsin, Arctan, Arctan2, Cos, Cot, Csc, Sec, Sin, Sinc, Tan,
    arccos, arccot, arccsc, arcsec, arcsin, arctan, arctan2, cos, cot, csc, sec, sin, sinc, tan,
)
from mygrad_c.tensor_base import Tensor
from mygrad_c.typing import ArrayLike, DTypeLikeReals, Mask
from mygrad_c.ufuncs import ufunc_creator

__all__ = [
    "sin", "sinc", "cos", "tan", "cot", "csc", "sec", "arccos", "arccsc", "arcsin", "arctan",
    "arcsec", "arccot", "arctan2",
]
