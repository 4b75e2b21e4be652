"""Graph mode: switching graph recording (``no_autodiff``) and memory guarding.

Both switches live in the compiled engine (``_engine.set_tracking`` /
``_engine.set_mem_guard``); this module gives them MyGrad's user-facing forms:
objects that work both as context managers and as decorators.
"""
from __future__ import annotations

import threading
from functools import wraps
from typing import Any, Callable, TypeVar

import numpy as np

from mygrad_c import _engine

__all__ = [
    "no_autodiff",
    "mem_guard_off",
    "mem_guard_on",
    "mem_guard_active",
    "turn_memory_guarding_off",
    "turn_memory_guarding_on",
]

_T = TypeVar("_T", bound=Callable[..., Any])


class ContextTracker:
    """A setting that is changed inside a ``with`` block or a decorated function.

    ``setter(value)`` must set the engine's flag and return its previous value.
    Entering stacks (each ``with`` remembers what it replaced, per thread, as
    the setting itself is per thread), so nested uses restore correctly.
    """

    def __init__(self, setter: Callable[[bool], bool], value: bool):
        self._setter = setter
        self._value = value
        self._local = threading.local()  # each thread's stack of replaced settings

    def __enter__(self):
        stack = self._local.__dict__.setdefault("previous", [])
        stack.append(self._setter(self._value))
        return self

    def __exit__(self, *exc_info):
        self._setter(self._local.previous.pop())
        return False

    def __call__(self, func: _T) -> _T:
        @wraps(func)
        def wrapper(*args, **kwargs):
            with self:
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class _NoAutoDiff(ContextTracker):
    """Turn off graph recording, as a context manager or a decorator.

    Inside ``no_autodiff`` operations on tensors compute their values but record
    no computational graph, so nothing can be back-propagated through them and
    no memory is held for a backward pass.

    Decorating with ``no_autodiff(func, to_numpy=True)`` also converts tensors
    returned by ``func`` to NumPy arrays.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> x = mg.tensor([1.0, 2.0])
    >>> with mg.no_autodiff:
    ...     y = x * 2
    >>> y.creator is None
    True
    """

    def __init__(self):
        super().__init__(_engine.set_tracking, False)

    def __call__(self, func: _T, to_numpy: bool = False) -> _T:  # type: ignore[override]
        wrapped = super().__call__(func)
        if not to_numpy:
            return wrapped

        @wraps(func)
        def to_array(*args, **kwargs):
            return np.asarray(wrapped(*args, **kwargs))

        return to_array  # type: ignore[return-value]


no_autodiff = _NoAutoDiff()


class _NoMemGuard(ContextTracker):
    """Turn memory guarding off, as a context manager or a decorator.

    Arrays used by a live computational graph are normally made read-only so that
    they cannot be changed behind the graph's back; inside ``mem_guard_off`` new
    graphs leave arrays writeable (faster, but the user takes the responsibility).

    Examples
    --------
    >>> import mygrad_c as mg
    >>> with mg.mem_guard_off:
    ...     y = mg.tensor([1.0, 2.0]) * 2
    >>> y.data.flags.writeable
    True
    """

    def __init__(self):
        super().__init__(_engine.set_mem_guard, False)


class _WithMemGuard(ContextTracker):
    """Turn memory guarding on, as a context manager or a decorator.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> with mg.mem_guard_on:
    ...     y = mg.tensor([1.0, 2.0]) * 2
    >>> y.data.flags.writeable
    False
    """

    def __init__(self):
        super().__init__(_engine.set_mem_guard, True)


# (the classes have MyGrad's names: they show in error messages)
mem_guard_off = _NoMemGuard()
mem_guard_on = _WithMemGuard()


def mem_guard_active() -> bool:
    """Return True when memory guarding is on.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.mem_guard_active()
    True
    """
    return _engine.mem_guard_active()


def turn_memory_guarding_off() -> None:
    """Turn memory guarding off globally (until ``turn_memory_guarding_on``).

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.turn_memory_guarding_off(); mg.mem_guard_active()
    False
    >>> mg.turn_memory_guarding_on()
    """
    _engine.set_mem_guard(False)


def turn_memory_guarding_on() -> None:
    """Turn memory guarding on globally.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.turn_memory_guarding_on(); mg.mem_guard_active()
    True
    """
    _engine.set_mem_guard(True)

