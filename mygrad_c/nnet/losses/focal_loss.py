"""MyGrad's module path ``mygrad.nnet.losses.focal_loss``: ``focal_loss`` and ``softmax_focal_loss``.

Re-exports only; the home is ``mygrad_c.nnet.losses.focal``.
"""
from mygrad_c.nnet.losses.focal import FocalLoss, focal_loss, softmax_focal_loss
from mygrad_c.nnet.activations.softmax import softmax
from mygrad_c.operation_base import Operation
from mygrad_c.tensor_base import Tensor, asarray
from mygrad_c.typing import ArrayLike

__all__ = ["softmax_focal_loss", "focal_loss"]
