"""MyGrad's module path ``mygrad.math.nondifferentiable``: ``any``, ``argmin`` and ``argmax`` (NumPy
results, no graph).

Re-exports only; the home is ``mygrad_c.math.sequential``.
"""
from mygrad_c.math.sequential import any, argmax, argmin
from mygrad_c.tensor_base import Tensor
from mygrad_c.typing import ArrayLike

__all__ = ["any", "argmin", "argmax"]
