"""MyGrad's module path ``mygrad.nnet.activations.soft_sign``: ``soft_sign``.

Re-exports only; the home is ``mygrad_c.nnet.activations.elementwise``.
"""
from mygrad_c.nnet.activations.elementwise import soft_sign
from mygrad_c.math.arithmetic import abs, divide
from mygrad_c.tensor_base import Tensor
from mygrad_c.typing import ArrayLike

__all__ = ["soft_sign"]
