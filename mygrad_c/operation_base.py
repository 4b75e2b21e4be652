"""The Operation base class: the contract every differentiable operation follows.

``Operation`` is defined in the compiled engine (so built-in and user-defined
operations alike are driven by the compiled backward pass) and re-exported
here, at the module path MyGrad users import it from::

    from mygrad_c.operation_base import Operation

An operation implements ``__call__(*tensors, ...)`` (the forward pass: record the
inputs in ``self.variables`` and return a NumPy array) and
``backward_var(grad, index)`` (the vector-Jacobian product for input ``index``).
Run it with ``mygrad_c.execute_op``.

MyGrad's other base classes are here too: ``Ufunc`` (mygrad_c's ``UfuncOp``),
``UnaryUfunc`` and ``BinaryUfunc`` (homes: ``mygrad_c.ufuncs``) and
``Sequential`` (home: ``mygrad_c.math.sequential``).  Their homes import this
module, so they are looked up on first access.
"""
from mygrad_c._engine import Operation, reduce_broadcast
from mygrad_c.errors import InvalidBackprop, InvalidGradient, SkipGradient
from mygrad_c.typing import DTypeLike, Mask

__all__ = ["Operation", "Ufunc", "UnaryUfunc", "BinaryUfunc", "Sequential",
           "SkipGradient", "InvalidBackprop", "InvalidGradient", "reduce_broadcast"]

_LATER = {"Ufunc": ("mygrad_c.ufuncs", "UfuncOp"), "UnaryUfunc": ("mygrad_c.ufuncs", "UnaryUfunc"),
          "BinaryUfunc": ("mygrad_c.ufuncs", "BinaryUfunc"), "Sequential": ("mygrad_c.math.sequential", "Sequential")}


def __getattr__(name):
    if name not in _LATER:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    module, attr = _LATER[name]
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value
