"""Random tensors drawn from NumPy's global random state.

Every function draws with the ``numpy.random`` function of the same name, so
``mygrad_c.random.seed(n)`` (or ``numpy.random.seed(n)``) makes the draws
reproducible and identical to NumPy's (and MyGrad's) for the same seed.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from mygrad_c.tensor_base import Tensor
from mygrad_c.typing import Shape

__all__ = ["rand", "randint", "randn", "random", "random_sample", "ranf", "sample", "seed"]


def rand(*shape: int, constant: Optional[bool] = None) -> Tensor:
    """A tensor of the given shape with samples from the uniform distribution on [0, 1).

    Parameters
    ----------
    *shape : int
        The dimensions of the result; none gives a 0-d tensor.
    constant : bool, optional (keyword-only)
        If True, the result is a constant.

    Returns
    -------
    Tensor
        float64 samples (from ``numpy.random.rand``).

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.random.seed(0)
    >>> mg.random.rand(2)
    Tensor([0.5488135 , 0.71518937])
    """
    return Tensor(np.random.rand(*shape), constant=constant, copy=False)


def randn(*shape: int, constant: Optional[bool] = None) -> Tensor:
    """A tensor of the given shape with samples from the standard normal distribution.

    Parameters
    ----------
    *shape : int
        The dimensions of the result; none gives a 0-d tensor.
    constant : bool, optional (keyword-only)
        If True, the result is a constant.

    Returns
    -------
    Tensor
        float64 samples (from ``numpy.random.randn``).

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.random.seed(0)
    >>> mg.random.randn(2)
    Tensor([1.76405235, 0.40015721])
    """
    return Tensor(np.random.randn(*shape), constant=constant, copy=False)


def randint(low, high=None, shape: Optional[Shape] = None, dtype=int) -> Tensor:
    """A tensor of random integers from ``[low, high)`` (or ``[0, low)`` if ``high`` is None).

    Parameters
    ----------
    low : int | ArrayLike
        The lowest integer that can be drawn (the exclusive upper bound if ``high`` is None).
    high : int | ArrayLike, optional
        One above the largest integer that can be drawn.
    shape : int | tuple[int, ...], optional
        The shape of the result; None gives a 0-d tensor.
    dtype : DTypeLike, default int
        An integer dtype.

    Returns
    -------
    Tensor
        An integer tensor (hence a constant), from ``numpy.random.randint``.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.random.seed(0)
    >>> mg.random.randint(0, 10, shape=(3,))
    Tensor([5, 0, 3])
    """
    return Tensor(np.random.randint(low, high, shape, dtype), copy=False)


def random(shape: Optional[Shape] = None, *, constant: Optional[bool] = None) -> Tensor:
    """A tensor of floats from the uniform distribution on [0, 1).

    Parameters
    ----------
    shape : int | tuple[int, ...], optional
        The shape of the result; None gives a 0-d tensor.
    constant : bool, optional (keyword-only)
        If True, the result is a constant.

    Returns
    -------
    Tensor
        float64 samples (from ``numpy.random.random``).

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.random.seed(0)
    >>> mg.random.random((2,))
    Tensor([0.5488135 , 0.71518937])
    """
    return Tensor(np.random.random(shape), constant=constant, copy=False)


def random_sample(shape: Optional[Shape] = None, *, constant: Optional[bool] = None) -> Tensor:
    """A tensor of floats from the uniform distribution on [0, 1) (same as ``random``).

    Parameters
    ----------
    shape : int | tuple[int, ...], optional
        The shape of the result; None gives a 0-d tensor.
    constant : bool, optional (keyword-only)
        If True, the result is a constant.

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.random.random_sample((2, 3)).shape
    (2, 3)
    """
    return Tensor(np.random.random_sample(shape), constant=constant, copy=False)


def ranf(shape: Optional[Shape] = None, *, constant: Optional[bool] = None) -> Tensor:
    """A tensor of floats from the uniform distribution on [0, 1) (same as ``random``).

    Parameters
    ----------
    shape : int | tuple[int, ...], optional
        The shape of the result; None gives a 0-d tensor.
    constant : bool, optional (keyword-only)
        If True, the result is a constant.

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.random.ranf(3).shape
    (3,)
    """
    return Tensor(np.random.random_sample(shape), constant=constant, copy=False)


def sample(shape: Optional[Shape] = None, *, constant: Optional[bool] = None) -> Tensor:
    """A tensor of floats from the uniform distribution on [0, 1) (same as ``random``).

    Parameters
    ----------
    shape : int | tuple[int, ...], optional
        The shape of the result; None gives a 0-d tensor.
    constant : bool, optional (keyword-only)
        If True, the result is a constant.

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.random.sample(3, constant=True).constant
    True
    """
    return Tensor(np.random.random_sample(shape), constant=constant, copy=False)


def seed(seed_number):
    """Seed NumPy's global random state (which all of ``mygrad_c.random`` draws from).

    Parameters
    ----------
    seed_number : int | array_like[int] | None
        As for ``numpy.random.seed``.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.random.seed(42)
    >>> a = mg.random.rand(3)
    >>> mg.random.seed(42)
    >>> bool((a == mg.random.rand(3)).all())
    True
    """
    np.random.seed(seed_number)
