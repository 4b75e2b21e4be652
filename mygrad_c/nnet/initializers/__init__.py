"""Weight initializers: functions that return new (non-constant, float) tensors.

Draws use NumPy's global random state (``np.random.seed`` makes them
reproducible), as MyGrad's do, so seeded code produces the same weights.
"""
# (imported through MyGrad's one-function modules, so that loading ``...initializers.normal`` (the
# module) here, first, leaves the package attribute ``normal`` bound to the function)
from mygrad_c.nnet.initializers.constant import constant
from mygrad_c.nnet.initializers.dirac import dirac
from mygrad_c.nnet.initializers.glorot_normal import glorot_normal
from mygrad_c.nnet.initializers.glorot_uniform import glorot_uniform
from mygrad_c.nnet.initializers.he_normal import he_normal
from mygrad_c.nnet.initializers.he_uniform import he_uniform
from mygrad_c.nnet.initializers.normal import normal
from mygrad_c.nnet.initializers.uniform import uniform
from mygrad_c.tensor_creation.funcs import identity

__all__ = [
    "constant", "dirac", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform",
    "identity", "normal", "uniform",
]
