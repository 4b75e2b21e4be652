"""NumPy names that mygrad_c re-exports at top level, exactly as MyGrad does.

These are NumPy's own objects (``mg.float32 is np.float32``,
``mg.allclose is np.allclose``), so ``mg.tensor(x, dtype=mg.float32)`` and
``mg.pi`` read naturally.  The functions act on tensors through NumPy's
``__array_function__`` protocol, and return what NumPy returns.

Examples
--------
>>> import mygrad_c as mg
>>> mg.tensor([1, 2], dtype=mg.float32).dtype
dtype('float32')
>>> mg.pi
3.141592653589793
"""
from numpy import (  # noqa: F401
    # dtypes
    bool_, double, float16, float32, float64, half, int8, int16, int32, int64, intp, longdouble,
    single, uint8, uint16, uint32, uint64, uintp,
    # constants
    e, euler_gamma, inf, nan, newaxis, pi,
    # functions
    allclose, bincount, can_cast, copyto, isclose, may_share_memory, min_scalar_type, result_type,
    shape, shares_memory,
)

__all__ = [
    "bool_", "double", "float16", "float32", "float64", "half", "int8", "int16", "int32", "int64",
    "intp", "longdouble", "single", "uint8", "uint16", "uint32", "uint64", "uintp",
    "e", "euler_gamma", "inf", "nan", "newaxis", "pi",
    "allclose", "bincount", "can_cast", "copyto", "isclose", "may_share_memory", "min_scalar_type",
    "result_type", "shape", "shares_memory",
]
