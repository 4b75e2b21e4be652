"""Loss functions.

Each loss is a single fused operation (forward and backward side by side), so a
training step adds one graph node for its loss.  Labels are data, not inputs:
they receive no gradient.
"""
from mygrad_c.nnet.losses.crossentropy import negative_log_likelihood, softmax_crossentropy
from mygrad_c.nnet.losses.focal import focal_loss, softmax_focal_loss
from mygrad_c.nnet.losses.margin import margin_ranking_loss, multiclass_hinge

__all__ = [
    "focal_loss", "margin_ranking_loss", "multiclass_hinge", "negative_log_likelihood",
    "softmax_crossentropy", "softmax_focal_loss",
]
