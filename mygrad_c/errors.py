"""Exceptions raised by mygrad_c's engine (the same classes MyGrad users catch)."""

__all__ = [
    "MyGradException",
    "InvalidGradient",
    "InvalidBackprop",
    "DisconnectedView",
    "SkipGradient",
]


class MyGradException(Exception):
    """Base class of mygrad_c's own exceptions.

    Examples
    --------
    >>> from mygrad_c.errors import InvalidBackprop, MyGradException
    >>> issubclass(InvalidBackprop, MyGradException)
    True
    """


class InvalidGradient(MyGradException):
    """An operation's backward pass produced something that is not a valid gradient.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> from mygrad_c.errors import InvalidGradient
    >>> from mygrad_c.operation_base import Operation
    >>> class Broken(Operation):
    ...     def __call__(self, x):
    ...         self.variables = (x,)
    ...         return 2 * x.data
    ...     def backward_var(self, grad, index, **kwargs):
    ...         return "not a gradient"
    >>> y = mg.execute_op(Broken, mg.tensor([1.0, 2.0]))
    >>> try:
    ...     y.backward()
    ... except InvalidGradient:
    ...     print("InvalidGradient")
    InvalidGradient
    """


class InvalidBackprop(MyGradException):
    """Back-propagation was attempted through a graph that is no longer valid.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> x = mg.tensor([1.0, 2.0])
    >>> y = 2 * x
    >>> x.clear_graph()  # cuts x out of the graph that y still refers to
    >>> y.backward()
    Traceback (most recent call last):
    ...
    mygrad_c.errors.InvalidBackprop: Part of the computational graph containing this tensor, Tensor([1., 2.]), was 'cleared' prior to backprop.
    It is recommended that you clear all computational graphs and restart your computation.
    """


class DisconnectedView(MyGradException):
    """A view tensor was used after its relationship to its base was severed.

    Kept for code that catches it, as MyGrad does: MyGrad 2.5 and mygrad_c never
    raise it (a released view is cut off from its base instead).

    Examples
    --------
    >>> from mygrad_c.errors import DisconnectedView, MyGradException
    >>> issubclass(DisconnectedView, MyGradException)
    True
    """


class SkipGradient(Exception):
    """Raise from ``Operation.backward_var`` when an input receives no gradient.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> from mygrad_c.operation_base import Operation, SkipGradient
    >>> class ScaleBy(Operation):
    ...     # f(x, s) = s * x, differentiable in x only
    ...     def __call__(self, x, s):
    ...         self.variables = (x, s)
    ...         return s.data * x.data
    ...     def backward_var(self, grad, index, **kwargs):
    ...         if index == 1:
    ...             raise SkipGradient("s receives no gradient")
    ...         return grad * self.variables[1].data
    >>> x, s = mg.tensor([1.0, 2.0]), mg.tensor(3.0)
    >>> mg.execute_op(ScaleBy, x, s).backward()
    >>> x.grad
    array([3., 3.])
    >>> s.grad is None
    True
    """
