"""MyGrad's module path ``mygrad.nnet.losses.negative_log_likelihood``: ``negative_log_likelihood``.

Re-exports only; the home is ``mygrad_c.nnet.losses.crossentropy``.
"""
from mygrad_c.nnet.losses.crossentropy import negative_log_likelihood
from mygrad_c.math.sequential import mean
from mygrad_c.tensor_base import Tensor, asarray
from mygrad_c.typing import ArrayLike
