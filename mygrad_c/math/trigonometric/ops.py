"""MyGrad's module path ``mygrad.math.trigonometric.ops``: the op classes of the trigonometric
functions.

Re-exports only; the home is ``mygrad_c.math.elementwise``.
"""
from mygrad_c.math.elementwise import (
    Arccos, Arccot, Arccsc, Arcsec, Arcsin, Arctan, Arctan2, Cos, Cot, Csc, Sec, Sin, Sinc, Tan,
)
from mygrad_c.operation_base import Operation
from mygrad_c.ufuncs import BinaryUfunc, UnaryUfunc

__all__ = [
    "Sin", "Sinc", "Cos", "Tan", "Csc", "Sec", "Cot", "Arcsin", "Arccos", "Arctan", "Arccsc",
    "Arcsec", "Arccot", "Arctan2",
]
