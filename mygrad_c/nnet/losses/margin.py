"""margin_ranking_loss and multiclass_hinge: hinge-style mean losses."""
from __future__ import annotations

from numbers import Real
from typing import Optional

import numpy as np

from mygrad_c._engine import execute_op
from mygrad_c.nnet.losses._utils import as_array, check_scores_and_labels
from mygrad_c.operation_base import Operation

__all__ = ["margin_ranking_loss", "multiclass_hinge"]


class MarginRanking(Operation):
    """f(x1, x2) = mean(max(0, margin - y (x1 - x2)));
    df/dx1 = -y [margin - y (x1 - x2) > 0] / M, df/dx2 = -df/dx1."""

    def __call__(self, x1, x2, y, margin):
        self.variables = (x1, x2)
        a, b = x1.data, x2.data
        if a.ndim == 2 and y.ndim == 1:
            y = y[:, None]
        dtype = np.result_type(a, b, y)
        self.y = y
        terms = margin - y * (a - b)
        self.active = ~(terms <= 0)  # nan terms (nan margin) are active: nan loss, as MyGrad
        self.size = terms.size
        with np.errstate(invalid="ignore", divide="ignore"):
            # (np.mean: MyGrad's rounding; a float16 mean accumulates in float32)
            return np.asarray(np.mean(np.maximum(0, terms)), dtype=dtype)

    def backward_var(self, grad, index, **kwargs):
        d = -self.y * (self.active * (grad / self.size))   # (inactive terms: signed zeros as MyGrad's)
        d = np.broadcast_to(d, self.active.shape)
        return d if index == 0 else -d


class MulticlassHinge(Operation):
    """f(x) = sum_i sum_{j != y_i} max(0, x_ij - x_iy_i + hinge) / N;
    df/dx_ij = [term_ij > 0] / N, df/dx_iy_i = -(number of active terms in row i) / N."""

    def __call__(self, x, y_true, hinge):
        self.variables = (x,)
        data = x.data
        n = data.shape[0]
        self.rows, self.y = np.arange(n), y_true
        margins = data - data[self.rows, y_true][:, None] + hinge
        margins[self.rows, y_true] = 0
        self.active = ~(margins <= 0)  # a nan hinge gives a nan loss, as MyGrad
        with np.errstate(invalid="ignore", divide="ignore"):
            loss = np.sum(np.where(self.active, margins, 0)) / n
        return np.asarray(loss, dtype=margins.dtype)

    def backward_var(self, grad, index, **kwargs):
        n = self.active.shape[0]
        dx = self.active.astype(np.float64)  # in float64, then cast, as MyGrad (bit for bit)
        dx[self.rows, self.y] = -np.sum(self.active, axis=1, dtype=np.float64)  # (-0.0 if none)
        dx /= n
        dx *= grad
        return dx.astype(np.result_type(self.variables[0].data, np.float16), copy=False)

    @property
    def back(self):
        """MyGrad's attribute: d(loss)/dx (computed when read)."""
        return self.backward_var(np.ones((), self.variables[0].dtype), 0)


def margin_ranking_loss(x1, x2, y, margin: float, *, constant: Optional[bool] = None):
    """The margin ranking loss: ``mean(max(0, margin - y * (x1 - x2)))``.

    Parameters
    ----------
    x1, x2 : ArrayLike, shape-(N,) or shape-(N, D)
        The floating-point scores to rank against each other (same shape).
    y : ArrayLike, 0-d or shape-(N,)
        +1 where ``x1`` should rank higher, -1 where ``x2`` should (receives no gradient).
        A one-element ``y`` of any shape is a scalar.
    margin : float
        The non-negative margin.
    constant : bool, optional
        If True, the result is a constant.

    Returns
    -------
    Tensor
        A 0-d tensor; its dtype combines those of ``x1``, ``x2`` and ``numpy.asarray(y)``.

    Raises
    ------
    ValueError
        If ``x1`` is not 1-D or 2-D, ``x2``'s shape differs, ``margin`` is not a non-negative
        number, or ``y`` is neither one element nor shape-(N,).
    TypeError
        If ``x1`` or ``x2`` is not of a floating type (integer scores are refused, as in MyGrad).

    Examples
    --------
    >>> import mygrad_c as mg
    >>> from mygrad_c.nnet import margin_ranking_loss
    >>> margin_ranking_loss(mg.tensor([1.0, 2.0]), mg.tensor([1.5, 0.5]), 1, 0.5)
    Tensor(0.5)
    """
    a, b = as_array(x1), as_array(x2)  # MyGrad's order of checks: shapes, dtypes, margin, y
    if a.ndim not in (1, 2):
        raise ValueError("`x1` must have shape (N,) or (N, D)")
    if a.shape != b.shape:
        raise ValueError("`x1` and `x2` must have the same shape")
    if a.dtype.kind != "f":
        raise TypeError(f"`x1` must contain floats, got dtype {a.dtype}")
    if b.dtype.kind != "f":
        raise TypeError(f"`x2` must contain floats, got dtype {b.dtype}")
    if not isinstance(margin, Real) or margin < 0:  # MyGrad: arrays/tensors/str/None are refused too
        raise ValueError("`margin` must be a non-negative scalar")
    y = as_array(y)
    if y.size == 1:  # a one-element y is a scalar, whatever its shape (as in MyGrad)
        y = np.array(y.item())
    if not (y.ndim == 0 or (y.ndim == 1 and y.size == a.shape[0])):
        raise ValueError("`y` must be a scalar or shape-(N,) array of ones")
    return execute_op(MarginRanking, x1, x2, op_args=(y, margin), constant=constant)


def multiclass_hinge(x, y_true, hinge: float = 1.0, *, constant: Optional[bool] = None):
    """The multiclass hinge loss: ``sum_i sum_{j != y_i} max(0, x[i, j] - x[i, y_i] + hinge) / N``.

    Parameters
    ----------
    x : ArrayLike, shape-(N, C)
        The class scores.
    y_true : ArrayLike[int], shape-(N,)
        The correct class of each sample.
    hinge : float, default 1.0
        The margin by which the true class must win.
    constant : bool, optional
        If True, the result is a constant.

    Returns
    -------
    Tensor
        A 0-d tensor with the dtype of ``x``.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> from mygrad_c.nnet import multiclass_hinge
    >>> multiclass_hinge(mg.tensor([[1.0, 1.0, 0.0], [0.0, 2.0, 0.0]]), [0, 1])
    Tensor(0.5)
    """
    y = check_scores_and_labels(x, y_true)
    return execute_op(MulticlassHinge, x, op_args=(y, hinge), constant=constant)
