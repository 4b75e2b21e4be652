"""Ufunc-like operations: ``mg.add``, ``mg.sin``, ... behave like NumPy's ufuncs.

In MyGrad an elementwise function such as ``mg.add`` is a *class* whose call runs
the operation and returns a tensor; it carries NumPy's ufunc attributes (``nin``,
``nout``, ``identity``, ``signature``, ``types``, ...) and accepts the ufunc
keywords ``out=``, ``where=`` and ``dtype=`` plus ``constant=``.  This module
provides that shape once:

- ``UfuncOp`` is the Operation base class of elementwise ops.  Its forward pass
  calls the NumPy ufunc; a subclass states only the derivative
  (``_derivative(grad, index)``), and the base class applies ``where=``.
- ``ufunc`` is the public base class (``mg.ufunc``) of the ufunc-like classes,
  and ``make_ufunc`` builds one from an op class and its NumPy ufunc.
"""
from __future__ import annotations

import functools
import inspect
from typing import Optional, Union

import numpy as np

from mygrad_c import _parallel
from mygrad_c._engine import TensorBase, execute_op, execute_op_as, set_ufunc_base
from mygrad_c._in_place import (
    _broadcasts_to, _fits, _natural_result_fits, _raise_numpys_error, broadcast_shape, guard_out_array,
    prepare_out_target, ufunc_result_dtype, write_into,
)
from mygrad_c._parallel import ufunc_call
from mygrad_c.operation_base import Operation

__all__ = ["ufunc", "UfuncOp", "UnaryUfunc", "BinaryUfunc", "make_ufunc", "ufunc_creator", "MyGradUnaryUfunc",
           "MyGradBinaryUfunc"]


class UfuncOp(Operation):
    """An elementwise operation computed by a NumPy ufunc.

    Subclasses set ``numpy_ufunc`` and implement ``_derivative(grad, index)``,
    the vector-Jacobian product for input ``index`` (unmasked).  ``where=``
    masking of both the forward value and the gradient happens here.
    ``mygrad_c.operation_base.Ufunc`` is this class.

    Examples
    --------
    >>> import numpy as np
    >>> import mygrad_c as mg
    >>> from mygrad_c.operation_base import Ufunc
    >>> class Cube(Ufunc):
    ...     numpy_ufunc = staticmethod(lambda x, **kwargs: np.power(x, 3, **kwargs))
    ...     def _derivative(self, grad, index):
    ...         return grad * 3 * self.variables[0].data ** 2
    >>> x = mg.tensor([1.0, 2.0])
    >>> y = mg.execute_op(Cube, x)
    >>> y
    Tensor([1., 8.])
    >>> y.backward()
    >>> x.grad
    array([ 3., 12.])
    """

    numpy_ufunc: np.ufunc
    where = True  # the mask given with where=, stored on the instance only when given

    def __call__(self, *tensors, where=True, dtype=None, out=None):
        self.variables = tensors
        if where is True and dtype is None and out is None:
            if type(self.numpy_ufunc) is np.ufunc:   # (large arrays: split over threads)
                return ufunc_call(self.numpy_ufunc, *[t.data for t in tensors])
            return self.numpy_ufunc(*[t.data for t in tensors])
        self.where = where
        kwargs = {}
        if where is not True:
            kwargs["where"] = where
        if dtype is not None:
            kwargs["dtype"] = dtype
        kwargs["out"] = out  # an explicit out=None: where= without out is intended here
        return self.numpy_ufunc(*[t.data for t in tensors], **kwargs)

    def backward_var(self, grad, index, **kwargs):
        g = self._derivative(grad, index)
        if self.where is not True:
            g = g * self.where  # as MyGrad: inf/nan derivatives stay nan where masked
        return g

    def _derivative(self, grad, index):  # pragma: no cover - abstract
        raise NotImplementedError


# the engine runs UfuncOp's own forward and backward of mygrad_c's ops without their Python frames
set_ufunc_base(UfuncOp, _parallel)


class UnaryUfunc(UfuncOp):
    """Base of the one-input elementwise ops (MyGrad's ``operation_base.UnaryUfunc``).

    Subclass it as in MyGrad: set ``numpy_ufunc`` and write ``backward_var(grad,
    index)``; the base runs the ufunc (with ``where=``/``dtype=``/``out=``) and
    zeroes the gradient where ``where=`` was False.  mygrad_c's own ops write
    ``_derivative(grad, index)`` instead (the same contract, unmasked).

    Examples
    --------
    >>> import numpy as np
    >>> import mygrad_c as mg
    >>> from mygrad_c.operation_base import UnaryUfunc
    >>> class Fabs(UnaryUfunc):
    ...     numpy_ufunc = np.fabs
    ...     def backward_var(self, grad, index, **kwargs):
    ...         return grad * np.sign(self.variables[0].data)
    >>> x = mg.tensor([-1.0, 2.0])
    >>> y = mg.execute_op(Fabs, x, op_kwargs={"where": np.array([True, False]), "out": np.zeros(2)})
    >>> y
    Tensor([1., 0.])
    >>> y.backward()
    >>> x.grad
    array([-1.,  0.])
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _adopt_backward_var(cls)


class BinaryUfunc(UfuncOp):
    """Base of the two-input elementwise ops (MyGrad's ``operation_base.BinaryUfunc``).

    Subclassed as ``UnaryUfunc`` is: ``numpy_ufunc`` and ``backward_var(grad,
    index)`` for ``index`` 0 and 1; the engine undoes broadcasting.

    Examples
    --------
    >>> import numpy as np
    >>> import mygrad_c as mg
    >>> from mygrad_c.operation_base import BinaryUfunc
    >>> class Hypot(BinaryUfunc):
    ...     numpy_ufunc = np.hypot
    ...     def backward_var(self, grad, index, **kwargs):
    ...         a, b = (v.data for v in self.variables)
    ...         return grad * (a, b)[index] / np.hypot(a, b)
    >>> x = mg.tensor([3.0, 0.0])
    >>> mg.execute_op(Hypot, x, 4.0).sum().backward()
    >>> x.grad
    array([0.6, 0. ])
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _adopt_backward_var(cls)


def _abstract_op_init(self, *args, **kwargs):
    raise TypeError(f"Can't instantiate abstract class {type(self).__name__} with abstract method backward_var")


def _adopt_backward_var(cls) -> None:
    """Fit a user's MyGrad-style ufunc subclass to ``UfuncOp``'s contract.

    A ``backward_var`` written in the subclass is wrapped so that the ``where=`` mask
    is still applied around it (as MyGrad does).  The wrapper calls that very function,
    so that a subclass of a built-in op (``class Mul(Multiply)``) may call
    ``super().backward_var``: the parent's masked derivative (masking twice is masking
    once).  A subclass with neither cannot be instantiated, as in MyGrad (an ABC).
    """
    if "backward_var" in cls.__dict__:
        derivative = cls.__dict__["backward_var"]

        @functools.wraps(derivative)
        def backward_var(self, grad, index, **kwargs):
            g = derivative(self, grad, index, **kwargs)
            if self.where is not True:
                g = g * self.where
            return g

        cls.backward_var = backward_var
        if cls.__init__ is _abstract_op_init:  # an abstract base's subclass made concrete
            cls.__init__ = UfuncOp.__init__
    elif (cls._derivative is UfuncOp._derivative and cls.backward_var is UfuncOp.backward_var
          and "__init__" not in cls.__dict__):
        cls.__init__ = _abstract_op_init


class ufunc:
    """The base class of mygrad_c's ufunc-like operations (``mg.add``, ``mg.sin``, ...).

    Each subclass is called like the NumPy ufunc it mirrors and returns a tensor. Only
    ``make_ufunc`` derives classes from it (as in MyGrad, ``class F(mg.ufunc)`` raises
    TypeError); a ufunc-like class itself can be subclassed.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> issubclass(mg.add, mg.ufunc)
    True
    """

    # no annotations here: typing.get_type_hints(mg.add) must list only the call's parameters
    _Op = None  # the Operation class, set by make_ufunc
    _numpy_ufunc = None  # the NumPy ufunc mirrored, set by make_ufunc

    def __new__(cls):
        raise TypeError("Can't instantiate abstract class ufunc with abstract method reduceat")

    def __init_subclass__(cls, _made_by_make_ufunc: bool = False, **kwargs):
        super().__init_subclass__(**kwargs)
        if ufunc in cls.__bases__ and not _made_by_make_ufunc:
            raise TypeError("mygrad_c.ufunc cannot be subclassed")


_REAL_CODES = set("?bBhHiIlLqQefdg")


def _type_hints() -> dict:
    """The annotation of each parameter name of a ufunc-like call (MyGrad's), and of its result."""
    from mygrad_c.tensor_base import Tensor
    from mygrad_c.typing import ArrayLike, DTypeLikeReals, Mask

    return {"x": ArrayLike, "x1": ArrayLike, "x2": ArrayLike, "out": Union[np.ndarray, Tensor, None],
            "where": Mask, "dtype": DTypeLikeReals, "constant": Optional[bool], "nan_to_num": bool,
            "return": Tensor}


def _annotated(sig: inspect.Signature) -> inspect.Signature:
    """``sig`` with MyGrad's annotations on the parameters (and result) that have none."""
    hints = _type_hints()
    params = [p.replace(annotation=hints[p.name]) if p.annotation is p.empty and p.name in hints else p
              for p in sig.parameters.values()]
    ret = hints["return"] if sig.return_annotation is sig.empty else sig.return_annotation
    return sig.replace(parameters=params, return_annotation=ret)


class _UfuncMeta(type):
    """Metaclass: calling the class runs the operation (the class *is* the function).

    Setting a class's ``__signature__`` annotates it and sets ``__annotations__`` to match,
    so ``typing.get_type_hints(mg.add)`` names the call's parameters, as in MyGrad.
    """

    def __setattr__(cls, name, value):
        if name == "__signature__":
            value = _annotated(value)
            annotations = {p.name: p.annotation for p in value.parameters.values()
                           if p.annotation is not p.empty}
            annotations["return"] = value.return_annotation
            type.__setattr__(cls, "__annotations__", annotations)
        type.__setattr__(cls, name, value)

    def __call__(cls, *args, out=None, where=True, dtype=None, constant: Optional[bool] = None, **extra):
        nin = cls._numpy_ufunc.nin
        if len(args) < nin and extra:  # inputs given by keyword, e.g. mg.sin(x=t)
            names = list(cls.__signature__.parameters)[len(args):nin]
            missing = [n for n in names if n not in extra]
            if missing:
                raise TypeError(f"{cls.__name__}() missing required argument(s): {', '.join(missing)}")
            args = args + tuple(extra.pop(n) for n in names)
        if len(args) == nin + 1 and out is None:
            *args, out = args  # out may be given positionally, as for NumPy's ufuncs
        if len(args) != nin:
            raise TypeError(f"{cls.__name__}() takes {nin} positional argument(s) but {len(args)} were given")
        kwargs = dict(extra)
        if where is not True:
            kwargs["where"] = where
        if dtype is not None:
            kwargs["dtype"] = dtype
        if out is None:
            return execute_op(cls._Op, *args, op_kwargs=kwargs or None, constant=constant)
        if isinstance(out, tuple):
            if len(out) != 1:
                raise ValueError("out= must be a single array or tensor for this ufunc")
            out = out[0]
        if isinstance(out, TensorBase):
            # Checked before the operation runs (which would lock a target that is also an
            # input): a refused out= leaves the inputs as they were (they keep their
            # gradients), as in MyGrad, whose target has lost its gradient (and, a view
            # whose graph was cleared, its base) by then.  As NumPy, a read-only target is
            # named before a shape or casting error.
            prepare_out_target(out)
            if dtype is not None:
                np.dtype(dtype)  # (NumPy's error for an unknown dtype comes before the shapes')
            natural = ufunc_result_dtype(cls, args, dtype)
            if not _fits(args, out, natural):
                _raise_numpys_error(cls, out, args, kwargs)  # NumPy's message for this out=
            if where is not True:
                # as MyGrad: NumPy's masked result, computed into (a copy of) the target's
                # values - the recorded value holds the target's new values, its operation
                # masks the gradients, and the write passes it the whole gradient.  (That
                # value is a constant just when the target is one, whatever the inputs are)
                kwargs["out"] = np.array(out.data, copy=True)
                if constant is None:
                    constant = out.constant
            elif (natural is not None and (natural != out.dtype
                                           or not _natural_result_fits(out, natural, args))) \
                    or broadcast_shape(args) != out.shape:
                # computed into a new array of the target's shape and dtype, as MyGrad computes
                # into the target itself (NumPy's loop for the inputs, its result broadcast and
                # cast): the gradient then reaches the operation at the target's shape and in
                # its dtype, is multiplied by the derivative there and summed over the broadcast
                # axes after, in that dtype - MyGrad's order, and one rounding to an input's
                # dtype (casting or summing it first rounds differently, and a sum over nothing
                # times inf would give nan).  Laid out as the target (a transposed one too), so
                # that no step to its layout follows: the operation is the target's creator
                kwargs["out"] = np.empty_like(out.data)
            # (the inputs that are not tensors become tensors of out's type, as in MyGrad)
            result = execute_op_as(type(out), cls._Op, tuple(args), None, kwargs or None, constant)
            if not _broadcasts_to(result.shape, out.shape) \
                    or not np.can_cast(result.dtype, out.dtype, "same_kind"):
                _raise_numpys_error(cls, out, args)
            return write_into(out, result, where, masked=where is not True)
        if not isinstance(out, np.ndarray):
            raise TypeError(f"out= must be a numpy array or a tensor, got {type(out)}")
        args = guard_out_array(out, args)
        kwargs["out"] = out
        return execute_op(cls._Op, *args, op_kwargs=kwargs, constant=constant)

    def __repr__(cls) -> str:  # a subclass of mg.add shows as 'add' too, as in MyGrad
        return f"<mygrad_c-ufunc '{cls._name}'>"

    # NumPy's ufunc attributes, read from the wrapped ufunc
    nin = property(lambda cls: cls._numpy_ufunc.nin)
    nout = property(lambda cls: cls._numpy_ufunc.nout)
    nargs = property(lambda cls: cls._numpy_ufunc.nargs)
    # MyGrad lists only the real-valued loops (no complex, object, datetime...)
    types = property(lambda cls: [t for t in cls._numpy_ufunc.types if set(t.replace("->", "")) <= _REAL_CODES])
    ntypes = property(lambda cls: len(cls.types))
    identity = property(lambda cls: cls._numpy_ufunc.identity)
    signature = property(lambda cls: cls._numpy_ufunc.signature)

    def resolve_dtypes(cls, *args, **kwargs):
        return cls._numpy_ufunc.resolve_dtypes(*args, **kwargs)

    # MyGrad does not implement the ufunc methods; neither do we
    def reduce(cls, *args, **kwargs):
        raise NotImplementedError(f"{cls.__name__}.reduce is not supported; use the reduction functions")

    def accumulate(cls, *args, **kwargs):
        raise NotImplementedError(f"{cls.__name__}.accumulate is not supported")

    def outer(cls, *args, **kwargs):
        raise NotImplementedError(f"{cls.__name__}.outer is not supported")

    def at(cls, *args, **kwargs):
        raise NotImplementedError(f"{cls.__name__}.at is not supported")

    def reduceat(cls, *args, **kwargs):
        raise NotImplementedError(f"{cls.__name__}.reduceat is not supported")


class MyGradUnaryUfunc(_UfuncMeta):
    """Metaclass of one-input ufunc-like operations."""


class MyGradBinaryUfunc(_UfuncMeta):
    """Metaclass of two-input ufunc-like operations."""


def _signature(nin: int) -> inspect.Signature:
    P = inspect.Parameter
    names = ["x"] if nin == 1 else [f"x{i + 1}" for i in range(nin)]
    params = [P(n, P.POSITIONAL_OR_KEYWORD) for n in names]
    params.append(P("out", P.POSITIONAL_OR_KEYWORD, default=None))
    params += [
        P("where", P.KEYWORD_ONLY, default=True),
        P("dtype", P.KEYWORD_ONLY, default=None),
        P("constant", P.KEYWORD_ONLY, default=None),
    ]
    return inspect.Signature(params)


def make_ufunc(name: str, Op: type, doc: str, numpy_ufunc: Optional[np.ufunc] = None) -> type:
    """Create the public ufunc-like class ``name`` that runs ``Op``.

    ``numpy_ufunc`` defaults to ``Op.numpy_ufunc``; its attributes (``nin``,
    ``types``, ...) become the class's.
    """
    npu = numpy_ufunc if numpy_ufunc is not None else Op.numpy_ufunc
    meta = MyGradUnaryUfunc if npu.nin == 1 else MyGradBinaryUfunc
    cls = meta(name, (ufunc,), {
        "_Op": Op,
        "_numpy_ufunc": npu,
        "_name": name,
        "__doc__": doc,
        "__module__": "mygrad_c",
    }, _made_by_make_ufunc=True)
    cls.__signature__ = _signature(npu.nin)  # annotated by the metaclass
    return cls


class ufunc_creator:
    """Decorator that turns a function stub into a ufunc-like class (MyGrad's ``ufunc_creator``).

    ``mygrad_op`` is a ``UnaryUfunc`` or ``BinaryUfunc`` subclass; the stub gives
    the new function its name, docstring and signature.  (The ufunc methods
    ``at``, ``outer``, ... cannot be bound, as in MyGrad.)

    Examples
    --------
    >>> import numpy as np
    >>> import mygrad_c as mg
    >>> from mygrad_c.math.trigonometric.ops import Sin
    >>> from mygrad_c.ufuncs import MyGradUnaryUfunc, ufunc_creator
    >>> @ufunc_creator(mygrad_op=Sin)
    ... def sin(x, *, constant=None):
    ...     '''custom docs'''
    >>> isinstance(sin, MyGradUnaryUfunc), sin.nin, sin.__doc__
    (True, 1, 'custom docs')
    >>> sin(mg.tensor(0.0))
    Tensor(0.)
    """

    def __init__(self, mygrad_op: type, *, at_op=None, accumulate_op=None, outer_op=None, reduce_op=None,
                 reduceat_op=None):
        if not (isinstance(mygrad_op, type) and issubclass(mygrad_op, (UnaryUfunc, BinaryUfunc))):
            raise TypeError("ufunc_creator can only accept `UnaryUfunc` and `BinaryUfunc` operations")
        if any(op is not None for op in (at_op, accumulate_op, outer_op, reduce_op, reduceat_op)):
            raise NotImplementedError("There isn't support for binding ufunc methods presently.")
        self.op = mygrad_op

    def __call__(self, decorated_func):
        cls = make_ufunc(decorated_func.__name__, self.op, decorated_func.__doc__)
        # (the decorated function's signature as it is, not annotated: as in MyGrad)
        type.__setattr__(cls, "__signature__", inspect.signature(decorated_func))
        return cls
