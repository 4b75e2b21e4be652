"""Several bad parameters at once: the error MyGrad reports first is the one mygrad_c reports.

``tests/test_bad_input.py`` passes one bad value at a time.  Real code that is wrong is often
wrong in two places, and code ported from MyGrad may catch the error MyGrad raises there.  Each
test below calls a function with every combination of good and bad values of its parameters
(the product of the lists), in MyGrad and in mygrad_c, and compares the outcomes: the error's
type, or the result's shape and sum (after a backward pass).  Session 31 found three functions
that checked their parameters in another order than MyGrad (``conv_nd``: 1,134 of 4,410
combinations; ``hard_tanh``; ``std``'s ``keepdims``), fixed; ``conv_nd`` and ``max_pool`` have
their own such tests in ``tests/nnet``.
"""
from __future__ import annotations

import itertools

import mygrad
import numpy as np
import pytest

import mygrad_c as mg

RNG = np.random.default_rng(0)
X3 = RNG.random((2, 3, 4))
X2 = RNG.random((4, 6)) - 0.5
SCORES = RNG.random((4, 5))
LABELS = np.array([0, 1, 2, 3])


def outcome(lib, func, args, kwargs):
    """("ok", shape, rounded sum) after a backward pass, or ("error", the exception's type name;
    "OverflowError" for any of its subclasses)."""
    try:
        out = func(lib)(*args, **kwargs)
        if isinstance(out, lib.Tensor) and not out.constant:
            out.sum().backward()
        data = np.asarray(out.data if isinstance(out, lib.Tensor) else out, dtype=float)
        return "ok", data.shape, round(float(np.nansum(data)), 5) if data.size else 0.0
    except Exception as e:  # noqa: BLE001 - the error itself is what is compared
        return "error", "OverflowError" if isinstance(e, OverflowError) else type(e).__name__


AXES = [0, 1, -1, 3, -4, None, (0, 1), (0, 0), (0, 5), 1.5, "a", (1.0,), True, np.int64(1)]
KEEPDIMS = [True, False, None, "a", 2]

CASES = {
    # name: (function of the library, positional arguments, {parameter: values})
    "std": (lambda L: L.std, [X3], dict(axis=AXES, keepdims=KEEPDIMS, ddof=[0, 1, -1, 5, 1.5, None, "a"])),
    "var": (lambda L: L.var, [X3], dict(axis=AXES, keepdims=KEEPDIMS, ddof=[0, 1, -1, 5, 1.5, None, "a"])),
    "sum": (lambda L: L.sum, [X3], dict(axis=AXES, keepdims=KEEPDIMS)),
    "prod": (lambda L: L.prod, [X3], dict(axis=AXES, keepdims=KEEPDIMS)),
    "max": (lambda L: L.max, [X3], dict(axis=AXES, keepdims=KEEPDIMS)),
    "clip": (lambda L: L.clip, [X3], dict(a_min=[0.2, None, np.full(4, 0.2), np.ones(3), "a"],
                                          a_max=[0.8, None, np.full(4, 0.8), np.ones(3), "a", 0.1])),
    "swapaxes": (lambda L: L.swapaxes, [X3], dict(axis1=[0, -1, 3, None, 1.5, "a"],
                                                  axis2=[1, -4, 5, None, 1.5, "a"])),
    "moveaxis": (lambda L: L.moveaxis, [X3], dict(source=[0, (0, 1), 3, None, 1.5, (0, 0)],
                                                  destination=[1, (1, 2), -4, None, 1.5, (1,)])),
    "repeat": (lambda L: L.repeat, [X3], dict(repeats=[0, 2, -1, (1, 2, 3), (1, 2), None, 1.5],
                                              axis=[0, 1, None, 3, -4, 1.5, "a"])),
    "roll": (lambda L: L.roll, [X3], dict(shift=[0, 1, (1, 2), None, 1.5, "a"],
                                          axis=[0, None, 3, (0, 1), (0,), 1.5, "a"])),
    "concatenate": (lambda L: lambda axis, dtype: L.concatenate([X3, X3], axis=axis, dtype=dtype), [],
                    dict(axis=[0, -1, 3, None, 1.5, "a", (0,)], dtype=[None, "float32", "int64", "a"])),
    "where": (lambda L: lambda condition, y: L.where(condition, X3, y), [],
              dict(condition=[X3 > 0.5, np.ones(4, bool), np.ones(3, bool), 1, None, "a"],
                   y=[0.0, np.ones(4), np.ones(3), None, "a"])),
    "arange": (lambda L: L.arange, [], dict(start=[0, 2.5, None, "a", np.array(1)], stop=[None, 5, -1, "a"],
                                            step=[1, 0, -1, 0.5, None])),
    "linspace": (lambda L: L.linspace, [], dict(start=[0, 1.5, None, "a", np.ones(2)],
                                                stop=[1, None, np.ones(3)], num=[5, 0, -1, 1.5, None])),
    "full": (lambda L: L.full, [], dict(shape=[(2, 3), -1, (2, -1), None, 1.5, "a"],
                                        fill_value=[1.0, None, "a", np.ones(3), np.ones(4)])),
    "eye": (lambda L: L.eye, [], dict(N=[3, 0, -1, 1.5, None], M=[None, 2, -1, 1.5], k=[0, 1, -5, 1.5, None])),
    "sliding_window_view": (lambda L: L.nnet.sliding_window_view, [RNG.random((5, 6))],
                            dict(window_shape=[(2, 2), (2,), (0, 2), (7, 2), 2, None, (2.0, 2)],
                                 step=[1, 2, 0, -1, (1, 1), (1,), 1.5, None, True],
                                 dilation=[None, 1, 0, (1, 1), (1,), 1.5, "a"])),
    "batchnorm": (lambda L: L.nnet.batchnorm, [RNG.random((4, 3, 2))],
                  dict(gamma=[None, np.ones(3), np.ones((1, 3, 1)), np.ones(2), 1.0, "a"],
                       beta=[None, np.ones(3), np.ones(2), 0.0, "a"], eps=[1e-5, 0, -1, None, "a", np.ones(3)])),
    "hard_tanh": (lambda L: L.nnet.hard_tanh, [X2],
                  dict(lower_bound=[-1, 1, None, "a", np.ones(3), np.ones(1)],
                       upper_bound=[1, -1, None, "a", np.ones(3), np.ones(1)])),
    "margin_ranking_loss": (lambda L: L.nnet.margin_ranking_loss, [RNG.random(4), RNG.random(4)],
                            dict(y=[np.ones(4), -np.ones(4), np.ones(3), 2 * np.ones(4), 1, None],
                                 margin=[0.1, 0, -1, None, "a", np.ones(4)])),
    "softmax_focal_loss": (lambda L: L.nnet.softmax_focal_loss, [SCORES],
                           dict(y_true=[LABELS, LABELS[:3], LABELS.astype(float), np.array([0, 1, 2, 9]), None],
                                alpha=[1, 0.5, -1, None, "a", np.ones(4)], gamma=[0, 2, -1, None, "a"])),
    "multiclass_hinge": (lambda L: L.nnet.multiclass_hinge, [SCORES],
                         dict(y_true=[LABELS, LABELS[:3], LABELS.astype(float), None],
                              hinge=[1.0, 0, -1, None, "a", np.ones(4)])),
    "negative_log_likelihood": (lambda L: L.nnet.negative_log_likelihood, [SCORES],
                                dict(y_true=[LABELS, LABELS[:3], np.array([[0, 1, 2, 3]]), [0, 1, 2, 3]],
                                     weights=[None, np.ones(5), np.ones(4), "a", np.ones((5, 1))])),
}


@pytest.mark.parametrize("name", list(CASES))
def test_errors_in_mygrads_order(name):
    func, args, params = CASES[name]
    differ = []
    for values in itertools.product(*params.values()):
        kwargs = dict(zip(params, values))
        ref, ours = (outcome(lib, func, args, kwargs) for lib in (mygrad, mg))
        if ref == ours:
            continue
        if ref == ("error", "AttributeError") and ours[0] == "error" and ours[1] in ("ValueError", "TypeError"):
            # MyGrad fails while it formats its own message (negative_log_likelihood's
            # `y_true.shape` of a list): mygrad_c gives the error MyGrad meant
            continue
        differ.append((kwargs, ref, ours))
    assert not differ, f"{len(differ)} combinations differ, e.g. {differ[:3]}"
