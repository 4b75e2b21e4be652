"""The Operation base class: the contract every differentiable operation follows.

``Operation`` is defined in the compiled engine (so built-in and user-defined
operations alike are driven by the compiled backward pass) and re-exported
here, at the module path MyGrad users import it from::

    from mygrad_c.operation_base import Operation

An operation implements ``__call__(*tensors, ...)`` (the forward pass: record the
inputs in ``self.variables`` and return a NumPy array) and
``backward_var(grad, index)`` (the vector-Jacobian product for input ``index``).
Run it with ``mygrad_c.execute_op``.
"""
from mygrad_c._engine import Operation, reduce_broadcast
from mygrad_c.errors import InvalidBackprop, InvalidGradient, SkipGradient

__all__ = ["Operation", "SkipGradient", "InvalidBackprop", "InvalidGradient", "reduce_broadcast"]
