"""MyGrad's module path ``mygrad.nnet.initializers.uniform``: the ``uniform`` initializer.

Re-exports only; the home is ``mygrad_c.nnet.initializers.initializers``.
"""
from mygrad_c.nnet.initializers.initializers import uniform
from mygrad_c.tensor_base import Tensor
