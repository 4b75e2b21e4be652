"""MyGrad's module path ``mygrad.tensor_manip.transpose_like.funcs``: the transposing functions.

Re-exports only; the home is ``mygrad_c.tensor_manip.transpose_like``.
"""
from mygrad_c.tensor_manip.transpose_like import (
    MoveAxis, Roll, SwapAxes, Transpose, moveaxis, roll, swapaxes, transpose,
)
from mygrad_c.tensor_base import Tensor
from mygrad_c.typing import ArrayLike
from mygrad_c._numpy_protocols import implements_numpy_override  # noqa: F401 (as in MyGrad's module)

__all__ = ["transpose", "moveaxis", "swapaxes", "roll"]
