"""MyGrad's module path ``mygrad.math.sequential.ops``: the reduction and cumulative op classes.

Re-exports only; the home is ``mygrad_c.math.sequential``.
"""
from mygrad_c.math.sequential import (
    CumProd, CumSum, Max, MaxMin, Mean, Min, Prod, Sequential, StdDev, Sum, Variance,
)

__all__ = ["CumProd", "CumSum", "Max", "Mean", "Min", "Prod", "StdDev", "Sum", "Variance"]
