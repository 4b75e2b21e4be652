"""MyGrad's module path ``mygrad.math.sequential.funcs``: the reductions and cumulative functions.

Re-exports only; the home is ``mygrad_c.math.sequential``.
"""
from mygrad_c.math.sequential import (
    CumProd, CumSum, Max, Mean, Min, Prod, StdDev, Sum, Variance, amax, amin, cumprod, cumsum, max,
    mean, min, prod, std, sum, var,
)
from mygrad_c.tensor_base import Tensor
from mygrad_c.typing import ArrayLike
from mygrad_c._numpy_protocols import implements_numpy_override  # noqa: F401 (as in MyGrad's module)

__all__ = ["sum", "mean", "var", "std", "amax", "amin", "max", "min", "prod", "cumprod", "cumsum"]
