"""Import a package written for MyGrad twice: once as it is, once bound to mygrad_c.

``import_on_mygrad_c("mynn")`` gives a fresh copy of ``mynn`` whose every ``import mygrad``,
``from mygrad.nnet.layers.conv import conv_nd`` ... resolved to mygrad_c - what a user gets
after replacing MyGrad by mygrad_c - while ``import mynn`` keeps the copy bound to MyGrad.
The two copies share nothing, so a test can run the same code through both libraries in one
process and compare them step by step.
"""
from __future__ import annotations

import contextlib
import importlib
import pkgutil
import sys
import types

import mygrad_c


@contextlib.contextmanager
def mygrad_is_mygrad_c():
    """Within the block, ``import mygrad`` and every ``mygrad.X`` module path give mygrad_c's
    (``mygrad_c`` / ``mygrad_c.X``); on leaving, MyGrad's modules are back as they were."""
    aliases = {"mygrad" + name[len("mygrad_c"):]: module for name, module in list(sys.modules.items())
               if name == "mygrad_c" or name.startswith("mygrad_c.")}
    saved = {name: module for name, module in sys.modules.items()
             if name == "mygrad" or name.startswith("mygrad.")}
    try:
        for name in saved:
            del sys.modules[name]
        sys.modules.update(aliases)
        yield
    finally:
        for name in aliases:
            sys.modules.pop(name, None)
        sys.modules.update(saved)


def import_on_mygrad_c(package: str) -> types.ModuleType:
    """A new copy of ``package`` (with all its submodules, as attributes) imported with ``mygrad``
    and every ``mygrad.X`` module path replaced by ``mygrad_c`` / ``mygrad_c.X``."""
    original = importlib.import_module(package)  # the MyGrad-bound copy: it must stay as it is
    for info in pkgutil.walk_packages(original.__path__, package + "."):
        importlib.import_module(info.name)
    saved = {name: module for name, module in sys.modules.items()
             if name == package or name.startswith(package + ".")}
    try:
        for name in saved:
            del sys.modules[name]
        with mygrad_is_mygrad_c():
            copy = importlib.import_module(package)
            for info in pkgutil.walk_packages(copy.__path__, package + "."):
                importlib.import_module(info.name)  # bound as attributes of their packages
        for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
            del sys.modules[name]  # the mygrad_c-bound copy lives on only through `copy`
    finally:
        sys.modules.update(saved)
    return copy
