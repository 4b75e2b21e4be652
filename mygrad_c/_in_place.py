"""In-place operations on tensors and views, with gradients that stay right.

``x *= 2``, ``x[idx] = v`` and ``mg.multiply(a, b, out=x)`` change the *object*
``x`` but must not change history: operations that used ``x`` earlier still
need its old value.  So an in-place operation on ``x``

1. moves ``x``'s current node into a hidden tensor ``old`` (``_engine.split_state``);
   earlier operations find it through ``x``'s version chain;
2. computes the new value as an ordinary differentiable operation of ``old``;
3. gives the object ``x`` that result's node (``_engine.adopt_state``).

If ``x`` is a view, the write goes through to its base: the new value of the
view's region is placed into (a copy of) the base's data by ``UnView``,
and the base adopts that.  Either way the base's views are then stale; each
registered with it is rebuilt on the base's new state (``_engine.mark_written``),
so views keep sharing memory with their base and gradients flow through the new
graph.  A view whose graph was cleared, or that its base no longer has registered,
is written on its own, as in MyGrad (``_engine.prepare_in_place_target``).

Under ``no_autodiff`` nothing is recorded: the data are written in place.
"""
from __future__ import annotations

import inspect
from typing import Any, Callable

import numpy as np

from mygrad_c import _engine
from mygrad_c._engine import TensorBase, adopt_state, apply_view_chain, execute_op_as, run_op, split_state
from mygrad_c.operation_base import Operation

__all__ = ["apply_in_place", "augmented_assign", "write_into", "setitem"]


class UnView(Operation):
    """f(base, region) = base with the view ``chain`` of it replaced by ``region``.

    The creator of a base written through one of its views (named as MyGrad's
    operation for it).  With ``mask`` (a boolean array of the region's shape) only
    the elements where it is true are replaced: a ``view[index] = value`` whose view
    does not hold its base's current values writes just the elements ``index``
    names, as in MyGrad.

    df/dbase is ``grad`` with the replaced elements multiplied by 0 (so a nan there
    stays nan, as in MyGrad); df/dregion is the region of ``grad`` (times ``mask``).
    """

    def __call__(self, base, region, chain, mask=None):
        self.variables = (base, region)
        self.chain = chain
        self.mask = mask
        out = np.array(base.data, copy=True)
        if mask is None:
            apply_view_chain(out, chain)[...] = region.data
        else:
            np.copyto(apply_view_chain(out, chain), region.data, where=mask)
        return out

    def backward_var(self, grad, index, **kwargs):
        if index == 0:
            g = np.array(grad, copy=True)
            replaced = apply_view_chain(g, self.chain)
            if self.mask is None:
                replaced[...] *= 0
            else:
                np.multiply(replaced, 0, out=replaced, where=self.mask)
            return g
        region = apply_view_chain(grad, self.chain)
        return region if self.mask is None else region * self.mask


class ApplyMask(Operation):
    """f(value, target) = target with ``value`` written where ``where`` is true.

    The creator of a tensor written by a ufunc with ``out=`` and ``where=`` (named as
    MyGrad's operation for it).  ``value`` is broadcast to ``target``'s shape and cast
    to its dtype.  The gradient flows to ``value`` where written and to ``target``
    elsewhere.  (The inputs are in MyGrad's order, value first: a backward visits the
    graph in the same order, so one that fails midway leaves the same partial
    gradients.)
    """

    def __call__(self, value, target, where=True, masked=False):
        self.variables = (value, target)
        self.where = where
        self.masked = masked
        if masked:
            # ``value`` is a ufunc's result computed with ``where=`` into the target's
            # values: it is the new target already (MyGrad's target takes its very array)
            return value.data
        out = np.array(target.data, copy=True)
        np.copyto(out, value.data, casting="unsafe", where=where)
        return out

    def backward_var(self, grad, index, **kwargs):
        # masked by multiplying, as MyGrad does: a nan/inf gradient stays nan where masked
        if index == 1:
            return np.zeros_like(grad) if self.where is True else grad * np.logical_not(self.where)
        return grad if self.where is True or self.masked else grad * self.where


def _check_writeable(t: TensorBase, message: str = "assignment destination is read-only") -> None:
    """Refuse writes into arrays that are read-only by design (not just memory-guarded).

    The message is NumPy's for the same write: item assignment says
    "assignment destination", a ufunc's ``out=`` says "output array".
    """
    data = t.data
    base = t.base
    if base is None and (data.flags.writeable or _engine.is_guard_locked(t) or _engine.was_guard_locked(t)):
        # the common cases: writeable, or read-only only while a graph uses it; and, as in
        # MyGrad, an array a graph has locked before (e.g. a broadcast made under
        # no_autodiff, then used): the tensor gets a new array
        return
    if base is None:
        base = t
    # (a view with stride-0 axes is refused only if a broadcast_to made it: one of a base
    # that is itself a broadcast array, locked by a graph, is written into a copy of the
    # base, as MyGrad does)
    if _engine.is_readonly_view(t) \
            or (not base.data.flags.writeable and not _engine.is_guard_locked(base)):
        raise ValueError(message)


def _assignable(shape: tuple, to: tuple) -> bool:
    """Can an array of ``shape`` be assigned into one of ``to``?  NumPy's rule for
    ``a[...] = b``: it broadcasts after dropping leading axes of length 1 (which a ufunc's
    ``out=`` does not allow: ``_broadcasts_to``)."""
    while len(shape) > len(to) and shape[0] == 1:
        shape = shape[1:]
    return _broadcasts_to(shape, to)


def apply_in_place(t: TensorBase, compute: Callable[[TensorBase], TensorBase],
                   constant=None, index: Any = None) -> TensorBase:
    """Make ``t`` hold ``compute(t)``, computed from ``t``'s current state.

    ``compute`` must return a tensor with ``t``'s shape and dtype.  Everything is
    computed first, so an error leaves ``t`` untouched; then ``t``'s current state
    moves into a hidden tensor (``split_state``), which every operation that used
    the object ``t`` is rewired to, and ``t`` adopts the result.  For a view ``t``
    of ``base``, the new value of the view is placed into (a copy of) the base's
    data, the base is rebound the same way, and all its views are rebuilt.
    ``index``: the index of a ``t[index] = ...`` (for the errors MyGrad raises).
    """
    base = t.base
    if base is None:
        new = compute(t)
        if new.data.strides != t.data.strides and not (
                new.data.flags.c_contiguous and t.data.flags.c_contiguous) \
                and new.data.strides != np.empty_like(t.data).strides:
            # keep the target's memory layout (a ufunc's result follows its inputs'
            # layout): views such as ravel() must stay views after the write.  (Not when
            # the result is laid out as _Fit would lay it, e.g. a target with reversed
            # axes: the operation stays the written tensor's creator, as in MyGrad)
            new = run_op(_Fit, (new,), op_args=(t.data,))
        _engine.set_constant(new, t.constant)  # as in MyGrad: the written tensor keeps its flag
        past = split_state(t)
        adopt_state(t, new)
        _engine.mark_written(t, None, past)
        return t
    steps = t._view_steps
    taken = apply_view_chain(base.data, steps)
    if taken.shape != t.data.shape and not _assignable(t.data.shape, taken.shape):
        # (a shape was set while no graph was tracked - ``with mg.no_autodiff: base.shape =
        # ...`` or ``t.shape = ...`` - so taking the view again gives a shape the view's
        # values cannot be written into.  MyGrad writes and the view takes that other shape
        # - for ``t[index] = ...`` the element ``index`` names in the view taken again, not
        # the one it names in ``t``; or it fails - first where NumPy cannot apply ``index``
        # to the view taken again, which MyGrad indexes: the same IndexError)
        if index is not None:
            taken[index]
        raise ValueError(
            f"cannot write through this view of shape {t.data.shape}: taken again from its base "
            f"(of shape {base.data.shape} now) it has shape {taken.shape} - was the view's or "
            f"its base's shape set under no_autodiff after the view was taken?")
    if taken.shape != t.data.shape:
        # (views taken from this one after its shape was set so - ``v[:, 0]`` of a view set
        # to (1, 2) - cannot be taken again from the written base, where this view has its
        # old shape: refused before the base takes its new state, so that nothing changes -
        # hunt seed 244.  The error is of MyGrad's type: MyGrad applies ``index`` to the
        # view taken again (IndexError), writes a ufunc's result into it (ValueError where
        # it does not broadcast) and otherwise fails taking those views again, after the
        # write - the accepted untracked-shape-write-in-mygrad)
        error = _engine.views_retake_error(base)
        if error is not None:
            if index is not None:
                taken[index]
            kind = ValueError if index is None and not _broadcasts_to(t.data.shape, taken.shape) \
                or not isinstance(error, IndexError) else IndexError
            raise kind(
                f"cannot write through this view of shape {t.data.shape}: the views taken from "
                f"it cannot be taken again from its base, where it has shape {taken.shape} - was "
                f"its shape set under no_autodiff before they were taken?") from error
    # (computed from the view's own state, which becomes its earlier state - MyGrad's
    # placeholder - so a backward from the view reaches that state too)
    region = compute(t)
    # (as in MyGrad, the view's new values are a constant just when the view is one - an
    # out= result of constant inputs written into a variable's view too)
    _engine.set_constant(region, t.constant)
    mask = None
    if index is not None and taken.shape == t.data.shape and not _same_memory(t.data, taken):
        # (a view that does not hold its base's current values - released, its base
        # written, then registered again by a shape set: MyGrad writes only the elements
        # ``index`` names, the rest of the region keeps the base's values)
        mask = np.zeros(t.data.shape, dtype=bool)
        mask[index] = True
    new_base = run_op(UnView, (base, region), op_args=(steps, mask),
                      constant=base.constant if constant is None else constant)
    # as in MyGrad, the region's tensor (``base.creator.variables[1]``) then holds the view
    # of the base's new array (with a mask, the base's values where it wrote nothing)
    # (not a view taken again in another shape - see above - whose values were broadcast)
    written = apply_view_chain(new_base.data, steps)
    if written.shape == region.shape and written.dtype == region.dtype:
        _engine.take_array_view(region, written)
    past = split_state(base)
    adopt_state(base, new_base)
    _engine.mark_written(base, None, past)  # rebuilds t (and every other live view) on the new base
    return t


def _same_memory(a: np.ndarray, b: np.ndarray) -> bool:
    """Are ``a`` and ``b`` the very same elements of memory (address, shape, strides)?"""
    return (a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
            and a.shape == b.shape and a.strides == b.strides)


def _fit(t: TensorBase, r: TensorBase, casting: str = "same_kind", func=None, args=()) -> TensorBase:
    """Check that ``r`` can be stored in ``t`` (shape, casting) and cast it if needed.

    When it cannot, NumPy's own error for ``func(*args, out=t)`` is raised (computed
    into scratch memory), so messages match MyGrad's, which writes with ``out=``.
    """
    if r.shape != t.shape or (r.dtype != t.dtype and not np.can_cast(r.dtype, t.dtype, casting=casting)):
        _raise_numpys_error(func, t, args)  # NumPy's own error, when func is a ufunc
        if r.shape != t.shape:
            raise ValueError(
                f"non-broadcastable output operand with shape {t.shape} doesn't match the "
                f"broadcast shape {r.shape}")
        raise TypeError(
            f"Cannot cast ufunc output from dtype('{r.dtype}') to dtype('{t.dtype}') "
            f"with casting rule '{casting}'")
    if r.dtype != t.dtype:
        from mygrad_c.tensor_base import Tensor

        # (a constant result too gets an operation: as in MyGrad, the written tensor has
        # a creator)
        constant = None if r.dtype.kind == "f" and t.dtype.kind == "f" and not r.constant else True
        r = run_op(_Fit, (r,), op_args=(t.data,), constant=constant)
    return r


def broadcast_shape(args) -> tuple:
    """The broadcast shape of a ufunc's inputs (tensors or array-likes); NumPy's
    ValueError if they do not broadcast together."""
    return np.broadcast_shapes(*[np.shape(a.data if isinstance(a, TensorBase) else a) for a in args])


def _fits(args, out, result) -> bool:
    """Can a ufunc's result for ``args``, of dtype ``result`` (``ufunc_result_dtype``'s),
    be written into the tensor ``out`` (shape and same-kind casting)?  Told from the
    inputs' shapes and dtypes, before computing."""
    if result is None:
        return True   # (no loop for these inputs: the operation raises its own error)
    try:
        shape = broadcast_shape(args)
    except ValueError:
        return True   # (the operation raises its own error)
    return _broadcasts_to(shape, out.shape) and np.can_cast(result, out.dtype, "same_kind")


def ufunc_result_dtype(cls, args, dtype=None):
    """The dtype of the ufunc-like ``cls``'s result for ``args`` (NumPy's loop for the
    inputs' dtypes, a non-tensor read as NumPy reads it), or None if NumPy finds no loop."""
    arrays = [a.data if isinstance(a, TensorBase) else np.asarray(a) for a in args]
    try:
        return cls._numpy_ufunc.resolve_dtypes(
            tuple(a.dtype for a in arrays) + (None,) * cls._numpy_ufunc.nout,
            signature=(None,) * len(arrays) + (np.dtype(dtype) if dtype is not None else None,))[-1]
    except (TypeError, ValueError):
        return None


def _broadcasts_to(shape, target) -> bool:
    try:
        return np.broadcast_shapes(shape, target) == tuple(target)
    except ValueError:
        return False


def _raise_numpys_error(func, t: TensorBase, args, kwargs=None) -> None:
    """Run ``func``'s NumPy ufunc with ``out=`` scratch memory shaped like ``t``: NumPy
    raises its own error (broadcast, casting) for an in-place write that cannot be done.
    With ``kwargs`` (the call's ``dtype=``/``where=``), as MyGrad runs a ufunc into a
    tensor ``out=``: the inputs become tensors first (their TypeError comes first), then
    NumPy checks in its own order (a ``dtype=`` it cannot cast to the target before the
    shapes)."""
    npu = getattr(func, "_numpy_ufunc", None)
    if npu is not None:
        if kwargs is not None:
            args = [a if isinstance(a, TensorBase) else TensorBase(a, copy=False) for a in args]
        npu(*[a.data if isinstance(a, TensorBase) else a for a in args], out=np.empty_like(t.data),
            **{k: v for k, v in (kwargs or {}).items() if k in ("dtype", "where")})


class _Fit(Operation):
    """f(x) = x stored like the array ``like``: cast to its dtype, in its memory layout;
    df/dx = 1 (the engine casts the gradient back)."""

    def __call__(self, x, like):
        self.variables = (x,)
        out = np.empty_like(like)
        np.copyto(out, x.data, casting="unsafe")
        return out

    def backward_var(self, grad, index, **kwargs):
        return grad


_UNARY = object()  # (augmented_assign of a one-input ufunc: there is no `other`)


def _natural_result_fits(t: TensorBase, result, args) -> bool:
    """Would a ufunc's own result for ``args``, of dtype ``result``, have ``t``'s dtype and
    (C-contiguous) memory layout?  Told before computing, from the inputs."""
    data = t.data
    if not data.flags.c_contiguous or result != data.dtype:
        return False
    for a in args:
        arr = a.data if isinstance(a, TensorBase) else a
        if isinstance(arr, np.ndarray) and not arr.flags.c_contiguous:
            return False
    return True


def augmented_assign(t: TensorBase, func: Callable, other: Any = _UNARY) -> TensorBase:
    """``t = func(t, other)`` in place: ``t += other`` and friends (``t = func(t)`` for a
    one-input ufunc, as ``x **= 2`` is an in-place square)."""
    operands = (t,) if other is _UNARY else (t, other)
    if not _engine.is_tracking():
        # no graph: NumPy's own in-place operation (and its errors), through views too
        func._numpy_ufunc(*[a.data if isinstance(a, TensorBase) else a for a in operands], out=t.data)
        return t
    _engine.prepare_in_place_target(t)
    _check_writeable(t, "output array is read-only")
    result = ufunc_result_dtype(func, operands)
    if not _fits(operands, t, result):
        # refused before the operation runs: the other operand keeps its gradient (MyGrad)
        _raise_numpys_error(func, t, operands)

    cls = type(t)
    routed = _engine.routes_through_op(cls)

    def compute(t):
        args = (t,) + operands[1:]
        constant = True if t.constant else None   # (as in MyGrad, the target keeps its flag)
        # MyGrad computes the operation into the target's own array: when NumPy would give
        # a result of another dtype (x *= 2.0 on float32 x) or layout, it is computed into a
        # new array like the target's, so the recorded creator is the operation itself, with
        # its inputs, and its gradient is formed in the target's dtype, as in MyGrad
        kwargs = None if _natural_result_fits(t, result, args) else {"out": np.empty_like(t.data)}
        try:
            if routed:   # a Tensor subclass with its own _op sees the operation (as in MyGrad)
                r = cls._op(func._Op, *args, op_args=None, op_kwargs=kwargs, constant=constant)
            else:
                r = execute_op_as(cls, func._Op, args, None, kwargs, constant)   # (constants: a cls)
        except ValueError:
            _raise_numpys_error(func, t, args)
            raise
        return _fit(t, r, func=func, args=args)

    return apply_in_place(t, compute)


def prepare_out_target(out: TensorBase) -> None:
    """Before an operation with the tensor target ``out=`` runs (which would lock a target
    that is also an input): refuse a read-only target, and, as MyGrad, null the target's
    gradient (and cut a view whose graph was cleared off its base).  ``write_into`` then
    writes the result."""
    if _engine.is_tracking():
        _engine.prepare_in_place_target(out)
        _check_writeable(out, "output array is read-only")
    elif not out.data.flags.writeable:
        raise ValueError("output array is read-only")


def guard_out_array(out: np.ndarray, inputs, message: str = "output array is read-only") -> list:
    """Before an operation with the NumPy array target ``out=`` runs: refuse, as MyGrad
    does, a target that the operation's own inputs lock, and keep the inputs the target
    would overwrite.  Returns the inputs to run the operation on.

    MyGrad's memory guard locks each input's array - and the array that owns its memory
    - before the forward pass writes into ``out``, so an ``out`` that is one of them is
    read-only by then (``np.add(a, t, out=a)``, ``a += t`` for an array ``a``,
    ``np.exp(t, out=t.data)``): NumPy refuses the write, with ``message``.  mygrad_c
    locks after the forward pass, so it checks first.

    A NumPy array input that shares memory with ``out`` and is not refused (``out`` is
    another view of its memory, or the guard is off) would be overwritten by the result
    before the backward pass reads it: the operation gets a copy of it instead, and its
    gradients are those of the values it computed with (MyGrad's read the result)."""
    if not _engine.is_tracking():
        return list(inputs)   # no graph: nothing locked, nothing read again
    locked = _engine.mem_guard_active()
    kept = []
    for x in inputs:
        arr = x.data if isinstance(x, TensorBase) else x
        if isinstance(arr, np.ndarray):
            if locked and (out is arr or out is arr.base):
                raise ValueError(message)
            if arr is x and np.may_share_memory(arr, out):
                x = arr.copy()
        kept.append(x)
    return kept


def write_into(out: TensorBase, value: TensorBase, where=True, masked: bool = False) -> TensorBase:
    """``out=`` with a tensor target: ``out`` holds ``value`` (where ``where``), in place;
    ``prepare_out_target(out)`` was called before ``value`` was computed.  ``masked``:
    ``value`` was computed with ``where=`` into a copy of ``out``'s values (a ufunc's)."""
    if not _engine.is_tracking():
        np.copyto(out.data, value.data, casting="same_kind", where=where)
        return out
    if where is True:
        # every element is overwritten: the new value does not depend on the old one (as
        # in MyGrad, the old graph is not kept), only broadcast and cast to out's
        if value.shape == out.shape and value.dtype == out.dtype:
            return apply_in_place(out, lambda out: value)
        return apply_in_place(out, lambda out: run_op(_Fit, (value,), op_args=(out.data,),
                                                      constant=True if value.constant else None))
    return apply_in_place(out, lambda out: run_op(ApplyMask, (value, out),
                                                  op_kwargs={"where": where, "masked": masked}))


def setitem(tensor: TensorBase, index: Any, value: Any) -> None:
    """``tensor[index] = value``, in place and differentiable.

    The object ``tensor`` takes the result's place in the graph: gradients flow
    to its previous value (zero where overwritten) and to ``value``; a write
    through a view reaches its base.  Under ``no_autodiff`` the data are
    written directly.  The result is a constant if ``tensor`` was one.

    Parameters
    ----------
    tensor : Tensor
        The tensor written into.
    index : int | slice | None | Ellipsis | ArrayLike | Tensor | tuple
        Any NumPy index.
    value : ArrayLike
        Broadcast to ``tensor[index]``'s shape and cast to ``tensor``'s dtype.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> a = mg.tensor([1.0, 2.0, 3.0])
    >>> b = mg.tensor(10.0)
    >>> a[0] = b
    >>> a
    Tensor([10.,  2.,  3.])
    >>> (a * a).sum().backward()
    >>> b.grad
    array(20.)
    """
    index = normalize_index(index)
    value_t = _engine.as_tensor(value, type(tensor))   # (a Param's value: a Param, as in MyGrad)
    if not _engine.is_tracking():
        tensor.data[index] = value_t.data
        return
    _engine.prepare_in_place_target(tensor)
    _check_writeable(tensor)
    # the new values go into the array itself when nothing can read its old values
    # (``_engine.overwrite``), else SetItem writes them into a copy; either way NumPy
    # raises its errors before the graph changes
    written = _engine.overwrite(tensor, index, value_t.data) if is_basic_index(index) else None
    apply_in_place(tensor, lambda t: run_op(
        SetItem, (t, value_t), op_args=(index,), op_kwargs={"written": written},
        constant=True if t.constant else None), index=index)


from mygrad_c.indexing_routines.indexing import (  # noqa: E402  (indexing imports this module)
    SetItem, is_basic_index, normalize_index,
)


def _execute_op_out(Op, input_vars, op_args, op_kwargs, constant, out, cls=None):
    """``execute_op(..., out=out)``: an array target is handed to the op's forward pass
    (as MyGrad does); a tensor target is written in place, differentiably.  ``cls``:
    the type of a new result (see ``execute_op_as``)."""
    if isinstance(out, TensorBase):
        params = inspect.signature(Op.__call__).parameters
        if "out" not in params and not any(p.kind is p.VAR_KEYWORD for p in params.values()):
            raise TypeError(f"{Op.__qualname__}.__call__() got an unexpected keyword argument 'out'")
        prepare_out_target(out)
        result = _engine.execute_op_as(type(out), Op, tuple(input_vars), op_args, op_kwargs, constant)
        return write_into(out, result)
    if isinstance(out, np.ndarray):
        input_vars = guard_out_array(out, input_vars)
    kwargs = dict(op_kwargs or {})
    kwargs["out"] = out
    return _engine.execute_op_as(cls, Op, tuple(input_vars), op_args, kwargs, constant)


_engine.set_out_hook(_execute_op_out)
