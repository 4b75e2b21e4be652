"""MyGrad's module path ``mygrad.nnet.initializers.glorot_uniform``: the ``glorot_uniform``
initializer.

Re-exports only; the home is ``mygrad_c.nnet.initializers.initializers``.
"""
from mygrad_c.nnet.initializers.initializers import glorot_uniform, uniform
