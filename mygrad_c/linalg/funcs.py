"""MyGrad's module path ``mygrad.linalg.funcs``: ``einsum`` and ``norm``.

Re-exports only; the homes are ``mygrad_c.linalg.contraction`` (``einsum``) and
``mygrad_c.linalg.norms`` (``norm``).
"""
from mygrad_c.linalg.contraction import EinSum, einsum
from mygrad_c.linalg.norms import Norm, norm
from mygrad_c.math.arithmetic import absolute
from mygrad_c.tensor_base import Tensor
from mygrad_c.typing import ArrayLike
from mygrad_c._numpy_protocols import implements_numpy_override  # noqa: F401 (as in MyGrad's module)

__all__ = ["einsum", "norm"]
