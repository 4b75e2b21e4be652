"""MyGrad's module path ``mygrad.math.misc.funcs``: abs, sqrt, cbrt, clip, maximum, minimum, matmul,
multi_matmul.

Re-exports only; the homes are ``mygrad_c.math.arithmetic``, ``mygrad_c.math.elementwise``,
``mygrad_c.math.misc`` and ``mygrad_c.linalg.contraction`` (``multi_matmul``).
"""
from mygrad_c.linalg.contraction import multi_matmul
from mygrad_c.math.arithmetic import Abs, MatMul, Sqrt, abs, absolute, matmul, sqrt
from mygrad_c.math.elementwise import Cbrt, cbrt
from mygrad_c.math.misc import Maximum, Minimum, clip, maximum, minimum
from mygrad_c.tensor_base import Tensor
from mygrad_c.typing import ArrayLike, DTypeLikeReals, Mask
from mygrad_c.ufuncs import ufunc_creator
from mygrad_c._numpy_protocols import implements_numpy_override  # noqa: F401 (as in MyGrad's module)

__all__ = [
    "abs", "absolute", "cbrt", "clip", "sqrt", "maximum", "minimum", "matmul", "multi_matmul",
]
