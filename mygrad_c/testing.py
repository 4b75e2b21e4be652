"""Checking gradients against central differences: ``gradcheck`` and ``gradgradcheck``.

For anyone who writes an ``Operation`` (or a function of many): compare the
backward pass with finite differences in float64, and the differentiable
backward pass (``grad(..., create_graph=True)``) with finite differences of the
first derivative.  A mismatch raises ``GradcheckError`` naming the input, the
element and both values.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from mygrad_c._engine import TensorBase

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]


class GradcheckError(AssertionError):
    """A gradient computed by back-propagation differs from central differences."""


def _float64_inputs(inputs) -> list:
    """Each input as a float64 tensor: a float array-like (or non-constant float tensor) is
    differentiated; constants, integers and bools are passed as constants."""
    from mygrad_c.tensor_base import Tensor

    out = []
    for x in inputs:
        data = np.asarray(x.data if isinstance(x, TensorBase) else x)
        if data.dtype.kind != "f" or (isinstance(x, TensorBase) and x.constant):
            out.append(Tensor(data, constant=True))
        else:
            out.append(Tensor(np.array(data, dtype=np.float64), constant=False))
    return out


def _check_output(y) -> TensorBase:
    if not isinstance(y, TensorBase):
        raise TypeError(f"the checked function must return a tensor, got {type(y).__name__}")
    return y


def gradcheck(fn: Callable, *inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              seed: int = 0, raise_exception: bool = True, _order: str = "first") -> bool:
    """Check the gradients of ``fn`` at ``inputs`` against central differences in float64.

    With a fixed random vector ``u`` shaped like ``fn(*inputs)``, compares
    ``d<fn(x), u>/dx`` from the backward pass with ``(<fn(x + eps e_j), u> -
    <fn(x - eps e_j), u>) / (2 eps)`` for every element ``j`` of every float input.

    Parameters
    ----------
    fn : Callable[..., Tensor]
        The function to check; it receives one tensor per input.
    *inputs : ArrayLike
        Where to check.  Float inputs (converted to float64) are differentiated;
        integer/bool inputs and constant tensors are passed as constants.
    eps : float, optional
        The finite-difference step.
    atol, rtol : float, optional
        An element passes if ``|analytic - numeric| <= atol + rtol * |numeric|``.
    seed : int, optional
        Seed of the random output weights ``u``.
    raise_exception : bool, optional
        If False, return False on a mismatch instead of raising.

    Returns
    -------
    bool
        True if every element matches.

    Raises
    ------
    GradcheckError
        Naming the input, the element index and both values of the first mismatch.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> from mygrad_c.testing import gradcheck
    >>> gradcheck(lambda x, y: mg.sin(x) * y, [0.5, 1.0], [2.0, 3.0])
    True
    """
    from mygrad_c.autodiff import grad

    ts = _float64_inputs(inputs)
    diff = [i for i, t in enumerate(ts) if not t.constant]
    y = _check_output(fn(*ts))
    rng = np.random.default_rng(seed)
    u = rng.uniform(0.5, 1.5, size=y.shape)
    if not diff:
        return True
    if y.constant:
        analytic = [np.zeros(ts[i].shape) for i in diff]
    else:
        analytic = [np.zeros(ts[i].shape) if g is None else np.asarray(g.data, dtype=np.float64)
                    for i, g in zip(diff, grad(y, [ts[i] for i in diff], grad_outputs=u, allow_unused=True))]

    def weighted(values) -> float:
        return float(np.sum(np.asarray(_check_output(fn(*values)).data, dtype=np.float64) * u))

    for i, a in zip(diff, analytic):
        base = ts[i].data
        for j in np.ndindex(*base.shape):
            values = list(ts)
            hi = np.array(base)
            hi[j] += eps
            lo = np.array(base)
            lo[j] -= eps
            values[i] = type(ts[i])(hi)
            f_hi = weighted(values)
            values[i] = type(ts[i])(lo)
            f_lo = weighted(values)
            numeric = (f_hi - f_lo) / (2 * eps)
            if not abs(a[j] - numeric) <= atol + rtol * abs(numeric):
                if not raise_exception:
                    return False
                what = "derivative" if _order == "first" else "second derivative (backward of the gradient)"
                raise GradcheckError(
                    f"{_order}-order gradcheck failed for input {i} at element {j}: the {what} is "
                    f"{a[j]!r}, central differences give {numeric!r} "
                    f"(atol={atol}, rtol={rtol}, eps={eps})")
    return True


def gradgradcheck(fn: Callable, *inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  seed: int = 0, raise_exception: bool = True) -> bool:
    """Check the second derivatives of ``fn`` at ``inputs`` against central differences of its
    first derivatives (float64).

    First, the gradient computed with ``create_graph=True`` (the differentiable rules) must
    equal the one of the ordinary backward pass.  Then the differentiable gradient ``g(x) = grad(<fn(x), u>, x, create_graph=True)`` (with a fixed
    random ``u``) is reduced with fixed random weights ``w`` to ``s(x) = <g(x), w>``, and
    ``gradcheck(s, *inputs)`` compares ``ds/dx`` (back-propagated through the backward pass)
    with central differences of ``s``.

    Parameters
    ----------
    fn : Callable[..., Tensor]
        The function to check; it receives one tensor per input.
    *inputs : ArrayLike
        Where to check (as in ``gradcheck``).
    eps, atol, rtol, seed, raise_exception
        As in ``gradcheck``.

    Returns
    -------
    bool
        True if every element matches.

    Raises
    ------
    GradcheckError
        Naming the input, the element index and both values of the first mismatch.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> from mygrad_c.testing import gradgradcheck
    >>> gradgradcheck(lambda x: mg.exp(x) * mg.tanh(x), [0.5, -1.0])
    True
    """
    import mygrad_c as mg
    from mygrad_c.autodiff import grad

    ts = _float64_inputs(inputs)
    rng = np.random.default_rng(seed + 1)
    y = _check_output(fn(*ts))
    u = rng.uniform(0.5, 1.5, size=y.shape)
    ws = [rng.uniform(0.5, 1.5, size=t.shape) for t in ts]

    def first_derivative(*xs):
        out = _check_output(fn(*xs))
        diff = [x for x in xs if not x.constant]
        if out.constant or not diff:
            return mg.tensor(0.0, constant=True)
        gs = grad(out, diff, grad_outputs=u, create_graph=True, allow_unused=True)
        w_of = {id(x): w for x, w in zip(xs, ws)}
        terms = [mg.sum(g * w_of[id(x)]) for x, g in zip(diff, gs) if g is not None]
        if not terms:
            return mg.tensor(0.0, constant=True)
        return terms[0] if len(terms) == 1 else mg.add_sequence(*terms)

    # the differentiable backward pass must give the backward pass's values ...
    diff = [i for i, t in enumerate(ts) if not t.constant]
    if diff and not y.constant:
        xs = [ts[i] for i in diff]
        plain = grad(y, xs, grad_outputs=u, allow_unused=True)
        graphed = grad(y, xs, grad_outputs=u, create_graph=True, allow_unused=True)
        for i, p, g in zip(diff, plain, graphed):
            p = np.zeros(ts[i].shape) if p is None else p.data
            g = np.zeros(ts[i].shape) if g is None else g.data
            bad = ~(np.abs(p - g) <= atol + rtol * np.abs(p))
            if bad.any():
                if not raise_exception:
                    return False
                j = tuple(int(k) for k in np.argwhere(bad)[0])
                raise GradcheckError(
                    f"gradgradcheck failed for input {i} at element {j}: the differentiable backward "
                    f"pass (create_graph=True) gives {g[j]!r}, the backward pass gives {p[j]!r}")
    # ... and its own derivative must match central differences of it
    return gradcheck(first_derivative, *ts, eps=eps, atol=atol, rtol=rtol, seed=seed,
                     raise_exception=raise_exception, _order="second")
