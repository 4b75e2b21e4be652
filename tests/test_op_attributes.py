"""Ops' public attributes: code built on MyGrad reads ``y.creator.<attr>`` (``batchnorm``'s
``mean``/``var``, ``einsum``'s labels, a reduction's ``axis`` ...), so ours carry the same.

For every public function of the catalog (top level, ``nnet.*``, ``linalg``: the names of
../shared/API.md, each called as ``tests/bad_input_report.py``'s valid base call), plus calls
with the options that change an op's attributes (``CASES``), both libraries run the call and
the creators of the results are compared:

- the op class has MyGrad's name (``type(y.creator).__name__``), except for the ``FUSED``
  functions;
- every public instance attribute of MyGrad's op (``vars(op)`` without underscore names and
  ``variables``) exists on ours with the same value (arrays and numbers by value, tensors by
  their data, containers element by element, other objects by ``repr``);
- ours has no other public instance attributes, except those listed in ``EXTRA``.

``replay_args``, ``replay_kwargs``, ``replay_force_constant`` and ``where`` are attributes
MyGrad's engine gives every op; they are checked separately (``test_engine_level_attributes``).
"""
from __future__ import annotations

import importlib
import tempfile
import warnings

import mygrad
import numpy as np
import pytest

import bad_input_report as bir
from test_api_surface import _api_items

ENGINE_LEVEL = {"replay_args", "replay_kwargs", "replay_force_constant", "where"}

# Functions that MyGrad composes from several ops (its creator is the last of them: Maximum,
# Add, Divide, Negative, FocalLoss) and mygrad_c computes as one op, for speed: the
# creator is another class, and its attributes are not comparable.
FUSED = {
    "nnet.activations.hard_tanh": "MyGrad: maximum(minimum(x, upper), lower)",
    "nnet.activations.leaky_relu": "MyGrad: maximum(x, 0) + slope * minimum(x, 0)",
    "nnet.activations.soft_sign": "MyGrad: x / (1 + abs(x))",
    "nnet.losses.negative_log_likelihood": "MyGrad: -mean(weights * x[rows, y])",
    "nnet.losses.softmax_focal_loss": "MyGrad: focal_loss(softmax(x), ...)",
    "linalg.norm(T(f3), ord=float('inf'))": "MyGrad: max(abs(x))",
}

# Public attributes of ours that MyGrad's op does not have, by op class, with the reason.
_SHARED_FILE = ("what the forward keeps for the backward (MyGrad keeps other arrays, or "
                "recomputes them)")
EXTRA = {
    "Squeeze": ({"is_view"}, "read by the engine (src/_engine.pyx: a view op may say its result is no view)"),
    "EinSum": ({"in_labels", "out_labels", "sizes"}, _SHARED_FILE),
    "ELU": ({"neg"}, _SHARED_FILE),
    "SELU": ({"neg"}, _SHARED_FILE),
    "Sigmoid": ({"y"}, _SHARED_FILE),
    "Softmax": ({"axis", "y"}, _SHARED_FILE),
    "LogSoftmax": ({"axis"}, _SHARED_FILE),
    "FocalLoss": ({"rows", "y", "alpha", "gamma", "pt", "logp", "q"}, _SHARED_FILE),
    "MarginRanking": ({"active", "size"}, _SHARED_FILE),
    "MulticlassHinge": ({"rows", "y", "active"}, _SHARED_FILE),
    "SoftmaxCrossEntropy": ({"rows", "y", "logp"}, _SHARED_FILE),
    "ConvND": ({"grid"}, _SHARED_FILE),
}

# Known differences that another branch fixes (strict xfail: the mark must go once fixed).
PENDING: dict = {}


def _catalog() -> list:
    """(qualname, args, kwargs) of the valid base call of every catalog function."""
    out = []
    for module, name in _api_items():
        if module != "mygrad_c" and not module.startswith(("mygrad_c.nnet", "mygrad_c.linalg")):
            continue
        qual = bir.qualname(module, name)
        if qual in bir.NOREF or qual in ("execute_op",):
            continue  # (gru: MyGrad needs numba here; execute_op: tests/test_module_paths.py)
        args, kwargs, _ = bir.base_call(qual, bir.signature_params(qual))
        out.append((qual, args, kwargs))
    return out


T, I = bir.T, bir.I

# calls with the options that change an op's attributes
CASES = [
    ("sum", [T("f23")], {"axis": 1}), ("sum", [T("f234")], {"axis": (0, 2), "keepdims": True}),
    ("mean", [T("f23")], {"axis": -1}), ("prod", [T("f23")], {"axis": 0, "keepdims": True}),
    ("max", [T("f23")], {"axis": 1}), ("amin", [T("f234")], {"axis": (1, 2)}),
    ("var", [T("f23")], {"axis": 0, "ddof": 1}), ("std", [T("f23")], {"axis": (0, 1), "ddof": 1}),
    ("var", [T("f23")], {}), ("cumsum", [T("f23")], {"axis": 1}), ("cumprod", [T("f23")], {"axis": -1}),
    ("add", [T("f23"), T("f23")], {"where": I("b23")}), ("sin", [T("f23")], {"where": I("b23")}),
    ("absolute", [T("f23")], {"nan_to_num": False}),
    ("transpose", [T("f23")], {}), ("transpose", [T("f234"), (2, 0, 1)], {}),
    ("moveaxis", [T("f234"), (0, 1), (2, 0)], {}), ("swapaxes", [T("f234"), -1, 0], {}),
    ("roll", [T("f23"), (1, 2), (0, 1)], {}), ("roll", [T("f23"), -1], {"axis": 1}),
    ("concatenate", [[T("f23"), T("f23"), T("f23")]], {"axis": 1}), ("stack", [[T("f23"), T("f23")]], {"axis": -1}),
    ("repeat", [T("f23"), 2], {"axis": 1}), ("squeeze", [T("f3")], {}), ("expand_dims", [T("f23"), (0, 2)], {}),
    ("reshape", [T("f23"), -1], {}), ("broadcast_to", [T("f3"), (4, 2, 3)], {}),
    ("einsum", ["...ij,...jk", T("f23"), T("f32x")], {}), ("einsum", ["ii", T("f33")], {}),
    ("einsum", ["ij,kj", T("f23"), T("f23")], {}), ("einsum", ["i,i->", T("f3"), T("f3")], {"optimize": True}),
    ("linalg.norm", [T("f23")], {"ord": 1, "axis": 1}), ("linalg.norm", [T("f234")], {"axis": (0, 2), "keepdims": True}),
    ("linalg.norm", [T("f3")], {"ord": np.inf}),
    ("nnet.layers.batchnorm", [T("f23")], {"gamma": T("f3"), "beta": T("f3"), "eps": 1e-3}),
    ("nnet.layers.batchnorm", [T("f3")], {"eps": 0.0}),
    ("nnet.activations.softmax", [T("f234")], {"axis": (0, 2)}), ("nnet.activations.logsoftmax", [T("f23")], {"axis": 0}),
    ("nnet.activations.elu", [T("f32x"), 2.0], {}), ("nnet.activations.selu", [T("f32x")], {}),
    ("nnet.activations.glu", [T("f234")], {}),
    ("nnet.losses.focal_loss", [T("probs"), I("labels")], {"alpha": 0.5, "gamma": 2.0}),
    ("nnet.losses.multiclass_hinge", [T("scores"), I("labels")], {"hinge": 0.5}),
    ("nnet.losses.margin_ranking_loss", [T("v4"), T("v4"), 1.0, 0.5], {}),
    ("nnet.layers.conv_nd", [T("x_nchw"), T("w_fchw")], {"stride": (2, 1), "padding": 1, "dilation": (1, 2)}),
    ("nnet.layers.conv_nd", [T("x_1d"), T("w_1d")], {"stride": 1}),
    ("nnet.layers.max_pool", [T("x_nchw"), (2, 3), (1, 2)], {}),
]

ALL_CALLS = _catalog() + CASES


def _desc(call) -> str:
    qual, args, kwargs = call
    return bir.describe(dict(name=qual, args=args, kwargs=kwargs, self=None))


def run_call(lib: str, call):
    """Run ``call`` in ``lib`` (NumPy's generator seeded, warnings and float errors silenced):
    ``(result, inputs)`` as ``bad_input_report.call_in`` gives them, or the exception raised."""
    qual, args, kwargs = call
    np.random.seed(0)
    with warnings.catch_warnings(), np.errstate(all="ignore"), tempfile.TemporaryDirectory() as tmp:
        warnings.simplefilter("ignore")
        try:
            return bir.call_in(lib, dict(name=qual, args=args, kwargs=kwargs, self=None), tmp)
        except Exception as e:  # noqa: BLE001 - compared by the callers
            return e


def _creator(lib: str, call):
    """The creator of ``call``'s result in ``lib`` (None if it has none), or the exception."""
    ran = run_call(lib, call)
    return ran if isinstance(ran, Exception) else getattr(ran[0], "creator", None)


def public_attrs(op) -> dict:
    return {k: v for k, v in vars(op).items() if not k.startswith("_") and k != "variables"}


def same_value(ours, ref) -> bool:
    """Are two attribute values the same (see the module docstring)?"""
    if hasattr(ref, "data") and hasattr(ref, "creator"):  # a tensor
        return hasattr(ours, "data") and same_value(np.asarray(ours.data), np.asarray(ref.data))
    if isinstance(ref, range):
        ref = list(ref)
    if isinstance(ours, range):
        ours = list(ours)
    if isinstance(ref, (np.ndarray, np.generic, int, float)) and not isinstance(ref, bool) or \
            isinstance(ours, np.ndarray):
        try:
            a, b = np.asarray(ours), np.asarray(ref)
        except Exception:  # noqa: BLE001
            return False
        if a.shape != b.shape or a.dtype.kind not in "biuf" or b.dtype.kind not in "biuf":
            return False
        if isinstance(ours, np.ndarray) and isinstance(ref, np.ndarray) and a.dtype != b.dtype:
            return False
        return bool(np.allclose(a, b, rtol=1e-6, atol=1e-12, equal_nan=True)) if a.dtype.kind == "f" \
            else bool(np.array_equal(a, b))
    if isinstance(ref, (tuple, list)):
        return isinstance(ours, (tuple, list)) and len(ours) == len(ref) and \
            all(same_value(o, r) for o, r in zip(ours, ref))
    if isinstance(ref, dict):
        return isinstance(ours, dict) and ours.keys() == ref.keys() and \
            all(same_value(ours[k], ref[k]) for k in ref)
    if ref is None or isinstance(ref, (bool, str)):
        return type(ours) is type(ref) and ours == ref
    return repr(ours) == repr(ref)


def _relabelled(in_lbls, out_lbls) -> tuple:
    """einsum labels with each letter replaced by the order of its first appearance."""
    order: dict = {}
    return tuple(tuple(order.setdefault(c, len(order)) for c in lbls) for lbls in [*in_lbls, out_lbls])


def _compare(call):
    qual = call[0]
    ref, ours = _creator("mygrad", call), _creator("mygrad_c", call)
    if isinstance(ref, Exception):
        assert isinstance(ours, Exception), f"MyGrad raises {ref!r}"
        return
    assert not isinstance(ours, Exception), ours
    if ref is None:
        assert ours is None, "MyGrad's result has no creator"
        return
    assert ours is not None
    if qual in FUSED or _desc(call) in FUSED:
        return
    assert type(ours).__name__ == type(ref).__name__
    ref_attrs = {k: v for k, v in public_attrs(ref).items() if k not in ENGINE_LEVEL}
    if any("..." in a for a in call[1] if isinstance(a, str)):  # einsum: MyGrad's letters for an
        ref_attrs.pop("in_lbls"), ref_attrs.pop("out_lbls")  # ellipsis depend on the hash seed
        assert _relabelled(ours.in_lbls, ours.out_lbls) == _relabelled(ref.in_lbls, ref.out_lbls)
    if isinstance(ours, importlib.import_module("mygrad_c.ufuncs").UfuncOp):
        ref_attrs["where"] = ref.where  # (elementwise ops keep ``where=`` themselves)
    wrong = {k: (getattr(ours, k, "<missing>"), v) for k, v in ref_attrs.items()
             if not same_value(getattr(ours, k, "<missing>"), v)}
    assert not wrong, f"{type(ours).__name__}: ours vs MyGrad's: {wrong}"
    allowed = EXTRA.get(type(ours).__name__, (set(), ""))[0]
    extra = set(public_attrs(ours)) - set(public_attrs(ref)) - allowed
    assert not extra, f"{type(ours).__name__} has public attributes that MyGrad's op lacks: {extra}"


def _param(call):
    marks = [pytest.mark.xfail(strict=True, reason=PENDING[call[0]])] if call[0] in PENDING else []
    return pytest.param(call, id=_desc(call), marks=marks)


@pytest.mark.parametrize("call", [_param(c) for c in ALL_CALLS])
def test_op_attributes_match_mygrads(call):
    _compare(call)


def test_catalog_covers_the_api():
    names = {c[0] for c in ALL_CALLS}
    assert {"sum", "einsum", "linalg.norm", "nnet.layers.batchnorm", "nnet.losses.focal_loss",
            "nnet.activations.elu", "nnet.layers.conv_nd"} <= names
    assert len(_catalog()) > 150


def test_einsum_cache_counts_each_operand_and_subscript():
    import mygrad_c as mg

    x, y = mg.tensor(np.ones((2, 2))), mg.tensor(np.ones((2, 2)))
    for lib, a, b in ((mygrad, mygrad.tensor(x.data), mygrad.tensor(y.data)), (mg, x, y)):
        op = lib.einsum("ij,ij,jk", a, a, b).creator
        assert op.cache == {(id(a), "ij"): 2, (id(b), "jk"): 1}


def test_batchnorm_statistics_as_mygrad_documents():
    """``y.creator.mean`` / ``.var`` are the per-channel batch statistics (MyGrad's names)."""
    import mygrad_c as mg

    x = np.random.default_rng(1).normal(size=(8, 3, 5))
    op = mg.nnet.batchnorm(x, eps=1e-5).creator
    np.testing.assert_allclose(op.mean, x.mean(axis=(0, 2)))
    np.testing.assert_allclose(op.var, x.var(axis=(0, 2)))
    np.testing.assert_allclose(op.x_norm, (x - op.mean[:, None]) / np.sqrt(op.var[:, None] + 1e-5))


# ---------------------------------------------------------------------------
# the attributes MyGrad's engine gives every op
# ---------------------------------------------------------------------------
VIEW_CALLS = [("reshape", [T("f23"), (3, 2)], {}), ("transpose", [T("f23"), 1, 0], {}),
              ("swapaxes", [T("f23"), 0, 1], {}), ("squeeze", [T("f23")], {}),
              ("expand_dims", [T("f23"), 1], {}), ("moveaxis", [T("f23"), 0, 1], {})]


@pytest.mark.parametrize("call", [c for c in ALL_CALLS if c[0] in ("sum", "einsum", "nnet.layers.batchnorm", "add")]
                         + VIEW_CALLS, ids=_desc)
def test_engine_level_attributes(call):
    ref, ours = _creator("mygrad", call), _creator("mygrad_c", call)
    for name in sorted(ENGINE_LEVEL):
        assert same_value(getattr(ours, name, "<missing>"), getattr(ref, name)), name
