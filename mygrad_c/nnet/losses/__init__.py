"""Loss functions.

Each loss is a single fused operation (forward and backward side by side), so a
training step adds one graph node for its loss.  Labels are data, not inputs:
they receive no gradient.
"""
# (imported through MyGrad's one-function modules, so that loading ``...losses.focal_loss`` (the
# module) here, first, leaves the package attribute ``focal_loss`` bound to the function)
from mygrad_c.nnet.losses.focal_loss import focal_loss, softmax_focal_loss
from mygrad_c.nnet.losses.margin_ranking_loss import margin_ranking_loss
from mygrad_c.nnet.losses.multiclass_hinge import multiclass_hinge
from mygrad_c.nnet.losses.negative_log_likelihood import negative_log_likelihood
from mygrad_c.nnet.losses.softmax_crossentropy import softmax_crossentropy

__all__ = [
    "focal_loss", "margin_ranking_loss", "multiclass_hinge", "negative_log_likelihood",
    "softmax_crossentropy", "softmax_focal_loss",
]
