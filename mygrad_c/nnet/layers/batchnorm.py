"""Batch normalisation (``batchnorm``): standardise each channel (axis 1) over all other axes."""
from __future__ import annotations

from typing import Optional

import numpy as np

from mygrad_c._engine import TensorBase, execute_op
from mygrad_c.operation_base import Operation
from mygrad_c.tensor_base import Tensor, _data
from mygrad_c.typing import ArrayLike

__all__ = ["batchnorm"]


class BatchNorm(Operation):
    """y = gamma * x_norm + beta,  x_norm = (x - mean) / sqrt(var + eps)  (stats over all axes but 1)

    With ``g`` the output gradient and means taken over the normalised axes:
    d/dbeta = sum(g);  d/dgamma = sum(g * x_norm);
    d/dx = gamma * (g - mean(g) - x_norm * mean(g * x_norm)) / std.
    """

    def __call__(self, x, *params, eps, has_gamma, has_beta):
        self.variables = (x,) + params
        data = x.data
        self._axes = (0,) + tuple(range(2, data.ndim)) if data.ndim > 0 else ()
        self._keep = tuple(1 if i in self._axes else n for i, n in enumerate(data.shape))
        # MyGrad's attributes: gamma, beta (tensors or None), mean, var (per channel), x_norm
        self.gamma = params[0] if has_gamma else None
        self.beta = params[-1] if has_beta else None
        self._gamma_index = 1 if has_gamma else None
        self._beta_index = 1 + has_gamma if has_beta else None
        mean = data.mean(axis=self._axes, keepdims=True)
        var = data.var(axis=self._axes, keepdims=True)
        self.mean, self.var = (np.squeeze(s, axis=self._axes) for s in (mean, var))
        if isinstance(eps, TensorBase):  # (MyGrad's forward fails there: ValueError, read-only output)
            raise ValueError("`eps` must be a number, or an array of one per channel; got a Tensor")
        if np.ndim(eps) == 1 and data.ndim > 1 and np.size(eps) == data.shape[1]:
            eps = np.asarray(eps).reshape(self._keep)  # one eps per channel (MyGrad accepts this)
        self._eps = eps  # (read by mygrad_c.autodiff's differentiable backward rule)
        self._std = np.sqrt(var + eps)
        if np.iscomplexobj(self._std):  # MyGrad divides into a real array: NumPy's casting error
            np.divide(data - mean, self._std, out=np.empty(data.shape, dtype=np.result_type(data, float)))
        self.x_norm = (data - mean) / self._std
        y = self.x_norm
        if self.gamma is not None:
            y = y * self.gamma.data.reshape(self._keep)
        if self.beta is not None:
            y = y + self.beta.data.reshape(self._keep)
        return y

    def backward_var(self, grad, index, **kwargs):
        shape = self.variables[index].shape
        if index == self._beta_index:
            return np.sum(grad, axis=self._axes).reshape(shape)
        sum_gx = self._channel_sums(grad, self.x_norm)          # sum(g * x_norm) per channel
        if index == self._gamma_index:
            return sum_gx.reshape(shape)
        # dx = gamma * (g - mean(g) - x_norm * sum(g * x_norm) / N) / std over the normalised
        # axes (N a Python float), in MyGrad's order of operations
        x = self.variables[0].data
        n = x.size / (x.shape[1] if x.ndim > 1 else 1)
        with np.errstate(divide="ignore", invalid="ignore"):   # (an empty batch: N = 0)
            mean_g = np.mean(grad, axis=self._axes, keepdims=True)
            dx = (grad - mean_g - self.x_norm * sum_gx.reshape(self._keep) / n) / self._std
        return dx if self.gamma is None else self.gamma.data.reshape(self._keep) * dx

    def _channel_sums(self, a, b):
        """sum(a * b) over the normalised axes, one per channel (as MyGrad sums it: einsum)."""
        if a.ndim < 2:
            return np.sum(a * b, axis=self._axes)
        axes = list(range(a.ndim))
        return np.einsum(a, axes, b, axes, [1])


def batchnorm(x, *, gamma=None, beta=None, eps: float, constant: Optional[bool] = None):
    """Batch-normalise ``x``: standardise every channel (axis 1) over all the other axes.

    ``y = gamma * (x - mean) / sqrt(var + eps) + beta``, where ``mean`` and ``var``
    are taken over every axis of ``x`` except axis 1 (for 1-d ``x``, over axis 0).

    Parameters
    ----------
    x : ArrayLike, shape=(N, C, ...)
        The batch to normalise.
    gamma : ArrayLike, optional, size C (keyword-only)
        Per-channel scale (default: none).
    beta : ArrayLike, optional, size C (keyword-only)
        Per-channel shift (default: none).
    eps : float (keyword-only)
        Added to the variance to avoid dividing by zero.
    constant : bool, optional (keyword-only)
        If True, the result is a constant.

    Returns
    -------
    Tensor, shape=x.shape

    Examples
    --------
    >>> import mygrad_c as mg
    >>> from mygrad_c.nnet import batchnorm
    >>> x = mg.tensor([[1.0, 10.0], [3.0, 30.0]])  # two samples, two channels
    >>> batchnorm(x, eps=0.0)
    Tensor([[-1., -1.],
            [ 1.,  1.]])
    """
    # as in MyGrad, an empty gamma/beta counts as none
    # (a tensor's array; an ndarray's own ``.data`` is a memoryview, which some dtypes refuse)
    gamma = None if gamma is not None and np.size(_data(gamma)) == 0 else gamma
    beta = None if beta is not None and np.size(_data(beta)) == 0 else beta
    params = tuple(p for p in (gamma, beta) if p is not None)
    return execute_op(BatchNorm, x, *params, constant=constant,
                      op_kwargs=dict(eps=eps, has_gamma=gamma is not None,
                                     has_beta=beta is not None))
