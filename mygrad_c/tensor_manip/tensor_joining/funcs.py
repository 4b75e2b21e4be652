"""MyGrad's module path ``mygrad.tensor_manip.tensor_joining.funcs``: ``concatenate`` and ``stack``.

Re-exports only; the home is ``mygrad_c.tensor_manip.tensor_joining``.
"""
from mygrad_c.tensor_manip.tensor_joining import Concatenate, Stack, concatenate, stack
from mygrad_c.tensor_base import Tensor
from mygrad_c.typing import ArrayLike, DTypeLikeReals
from mygrad_c._numpy_protocols import implements_numpy_override  # noqa: F401 (as in MyGrad's module)

__all__ = ["concatenate", "stack"]
