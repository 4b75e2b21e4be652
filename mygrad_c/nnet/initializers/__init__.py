"""Weight initializers: functions that return new (non-constant, float) tensors.

Draws use NumPy's global random state (``np.random.seed`` makes them
reproducible), as MyGrad's do, so seeded code produces the same weights.
"""
from mygrad_c.nnet.initializers.initializers import (
    constant, dirac, glorot_normal, glorot_uniform, he_normal, he_uniform, identity, normal, uniform,
)

__all__ = [
    "constant", "dirac", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform",
    "identity", "normal", "uniform",
]
