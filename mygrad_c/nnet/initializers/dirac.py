"""MyGrad's module path ``mygrad.nnet.initializers.dirac``: the ``dirac`` initializer.

Re-exports only; the home is ``mygrad_c.nnet.initializers.initializers``.
"""
from mygrad_c.nnet.initializers.initializers import dirac
from mygrad_c.tensor_base import Tensor
