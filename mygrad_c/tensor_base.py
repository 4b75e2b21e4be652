"""The Tensor: a NumPy array that remembers how it was computed.

``Tensor`` subclasses the compiled graph node ``_engine.TensorBase`` (which holds
the array, the gradient and the creator, and runs back-propagation) and adds the
NumPy-like surface: operators, properties, reductions and shape methods.  Every
method here is a thin front for a function of the operation catalog, where the
operation's forward and backward live side by side.
"""
from __future__ import annotations

import warnings
from numbers import Integral
from typing import TYPE_CHECKING, Iterator, Optional, Union

import numpy as np

from mygrad_c import _engine
from mygrad_c._engine import TensorBase, method_op, run_op

if TYPE_CHECKING:  # pragma: no cover
    from mygrad_c.operation_base import Operation
    from mygrad_c.typing import ArrayLike, DTypeLikeReals

__all__ = ["Tensor", "asarray", "astensor", "implements_numpy_override", "tensor"]


class Tensor(TensorBase):
    """A NumPy array that can back-propagate derivatives through the operations that made it.

    Parameters
    ----------
    x : ArrayLike
        The data: anything ``numpy.array`` accepts (of a bool, integer or float dtype).
    dtype : DTypeLikeReals, optional
        The dtype of the tensor's data.
    constant : bool, optional
        If True, back-propagation skips this tensor.  Defaults to False for float
        data; integer and bool tensors are always constants.
    copy : bool, default True
        Copy ``x`` (False shares its memory where possible).
    ndmin : int, default 0
        The minimum number of dimensions.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> x = mg.Tensor([1.0, 2.0, 3.0])
    >>> f = (x ** 2).sum()
    >>> f.backward()
    >>> x.grad
    array([2., 4., 6.])
    """

    # (no __slots__: as on MyGrad's tensors, code may set attributes, e.g. ``w.name``)

    def __init__(self, x: "ArrayLike", *, dtype: "DTypeLikeReals" = None, constant: Optional[bool] = None,
                 copy: bool = True, ndmin: int = 0, _creator: Optional["Operation"] = None,
                 _base: Optional["Tensor"] = None):
        super().__init__(x, dtype=dtype, constant=constant, copy=copy, ndmin=ndmin,
                         _creator=_creator, _base=_base)

    # ------------------------------------------------------------------
    # NumPy-like attributes
    # ------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        """The tensor's shape."""
        return self.data.shape

    @shape.setter
    def shape(self, newshape) -> None:
        # an in-place reshape without a copy, as NumPy's ``a.shape = ...``: NumPy raises
        # for a shape that cannot be had without copying, leaving the tensor as it was
        probe = self.data.view()
        probe.shape = newshape
        if not _engine.is_tracking():
            _engine.take_array_view(self, probe)
            return
        if newshape == self.data.shape:   # (as MyGrad: the shape as given, so `(-1,)` reshapes)
            return
        old_shape = self.data.shape
        new = run_op(_array_shape.Reshape, (self,), op_args=(probe.shape,), cls=type(self))
        past = _engine.split_state(self)
        if self.base is not None:   # a view stays a view of what it was taken from
            _engine.adopt_own_view(self, new)
        else:
            _engine.adopt_state(self, new)
            _engine.register_with_past_state(self, past, new)
        # as in MyGrad, the views of the tensor keep their shapes: each is taken again
        # from the tensor reshaped back to its old shape
        _engine.mark_written(self, ((_array_shape.Reshape, (old_shape,), None),), past)

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return self.data.ndim

    @property
    def size(self) -> int:
        """The number of elements."""
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        """The dtype of the tensor's data."""
        return self.data.dtype

    @property
    def T(self) -> "Tensor":
        """The tensor with its axes reversed (see ``transpose``), of this tensor's type."""
        return self._unary(_transpose_like.Tensor_Transpose_Property)

    def __len__(self) -> int:
        return len(self.data)

    def __iter__(self) -> Iterator["Tensor"]:
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self.data)))

    def __contains__(self, item) -> bool:
        return self.data.__contains__(item.data if isinstance(item, TensorBase) else item)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        _engine.check_array_args(dtype, copy, 0)
        if copy:
            return np.array(self.data, dtype=dtype, copy=True)
        if dtype is not None and np.dtype(dtype) != self.data.dtype:
            if copy is False:
                raise ValueError("cannot convert the tensor's dtype without a copy")
            return self.data.astype(dtype)
        return self.data

    def __index__(self) -> int:
        return self.data.__index__()

    def _scalar(self):
        if self.data.size > 1:
            raise TypeError("can only convert a tensor of size 1 to a Python scalar")
        return self.data.item()  # NumPy's ValueError for an empty tensor

    def __int__(self) -> int:
        return int(self._scalar())

    def __float__(self) -> float:
        return float(self._scalar())

    def __bool__(self) -> bool:
        # MyGrad relies on __len__ here: true for any non-empty 1+-d tensor,
        # TypeError for a 0-d tensor
        return bool(len(self.data))

    def item(self) -> Union[int, float]:
        """The tensor's single element as a Python number."""
        if self.data.size != 1:
            raise ValueError("can only convert a tensor of size 1 to a Python scalar")
        return self.data.item()

    def __repr__(self) -> str:
        return repr(self.data).replace("array", "Tensor", 1).replace("\n", "\n ")

    def __str__(self) -> str:
        return self.__repr__()

    def __copy__(self) -> "Tensor":
        """``copy.copy(t)`` is ``t.copy()``, as in MyGrad."""
        return self.copy()

    def __deepcopy__(self, memo) -> "Tensor":
        """A copy that also copies the graph behind the tensor (inputs deep-copied, and
        which of its parts were cleared), its type and its attributes, as MyGrad's does."""
        import copy

        out = _engine.tensor_from_array(np.copy(self.data), self.constant, cls=type(self))
        grad = self._raw_grad   # (a view's own gradient: it shows once the copy is cut off its base)
        if grad is not None:
            _engine.set_grad(out, np.array(grad))
        memo[id(self)] = out
        for name, value in self.__dict__.items():
            setattr(out, name, copy.deepcopy(value, memo))
        if self.creator is not None:
            Op = type(self.creator)
            op = Op.__new__(Op)
            for name, value in _operation_state(self.creator).items():
                setattr(op, name, copy.deepcopy(value, memo))
            cleared = _engine.cleared_inputs(self.creator)   # (before the inputs are copied)
            variables = self.creator.variables
            if (self.base is not None and not self._hidden and variables
                    and isinstance(variables[0], TensorBase)):
                # a view's operation refers to the tensor it views as that object is now,
                # as MyGrad's does (also after an in-place write rewired it to a past state)
                # - except the view's own earlier state, which a view whose shape was set
                # is a reshape of: that state is copied, as MyGrad copies its placeholder.
                # (A view's earlier state - an in-place write through the view or its base
                # made it - is a view of its base's earlier state, as MyGrad's placeholder
                # is: it keeps that input; taking the base as it is now sent the gradient
                # for the base's earlier state into the base's copy, hunt seed 217)
                now = _engine.current_object(variables[0])
                if now is not self:
                    variables = (now,) + tuple(variables[1:])
            op.variables = copy.deepcopy(variables, memo)
            _engine.graft(out, op, cleared)
        if self.base is not None:
            _engine.graft_view(out, copy.deepcopy(self.base, memo), self._view_steps)
        return out

    def __reduce__(self):
        # pickling keeps data, dtype, constant flag, gradient, type and attributes;
        # the graph is not pickled
        return (_rebuild_tensor, (np.array(self.data), self.constant,
                                  None if self.grad is None else np.array(self.grad), type(self)),
                self.__dict__ or None)

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)  # (the attributes a user set, restored by pickle)

    # ------------------------------------------------------------------
    # graph management
    # ------------------------------------------------------------------
    def null_gradients(self, clear_graph: bool = True) -> None:
        """Deprecated, and does nothing but warn (as in MyGrad 2.5).

        Gradients are nulled when a tensor is used in a new graph; ``null_grad``
        nulls one tensor's gradient.
        """
        warnings.warn(
            "`tensor.null_gradients()` is deprecated. Calling it will raise an error "
            "in future versions of MyGrad. A tensor will automatically have its "
            "gradient nulled if you use it in a new computational graph. Or, you can "
            "call `tensor.null_grad()` to null that individual tensor's gradient.",
            FutureWarning,
        )

    @classmethod
    def _op(cls, Op: type, *input_vars: "ArrayLike", op_args=None, op_kwargs=None,
            constant: Optional[bool] = None, out=None) -> "Tensor":
        """Run the operation ``Op`` on ``input_vars``; the result is of type ``cls``.

        MyGrad's classmethod behind ``execute_op`` and the operators; code built on
        MyGrad calls it to run its own ``Operation`` classes.  See ``execute_op``.

        Examples
        --------
        >>> import mygrad_c as mg
        >>> from mygrad_c.math.arithmetic import Multiply
        >>> class Param(mg.Tensor):
        ...     pass
        >>> y = Param._op(Multiply, mg.tensor(2.0), 3.0)
        >>> type(y).__name__, y
        ('Param', Tensor(6.))
        """
        return _engine.execute_op_as(None if cls is Tensor else cls, Op, input_vars,
                                     op_args, op_kwargs, constant, out)

    def copy(self, *, constant: Optional[bool] = None) -> "Tensor":
        """A copy of the tensor's data as a new leaf (no graph history), as in MyGrad.

        Examples
        --------
        >>> import mygrad_c as mg
        >>> x = mg.tensor([1.0, 2.0])
        >>> y = x.copy()
        >>> y.creator is None, y.constant
        (True, False)
        """
        out = Tensor(self.data, constant=self.constant if constant is None else constant, copy=True)
        if self._raw_grad is not None:  # (as MyGrad: the gradient this tensor itself holds)
            _engine.set_grad(out, np.copy(self._raw_grad))
        return out

    def astype(self, dtype: "DTypeLikeReals", casting="unsafe", copy: bool = True, *,
               constant: Optional[bool] = None) -> "Tensor":
        """The tensor cast to ``dtype``; differentiable for float targets.

        Examples
        --------
        >>> import mygrad_c as mg
        >>> mg.tensor([1.0, 2.0]).astype("float32")
        Tensor([1., 2.], dtype=float32)
        """
        return _ops._astype(self, dtype, casting=casting, copy=copy, constant=constant)

    # ------------------------------------------------------------------
    # arithmetic operators
    # ------------------------------------------------------------------
    # + - * / @ (and their reflected forms) are compiled: see TensorBase in _engine.pyx
    # As in MyGrad, an operator returns the type of the tensor whose method ran
    # (``Tensor._op``): ``p * 2`` is a ``Param`` for ``class Param(Tensor)``.
    def __pow__(self, other) -> "Tensor":
        return _ops.power_dispatch(self, other, type(self))

    def __rpow__(self, other) -> "Tensor":
        return method_op(type(self), _ops.Power, (other, self))

    def __neg__(self) -> "Tensor":
        return self._unary(_ops.Negative)

    def __pos__(self) -> "Tensor":
        return self._unary(_ops.Positive)

    def _unary(self, Op) -> "Tensor":
        """``Op`` run on this tensor, giving a tensor of its type - through the type's own
        ``_op`` if it defines one (MyGrad's operators call ``type(self)._op``)."""
        return method_op(type(self), Op, (self,))

    def __abs__(self) -> "Tensor":
        return run_op(_ops.Abs, (self,))

    # floor division has no derivative: NumPy's ufunc, which (like MyGrad) refuses
    # non-constant tensors and returns a plain array for constant ones
    def __floordiv__(self, other) -> np.ndarray:
        return np.floor_divide(self, other)

    def __rfloordiv__(self, other) -> np.ndarray:
        return np.floor_divide(other, self)

    # augmented assignment rebinds the object to the result (see _in_place)
    def __iadd__(self, other) -> "Tensor":
        return self._in_place(_ops.add, other)

    def __isub__(self, other) -> "Tensor":
        return self._in_place(_ops.subtract, other)

    def __imul__(self, other) -> "Tensor":
        return self._in_place(_ops.multiply, other)

    def __itruediv__(self, other) -> "Tensor":
        return self._in_place(_ops.divide, other)

    def __ipow__(self, other) -> "Tensor":
        special = _ops.special_power(other)  # (x **= 2 is an in-place square, as in MyGrad)
        if special is not None:
            return augmented_assign(self, special)
        return self._in_place(_ops.power, other)

    def __imatmul__(self, other):
        raise TypeError(
            "In-place matrix multiplication is not (yet) supported. "
            "Use 'a = a @ b' instead of 'a @= b'")

    def _in_place(self, func, other) -> "Tensor":
        """``self = func(self, other)``, keeping the object ``self`` (see ``mygrad_c._in_place``)."""
        return augmented_assign(self, func, other)

    # ------------------------------------------------------------------
    # comparisons return plain boolean arrays
    # ------------------------------------------------------------------
    def __eq__(self, other) -> np.ndarray:  # type: ignore[override]
        try:
            return np.equal(self.data, _comparand(other))
        except TypeError:  # no comparison loop (e.g. a string): nothing is equal, as in MyGrad
            # (``[()]``: a NumPy bool for a 0-d result, as a ufunc gives, else the array)
            return np.zeros(_comparison_shape(self.data, _comparand(other)), dtype=bool)[()]

    def __ne__(self, other) -> np.ndarray:  # type: ignore[override]
        try:
            return np.not_equal(self.data, _comparand(other))
        except TypeError:
            return np.ones(_comparison_shape(self.data, _comparand(other)), dtype=bool)[()]

    def __lt__(self, other) -> np.ndarray:
        return np.less(self.data, _comparand(other))

    def __le__(self, other) -> np.ndarray:
        return np.less_equal(self.data, _comparand(other))

    def __gt__(self, other) -> np.ndarray:
        return np.greater(self.data, _comparand(other))

    def __ge__(self, other) -> np.ndarray:
        return np.greater_equal(self.data, _comparand(other))

    # unhashable, as MyGrad's Tensor (and NumPy's arrays): == is elementwise
    __hash__ = None  # type: ignore[assignment]

    # ------------------------------------------------------------------
    # the rest of the catalog, reached through methods
    # ------------------------------------------------------------------
    def __getitem__(self, item) -> "Tensor":
        # the engine's fast path for int/slice indices, else indexing_routines.getitem
        return _engine.tensor_getitem(self, item)

    def __setitem__(self, key, value) -> None:
        # the engine's fast path for element updates, else _in_place.setitem
        _engine.tensor_setitem(self, key, value)

    def sum(self, axis=None, keepdims: bool = False, *, constant=None) -> "Tensor":
        """Sum of elements over ``axis``; see ``mygrad_c.sum``."""
        return _sequential.sum(self, axis=axis, keepdims=keepdims, constant=constant)

    def mean(self, axis=None, keepdims: bool = False, *, constant=None) -> "Tensor":
        """Mean of elements over ``axis``; see ``mygrad_c.mean``."""
        return _sequential.mean(self, axis=axis, keepdims=keepdims, constant=constant)

    def var(self, axis=None, ddof: int = 0, keepdims: bool = False, *, constant=None) -> "Tensor":
        """Variance over ``axis``; see ``mygrad_c.var``."""
        return _sequential.var(self, axis=axis, ddof=ddof, keepdims=keepdims, constant=constant)

    def std(self, axis=None, ddof: int = 0, keepdims: bool = False, *, constant=None) -> "Tensor":
        """Standard deviation over ``axis``; see ``mygrad_c.std``."""
        return _sequential.std(self, axis=axis, ddof=ddof, keepdims=keepdims, constant=constant)

    def prod(self, axis=None, keepdims: bool = False, *, constant=None) -> "Tensor":
        """Product of elements over ``axis``; see ``mygrad_c.prod``."""
        return _sequential.prod(self, axis=axis, keepdims=keepdims, constant=constant)

    def cumsum(self, axis=None, *, constant=None) -> "Tensor":
        """Cumulative sum; see ``mygrad_c.cumsum``."""
        return _sequential.cumsum(self, axis=axis, constant=constant)

    def cumprod(self, axis=None, *, constant=None) -> "Tensor":
        """Cumulative product; see ``mygrad_c.cumprod``."""
        return _sequential.cumprod(self, axis=axis, constant=constant)

    def max(self, axis=None, keepdims: bool = False, *, constant=None) -> "Tensor":
        """Maximum over ``axis``; see ``mygrad_c.max``."""
        return _sequential.max(self, axis=axis, keepdims=keepdims, constant=constant)

    def min(self, axis=None, keepdims: bool = False, *, constant=None) -> "Tensor":
        """Minimum over ``axis``; see ``mygrad_c.min``."""
        return _sequential.min(self, axis=axis, keepdims=keepdims, constant=constant)

    def argmax(self, axis=None, out=None) -> np.ndarray:
        """Indices of the maxima (a plain array)."""
        return np.argmax(self.data, axis=axis, out=out)

    def argmin(self, axis=None, out=None) -> np.ndarray:
        """Indices of the minima (a plain array)."""
        return np.argmin(self.data, axis=axis, out=out)

    def any(self, axis=None, out=None, keepdims: bool = False) -> np.ndarray:
        """Whether any element is true (a plain array)."""
        return np.any(self.data, axis=axis, out=out, keepdims=keepdims)

    def clip(a, a_min, a_max, out=None, *, constant=None) -> "Tensor":  # noqa: N805 (MyGrad names it `a`)
        """The tensor clipped to ``[a_min, a_max]``; see ``mygrad_c.clip``."""
        return _misc.clip(a, a_min, a_max, out=out, constant=constant)

    def reshape(self, *newshape, constant=None) -> "Tensor":
        """The tensor with a new shape; see ``mygrad_c.reshape``."""
        if not newshape:
            raise TypeError("reshape() takes at least one argument (0 given)")
        if len(newshape) == 1:
            newshape = newshape[0]
            if newshape is None:
                raise TypeError("'NoneType' object cannot be interpreted as an integer")
        return _array_shape.reshape(self, newshape, constant=constant)

    def flatten(self, *, constant=None) -> "Tensor":
        """A flattened copy of the tensor."""
        return _array_shape.flatten(self, constant=constant)

    def ravel(self, *, constant=None) -> "Tensor":
        """The tensor flattened to 1-D; see ``mygrad_c.ravel``."""
        return _array_shape.ravel(self, constant=constant)

    def squeeze(self, axis=None, *, constant=None) -> "Tensor":
        """The tensor without its length-1 axes; see ``mygrad_c.squeeze``."""
        return _array_shape.squeeze(self, axis=axis, constant=constant)

    def transpose(self, *axes, constant=None) -> "Tensor":
        """The tensor with permuted axes; see ``mygrad_c.transpose``."""
        if len(axes) == 1 and (axes[0] is None or not isinstance(axes[0], Integral)):
            if axes[0] is not None and len(axes[0]) == 0 and self.ndim:
                np.transpose(self.data, ())  # an explicit empty permutation: NumPy's error
            axes = () if axes[0] is None else tuple(axes[0])
        return _transpose_like.transpose(self, *axes, constant=constant)

    def moveaxis(self, source, destination, *, constant=None) -> "Tensor":
        """The tensor with axes moved; see ``mygrad_c.moveaxis``."""
        return _transpose_like.moveaxis(self, source, destination, constant=constant)

    def swapaxes(self, axis1: int, axis2: int, *, constant=None) -> "Tensor":
        """The tensor with two axes swapped; see ``mygrad_c.swapaxes``."""
        return _transpose_like.swapaxes(self, axis1, axis2, constant=constant)

    # ------------------------------------------------------------------
    # NumPy protocols
    # ------------------------------------------------------------------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return _numpy_protocols.array_ufunc(self, ufunc, method, *inputs, **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        return _numpy_protocols.array_function(self, func, types, args, kwargs)


def _comparison_shape(a: np.ndarray, b) -> tuple:
    """The broadcast shape of a comparison, with NumPy's error when there is none."""
    shape_b = np.shape(b)
    try:
        return np.broadcast_shapes(a.shape, shape_b)
    except ValueError:
        fmt = lambda s: "(" + ",".join(map(str, s)) + ("," if len(s) == 1 else "") + ")"  # noqa: E731
        raise ValueError(f"operands could not be broadcast together with shapes {fmt(a.shape)} {fmt(shape_b)} ") from None


def _data(x):
    return x.data if isinstance(x, TensorBase) else x


def _comparand(x):
    """The other side of a comparison: a tensor's array; a class (``t == np.float32``) as
    a 0-d object array, so that it is compared elementwise, as in MyGrad (NumPy would read
    the class's ``shape`` descriptor)."""
    if isinstance(x, type):
        return np.asarray(x, dtype=object)
    return _data(x)


def _operation_state(op) -> dict:
    """An operation's own attributes (its ``__dict__`` and ``__slots__``), without its inputs."""
    state = dict(getattr(op, "__dict__", {}))
    if hasattr(op, "_state"):  # a compiled operation's fields
        state.update(op._state())
    for cls in type(op).__mro__:
        for name in cls.__dict__.get("__slots__", ()):
            if name not in ("__weakref__", "__dict__") and hasattr(op, name):
                state[name] = getattr(op, name)
    return state


def _rebuild_tensor(data, constant, grad=None, cls=None):
    out = (cls or Tensor)(data, constant=constant, copy=False)
    if grad is not None:
        _engine.set_grad(out, np.array(grad))
    return out


_engine.set_tensor_type(Tensor)


# ----------------------------------------------------------------------
# construction helpers
# ----------------------------------------------------------------------
def tensor(arr_like: "ArrayLike", dtype: "DTypeLikeReals" = None, *, constant: Optional[bool] = None,
           copy: bool = True, ndmin: int = 0) -> Tensor:
    """Create a tensor from array-like data (like ``numpy.array``).

    Parameters
    ----------
    arr_like : ArrayLike
        The data; a tensor is copied (without its graph) unless ``copy=False``.
    dtype : DTypeLikeReals, optional
    constant : bool, optional
        Integer and bool tensors are always constants.
    copy : bool, default True
        With ``copy=False``, a tensor whose dtype and constant flag already fit is
        returned itself (or, if ``ndmin`` asks for more dimensions, a view of it:
        ``arr_like[None, ...]``, with its graph), as in MyGrad.
    ndmin : int, default 0
        The minimum number of dimensions (leading 1s are added; negative means 0).

    Returns
    -------
    Tensor

    Raises
    ------
    TypeError
        If ``ndmin`` is not an integer.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.tensor([1, 2, 3])
    Tensor([1, 2, 3])
    >>> mg.tensor([1.0, 2.0], dtype="float32", constant=True).constant
    True
    >>> x = mg.tensor([1.0, 2.0])
    >>> mg.tensor(x, copy=False) is x
    True
    >>> y = mg.tensor(x, copy=False, ndmin=2)
    >>> y.shape, y.base is x
    ((1, 2), True)
    """
    if isinstance(arr_like, TensorBase) and copy is False:
        # MyGrad's order of errors: constant, dtype, ndmin (Tensor() checks them so otherwise)
        _engine.check_constant(constant)
        dt = None if dtype is None else np.dtype(dtype)
        if not isinstance(ndmin, Integral):
            raise TypeError(f"`ndmin` requires a non-negative integer (got type {type(ndmin)})")
        if (constant is None or constant is arr_like.constant) and (dt is None or dt == arr_like.dtype):
            if ndmin > arr_like.ndim:  # a view with leading 1s, as MyGrad's arr_like[None, ...]
                return arr_like[(None,) * (ndmin - arr_like.ndim)]
            return arr_like  # type: ignore[return-value]
    return Tensor(arr_like, dtype=dtype, constant=constant, copy=copy, ndmin=ndmin)


def astensor(t: "ArrayLike", dtype: "DTypeLikeReals" = None, *, constant: Optional[bool] = None) -> Tensor:
    """Convert ``t`` to a tensor, without copying when it already is one that fits.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> x = mg.tensor([1.0, 2.0])
    >>> mg.astensor(x) is x
    True
    >>> mg.astensor([1, 2])
    Tensor([1, 2])
    """
    if isinstance(t, TensorBase):
        _engine.check_constant(constant)   # (before `constant == t.constant` lets 1 pass)
        same_dtype = dtype is None or np.dtype(dtype) == t.dtype
        if same_dtype and (constant is None or constant == t.constant):
            return t  # type: ignore[return-value]
        if same_dtype:  # only the constant flag differs: share the memory, as MyGrad does
            return Tensor(t.data, constant=constant, copy=False)
        return Tensor(t, dtype=dtype, constant=constant, copy=True)
    return Tensor(t, dtype=dtype, constant=constant, copy=False)


def asarray(a: "ArrayLike", dtype=None, order: str = None) -> np.ndarray:
    """Convert ``a`` (tensors included) to a NumPy array, sharing memory where possible.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.asarray(mg.tensor([1.0, 2.0]))
    array([1., 2.])
    """
    if isinstance(a, TensorBase):
        a = a.data
    return np.asarray(a, dtype=dtype, order=order)


from mygrad_c.math import arithmetic as _ops  # noqa: E402  (operators need the catalog)
# the modules the methods above call into, bound once (an import inside a method runs at each call)
from mygrad_c import _numpy_protocols  # noqa: E402
from mygrad_c.math import misc as _misc  # noqa: E402
from mygrad_c.math import sequential as _sequential  # noqa: E402
from mygrad_c.tensor_manip import array_shape as _array_shape  # noqa: E402
from mygrad_c.tensor_manip import transpose_like as _transpose_like  # noqa: E402
from mygrad_c._in_place import augmented_assign, setitem  # noqa: E402
from mygrad_c.indexing_routines.indexing import getitem  # noqa: E402

_engine.set_indexing(getitem, setitem)


# ---------------------------------------------------------------------------
# the other public names of MyGrad's module ``mygrad.tensor_base`` (re-exports from their homes)
# ---------------------------------------------------------------------------
CONSTANT_ONLY_DTYPES = (np.integer, np.bool_)  # tensors of these dtypes are always constants

from mygrad_c._numpy_protocols import implements_numpy_override  # noqa: E402,F401

from mygrad_c.errors import DisconnectedView  # noqa: E402,F401
from mygrad_c.math.arithmetic import (  # noqa: E402,F401
    Add, Divide, MatMul, Multiply, Negative, Positive, Power, Square, Subtract,
)
from mygrad_c.math.sequential import CumProd, CumSum, Max, Mean, Min, Prod, StdDev, Sum, Variance  # noqa: E402,F401
from mygrad_c.operation_base import Operation  # noqa: E402,F401,F811
from mygrad_c.tensor_manip.array_shape import Flatten, Ravel, Reshape, Squeeze  # noqa: E402,F401
from mygrad_c.tensor_manip.transpose_like import (  # noqa: E402,F401
    MoveAxis, SwapAxes, Tensor_Transpose_Property, Transpose,
)
from mygrad_c.typing import ArrayLike, DTypeLike, DTypeLikeReals, Shape  # noqa: E402,F401,F811
