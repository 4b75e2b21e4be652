"""MyGrad's module path ``mygrad.tensor_manip.tiling.funcs``: ``repeat``.

Re-exports only; the home is ``mygrad_c.tensor_manip.tiling``.
"""
from mygrad_c.tensor_manip.tiling import Repeat, repeat
from mygrad_c.tensor_base import Tensor
from mygrad_c.typing import ArrayLike
from mygrad_c._numpy_protocols import implements_numpy_override  # noqa: F401 (as in MyGrad's module)

__all__ = ["repeat"]
