"""Adam: adaptive moment estimation (Kingma & Ba, 2015)."""
from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from mygrad_c.optim.optimizer import Optimizer

__all__ = ["Adam"]


class Adam(Optimizer):
    r"""The Adam optimizer.

    For each parameter :math:`p` with gradient :math:`g`, step :math:`t = 1, 2, ...` does::

        g = g + weight_decay * p                  # if weight_decay != 0
        m = beta1 * m + (1 - beta1) * g           # running mean of g      (m starts at 0)
        v = beta2 * v + (1 - beta2) * g**2        # running mean of g**2   (v starts at 0)
        m_hat = m / (1 - beta1**t)                # bias corrections
        v_hat = v / (1 - beta2**t)
        p = p - lr * m_hat / (sqrt(v_hat) + eps)

    which is the update documented for ``torch.optim.Adam`` (``amsgrad=False``).

    Parameters
    ----------
    params : Iterable[Tensor]
        The tensors to optimize.
    lr : float, optional (default=1e-3)
        The learning rate.
    betas : tuple[float, float], optional (default=(0.9, 0.999))
        The decay rates of the running means of the gradient and of its square.
    eps : float, optional (default=1e-8)
        Added to the denominator for numerical stability.
    weight_decay : float, optional (default=0)
        L2 penalty: adds ``weight_decay * p`` to each gradient.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> from mygrad_c.optim import Adam
    >>> w = mg.tensor([1.0, -2.0])
    >>> opt = Adam([w], lr=0.1)
    >>> (w ** 2).sum().backward()
    >>> opt.step()   # the first step moves each weight by about lr against its gradient's sign
    >>> w
    Tensor([ 0.9, -1.9])
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0):
        super().__init__(params)
        if lr < 0:
            raise ValueError(f"invalid learning rate: {lr}")
        if not (0.0 <= betas[0] < 1.0 and 0.0 <= betas[1] < 1.0):
            raise ValueError(f"invalid betas: {betas}")
        if eps < 0:
            raise ValueError(f"invalid eps: {eps}")
        if weight_decay < 0:
            raise ValueError(f"invalid weight_decay: {weight_decay}")
        self.lr = lr
        self.betas = (float(betas[0]), float(betas[1]))
        self.eps = eps
        self.weight_decay = weight_decay
        self.m = [np.zeros_like(p.data) for p in self.params]  # first moments
        self.v = [np.zeros_like(p.data) for p in self.params]  # second moments
        self.t = [0] * len(self.params)  # steps taken by each parameter

    def update(self, index: int, data: np.ndarray, grad: np.ndarray) -> None:
        beta1, beta2 = self.betas
        if self.weight_decay:
            grad = grad + self.weight_decay * data
        self.t[index] += 1
        t = self.t[index]
        m, v = self.m[index], self.v[index]
        m *= beta1
        m += (1 - beta1) * grad
        v *= beta2
        v += (1 - beta2) * grad * grad
        step_size = self.lr / (1 - beta1 ** t)
        denom = np.sqrt(v) / math.sqrt(1 - beta2 ** t) + self.eps
        data -= step_size * m / denom

    def _settings(self) -> str:
        return f"lr={self.lr}, betas={self.betas}, eps={self.eps}, weight_decay={self.weight_decay}"
