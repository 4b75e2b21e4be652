"""MyGrad's module path ``mygrad.nnet.activations.relu``: ``relu`` and its op class.

Re-exports only; the home is ``mygrad_c.nnet.activations.elementwise``.  MyGrad names the op class
``ReLu``: ours is still called ``ReLU`` there (its file is being optimised on another branch), so
``ReLu`` here is that class under MyGrad's name.
"""
from mygrad_c.nnet.activations.elementwise import ReLU as ReLu
from mygrad_c.nnet.activations.elementwise import relu
from mygrad_c.operation_base import Operation
from mygrad_c.tensor_base import Tensor
from mygrad_c.typing import ArrayLike
