"""Stochastic gradient descent, with optional momentum, Nesterov momentum and weight decay."""
from __future__ import annotations

from typing import Any, Iterable, Optional

import numpy as np

from mygrad_c.optim.optimizer import Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum).

    For each parameter :math:`p` with gradient :math:`g`, one step does::

        g = g + weight_decay * p                   # if weight_decay != 0
        if momentum != 0:
            b = g              (first step)
            b = momentum * b + g   (later steps)
            g = g + momentum * b   if nesterov else   g = b
        p = p - lr * g

    which is the update documented for ``torch.optim.SGD`` (with ``dampening=0``).

    Parameters
    ----------
    params : Iterable[Tensor]
        The tensors to optimize.
    lr : float
        The learning rate (step size).
    momentum : float, optional (default=0)
        The momentum factor, in [0, 1).  0 is plain gradient descent.
    nesterov : bool, optional (default=False)
        Use Nesterov momentum (requires ``momentum > 0``).
    weight_decay : float, optional (default=0)
        L2 penalty: adds ``weight_decay * p`` to each gradient.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> from mygrad_c.optim import SGD
    >>> w = mg.tensor([1.0, -2.0])
    >>> opt = SGD([w], lr=0.5, momentum=0.9)
    >>> for _ in range(2):
    ...     (w ** 2).sum().backward()   # grad = 2 w
    ...     opt.step()
    ...     opt.zero_grad()
    >>> w   # step 1: w = w - 0.5 * 2w = 0;  step 2: b = 0.9 * 2w_0, w = -0.9 * w_0
    Tensor([-0.9,  1.8])
    """

    def __init__(self, params: Iterable[Any], lr: float, momentum: float = 0.0,
                 nesterov: bool = False, weight_decay: float = 0.0):
        super().__init__(params)
        if lr < 0:
            raise ValueError(f"invalid learning rate: {lr}")
        if momentum < 0:
            raise ValueError(f"invalid momentum: {momentum}")
        if weight_decay < 0:
            raise ValueError(f"invalid weight_decay: {weight_decay}")
        if nesterov and momentum == 0:
            raise ValueError("Nesterov momentum requires a momentum > 0")
        self.lr = lr
        self.momentum = momentum
        self.nesterov = nesterov
        self.weight_decay = weight_decay
        # one momentum buffer per parameter, created at its first step
        self.velocity: list[Optional[np.ndarray]] = [None] * len(self.params)

    def update(self, index: int, data: np.ndarray, grad: np.ndarray) -> None:
        if self.weight_decay:
            grad = grad + self.weight_decay * data
        if self.momentum:
            buf = self.velocity[index]
            if buf is None:
                buf = self.velocity[index] = np.array(grad, copy=True)
            else:
                buf *= self.momentum
                buf += grad
            grad = grad + self.momentum * buf if self.nesterov else buf
        data -= self.lr * grad

    def _settings(self) -> str:
        return (f"lr={self.lr}, momentum={self.momentum}, nesterov={self.nesterov}, "
                f"weight_decay={self.weight_decay}")
