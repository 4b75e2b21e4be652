"""MyGrad's module path ``mygrad.tensor_manip.tensor_joining.ops``: the joining op classes.

Re-exports only; the home is ``mygrad_c.tensor_manip.tensor_joining``.
"""
from mygrad_c.tensor_manip.tensor_joining import Concatenate, Stack
from mygrad_c.operation_base import Operation

__all__ = ["Concatenate"]
