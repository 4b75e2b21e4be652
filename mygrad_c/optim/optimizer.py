"""The base class shared by the optimizers."""
from __future__ import annotations

from typing import Any, Iterable, Optional

import numpy as np

from mygrad_c._graph_mode import no_autodiff

__all__ = ["Optimizer"]


class Optimizer:
    """Base class: holds the parameters and runs ``update`` on each one that has a gradient.

    Subclasses implement ``update(index, data, grad)``, which changes the NumPy
    array ``data`` in place.  The parameters may be tensors of mygrad_c or of
    MyGrad: the optimizer only reads ``param.grad`` and writes into ``param.data``.

    Parameters
    ----------
    params : Iterable[Tensor]
        The tensors to optimize (float, non-constant tensors).

    Attributes
    ----------
    params : list[Tensor]
        The parameters, in the order given.
    step_count : int
        How many times ``step()`` has run.

    Examples
    --------
    A plain gradient-descent rule, ``data -= 0.5 * grad``:

    >>> import mygrad_c as mg
    >>> from mygrad_c.optim import Optimizer
    >>> class HalfStep(Optimizer):
    ...     def update(self, index, data, grad):
    ...         data -= 0.5 * grad
    >>> w = mg.tensor([1.0, -2.0])
    >>> opt = HalfStep([w])
    >>> (w ** 2).sum().backward()
    >>> opt.step()
    >>> w
    Tensor([0., 0.])
    >>> opt.step_count
    1
    """

    def __init__(self, params: Iterable[Any]):
        self.params: list[Any] = list(params)
        if not self.params:
            raise ValueError("the optimizer received an empty list of parameters")
        for p in self.params:
            if not hasattr(p, "grad") or not hasattr(p, "data"):
                raise TypeError(f"parameters must be tensors, got {type(p).__name__}")
            if getattr(p, "constant", False):
                raise ValueError("a constant tensor cannot be optimized: it never gets a gradient")
        self.step_count = 0

    def step(self) -> None:
        """Update every parameter that has a gradient (``param.grad is not None``).

        The update writes into ``param.data`` in place, with graph recording
        off, so it is never part of a computational graph.
        """
        self.step_count += 1
        with no_autodiff:
            for index, p in enumerate(self.params):
                grad: Optional[np.ndarray] = p.grad
                if grad is None:
                    continue
                data = p.data
                if not data.flags.writeable:
                    raise ValueError(
                        "a parameter's data is read-only: it still belongs to a computational "
                        "graph. Call `loss.backward()` (which clears the graph) before `step()`."
                    )
                self.update(index, data, np.asarray(grad, dtype=data.dtype))

    def update(self, index: int, data: np.ndarray, grad: np.ndarray) -> None:
        """Change ``data`` (parameter number ``index``) in place, given its gradient."""
        raise NotImplementedError

    def zero_grad(self) -> None:
        """Clear every parameter's gradient (``param.grad`` becomes None)."""
        for p in self.params:
            p.null_grad()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.params)} parameters, {self._settings()})"

    def _settings(self) -> str:
        return ""
