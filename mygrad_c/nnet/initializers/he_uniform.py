"""MyGrad's module path ``mygrad.nnet.initializers.he_uniform``: the ``he_uniform`` initializer.

Re-exports only; the home is ``mygrad_c.nnet.initializers.initializers``.
"""
from mygrad_c.nnet.initializers.initializers import he_uniform, uniform
