"""MyGrad's module path ``mygrad.nnet.losses.margin_ranking_loss``: ``margin_ranking_loss`` and its op
class.

Re-exports only; the home is ``mygrad_c.nnet.losses.margin``.
"""
from mygrad_c.nnet.losses.margin import MarginRanking, margin_ranking_loss
from mygrad_c.operation_base import Operation
from mygrad_c.tensor_base import Tensor, asarray
from mygrad_c.typing import ArrayLike
