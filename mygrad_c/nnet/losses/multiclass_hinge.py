"""MyGrad's module path ``mygrad.nnet.losses.multiclass_hinge``: ``multiclass_hinge`` and its op class.

Re-exports only; the home is ``mygrad_c.nnet.losses.margin``.
"""
from mygrad_c.nnet.losses.margin import MulticlassHinge, multiclass_hinge
from mygrad_c.operation_base import Operation
from mygrad_c.tensor_base import Tensor
from mygrad_c.typing import ArrayLike
