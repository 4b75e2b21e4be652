"""MyGrad's module path ``mygrad.indexing_routines.funcs``: ``where``.

Re-exports only; the home is ``mygrad_c.indexing_routines.where``.
"""
from mygrad_c.indexing_routines.where import Where, where
from mygrad_c.tensor_base import Tensor, asarray
from mygrad_c.typing import ArrayLike

__all__ = ["where"]
