"""Shared helpers of the workload modules: importing a library by name.

Workload modules import nothing but NumPy at module level: ``benchmarks/run.py``
times each library in a process of its own, which must not load the others.
"""
from __future__ import annotations

import importlib
from types import ModuleType
from typing import Optional

LIBS = ("mygrad_c", "mygrad", "torch")


def load(lib: str) -> Optional[ModuleType]:
    """The library ``lib`` ("mygrad_c", "mygrad" or "torch"), or None if it is not installed."""
    if lib not in LIBS:
        raise ValueError(f"unknown library {lib!r}")
    try:
        return importlib.import_module(lib)
    except ImportError:
        return None
