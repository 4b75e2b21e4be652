"""NumPy's override protocols for tensors: ``np.sin(t)``, ``np.sum(t)``, ...

``Tensor.__array_ufunc__`` and ``Tensor.__array_function__`` call the two
functions here.  They behave as MyGrad's do:

- A NumPy ufunc that MyGrad differentiates (``np.sin``, ``np.add``, ...) runs
  the mygrad_c op of the same name and returns a tensor in the graph; only its
  ``__call__`` method is supported (``reduce``, ``accumulate``, ``outer``, ...
  raise NotImplementedError).
- A ufunc without a derivative that MyGrad exposes (``np.ceil``,
  ``np.floor_divide``, ...) runs on the tensors' arrays and returns plain
  arrays, but refuses non-constant tensors (ValueError), since no gradient
  could flow through it.  Ufuncs with a boolean result (comparisons,
  ``np.isnan``, ...) accept any tensor.
- A NumPy function that MyGrad implements (``np.sum``, ``np.concatenate``,
  ``np.einsum``, ``np.linalg.norm``, ...) runs the mygrad_c function; a few
  array utilities (``np.shape``, ``np.result_type``, ...) run on the arrays.
- Anything else returns ``NotImplemented``, so NumPy raises its TypeError.

The mygrad_c functions are looked up by name at call time, so the tables below
name operations rather than import them.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

import numpy as np

from mygrad_c._engine import TensorBase

__all__: list = []

# ---------------------------------------------------------------------------
# ufuncs
# ---------------------------------------------------------------------------
# NumPy ufuncs (by ``ufunc.__name__``) that MyGrad differentiates; each runs
# ``mygrad_c.<name>``.
DIFFERENTIABLE_UFUNCS = frozenset({
    "absolute", "add", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctan2",
    "arctanh", "cbrt", "cos", "cosh", "divide", "exp", "exp2", "expm1", "log", "log10",
    "log1p", "log2", "logaddexp", "logaddexp2", "matmul", "maximum", "minimum", "multiply",
    "negative", "positive", "power", "reciprocal", "sin", "sinh", "sqrt", "square",
    "subtract", "tan", "tanh",
})

# NumPy ufuncs that MyGrad exposes without a derivative: they run on arrays,
# and refuse non-constant tensors (no gradient could flow through them) ...
PIECEWISE_CONSTANT_UFUNCS = frozenset({
    "ceil", "divmod", "floor", "floor_divide", "fmod", "remainder", "rint", "sign", "trunc",
})
# ... except for those with a boolean result, which accept any tensor.
BOOLEAN_UFUNCS = frozenset({
    "equal", "not_equal", "greater", "greater_equal", "less", "less_equal",
    "logical_and", "logical_or", "logical_xor", "logical_not",
    "isfinite", "isinf", "isnan", "isnat", "signbit",
})


def _arrays(x):
    """``x`` with tensors replaced by their arrays (inside lists and tuples too)."""
    if isinstance(x, TensorBase):
        return x.data
    if isinstance(x, (list, tuple)):
        return type(x)(_arrays(i) for i in x)
    return x


def _has_variable(objs) -> bool:
    return any(isinstance(o, TensorBase) and not o.constant for o in objs)


def _resolve(path: str) -> Optional[Callable]:
    """``mygrad_c.<path>`` (dotted), or None if that op does not exist (yet)."""
    import mygrad_c

    obj: Any = mygrad_c
    for part in path.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def array_ufunc(self: TensorBase, ufunc: np.ufunc, method: str, *inputs, **kwargs):
    """Implements ``Tensor.__array_ufunc__``; see the module docstring.

    Examples
    --------
    >>> import numpy as np
    >>> import mygrad_c as mg
    >>> x = mg.tensor([0.0, 1.0])
    >>> np.multiply(x, 2.0)
    Tensor([0., 2.])
    >>> np.ceil(mg.tensor([0.5], constant=True))
    array([1.])
    """
    out = kwargs.pop("out", None)
    if out is not None:
        if isinstance(out, tuple):
            if len(out) > 1:
                raise ValueError("mygrad does not support in-place operations with more that one target")
            out = out[0]
    if not isinstance(ufunc, np.ufunc):
        return NotImplemented  # not a ufunc: as MyGrad, let the caller decide
    if not isinstance(method, str):
        raise TypeError(f"`method` must be the name of a ufunc method, got {method!r}")
    name = ufunc.__name__

    if name in DIFFERENTIABLE_UFUNCS:
        op = _resolve(name)
        if op is None or op is ufunc:
            return NotImplemented  # the mygrad_c op does not exist (yet)
        if method == "at":
            raise TypeError(f"{name}.at() is not supported for mygrad tensors")
        if method != "__call__":
            raise NotImplementedError(f"{name}.{method}() is not supported for mygrad tensors")
        if out is not None:
            kwargs["out"] = out
        return op(*inputs, **kwargs)

    if name in PIECEWISE_CONSTANT_UFUNCS or name in BOOLEAN_UFUNCS:
        if name in PIECEWISE_CONSTANT_UFUNCS and _has_variable(inputs + (out,)):
            raise ValueError(f"{ufunc!r} cannot involve non-constant mygrad tensors.")
        if out is not None:
            # As MyGrad, a boolean ufunc takes any array-like target (a list, a number) as
            # the array ``np.asarray`` makes of it, and returns that array.
            boolean = name in BOOLEAN_UFUNCS and not isinstance(out, (np.ndarray, TensorBase))
            kwargs["out"] = np.asarray(out) if boolean else _arrays(out)
        return getattr(ufunc, method)(*_arrays(inputs), **kwargs)

    return NotImplemented


# ---------------------------------------------------------------------------
# functions
# ---------------------------------------------------------------------------
# NumPy function -> the mygrad_c function (dotted path) that implements it.
_FUNCTION_PATHS = {
    "amax": "amax", "amin": "amin", "max": "max", "min": "min", "sum": "sum", "mean": "mean",
    "var": "var", "std": "std", "prod": "prod", "cumsum": "cumsum", "cumprod": "cumprod",
    "clip": "clip", "where": "where", "einsum": "einsum", "concatenate": "concatenate",
    "stack": "stack", "reshape": "reshape", "ravel": "ravel", "squeeze": "squeeze",
    "expand_dims": "expand_dims", "broadcast_to": "broadcast_to", "moveaxis": "moveaxis",
    "swapaxes": "swapaxes", "transpose": "transpose", "repeat": "repeat", "roll": "roll",
    "atleast_1d": "atleast_1d", "atleast_2d": "atleast_2d", "atleast_3d": "atleast_3d",
    "zeros_like": "zeros_like", "ones_like": "ones_like", "full_like": "full_like",
    "empty_like": "empty_like", "linalg.norm": "linalg.norm",
    # non-differentiable: mygrad_c's version if it has one, else NumPy on the arrays
    "any": "any", "argmax": "argmax", "argmin": "argmin",
}

# NumPy functions that MyGrad runs on the tensors' arrays.
_ARRAY_FUNCTIONS = (
    "allclose", "bincount", "can_cast", "copyto", "isclose", "may_share_memory",
    "min_scalar_type", "result_type", "shape", "shares_memory",
)

_function_table: Optional[dict] = None


def _numpy_attr(path: str):
    obj: Any = np
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _table() -> dict:
    """{numpy function: mygrad_c path or None (run on arrays)}, built on first use."""
    global _function_table
    if _function_table is None:
        table = {}
        for np_name, mg_path in _FUNCTION_PATHS.items():
            table[_numpy_attr(np_name)] = mg_path
        for np_name in _ARRAY_FUNCTIONS:
            table[_numpy_attr(np_name)] = None
        _function_table = table
    return _function_table


_overrides: dict = {}   # {numpy function: the function registered by implements_numpy_override}


class implements_numpy_override:
    """Register a function as what a NumPy function does when given a tensor.

    ``np.f(tensor, ...)`` then calls the decorated function (NumPy's
    ``__array_function__`` protocol); the NumPy function is given, or is the one
    with the decorated function's name.

    Parameters
    ----------
    numpy_func : Callable, optional
        The NumPy function to override (default: ``numpy.<name of the decorated function>``).

    Examples
    --------
    >>> import numpy as np
    >>> import mygrad_c as mg
    >>> from mygrad_c.tensor_base import implements_numpy_override
    >>> @implements_numpy_override()
    ... def nanmean(x, *args, **kwargs):
    ...     return mg.mean(x)
    >>> np.nanmean(mg.tensor([1.0, 3.0]))
    Tensor(2.)
    """

    __slots__ = ("numpy_func",)

    def __init__(self, numpy_func: Optional[Callable] = None):
        self.numpy_func = numpy_func

    def __call__(self, wrapped_func: Callable) -> Callable:
        if self.numpy_func is None:
            try:
                self.numpy_func = getattr(np, wrapped_func.__name__)
            except AttributeError:
                raise AttributeError(
                    f"@implements_numpy_override tried to register an override for the function "
                    f"numpy.{wrapped_func.__name__}, but no such function exists.") from None
        _overrides[self.numpy_func] = wrapped_func
        return wrapped_func


def array_function(self: TensorBase, func: Callable, types, args: tuple, kwargs: dict):
    """Implements ``Tensor.__array_function__``; see the module docstring.

    Examples
    --------
    >>> import numpy as np
    >>> import mygrad_c as mg
    >>> np.shape(mg.tensor([[1.0, 2.0]]))
    (1, 2)
    """
    override = _overrides.get(func)
    if override is not None:
        return override(*args, **kwargs)
    table = _table()
    if func not in table:
        return NotImplemented
    path = table[func]
    target = _resolve(path) if path is not None else None
    if target is None or target is func:
        if path is not None and path not in ("any", "argmax", "argmin"):
            return NotImplemented  # the mygrad_c op does not exist (yet)
        positional = tuple(_arrays(args))   # (MyGrad's error for args that are not a sequence comes first)
        return func(*positional, **{k: _arrays(v) for k, v in kwargs.items()})
    return target(*args, **kwargs)
