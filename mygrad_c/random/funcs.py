"""MyGrad's module path ``mygrad.random.funcs``: the random tensor creators.

Re-exports only; the home is ``mygrad_c.random``.
"""
from mygrad_c.random import rand, randint, randn, random, random_sample, ranf, sample, seed
from mygrad_c.tensor_base import Tensor
from mygrad_c.typing import Shape
