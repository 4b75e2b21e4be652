"""MyGrad's module path ``mygrad.nnet.initializers.glorot_normal``: the ``glorot_normal`` initializer.

Re-exports only; the home is ``mygrad_c.nnet.initializers.initializers``.
"""
from mygrad_c.nnet.initializers.initializers import glorot_normal
from mygrad_c.tensor_base import Tensor
