"""MyGrad's module path ``mygrad.nnet.losses.softmax_crossentropy``: ``softmax_crossentropy`` and its
op class.

Re-exports only; the home is ``mygrad_c.nnet.losses.crossentropy``.
"""
from mygrad_c.nnet.losses.crossentropy import SoftmaxCrossEntropy, softmax_crossentropy
from mygrad_c.operation_base import Operation
from mygrad_c.tensor_base import Tensor
from mygrad_c.typing import ArrayLike
