"""API fidelity: type hints and subclassing of ufunc-like classes, einsum views, tensor()
with copy=False / ndmin, empty results, atleast_Nd constants: against MyGrad."""
from __future__ import annotations

import inspect
import typing

import mygrad
import numpy as np
import pytest

import mygrad_c as mg

UFUNC_NAMES = sorted(n for n in dir(mygrad) if isinstance(getattr(mygrad, n), type)
                     and issubclass(getattr(mygrad, n), mygrad.ufunc) and getattr(mygrad, n) is not mygrad.ufunc)


def _hint(h):
    """A library-independent name for a type hint (unions as the set of their members)."""
    args = typing.get_args(h)
    if args:
        return frozenset(_hint(a) for a in args)
    if h is None or h is type(None):
        return "None"
    return getattr(h, "__name__", str(h))


def test_every_mygrad_ufunc_is_one_here():
    assert len(UFUNC_NAMES) > 30
    for name in UFUNC_NAMES:
        assert issubclass(getattr(mg, name), mg.ufunc), name


@pytest.mark.parametrize("name", UFUNC_NAMES)
def test_ufunc_type_hints_match_mygrad(name):
    ours, ref = typing.get_type_hints(getattr(mg, name)), typing.get_type_hints(getattr(mygrad, name))
    assert list(ours) == list(ref)
    assert {k: _hint(v) for k, v in ours.items()} == {k: _hint(v) for k, v in ref.items()}
    assert _hint(ours["return"]) == "Tensor" and ours["return"] is mg.Tensor


@pytest.mark.parametrize("name", UFUNC_NAMES)
def test_ufunc_signature_annotations_match_mygrad(name):
    ours, ref = inspect.signature(getattr(mg, name)), inspect.signature(getattr(mygrad, name))
    assert [(p.name, p.kind, p.default, _hint(p.annotation)) for p in ours.parameters.values()] == \
        [(p.name, p.kind, p.default, _hint(p.annotation)) for p in ref.parameters.values()]
    assert ours.return_annotation is mg.Tensor


def test_binary_hints_name_x1_x2_out_where_dtype_constant():
    assert list(typing.get_type_hints(mg.add)) == ["x1", "x2", "out", "where", "dtype", "constant", "return"]


@pytest.mark.parametrize("lib", [mygrad, mg], ids=["mygrad", "mygrad_c"])
def test_ufunc_base_cannot_be_subclassed(lib):
    with pytest.raises(TypeError, match="cannot be subclassed"):
        class MyUfunc(lib.ufunc):  # noqa: F841
            pass
    with pytest.raises(TypeError):
        lib.ufunc()


@pytest.mark.parametrize("lib", [mygrad, mg], ids=["mygrad", "mygrad_c"])
def test_a_ufunc_like_class_can_be_subclassed(lib):
    class MyAdd(lib.add):
        pass

    assert issubclass(MyAdd, lib.ufunc)
    assert repr(MyAdd).endswith("-ufunc 'add'>")
    x = lib.tensor([1.0, 2.0])
    out = MyAdd(x, 3.0)
    out.backward()
    assert out.data.tolist() == [4.0, 5.0]
    assert x.grad.tolist() == [1.0, 1.0]
