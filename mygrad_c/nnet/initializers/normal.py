"""MyGrad's module path ``mygrad.nnet.initializers.normal``: the ``normal`` initializer.

Re-exports only; the home is ``mygrad_c.nnet.initializers.initializers``.
"""
from mygrad_c.nnet.initializers.initializers import normal
from mygrad_c.tensor_base import Tensor
