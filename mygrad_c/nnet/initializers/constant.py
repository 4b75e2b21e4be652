"""MyGrad's module path ``mygrad.nnet.initializers.constant``: the ``constant`` initializer.

Re-exports only; the home is ``mygrad_c.nnet.initializers.initializers``.
"""
from mygrad_c.nnet.initializers.initializers import constant
from mygrad_c.tensor_creation.funcs import full
