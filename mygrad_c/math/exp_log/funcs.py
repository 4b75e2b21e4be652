"""MyGrad's module path ``mygrad.math.exp_log.funcs``: the exponential and logarithmic functions.

Re-exports only; the home is ``mygrad_c.math.elementwise``.
"""
from mygrad_c.math.elementwise import (
    Exp, Exp2, Expm1, Log, Log10, Log1p, Log2, Logaddexp, Logaddexp2, exp, exp2, expm1, log, log10,
    log1p, log2, logaddexp, logaddexp2,
)
from mygrad_c.tensor_base import Tensor
from mygrad_c.typing import ArrayLike, DTypeLikeReals, Mask
from mygrad_c.ufuncs import ufunc_creator

__all__ = ["exp", "exp2", "expm1", "logaddexp", "logaddexp2", "log", "log2", "log10", "log1p"]
