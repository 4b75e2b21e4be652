"""MyGrad's module path ``mygrad.nnet.activations.glu``: ``glu``.

Re-exports only; the home is ``mygrad_c.nnet.activations.softmax``.
"""
from mygrad_c.nnet.activations.softmax import glu
from mygrad_c.nnet.activations.elementwise import sigmoid
from mygrad_c.math.arithmetic import multiply
from mygrad_c.tensor_base import Tensor
from mygrad_c.typing import ArrayLike
