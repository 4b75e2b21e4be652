"""MyGrad's module path ``mygrad.math.nondifferentiable``: ``any``, ``argmin`` and ``argmax`` (NumPy
results, no graph).

Re-exports only; the home is ``mygrad_c.math.sequential``.
"""
from mygrad_c.math.sequential import any, argmax, argmin
from mygrad_c.tensor_base import Tensor
from mygrad_c.typing import ArrayLike
from mygrad_c._numpy_protocols import implements_numpy_override  # noqa: F401 (as in MyGrad's module)

__all__ = ["any", "argmin", "argmax"]
