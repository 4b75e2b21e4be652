"""MyGrad's module path ``mygrad.tensor_manip.array_shape.funcs``: the reshaping functions.

Re-exports only; the home is ``mygrad_c.tensor_manip.array_shape``.
"""
from mygrad_c.tensor_manip.array_shape import (
    AtLeast1D, AtLeast2D, AtLeast3D, BroadcastTo, ExpandDims, Flatten, Ravel, Reshape, Squeeze,
    atleast_1d, atleast_2d, atleast_3d, broadcast_to, expand_dims, ravel, reshape, squeeze,
)
from mygrad_c.tensor_base import Tensor
from mygrad_c.typing import ArrayLike, Shape
from mygrad_c._numpy_protocols import implements_numpy_override  # noqa: F401 (as in MyGrad's module)

__all__ = [
    "reshape", "squeeze", "ravel", "expand_dims", "broadcast_to", "atleast_1d", "atleast_2d",
    "atleast_3d",
]
