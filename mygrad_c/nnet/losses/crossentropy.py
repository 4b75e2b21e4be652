"""softmax_crossentropy and negative_log_likelihood: mean losses over a batch of N scores."""
from __future__ import annotations

from typing import Optional

import numpy as np

from mygrad_c._engine import execute_op
from mygrad_c.nnet.activations.softmax import BOOL_SUBTRACT, exp_float, log_softmax_data
from mygrad_c.nnet.losses._utils import as_array, check_scores_and_labels
from mygrad_c.operation_base import Operation

__all__ = ["softmax_crossentropy", "negative_log_likelihood"]


class SoftmaxCrossEntropy(Operation):
    """f(x) = -mean_i log(softmax(x_i)[y_i]) = mean_i (logsumexp(x_i) - x_i[y_i]);
    df/dx = (softmax(x) - onehot(y)) / N."""

    def __call__(self, x, y_true):
        self.variables = (x,)
        data = exp_float(x.data)  # MyGrad's dtype: int8 scores give float16, >f8 gives <f8
        n = data.shape[0]
        self.rows = np.arange(n)
        self.y = y_true
        self.logp = log_softmax_data(data, axis=1)  # C = 0: numpy's ValueError, as MyGrad
        picked = self.logp[self.rows, y_true]
        if n:   # (log-probabilities are <= 0 or nan: only an empty batch's 0 / 0 warns)
            loss = -np.add.reduce(picked) / n   # (np.sum's sum, one call less)
        else:
            with np.errstate(invalid="ignore", divide="ignore"):
                loss = -np.add.reduce(picked) / n
        return np.asarray(loss, dtype=data.dtype)

    def backward_var(self, grad, index, **kwargs):
        n = self.logp.shape[0]
        dx = np.exp(self.logp)
        dx[self.rows, self.y] -= 1
        dx /= n
        dx *= grad  # MyGrad's order: grad * ((softmax - onehot) / n)
        return dx

    @property
    def back(self):
        """MyGrad's attribute: d(loss)/dx (computed when read)."""
        return self.backward_var(np.ones((), self.variables[0].dtype), 0)


class NegativeLogLikelihood(Operation):
    """f(x) = -mean_i w[y_i] * x[i, y_i];  df/dx[i, y_i] = -w[y_i] / N (0 elsewhere)."""

    def __call__(self, x, y_true, weights):
        self.variables = (x,)
        data = x.data
        n = data.shape[0]
        self.rows = np.arange(n)
        self.y = y_true
        self.w = weights[y_true]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(-np.sum(self.w * data[self.rows, y_true]) / n)

    def backward_var(self, grad, index, **kwargs):
        data = self.variables[0].data
        dx = np.zeros(data.shape, dtype=np.result_type(data, self.w, grad))
        dx[self.rows, self.y] = -self.w * (grad / data.shape[0])
        return dx


def softmax_crossentropy(x, y_true, *, constant: Optional[bool] = None):
    """The mean cross-entropy between ``softmax(x)`` and the true labels.

    ``loss = -mean_i log(softmax(x[i])[y_true[i]])``, computed by log-sum-exp,
    so it stays finite for logits of any magnitude.

    Parameters
    ----------
    x : ArrayLike, shape-(N, C)
        The class scores (logits) of N samples.
    y_true : ArrayLike[int], shape-(N,)
        The correct class of each sample (receives no gradient).
    constant : bool, optional
        If True, the result is a constant.

    Returns
    -------
    Tensor
        A 0-d tensor with the dtype of ``x`` (float64 for integer scores).

    Notes
    -----
    Exact for logits of any magnitude: ``softmax_crossentropy([[1e50, 1e50, 0.]], [0])`` is
    ``log(2)`` with gradient ``[[-0.5, 0.5, 0.]]``, where MyGrad (which loses the log-sum-exp
    correction for logits of about 1e10 or more) gives ``-0.`` and ``[[0., 1., 0.]]``.
    Unsigned integer scores are not wrapped around in ``x - max(x)`` (MyGrad's are: inf).

    Raises
    ------
    ValueError
        If ``x`` is not 2-D or ``y_true`` is not shape-(N,).
    TypeError
        If ``y_true`` is not of an integer type, or ``x`` is boolean.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> from mygrad_c.nnet import softmax_crossentropy
    >>> x = mg.tensor([[2.0, 0.0], [0.0, 0.0]])
    >>> loss = softmax_crossentropy(x, [0, 1])
    >>> loss.backward()
    >>> x.grad.round(3)
    array([[-0.06,  0.06],
           [ 0.25, -0.25]])
    """
    y = check_scores_and_labels(x, y_true)
    if as_array(x).dtype == np.bool_:  # MyGrad: numpy's error from x - max(x)
        raise TypeError(BOOL_SUBTRACT)
    return execute_op(SoftmaxCrossEntropy, x, op_args=(y,), constant=constant)


def negative_log_likelihood(x, y_true, *, weights=None, constant: Optional[bool] = None):
    """The (class-weighted) mean negative log-likelihood of log-probabilities ``x``.

    ``loss = -mean_i weights[y_true[i]] * x[i, y_true[i]]``

    Parameters
    ----------
    x : ArrayLike, shape-(N, C)
        Log-probabilities, e.g. the output of ``logsoftmax``.
    y_true : ArrayLike[int], shape-(N,)
        The correct class of each sample.
    weights : ArrayLike, shape-(C,), optional
        A weight per class (default: all ones, float64). Receives no gradient.
    constant : bool, optional
        If True, the result is a constant.

    Returns
    -------
    Tensor
        A 0-d tensor; its dtype combines ``x``'s and ``weights``'s (float64 by default, as in MyGrad).

    Examples
    --------
    >>> import mygrad_c as mg
    >>> from mygrad_c.nnet import negative_log_likelihood, logsoftmax
    >>> x = logsoftmax(mg.tensor([[2.0, 0.0], [0.0, 0.0]]))
    >>> negative_log_likelihood(x, [0, 1], weights=[1.0, 2.0])
    Tensor(0.75661119)
    """
    y = check_scores_and_labels(x, y_true, numeric=False)  # MyGrad checks the shapes first here
    n_classes = as_array(x).shape[1]
    w = np.ones(n_classes) if weights is None else as_array(weights)
    if w.shape != (n_classes,):
        raise ValueError(
            "`weights` must be a shape-(C,) array: \n"
            f"\tExpected shape-{n_classes}\n"
            f"\tGot shape-{w.shape}")
    return execute_op(NegativeLogLikelihood, x, op_args=(y, w), constant=constant)
