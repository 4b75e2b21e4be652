"""MyGrad's module path ``mygrad.math.exp_log.ops``: the op classes of the exponential and logarithmic
functions.

Re-exports only; the home is ``mygrad_c.math.elementwise``.
"""
from mygrad_c.math.elementwise import (
    Exp, Exp2, Expm1, Log, Log10, Log1p, Log2, Logaddexp, Logaddexp2,
)
from mygrad_c.ufuncs import BinaryUfunc, UnaryUfunc

__all__ = ["Exp", "Exp2", "Expm1", "Log", "Log2", "Log10", "Log1p", "Logaddexp", "Logaddexp2"]
