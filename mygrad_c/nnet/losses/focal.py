"""focal_loss and softmax_focal_loss (Lin et al., 2017): per-sample losses, shape-(N,).

``FL(p) = -alpha * (1 - p)**gamma * log(p)`` where ``p`` is the probability
assigned to the true class.  With ``gamma = 0`` and ``alpha = 1`` it is the
cross-entropy.
"""
from __future__ import annotations

from numbers import Real
from typing import Optional

import numpy as np

from mygrad_c._engine import TensorBase, execute_op
from mygrad_c.nnet.activations.softmax import BOOL_SUBTRACT, softmax
from mygrad_c.nnet.losses._utils import as_array, check_alpha, check_scores_and_labels, float_data, log_softmax_rows
from mygrad_c.operation_base import Operation

__all__ = ["focal_loss", "softmax_focal_loss"]


def _check_gamma(gamma) -> None:
    if not isinstance(gamma, Real) or gamma < 0:  # arrays, tensors, str, None: MyGrad's ValueError
        raise ValueError(f"`gamma` must be a non-negative number, got: {gamma}")


def _gamma_term(one_minus_p: np.ndarray, gamma: float) -> np.ndarray:
    """gamma * (1 - p)**(gamma - 1), taken as 0 where gamma == 0 or p == 1 (its limit times log p)."""
    if gamma == 0:
        return np.zeros_like(one_minus_p)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(one_minus_p > 0, gamma * one_minus_p ** (gamma - 1), 0)


def _focal_terms(pt, alpha, gamma):
    """(q, log p_t, loss) of the focal loss at p_t: q = 1 - p_t clipped at 0 (p > 1 is no
    probability; MyGrad clips too) and loss = -alpha q**gamma log p_t (alpha * (...) so that
    a bad alpha fails in numpy's multiply, as in MyGrad)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        logp = np.log(pt)
        q = np.maximum(1 - pt, 0)
        return q, logp, -(alpha * (q ** gamma * logp))


def _focal_derivative(pt, q, logp, alpha, gamma):
    """d(loss)/d(p_t) = alpha (gamma q**(gamma - 1) log p_t - q**gamma / p_t).  gamma = 0
    leaves -alpha / p (also at p = 0 or inf); p = inf (no probability) gives nan for gamma > 0,
    as MyGrad."""
    with np.errstate(divide="ignore", invalid="ignore"):
        gt_logp = _gamma_term(q, gamma) * logp if gamma else 0
        return alpha * (gt_logp - q ** gamma / pt)


class FocalLoss(Operation):
    """f(p)_i = -alpha (1 - p_t)^gamma log p_t with p_t = p[i, y_i];
    df/dp_t = alpha (gamma (1 - p_t)^(gamma - 1) log p_t - (1 - p_t)^gamma / p_t)."""

    def __call__(self, probs, targets, alpha, gamma):
        self.variables = (probs,)
        p = probs.data
        self.rows, self.y = np.arange(p.shape[0]), targets
        self.alpha, self.gamma = alpha, gamma
        self.pt = p[self.rows, targets]
        self.q, self.logp, loss = _focal_terms(self.pt, alpha, gamma)
        return loss

    def backward_var(self, grad, index, **kwargs):
        d = _focal_derivative(self.pt, self.q, self.logp, self.alpha, self.gamma)
        p = self.variables[0].data
        dx = np.zeros(p.shape, dtype=np.result_type(p, d))
        dx[self.rows, self.y] = grad * d
        return dx

    @property
    def back(self):
        """MyGrad's attribute: d(loss_i)/d(probs) for every sample i (computed when read)."""
        return self.backward_var(np.ones(len(self.y), self.variables[0].dtype), 0)

    @property
    def label_locs(self):
        """MyGrad's attribute: (rows, labels), the indices of each sample's true class."""
        return range(len(self.y)), self.y


class SoftmaxFocalLoss(Operation):
    """f(x)_i = FL(softmax(x_i)[y_i]), computed from log-softmax (finite for any logits);
    df/dx_i = alpha (gamma (1 - p_t)^(gamma - 1) p_t log p_t - (1 - p_t)^gamma) (onehot(y_i) - softmax(x_i))."""

    def __call__(self, scores, targets, alpha, gamma):
        self.variables = (scores,)
        x = scores.data if scores.data.dtype.kind in "iu" else float_data(scores.data)
        self.rows, self.y = np.arange(x.shape[0]), targets
        self.alpha, self.gamma = alpha, gamma
        self.logp_all = log_softmax_rows(x)
        logpt = self.logp_all[self.rows, targets]
        self.logpt = logpt
        self.q = -np.expm1(logpt)  # 1 - p_t, accurate when p_t is close to 1
        return -(alpha * (self.q ** gamma * logpt))

    def backward_var(self, grad, index, **kwargs):
        q, logpt, alpha, gamma = self.q, self.logpt, self.alpha, self.gamma
        pt = np.exp(logpt)
        with np.errstate(invalid="ignore"):
            p_log_p = pt * logpt
        p_log_p[pt == 0] = 0  # its limit as p_t -> 0 (log p_t = -inf: a logit far below the rest)
        c = alpha * (_gamma_term(q, gamma) * p_log_p - q ** gamma)  # dFL/dp_t * p_t
        dx = -np.exp(self.logp_all)
        dx[self.rows, self.y] += 1
        dx *= (grad * c)[:, None]
        return dx


def focal_loss(class_probs, targets, *, alpha: float = 1, gamma: float = 0,
               constant: Optional[bool] = None):
    """The focal loss of each sample, given class probabilities.

    ``loss[i] = -alpha * (1 - p[i, t_i])**gamma * log(p[i, t_i])``

    Parameters
    ----------
    class_probs : ArrayLike, shape-(N, C)
        The predicted probability of each class, for N samples.
    targets : ArrayLike[int], shape-(N,)
        The true class of each sample.
    alpha : float, default 1
        The weighting factor.
    gamma : float, default 0
        The focusing parameter (non-negative).
    constant : bool, optional
        If True, the result is a constant.

    Returns
    -------
    Tensor, shape-(N,)
        The per-sample losses (not reduced).

    Examples
    --------
    >>> import mygrad_c as mg
    >>> from mygrad_c.nnet import focal_loss
    >>> focal_loss(mg.tensor([[0.5, 0.5]]), [0], gamma=1)
    Tensor([0.34657359])
    """
    _check_gamma(gamma)
    y = check_scores_and_labels(class_probs, targets)
    check_alpha(alpha)
    return execute_op(FocalLoss, class_probs, op_args=(y, alpha, gamma), constant=constant)


def softmax_focal_loss(scores, targets, *, alpha: float = 1, gamma: float = 0,
                       constant: Optional[bool] = None):
    """The focal loss of ``softmax(scores)`` for each sample.

    Parameters
    ----------
    scores : ArrayLike, shape-(N, C)
        The class scores (logits).
    targets : ArrayLike[int], shape-(N,)
        The true class of each sample.
    alpha : float, default 1
        The weighting factor.
    gamma : float, default 0
        The focusing parameter (non-negative).
    constant : bool, optional
        If True, the result is a constant.

    Returns
    -------
    Tensor, shape-(N,)
        The per-sample losses.

    Notes
    -----
    As in MyGrad, this is ``focal_loss(softmax(scores), targets)`` (two operations, MyGrad's
    values and gradients bit for bit) wherever that computation is right.  Where the softmax of
    the true class underflows it is computed from log-softmax instead, exact for logits of any
    magnitude: ``softmax_focal_loss([[0., 800.]], [0])`` is ``[800.]`` with gradient
    ``[[-1., 1.]]``, where MyGrad takes ``log`` of a softmax that underflowed to 0 and gives
    ``[inf]`` and nan gradients (float64 logits about 745 apart, float32 about 104, float16
    about 17).
    Unsigned integer scores are not wrapped around in ``x - max(x)`` (MyGrad's are: inf).

    Examples
    --------
    >>> import mygrad_c as mg
    >>> from mygrad_c.nnet import softmax_focal_loss
    >>> softmax_focal_loss(mg.tensor([[0.0, 0.0]]), [0], gamma=1)
    Tensor([0.34657359])
    """
    x_data = as_array(scores)
    if x_data.dtype == np.bool_ and x_data.size and x_data.ndim:
        raise TypeError(BOOL_SUBTRACT)  # MyGrad: numpy's error from x - max(x), before other checks
    if x_data.dtype.kind not in "biuf":
        softmax(scores)  # MyGrad's error for scores that are no tensor data, before other checks
    try:
        _check_gamma(gamma)
        y = check_scores_and_labels(scores, targets)
        check_alpha(alpha)
    except Exception:
        # MyGrad computes softmax(scores) before focal_loss checks its arguments: as an
        # operation on ``scores`` it nulls a tensor's stale gradient, though the call raises
        if isinstance(scores, TensorBase):
            try:
                softmax(scores)
            except Exception:  # noqa: BLE001 - the error to report is the check's
                pass
        raise
    if x_data.size and (x_data.dtype.kind in "iu" or (x_data.dtype.kind == "f" and np.isfinite(x_data).all())):
        probs = softmax(scores)   # (dropped, with its graph, if the check below fails)
        if _composition_is_right(probs.data, y, alpha, gamma):
            # MyGrad's graph: focal_loss of softmax(scores) (its creator a FocalLoss), its bits
            return focal_loss(probs, y, alpha=alpha, gamma=gamma, constant=constant)
    return execute_op(SoftmaxFocalLoss, scores, op_args=(y, alpha, gamma), constant=constant)


def _composition_is_right(p: np.ndarray, y: np.ndarray, alpha, gamma) -> bool:
    """Whether ``focal_loss(softmax(x), y)`` - MyGrad's computation - gives the right numbers,
    given ``p = softmax(x)`` of finite logits: each true class's probability a normal number
    (not underflowed towards 0, where ``log p_t`` loses its digits or is -inf), and finite values
    and derivatives with room to spare (a huge alpha overflows them).  Otherwise the exact
    log-softmax form is used."""
    pt = p[np.arange(p.shape[0]), y]
    if not np.all(pt >= np.finfo(p.dtype).tiny):
        return False
    q, logp, loss = _focal_terms(pt, alpha, gamma)
    d = _focal_derivative(pt, q, logp, alpha, gamma)
    with np.errstate(invalid="ignore", over="ignore"):
        room = np.finfo(np.result_type(p, d)).max / 4   # (an upstream gradient up to 4)
        return bool(np.isfinite(loss).all() and np.all(np.abs(d) < room))
