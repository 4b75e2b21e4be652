"""MyGrad's module path ``mygrad.no_grad_funcs``: NumPy functions that MyGrad exposes without a
derivative (NumPy's own objects).

Re-exports only; the homes are ``mygrad_c.math.misc`` (the ufuncs) and
``mygrad_c._numpy_reexports``.
"""
from mygrad_c._numpy_reexports import (
    allclose, bincount, can_cast, copyto, isclose, may_share_memory, min_scalar_type, result_type,
    shape, shares_memory,
)
from mygrad_c.math.misc import (
    ceil, divmod, equal, floor, floor_divide, fmod, greater, greater_equal, isfinite, isinf, isnan,
    isnat, less, less_equal, logical_and, logical_not, logical_or, logical_xor, mod, not_equal,
    remainder, rint, sign, signbit, trunc,
)
from mygrad_c.typing import ArrayLike, DTypeLike, Mask

__all__ = [
    "allclose", "bincount", "can_cast", "ceil", "copyto", "divmod", "equal", "floor",
    "floor_divide", "fmod", "greater", "greater_equal", "isclose", "isfinite", "isinf", "isnan",
    "isnat", "less", "less_equal", "logical_and", "logical_not", "logical_or", "logical_xor",
    "may_share_memory", "min_scalar_type", "mod", "not_equal", "remainder", "result_type", "rint",
    "shape", "shares_memory", "sign", "signbit", "trunc",
]
