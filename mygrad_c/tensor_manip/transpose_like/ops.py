"""MyGrad's module path ``mygrad.tensor_manip.transpose_like.ops``: the transposing op classes.

Re-exports only; the home is ``mygrad_c.tensor_manip.transpose_like``.
"""
from mygrad_c.tensor_manip.transpose_like import (
    MoveAxis, Roll, SwapAxes, Tensor_Transpose_Property, Transpose,
)
from mygrad_c.operation_base import Operation

__all__ = ["Tensor_Transpose_Property", "Transpose", "MoveAxis", "Roll", "SwapAxes"]
