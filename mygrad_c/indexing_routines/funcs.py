"""MyGrad's module path ``mygrad.indexing_routines.funcs``: ``where``.

Re-exports only; the home is ``mygrad_c.indexing_routines.where``.
"""
from mygrad_c.indexing_routines.where import Where, where
from mygrad_c.tensor_base import Tensor, asarray
from mygrad_c.typing import ArrayLike
from mygrad_c._numpy_protocols import implements_numpy_override  # noqa: F401 (as in MyGrad's module)

__all__ = ["where"]
