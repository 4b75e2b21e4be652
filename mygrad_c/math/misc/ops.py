"""MyGrad's module path ``mygrad.math.misc.ops``: the op classes of abs, sqrt, cbrt, maximum, minimum
and matmul.

Re-exports only; the homes are ``mygrad_c.math.arithmetic`` (``Abs``, ``Sqrt``, ``MatMul``),
``mygrad_c.math.elementwise`` (``Cbrt``) and ``mygrad_c.math.misc`` (``Maximum``, ``Minimum``).
"""
from mygrad_c.math.arithmetic import Abs, MatMul, Sqrt
from mygrad_c.math.elementwise import Cbrt
from mygrad_c.math.misc import Maximum, Minimum
from mygrad_c.ufuncs import BinaryUfunc, UnaryUfunc

__all__ = ["Abs", "Sqrt", "Cbrt", "Maximum", "Minimum"]
