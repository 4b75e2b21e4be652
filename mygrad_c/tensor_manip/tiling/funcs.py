"""MyGrad's module path ``mygrad.tensor_manip.tiling.funcs``: ``repeat``.

Re-exports only; the home is ``mygrad_c.tensor_manip.tiling``.
"""
from mygrad_c.tensor_manip.tiling import Repeat, repeat
from mygrad_c.tensor_base import Tensor
from mygrad_c.typing import ArrayLike

__all__ = ["repeat"]
