"""Exceptions raised by mygrad_c's engine (the same classes MyGrad users catch)."""

__all__ = [
    "MyGradException",
    "InvalidGradient",
    "InvalidBackprop",
    "DisconnectedView",
    "SkipGradient",
]


class MyGradException(Exception):
    """Base class of mygrad_c's own exceptions."""


class InvalidGradient(MyGradException):
    """An operation's backward pass produced something that is not a valid gradient."""


class InvalidBackprop(MyGradException):
    """Back-propagation was attempted through a graph that is no longer valid."""


class DisconnectedView(MyGradException):
    """A view tensor was used after its relationship to its base was severed."""


class SkipGradient(Exception):
    """Raise from ``Operation.backward_var`` when an input receives no gradient."""
