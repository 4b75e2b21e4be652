"""MyGrad's module path ``mygrad.tensor_manip.array_shape.ops``: the reshaping op classes.

Re-exports only; the home is ``mygrad_c.tensor_manip.array_shape``.
"""
from mygrad_c.tensor_manip.array_shape import (
    AtLeast1D, AtLeast2D, AtLeast3D, BroadcastTo, ExpandDims, Flatten, Ravel, Reshape, Squeeze,
)
from mygrad_c.operation_base import Operation

__all__ = [
    "Reshape", "Flatten", "Squeeze", "Ravel", "ExpandDims", "BroadcastTo", "AtLeast1D",
    "AtLeast2D", "AtLeast3D",
]
