"""MyGrad's module path ``mygrad.tensor_manip.tensor_joining.funcs``: ``concatenate`` and ``stack``.

Re-exports only; the home is ``mygrad_c.tensor_manip.tensor_joining``.
"""
from mygrad_c.tensor_manip.tensor_joining import Concatenate, Stack, concatenate, stack
from mygrad_c.tensor_base import Tensor
from mygrad_c.typing import ArrayLike, DTypeLikeReals

__all__ = ["concatenate", "stack"]
