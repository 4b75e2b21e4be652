"""MyGrad's module path ``mygrad.nnet.activations.hard_tanh``: ``hard_tanh``.

Re-exports only; the home is ``mygrad_c.nnet.activations.elementwise``.
"""
from mygrad_c.nnet.activations.elementwise import hard_tanh
from mygrad_c.math.misc import maximum, minimum
from mygrad_c.tensor_base import Tensor
from mygrad_c.typing import ArrayLike

__all__ = ["hard_tanh"]
