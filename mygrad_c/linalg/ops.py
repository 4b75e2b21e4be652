"""MyGrad's module path ``mygrad.linalg.ops``: the op classes of einsum and norm.

Re-exports only; the homes are ``mygrad_c.linalg.contraction`` (``EinSum``) and
``mygrad_c.linalg.norms`` (``Norm``).
"""
from mygrad_c.linalg.contraction import EinSum
from mygrad_c.linalg.norms import Norm
from mygrad_c.operation_base import Operation

__all__ = ["EinSum", "Norm"]
