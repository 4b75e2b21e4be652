"""MyGrad's module path ``mygrad.nnet.activations.leaky_relu``: ``leaky_relu``.

Re-exports only; the home is ``mygrad_c.nnet.activations.elementwise``.
"""
from mygrad_c.nnet.activations.elementwise import leaky_relu
from mygrad_c.math.misc import maximum, minimum
from mygrad_c.tensor_base import Tensor
from mygrad_c.typing import ArrayLike

__all__ = ["leaky_relu"]
