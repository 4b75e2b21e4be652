"""MyGrad's module path ``mygrad.nnet.activations.relu``: ``relu`` and its op class.

Re-exports only; the home is ``mygrad_c.nnet.activations.elementwise``.
"""
from mygrad_c.nnet.activations.elementwise import ReLu, relu
from mygrad_c.operation_base import Operation
from mygrad_c.tensor_base import Tensor
from mygrad_c.typing import ArrayLike
