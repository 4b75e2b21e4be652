"""MyGrad's module path ``mygrad.nnet.initializers.he_normal``: the ``he_normal`` initializer.

Re-exports only; the home is ``mygrad_c.nnet.initializers.initializers``.
"""
from mygrad_c.nnet.initializers.initializers import he_normal, normal
