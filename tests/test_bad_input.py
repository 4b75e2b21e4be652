"""Bad input never gives a silent wrong answer or an unclear error (issue 7, item 1).

A representative subset of the cases of ``tests/bad_input_report.py`` (which runs them all in
crash-safe subprocesses; it shows 0 crashes, so they run in-process here): every API.md name,
the most important bad values of each parameter kind, and all hand-written structured cases
(conv_nd, max_pool, einsum, gru, losses, indexing, backward, execute_op, numpy protocols).

For each case the same call is made in mygrad_c and in MyGrad, and the test asserts either the
same result (values, dtype, constant flag, gradients, state of the inputs afterwards) or a clear
exception (TypeError/ValueError/IndexError/... or MyGrad's error class) of MyGrad's type, with a
non-empty message that names the parameter when MyGrad's message does.  Known failures are
listed with reproductions in docs/bugs-bad-input.md.
"""
from __future__ import annotations

import os
import re
from collections import defaultdict

import pytest

import bad_input_report as bir
from bad_input_report import I, T

import mygrad
import mygrad_c

# the bad values the subset keeps, per parameter kind (all values of the other kinds)
KEY_VALUES = {
    "array": ["abc", None, I("obj"), I("complex"), I("ragged"), I("empty03"), I("0d"), I("nan"),
              I("noncontig"), I("negstride"), I("readonly"), I("bigendian"), I("wrong57"), I("i23"),
              T("view"), T("graph")],
    "axis": [5, -5, (0, 0), "a", 1.5],
    "shape": [-3, (2, -2), "ab", (2.5,), 10 ** 20],
    "int": [-1, 1.5, "3", 10 ** 20],
    "float": ["a", float("nan"), I("f3")],
    "bool": ["yes", I("boolarr")],
    "dtype": ["foo", complex, object],
    "out": [I("wrong57"), I("readonly"), T("const")],
    "where": ["abc", I("bwrong")],
}
KEY_REPRS = {k: {repr(v) for v in vs} for k, vs in KEY_VALUES.items()}


def _selected(case, kinds_by_name):
    if case["note"] in ("valid base call", "self") or case["note"].startswith(("hand", "ufunc", "execute")):
        return True
    pname = case["note"].lstrip("*")
    kind = kinds_by_name.get((case["name"], pname))
    if kind not in KEY_REPRS:
        return True
    # the bad value is the one argument that differs from the base call
    vals = [repr(v) for v in case["args"]] + [repr(v) for v in case["kwargs"].values()]
    return any(v in KEY_REPRS[kind] for v in vals)


def _cases():
    cases = bir.make_cases()
    kinds = {}
    for c in cases:
        pname = c["note"].lstrip("*")
        kinds[(c["name"], pname)] = bir._kind(c["name"], pname)
    by_name, constant = defaultdict(list), defaultdict(list)
    for c in cases:
        if c["note"] == "constant":  # one bug (B1) hits every name: kept in its own test
            constant[c["name"]].append(c)
        elif _selected(c, kinds):
            by_name[c["name"]].append(c)
    return by_name, constant, kinds


CASES, CONSTANT_CASES, KINDS = _cases()
NAMES = sorted(CASES)


def _run(c, tmpdir):
    o = bir.run_lib("mygrad_c", c, tmpdir)
    r = None if c["name"] in bir.NOREF else bir.run_lib("mygrad", c, tmpdir)
    for lib in (mygrad, mygrad_c):
        lib.turn_memory_guarding_on()
    return o, r


def _names_param(c, o, r):
    """When MyGrad's message names the offending parameter, ours must too."""
    pname = c["note"].lstrip("*")
    if KINDS.get((c["name"], pname)) not in ("axis", "float", "int", "bool", "shape", "dtype"):
        return True
    if o["kind"] != "error" or r is None or r["kind"] != "error" or len(pname) < 3:
        return True
    if not re.search(rf"\b{re.escape(pname)}\b", r["msg"]):
        return True
    return re.search(rf"\b{re.escape(pname)}\b", o["msg"]) is not None


def test_every_api_name_is_driven():
    from test_api_surface import _api_items

    from test_api_surface import API_MD

    if not API_MD.exists():
        pytest.skip("../shared/API.md is not beside this checkout")
    api = {bir.qualname(m, n) for m, n in _api_items()}
    assert api, "API.md lists no names"
    assert api <= set(CASES), sorted(api - set(CASES))
    assert sum(len(v) for v in CASES.values()) > 3000


def _check(cases, tmp_path):
    os.chdir(tmp_path)  # build_graph(save=...) writes into the working directory
    failures = []
    for c in cases:
        c = dict(c)
        o, r = _run(c, str(tmp_path))
        cat, why = bir.classify(c, o, r)
        if cat in bir.SEVERE:
            failures.append(f"[{cat}] {c['desc']}\n        -> {why}")
        elif not _names_param(c, o, r):
            failures.append(f"[message] {c['desc']}\n        -> {o['type']}: {o['msg']!r} does not name "
                            f"{c['note'].lstrip('*')!r} (MyGrad: {r['msg']!r})")
    assert not failures, f"{len(failures)} of {len(cases)} bad inputs mishandled:\n  " + \
        "\n  ".join(failures[:25])


@pytest.fixture(autouse=True)
def _restore_cwd():
    cwd = os.getcwd()
    yield
    os.chdir(cwd)


@pytest.mark.parametrize("name", NAMES)
def test_bad_input(name, tmp_path):
    _check(CASES[name], tmp_path)


def test_constant_flag_is_validated(tmp_path):
    """``constant=`` must be None/True/False, as in MyGrad (TypeError otherwise) -- every name."""
    _check([c for name in sorted(CONSTANT_CASES) for c in CONSTANT_CASES[name]
            if repr(c["kwargs"].get("constant")) in ("'yes'", "2", "I(boolarr)")], tmp_path)


# ---------------------------------------------------------------------------
# a few explicit cases: the kinds of error users rely on, asserted directly
# ---------------------------------------------------------------------------
import numpy as np  # noqa: E402

import mygrad_c as mg  # noqa: E402

X = np.linspace(0.1, 0.9, 6).reshape(2, 3)


@pytest.mark.parametrize("call,exc,words", [
    (lambda: mg.sum(mg.tensor(X), axis=5), np.exceptions.AxisError, ["axis"]),
    (lambda: mg.sum(mg.tensor(X), axis=(0, 0)), ValueError, ["duplicate"]),
    (lambda: mg.tensor("abc"), TypeError, ["type"]),
    (lambda: mg.tensor([[1.0, 2.0], [3.0]]), ValueError, ["inhomogeneous"]),
    (lambda: mg.reshape(mg.tensor(X), (4, 4)), ValueError, ["reshape"]),
    (lambda: mg.ones((2, -2)), ValueError, ["negative"]),
    (lambda: mg.tensor(X)[5], IndexError, ["out of bounds"]),
    (lambda: mg.tensor(X) @ mg.tensor(X), ValueError, ["matmul"]),
    (lambda: mg.nnet.layers.conv_nd(mg.ones((2, 1, 5, 5)), mg.ones((3, 2, 2, 2)), stride=1), ValueError, []),
    (lambda: mg.einsum("ij,jk->ik", mg.tensor(X), mg.tensor(X)), ValueError, []),
    (lambda: mg.nnet.losses.softmax_crossentropy(mg.ones((4, 3)), [0, 1, 3, 2]), IndexError, []),
])
def test_clear_errors(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    msg = str(info.value).lower()
    assert msg.strip()
    for w in words:
        assert w in msg, msg


@pytest.mark.parametrize("layout", ["noncontig", "negstride", "fortran", "readonly", "bigendian"])
@pytest.mark.parametrize("fn", ["sum", "exp", "nnet.activations.softmax", "nnet.activations.relu", "cumsum"])
def test_layouts_give_mygrads_values_and_gradients(layout, fn, tmp_path):
    c = dict(name=fn, args=[I(layout)], kwargs={}, self=None, note="x", expect=None, desc=f"{fn}({layout})")
    o, r = _run(c, str(tmp_path))
    assert bir.classify(c, o, r)[0] in ("ok_value", "minor_mismatch"), bir.classify(c, o, r)
    # and with a tensor made from the odd layout without copying
    import mygrad_c as m

    a = bir.make_raw(layout, str(tmp_path))
    t = m.Tensor(a, copy=False) if layout != "readonly" else m.tensor(a)
    out = bir.resolve(fn, "mygrad_c")(t)
    out.backward()
    assert t.grad is not None and t.grad.shape == a.shape
