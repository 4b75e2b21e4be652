"""The public surface: every name of ../shared/API.md exists with MyGrad's signature.

The list is read from the shared API.md when it is present (it lies beside the
project), and each name is compared with the same name in the reference
``mygrad``: same kind (ufunc-like class / function / type / constant) and the
same parameters (names, kinds, defaults).  Annotations are not compared.
"""
from __future__ import annotations

import importlib
import inspect
import math
import re
from pathlib import Path

import mygrad
import numpy as np
import pytest

import mygrad_c

API_MD = Path(__file__).resolve().parents[2] / "shared" / "API.md"

SECTION = re.compile(r"^## (mygrad_c(?:\.[\w.]+)?)\b")
ITEM = re.compile(r"^- `(?:Tensor\.)?(\w+)")


def _api_items():
    if not API_MD.exists():
        return []
    items, module = [], None
    for line in API_MD.read_text().splitlines():
        m = SECTION.match(line)
        if m:
            module = m.group(1)
            continue
        m = ITEM.match(line)
        if module and m:
            items.append((module, m.group(1)))
    return sorted(set(items))


ITEMS = _api_items()


def _resolve(module: str, name: str, lib: str):
    path = module.replace("mygrad_c", lib, 1)
    if path.endswith(".Tensor"):
        return getattr(importlib.import_module(path.rsplit(".", 1)[0]).Tensor, name)
    return getattr(importlib.import_module(path), name)


def _params(obj):
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    out = []
    for p in sig.parameters.values():
        default = p.default
        if default is inspect.Parameter.empty:
            default = "<required>"
        elif isinstance(default, type) or callable(default):
            default = getattr(default, "__name__", repr(default))
        elif type(default).__name__ in ("_NoValueType", "_NoValue"):
            default = "<no value>"
        out.append((p.name, p.kind, default))
    return out


COMPILED_OPERATORS = {f"__{r}{op}__" for op in ("add", "sub", "mul", "truediv", "matmul") for r in ("", "r")}


def test_api_md_was_read():
    if not API_MD.exists():
        pytest.skip("../shared/API.md is not beside this checkout")
    assert len(ITEMS) > 250


def _documented_signature(module: str, name: str):
    """The signature API.md writes for ``name`` (for names MyGrad cannot import here)."""
    for line in API_MD.read_text().splitlines():
        m = re.match(rf"^- `{name}(\(.*\))`", line)
        if m:
            namespace: dict = {}
            exec(f"def _f{m.group(1)}: pass", namespace)
            return namespace["_f"]
    raise LookupError(name)


@pytest.mark.parametrize("module,name", ITEMS, ids=[f"{m}.{n}" for m, n in ITEMS])
def test_name_exists_with_mygrads_signature(module, name):
    try:
        ref = _resolve(module, name, "mygrad")
    except ImportError:  # MyGrad's gru needs numba, absent here: use API.md's signature
        ref = _documented_signature(module, name)
    ours = _resolve(module, name, "mygrad_c")
    if isinstance(ref, (int, float)) and not isinstance(ref, bool):
        assert ours == ref or (math.isnan(ours) and math.isnan(ref))
        return
    if ref is None:
        assert ours is None
        return
    if isinstance(ref, type) and not isinstance(type(ref), type(mygrad.add)) and ref.__module__.startswith("numpy"):
        assert ours is ref  # numpy's own types (dtypes) are re-exported as they are
        return
    if isinstance(ref, (np.ufunc, type(np.add))) or getattr(ref, "__module__", "") in ("numpy", "numpy._core.multiarray"):
        assert ours is ref, f"{name}: MyGrad re-exports NumPy's object; so must we"
        return
    if isinstance(ref, property):
        assert isinstance(ours, (property, type(mygrad_c.Tensor.constant))), type(ours)
        return
    if _params(ours) is None and name in COMPILED_OPERATORS:
        # + - * / @ are compiled operator slots: their (self, other) contract is fixed by Python
        assert _params(ref)[1:] == [("other", inspect.Parameter.POSITIONAL_OR_KEYWORD, "<required>")]
        return
    assert _params(ours) == _params(ref), f"{module}.{name}: {_params(ours)} != {_params(ref)}"


def test_ufunc_likes_are_classes_of_ufunc():
    for name in ["add", "multiply", "sin", "exp", "tanh", "matmul", "maximum"]:
        obj = getattr(mygrad_c, name)
        assert isinstance(obj, type) and issubclass(obj, mygrad_c.ufunc), name
        assert obj.nin == getattr(mygrad, name).nin


def test_public_module_paths_import():
    for path in ["operation_base", "errors", "typing", "nnet.layers", "nnet.layers.gru", "nnet.losses",
                 "nnet.activations", "nnet.initializers", "linalg", "random", "computational_graph"]:
        importlib.import_module(f"mygrad_c.{path}")
