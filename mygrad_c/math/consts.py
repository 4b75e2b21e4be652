"""MyGrad's module path ``mygrad.math.consts``: NumPy's constants.

Re-exports only; the home is NumPy (``mygrad_c._numpy_reexports``).
"""
from mygrad_c._numpy_reexports import e, euler_gamma, inf, nan, newaxis, pi

__all__ = ["e", "euler_gamma", "inf", "nan", "newaxis", "pi"]
