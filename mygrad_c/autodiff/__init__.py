"""Functional differentiation: ``grad``, ``hvp``, ``hessian`` and ``jacobian``.

``tensor.backward()`` fills ``.grad`` with NumPy arrays and clears the graph, as
in MyGrad; nothing here changes that.  The functions of this module instead
*return* gradients, leave ``.grad`` and the graph alone, and - with
``create_graph=True`` - return gradients that are tensors with a graph of their
own, so that they can be differentiated again (second and higher derivatives).

The first-order case uses the engine's own propagation
(``_engine.gradients``); the differentiable case walks the graph with the
rules of ``_rules_*.py`` (see ``_core``).  ``docs/higher-order.md`` lists the
operations that have differentiable rules.
"""
from __future__ import annotations

from typing import Callable, Optional, Sequence, Tuple, Union

import numpy as np

from mygrad_c import _engine
from mygrad_c._engine import TensorBase
from mygrad_c.autodiff._core import VJP_RULES, cast, graph_gradients, linear_map, load_rules, vjp_rule

__all__ = ["grad", "hvp", "hessian", "jacobian", "covered_operations",
           "vjp_rule", "VJP_RULES", "linear_map", "cast"]  # (for writing rules of one's own)

Tensors = Union[TensorBase, Sequence[TensorBase]]


def _as_tuple(x, what: str) -> tuple:
    items = tuple(x) if isinstance(x, (tuple, list)) else (x,)
    for i, t in enumerate(items):
        if not isinstance(t, TensorBase):
            raise TypeError(f"`{what}` must be tensors; {what}[{i}] is a {type(t).__name__}")
    return items


def _seed(out: TensorBase, g, create_graph: bool) -> TensorBase:
    """The gradient that ``out`` is seeded with: ones, or ``g`` as the engine takes it."""
    from mygrad_c.tensor_base import Tensor

    if g is None:
        return Tensor(np.ones(out.shape, dtype=out.dtype), constant=True, copy=False)
    if isinstance(g, TensorBase) and create_graph:
        if g.shape != out.shape:
            import mygrad_c as mg
            try:
                g = mg.broadcast_to(g, out.shape)
            except ValueError:
                raise ValueError(f"grad_outputs of shape {g.shape} does not broadcast to the shape of "
                                 f"its output, {out.shape}") from None
        return cast(g, out.dtype)
    arr = np.asarray(g.data if isinstance(g, TensorBase) else g)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"grad_outputs must be real numbers, got an array of dtype {arr.dtype}")
    try:
        arr = np.array(np.broadcast_to(arr, out.shape), dtype=out.dtype)
    except ValueError:
        raise ValueError(f"grad_outputs of shape {arr.shape} does not broadcast to the shape of "
                         f"its output, {out.shape}") from None
    return Tensor(arr, constant=True, copy=False)


def grad(outputs: Tensors, inputs: Tensors, grad_outputs=None, *, create_graph: bool = False,
         allow_unused: bool = False) -> Tuple[Optional[TensorBase], ...]:
    """The gradients of ``outputs`` with respect to each of ``inputs``.

    Computes ``d(sum_k <outputs[k], grad_outputs[k]>) / d inputs[i]`` for each
    ``i`` (with ``grad_outputs`` all ones by default), like
    ``torch.autograd.grad``.  Unlike ``Tensor.backward``, no ``.grad`` is set and
    the graph is kept, so it can be differentiated or back-propagated again.

    Parameters
    ----------
    outputs : Tensor | Sequence[Tensor]
        The tensor(s) to differentiate.
    inputs : Tensor | Sequence[Tensor]
        The tensors to differentiate with respect to (leaves or intermediate results).
    grad_outputs : ArrayLike | Sequence[ArrayLike], optional
        The vector(s) of the vector-Jacobian product, one per output, broadcast to its
        shape (default: ones).  With ``create_graph=True`` a non-constant tensor here is
        differentiated through as well.
    create_graph : bool, optional (keyword-only)
        If True, the gradients are tensors whose graph records the backward computation,
        so they can be differentiated again (to any order).  Every operation on the way
        must have a differentiable rule; one without raises ``NotImplementedError``.
    allow_unused : bool, optional (keyword-only)
        If False (default), an input that the outputs do not depend on (or a constant
        input) raises ValueError; if True its gradient is None.

    Returns
    -------
    tuple[Tensor | None, ...]
        One gradient per input, shaped and typed like it.  Without ``create_graph`` they
        are constants.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> x = mg.tensor(2.0)
    >>> y = x ** 3
    >>> (dy,) = mg.grad(y, x, create_graph=True)
    >>> dy
    Tensor(12.)
    >>> mg.grad(dy, x)       # the second derivative, 6x
    (Tensor(12.),)
    >>> x.grad is None       # nothing was stored, and y's graph is still there
    True
    """
    outputs = _as_tuple(outputs, "outputs")
    inputs = _as_tuple(inputs, "inputs")
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    elif len(outputs) == 1 and not isinstance(grad_outputs, (tuple, list)):
        grad_outputs = (grad_outputs,)
    elif len(grad_outputs) != len(outputs):
        raise ValueError(f"grad_outputs has {len(grad_outputs)} entries for {len(outputs)} outputs")
    seeds = [_seed(o, g, create_graph) for o, g in zip(outputs, grad_outputs)]
    if create_graph:
        results = graph_gradients(outputs, seeds, inputs)
    else:
        results = _first_order(outputs, seeds, inputs)
    if not allow_unused:
        for i, (x, g) in enumerate(zip(inputs, results)):
            if g is None:
                why = "is a constant" if x.constant else "is not used in computing the outputs"
                if not x.constant and all(o.constant for o in outputs):
                    why = ("is not used: the outputs are constants (e.g. a gradient that does not "
                           "depend on the inputs, or computed without create_graph=True)")
                raise ValueError(f"inputs[{i}] {why}, so it has no gradient; pass allow_unused=True "
                                 f"to get None for it")
    return tuple(results)


def _first_order(outputs, seeds, inputs) -> list:
    """The engine's propagation, once per output, summed (no graph is recorded)."""
    from mygrad_c.tensor_base import Tensor

    total = [None] * len(inputs)
    for out, seed in zip(outputs, seeds):
        for i, g in enumerate(_engine.gradients(out, seed.data, inputs)):
            if g is not None:
                total[i] = g if total[i] is None else total[i] + g
    return [None if g is None else Tensor(g, constant=True, copy=False) for g in total]


# ---------------------------------------------------------------------------
# derived quantities
# ---------------------------------------------------------------------------
def _leaves(x) -> tuple:
    """Fresh non-constant float leaves holding the values of ``x`` (one array-like, or a tuple
    of them: several inputs)."""
    from mygrad_c.tensor_base import Tensor

    items = x if isinstance(x, tuple) else (x,)
    out = []
    for i, a in enumerate(items):
        arr = np.array(a.data if isinstance(a, TensorBase) else a)
        if arr.dtype.kind != "f":
            arr = arr.astype(np.float64)
        out.append(Tensor(arr, constant=False, copy=False))
    return tuple(out)


def _call(f: Callable, xs: tuple) -> TensorBase:
    y = f(*xs)
    if not isinstance(y, TensorBase):
        raise TypeError(f"`f` must return a tensor, got {type(y).__name__}")
    return y


def hvp(f: Callable, x, v):
    """The Hessian-vector product ``H v`` of a scalar function ``f`` at ``x``.

    Computed as the gradient of ``<grad f(x), v>`` (two backward passes; the Hessian
    itself is never formed).

    Parameters
    ----------
    f : Callable[..., Tensor]
        A function of one tensor (or of several, if ``x`` is a tuple) returning a scalar tensor.
    x : ArrayLike | tuple[ArrayLike, ...]
        Where to evaluate: the value of ``f``'s argument, or a tuple of values, one per
        argument (a list is one array-like value).
    v : ArrayLike | tuple[ArrayLike, ...]
        The vector, shaped like ``x`` (a tuple of them if ``x`` is a tuple).

    Returns
    -------
    Tensor | tuple[Tensor, ...]
        ``H v`` (a constant), shaped like ``x``; a tuple if ``x`` is a tuple.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> f = lambda x: (x ** 3).sum()       # Hessian: diag(6 x)
    >>> mg.hvp(f, [1.0, 2.0], [1.0, 1.0])
    Tensor([ 6., 12.])
    """
    xs = _leaves(x)
    vs = tuple(v) if isinstance(x, tuple) else (v,)
    if len(vs) != len(xs):
        raise ValueError(f"`v` has {len(vs)} entries for {len(xs)} inputs")
    y = _call(f, xs)
    if y.size != 1:
        raise ValueError(f"`f` must return a scalar (one element), got shape {y.shape}")
    gs = grad(y, xs, create_graph=True, allow_unused=True)
    import mygrad_c as mg
    terms = [mg.sum(g * np.asarray(getattr(vi, "data", vi), dtype=g.dtype)) for g, vi in zip(gs, vs)
             if g is not None and not g.constant]
    if not terms:
        out = tuple(mg.zeros_like(xi, constant=True) for xi in xs)
    else:
        total = terms[0] if len(terms) == 1 else mg.add_sequence(*terms)
        out = tuple(mg.zeros_like(xi, constant=True) if g is None else g
                    for xi, g in zip(xs, grad(total, xs, allow_unused=True)))
    return out if isinstance(x, tuple) else out[0]


def jacobian(f: Callable, x, *, create_graph: bool = False):
    """The Jacobian of ``f`` at ``x``: ``J[i..., j...] = d f(x)[i...] / d x[j...]``.

    One backward pass per element of ``f(x)``: meant for small outputs.

    Parameters
    ----------
    f : Callable[[Tensor], Tensor]
        A function of one tensor.
    x : ArrayLike
        Where to evaluate.
    create_graph : bool, optional (keyword-only)
        Return a Jacobian that can be differentiated again (with respect to
        ``x`` when it is a tensor).

    Returns
    -------
    Tensor
        Shape ``f(x).shape + x.shape``.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.jacobian(lambda x: x ** 2, [1.0, 3.0])
    Tensor([[2., 0.],
            [0., 6.]])
    """
    import mygrad_c as mg

    (xt,) = (x,) if create_graph and isinstance(x, TensorBase) else _leaves(x)
    y = _call(f, (xt,))
    rows = []
    for i in range(y.size):
        seed = np.zeros(y.size, dtype=y.dtype)
        seed[i] = 1
        (g,) = grad(y, xt, grad_outputs=seed.reshape(y.shape), create_graph=create_graph,
                    allow_unused=True)
        rows.append(mg.zeros_like(xt, constant=True) if g is None else g)
    if not rows:
        return mg.zeros(y.shape + xt.shape, dtype=xt.dtype)
    return mg.reshape(mg.stack(rows), y.shape + xt.shape)


def hessian(f: Callable, x):
    """The Hessian of a scalar function ``f`` at ``x``: ``H[i..., j...] = d2 f / dx[i...] dx[j...]``.

    One backward pass through the gradient per element of ``x``: meant for small inputs.

    Parameters
    ----------
    f : Callable[[Tensor], Tensor]
        A function of one tensor, returning a scalar tensor.
    x : ArrayLike
        Where to evaluate.

    Returns
    -------
    Tensor
        Shape ``x.shape + x.shape`` (a constant).

    Examples
    --------
    >>> import mygrad_c as mg
    >>> f = lambda x: x[0] ** 2 * x[1]
    >>> mg.hessian(f, [1.0, 2.0])
    Tensor([[4., 2.],
            [2., 0.]])
    """
    def gradient(xt):
        y = _call(f, (xt,))
        if y.size != 1:
            raise ValueError(f"`f` must return a scalar (one element), got shape {y.shape}")
        (g,) = grad(y, xt, create_graph=True, allow_unused=True)
        import mygrad_c as mg
        return mg.zeros_like(xt, constant=True) if g is None else g

    return jacobian(gradient, x)


def covered_operations() -> list:
    """The names of the operation classes that have a differentiable backward rule, sorted.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> "Multiply" in mg.autodiff.covered_operations()
    True
    """
    load_rules()
    return sorted({cls.__name__ for cls in VJP_RULES if not cls.__module__.startswith("mygrad_c.autodiff")})
