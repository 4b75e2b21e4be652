"""The differentiable backward pass behind ``grad(..., create_graph=True)``.

The engine's backward pass (``_engine.backward`` / ``_engine.gradients``) works on
NumPy arrays: fast, but its results have no history.  To differentiate a
gradient, each vector-Jacobian product must itself be computed with tensor
operations, so that it is recorded in a graph.  This module does that walk:

1. Collect the nodes the outputs depend on (``op.variables`` of each creator),
   in topological order, without passing through constants.
2. Keep only the nodes from which some requested input can be reached: nothing
   else needs a gradient (so an op without a rule elsewhere in the graph is no
   obstacle).
3. Visit them from the outputs back.  For each non-constant input of a node's
   creator, ``vjp(op, out, grad, index)`` - a rule written with mygrad_c
   operations - returns the gradient for that input; broadcasting is undone by
   a (differentiable) sum, and contributions are added up.

Rules live in a registry keyed by operation class (``VJP_RULES``; filled by
``_rules_*.py`` with the ``vjp_rule`` decorator).  A user's ``Operation`` opts
in by defining ``backward_var_tensor(self, grad, index)``, which receives and
returns tensors.  An op with neither raises ``NotImplementedError`` naming it.

Two small operations serve many rules: ``linear_map`` (a linear NumPy map with
its adjoint: differentiable to any order, as the adjoint of the adjoint is the
map) and ``cast`` (a dtype conversion whose gradient converts back).
"""
from __future__ import annotations

from typing import Callable, Dict, Sequence

import numpy as np

from mygrad_c._engine import TensorBase, execute_op
from mygrad_c.errors import SkipGradient
from mygrad_c.operation_base import Operation

__all__ = ["VJP_RULES", "vjp_rule", "linear_map", "cast", "const", "unbroadcast", "graph_gradients",
           "load_rules"]

# operation class -> rule(op, out, grad, index) -> tensor (or array), the gradient for input ``index``
VJP_RULES: Dict[type, Callable] = {}
_rules_loaded = False


def load_rules() -> None:
    """Register the built-in rules (imported on first use: ``import mygrad_c`` and the
    first-order path do not pay for them)."""
    global _rules_loaded
    if not _rules_loaded:
        from mygrad_c.autodiff import _rules_math, _rules_nnet, _rules_shape  # noqa: F401
        _rules_loaded = True


def vjp_rule(*op_classes: type, all_inputs: bool = False) -> Callable:
    """Decorator: register ``rule(op, out, grad, index)`` as the differentiable VJP of ``op_classes``.

    ``op`` is the operation (its ``variables`` are the input tensors), ``out`` the
    tensor it produced, ``grad`` the tensor dL/d(out).  The rule returns dL/d(input
    ``index``) computed with mygrad_c operations (shaped like the input, or
    broadcast-compatible with it), or None for no gradient.  (A user's own
    ``Operation`` may instead define ``backward_var_tensor(self, grad, index)``.)

    Parameters
    ----------
    *op_classes : type
        The operation classes the rule serves (matched exactly, not by subclass).
    all_inputs : bool, optional (keyword-only)
        If True the rule is called once per node as ``rule(op, out, grad, indices)`` and
        returns one gradient (or None) per index of ``indices`` (for rules that share work
        between inputs).

    Returns
    -------
    Callable
        The decorator; it returns the rule unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> import mygrad_c as mg
    >>> from mygrad_c.operation_base import Operation
    >>> class Square(Operation):
    ...     def __call__(self, x):
    ...         self.variables = (x,)
    ...         return x.data ** 2
    ...     def backward_var(self, grad, index, **kwargs):
    ...         return 2 * grad * self.variables[0].data
    >>> @mg.autodiff.vjp_rule(Square)
    ... def _square_vjp(op, out, grad, index):
    ...     return 2 * grad * op.variables[0]
    >>> mg.hessian(lambda x: mg.sum(mg.execute_op(Square, x)), [1.0, 5.0])
    Tensor([[2., 0.],
            [0., 2.]])
    """
    def register(rule: Callable) -> Callable:
        rule.all_inputs = all_inputs
        for cls in op_classes:
            VJP_RULES[cls] = rule
        return rule

    return register


def const(value, like) -> np.ndarray:
    """The number ``value`` as a 0-d array of ``like``'s float dtype.

    Rules multiply by numbers; a Python number becomes an int64/float64 array in a
    tensor operation (MyGrad's rule), which would turn float32 gradients into float64.
    """
    dtype = like.dtype if like.dtype.kind == "f" else np.float64
    return np.asarray(value, dtype=dtype)


# ---------------------------------------------------------------------------
# two helper operations
# ---------------------------------------------------------------------------
class LinearMap(Operation):
    """f(g) = apply(g) for a linear NumPy map ``apply``;  df/dg . u = adjoint(u)."""

    def __call__(self, g, apply, adjoint):
        self.variables = (g,)
        self.apply, self.adjoint = apply, adjoint
        out = np.asarray(apply(g.data))
        return np.array(out) if np.may_share_memory(out, g.data) else out

    def backward_var(self, grad, index, **kwargs):
        return self.adjoint(grad)


def linear_map(g, apply: Callable, adjoint: Callable) -> TensorBase:
    """``apply(g)`` as a tensor operation, for a linear map ``apply`` of arrays whose
    adjoint (transpose) is ``adjoint``: ``<apply(a), u> == <a, adjoint(u)>``.

    Differentiable to any order (the adjoint's adjoint is ``apply``): rules use it
    for linear operations that are not public tensor operations.

    Parameters
    ----------
    g : Tensor
        The argument.
    apply : Callable[[numpy.ndarray], numpy.ndarray]
        The linear map.
    adjoint : Callable[[numpy.ndarray], numpy.ndarray]
        Its adjoint, from arrays shaped like ``apply``'s results to arrays shaped like ``g``.

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import numpy as np
    >>> import mygrad_c as mg
    >>> x = mg.tensor([1.0, 2.0, 3.0])
    >>> y = mg.autodiff.linear_map(x, np.cumsum, lambda u: np.cumsum(u[::-1])[::-1])
    >>> y
    Tensor([1., 3., 6.])
    >>> y.backward([1.0, 0.0, 1.0])
    >>> x.grad
    array([2., 1., 1.])
    """
    return execute_op(LinearMap, g, op_args=(apply, adjoint))


@vjp_rule(LinearMap)
def _linear_map_vjp(op, out, grad, index):
    return linear_map(grad, op.adjoint, op.apply)


class Cast(Operation):
    """f(x) = x converted to ``dtype``;  df/dx = 1 (the gradient converted back)."""

    def __call__(self, x, dtype):
        self.variables = (x,)
        self.dtype = np.dtype(dtype)
        return x.data.astype(self.dtype)

    def backward_var(self, grad, index, **kwargs):
        return np.asarray(grad).astype(self.variables[0].data.dtype)


def cast(x, dtype) -> TensorBase:
    """``x`` converted to ``dtype``, differentiably (``Tensor.astype`` records no graph).

    Parameters
    ----------
    x : Tensor
        The tensor to convert.
    dtype : DTypeLike
        The new dtype; the gradient is converted back to ``x``'s.

    Returns
    -------
    Tensor
        ``x`` itself if it already has that dtype.

    Examples
    --------
    >>> import numpy as np
    >>> import mygrad_c as mg
    >>> x = mg.tensor([1.5], dtype=np.float32)
    >>> y = mg.autodiff.cast(x, np.float64)
    >>> y.dtype
    dtype('float64')
    >>> (3 * y).backward()
    >>> x.grad, x.grad.dtype
    (array([3.], dtype=float32), dtype('float32'))
    """
    if x.dtype == np.dtype(dtype):
        return x
    return execute_op(Cast, x, op_args=(dtype,))


@vjp_rule(Cast)
def _cast_vjp(op, out, grad, index):
    return cast(grad, op.variables[0].dtype)


# ---------------------------------------------------------------------------
# the walk
# ---------------------------------------------------------------------------
def _as_tensor(g) -> TensorBase:
    if isinstance(g, TensorBase):
        return g
    from mygrad_c.tensor_base import Tensor
    return Tensor(np.asarray(g), constant=True, copy=False)


def unbroadcast(g: TensorBase, shape: tuple) -> TensorBase:
    """Sum ``g`` down to ``shape``, undoing broadcasting (``_engine.reduce_broadcast`` with
    tensor operations, so that the result stays differentiable)."""
    import mygrad_c as mg

    shape = tuple(shape)
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    if lead < 0:  # a rule returned fewer axes (e.g. a scalar): spread it out
        return mg.broadcast_to(g, shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape)
                                      if n == 1 and g.shape[lead + i] != 1)
    for i, n in enumerate(shape):
        if n != 1 and g.shape[lead + i] != n:
            raise ValueError(f"a gradient of shape {g.shape} cannot be reduced to shape {shape}")
    if axes:
        g = mg.sum(g, axis=axes, keepdims=True)
    return g.reshape(shape) if g.shape != shape else g


def _rule_for(op) -> Callable:
    method = getattr(op, "backward_var_tensor", None)
    if method is not None:
        return lambda op, out, grad, index: method(grad, index)
    rule = VJP_RULES.get(type(op))
    if rule is None:
        name = type(op).__name__
        raise NotImplementedError(
            f"mygrad_c cannot differentiate the backward pass of the operation {name} "
            f"({type(op).__module__}.{name}): it has no differentiable backward rule, so "
            f"`create_graph=True` cannot go through it. See docs/higher-order.md for the covered "
            f"operations; a user-defined Operation can opt in by defining "
            f"`backward_var_tensor(self, grad, index)` with tensor operations.")
    return rule


def _topological_order(roots: Sequence[TensorBase], leaves: frozenset = frozenset()) -> list:
    """Every non-constant node the roots depend on, each after its inputs (iterative DFS);
    the walk does not go past the nodes whose ids are in ``leaves``."""
    order, seen = [], set()

    def inputs_of(node):
        if node.creator is None or id(node) in leaves:
            return iter(())
        return iter(node.creator.variables)

    for root in roots:
        if id(root) in seen or root.constant:
            continue
        seen.add(id(root))
        stack = [(root, inputs_of(root))]
        while stack:
            node, children = stack[-1]
            for child in children:
                if id(child) in seen or child.constant:
                    continue
                seen.add(id(child))
                stack.append((child, inputs_of(child)))
                break
            else:
                stack.pop()
                order.append(node)
    return order


def graph_gradients(roots: Sequence[TensorBase], seeds: Sequence[TensorBase],
                    inputs: Sequence[TensorBase], stop_at: Sequence[TensorBase] = ()) -> list:
    """d(sum_k <roots[k], seeds[k]>)/d(inputs[i]) as tensors with a graph (None: no path).

    ``stop_at``: tensors taken as leaves (the walk does not go through their creators), for
    partial derivatives.  See the module docstring for the walk.
    """
    load_rules()
    leaves = frozenset(id(t) for t in stop_at)
    order = _topological_order(roots, leaves)
    wanted = {id(x) for x in inputs}
    # nodes from which a requested input can be reached
    reaches = set()
    for node in order:
        if id(node) in wanted:
            reaches.add(id(node))
        elif node.creator is not None and id(node) not in leaves and \
                any(id(v) in reaches for v in node.creator.variables):
            reaches.add(id(node))
    pending: Dict[int, TensorBase] = {}
    for root, seed in zip(roots, seeds):
        if id(root) in reaches:
            pending[id(root)] = seed if id(root) not in pending else pending[id(root)] + seed
    found: Dict[int, TensorBase] = {}
    for node in reversed(order):
        key = id(node)
        if key not in reaches:
            continue
        g = pending.pop(key, None)
        if g is None:
            continue
        if key in wanted:
            found[key] = g
        op = node.creator
        if op is None or key in leaves:
            continue
        indices = [i for i, v in enumerate(op.variables) if not v.constant and id(v) in reaches]
        if not indices:
            continue
        rule = _rule_for(op)
        if getattr(rule, "all_inputs", False):  # one call for every input (composite rules)
            results = rule(op, node, g, indices)
        else:
            results = []
            for index in indices:
                try:
                    results.append(rule(op, node, g, index))
                except SkipGradient:
                    results.append(None)
        for index, gi in zip(indices, results):
            if gi is None:
                continue
            var = op.variables[index]
            gi = unbroadcast(_as_tensor(gi), var.shape)
            vk = id(var)
            pending[vk] = gi if vk not in pending else pending[vk] + gi
    out = []
    handed_out = {id(s) for s in seeds}   # never return a seed (the caller's grad_outputs) itself,
    for x in inputs:                      # nor one tensor for two inputs: a copy in the graph instead
        g = found.get(id(x))
        if g is not None and g.dtype != x.dtype:
            g = cast(g, x.dtype)
        elif g is not None and id(g) in handed_out:
            from mygrad_c.math.arithmetic import positive
            g = positive(g)
        if g is not None:
            handed_out.add(id(g))
        out.append(g)
    return out
