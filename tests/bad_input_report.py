"""Bad-input report: every public name of ../shared/API.md driven with wrong inputs.

    python tests/bad_input_report.py [--json FILE] [--jobs N] [--only SUBSTR] [--show CAT] [--pairs | --triples]

For each function / Tensor method, cases are generated per parameter from MyGrad's
signature (each parameter's kind is read off its name: array-like, axis, shape, int,
float, bool, dtype, out, where, ...), plus hand-written cases for functions with
structured arguments (conv_nd, max_pool, einsum, gru, losses, indexing, backward, ...).
Each case is run in a worker subprocess, first in mygrad_c, then the same call in the
reference MyGrad, on freshly built inputs, and classified:

  ok_value       both return, equal values/dtypes/constant flags, equal gradients and
                 equal post-call state of the inputs
  ok_error       both raise, our exception is of MyGrad's type (or a subclass of it)
  ok_noref       MyGrad cannot run the call (gru needs numba): we return a value where
                 the case is marked valid, or raise a clear error where it is marked invalid
  ours_better    MyGrad fails with an unclear error (AttributeError, ...), we return a
                 value or raise a clear error
  crash          the worker died (segfault/abort) while running mygrad_c  (must be 0)
  hang           mygrad_c did not finish within the time limit
  silent         a silent wrong answer: we return a value that differs from MyGrad's, or a
                 value where MyGrad raises a clear error               (must be 0)
  unclear        we raise an exception that is not clear (AttributeError, KeyError,
                 AssertionError, ZeroDivisionError, ...) where MyGrad does something else,
                 or a clear type with an empty message
  type_mismatch  both raise, but a clear exception of another type than MyGrad's
  rejects_valid  MyGrad returns a value, we raise a clear exception
  ref_crash      the reference crashed (not our bug; listed for information)

Worker processes run many cases each; a worker that dies is restarted after the case
that killed it.  The last started case of a dead worker is the crash.
"""
from __future__ import annotations

import argparse
import json
import math
import re
import os
import selectors
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as _np

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

CASE_TIMEOUT = 30.0


# ---------------------------------------------------------------------------
# input specs: built afresh in each library for each call
# ---------------------------------------------------------------------------
class I:
    """A raw (non-tensor) input made by ``make_raw(key)``."""

    def __init__(self, key):
        self.key = key

    def __repr__(self):
        return f"I({self.key})"


class T:
    """A tensor input: ``lib.tensor(make_raw(key))`` (or a special tensor, see make_tensor)."""

    def __init__(self, key):
        self.key = key

    def __repr__(self):
        return f"T({self.key})"


class Op:
    """An Operation subclass defined against the library under test (for execute_op)."""

    def __init__(self, key):
        self.key = key

    def __repr__(self):
        return f"Op({self.key})"


def make_raw(key, tmpdir):
    import numpy as np

    f23 = np.linspace(0.1, 0.9, 6).reshape(2, 3)
    if key == "f23":
        return f23
    if key == "f3":
        return np.array([0.2, 0.5, 0.7])
    if key == "f32":
        return f23.astype(np.float32)
    if key == "f32x":
        return np.linspace(-0.9, 0.9, 6).reshape(3, 2)
    if key == "f33":
        return np.linspace(-0.9, 0.9, 9).reshape(3, 3)
    if key == "f16":
        return f23.astype(np.float16)
    if key == "f234":
        return np.linspace(0.05, 0.95, 24).reshape(2, 3, 4)
    if key == "i23":
        return np.arange(6).reshape(2, 3)
    if key == "b23":
        return np.array([[True, False, True], [False, True, False]])
    if key == "0d":
        return np.array(0.5)
    if key == "npscalar":
        return np.float64(0.5)
    if key == "empty0":
        return np.empty((0,))
    if key == "empty03":
        return np.empty((0, 3))
    if key == "nan":
        return np.array([[np.nan, np.inf, -np.inf], [0.0, -1.0, 1.0]])
    if key == "noncontig":
        return np.linspace(0.1, 0.9, 12).reshape(2, 6)[:, ::2]
    if key == "negstride":
        return f23[::-1, ::-1]
    if key == "fortran":
        return np.asfortranarray(f23)
    if key == "readonly":
        a = f23.copy()
        a.flags.writeable = False
        return a
    if key == "bigendian":
        return f23.astype(">f8")
    if key == "obj":
        return np.array([1.0, "a", None], dtype=object)
    if key == "objnum":
        return f23.astype(object)
    if key == "complex":
        return f23 + 1j
    if key == "str_arr":
        return np.array(["a", "b"])
    if key == "datetime":
        return np.array(["2020-01-01", "2020-01-02"], dtype="datetime64[D]")
    if key == "ragged":
        return [[1.0, 2.0], [3.0]]
    if key == "list23":
        return f23.tolist()
    if key == "wrong57":
        return np.ones((5, 7))
    if key == "bwrong":
        return np.ones((5, 7), dtype=bool)
    if key == "axisarr":
        return np.array([0, 1])
    if key == "shapearr":
        return np.array([2, 3])
    if key == "intarr":
        return np.array([1, 2])
    if key == "boolarr":
        return np.array([True, False])
    if key == "npTrue":
        return np.True_
    if key == "npint":
        return np.int64(1)
    if key == "object":
        return object()
    if key == "func":
        return lambda *a, **k: None
    if key == "tmpfile":
        return os.path.join(tmpdir, "t.npz")
    if key == "textfile":
        p = os.path.join(tmpdir, "text.txt")
        with open(p, "w") as f:
            f.write("not an archive")
        return p
    if key == "missingfile":
        return os.path.join(tmpdir, "missing", "none.npz")
    # conv / pool / loss shaped inputs
    rng = np.random.default_rng(0)
    if key == "x_nchw":
        return rng.uniform(-1, 1, (2, 1, 5, 5))
    if key == "w_fchw":
        return rng.uniform(-1, 1, (3, 1, 2, 2))
    if key == "w_bad_c":
        return rng.uniform(-1, 1, (3, 2, 2, 2))
    if key == "w_big":
        return rng.uniform(-1, 1, (3, 1, 7, 7))
    if key == "x_1d":
        return rng.uniform(-1, 1, (2, 1, 6))
    if key == "w_1d":
        return rng.uniform(-1, 1, (2, 1, 3))
    if key == "scores":
        return rng.uniform(-1, 1, (4, 3))
    if key == "probs":
        s = rng.uniform(0.1, 1, (4, 3))
        return s / s.sum(axis=1, keepdims=True)
    if key == "labels":
        return np.array([0, 2, 1, 2])
    if key == "labels_oob":
        return np.array([0, 3, 1, 2])
    if key == "labels_neg":
        return np.array([0, -1, 1, 2])
    if key == "labels_float":
        return np.array([0.0, 2.0, 1.0, 2.0])
    if key == "labels_short":
        return np.array([0, 2, 1])
    if key == "labels_2d":
        return np.array([[0, 2, 1, 2]])
    if key == "pm1":
        return np.array([1.0, -1.0, 1.0, -1.0])
    if key == "v4":
        return rng.uniform(-1, 1, (4,))
    if key == "w3":
        return np.array([1.0, 2.0, 0.5])
    # gru: T=3 steps, N=2 batch, C=2 features, D=3 hidden
    if key == "gX":
        return rng.uniform(-1, 1, (3, 2, 2))
    if key == "gU":
        return rng.uniform(-1, 1, (2, 3))
    if key == "gW":
        return rng.uniform(-1, 1, (3, 3))
    if key == "gb":
        return rng.uniform(-1, 1, (3,))
    if key == "gs0":
        return rng.uniform(-1, 1, (2, 3))
    if key == "gU_bad":
        return rng.uniform(-1, 1, (4, 3))
    if key == "gW_bad":
        return rng.uniform(-1, 1, (3, 4))
    if key == "gX2d":
        return rng.uniform(-1, 1, (3, 2))
    if key == "gX_empty":
        return np.empty((0, 2, 2))
    if key == "gs0_bad":
        return rng.uniform(-1, 1, (5, 3))
    if key == "idx_oob":
        return np.array([0, 7])
    if key == "idx_neg_oob":
        return np.array([-9])
    if key == "idx_float":
        return np.array([0.0, 1.0])
    if key == "idx_bool_bad":
        return np.array([True, False, True, True])
    if key == "idx_bool":
        return np.array([True, False])
    if key == "idx_dup":
        return np.array([0, 0, 1])
    raise KeyError(key)


def make_tensor(lib, key, tmpdir):
    import numpy as np

    if key == "view":
        return lib.tensor(np.linspace(0.1, 0.9, 12).reshape(2, 6))[:, ::2]
    if key == "graph":
        return lib.tensor(make_raw("f23", tmpdir)) * 2.0
    if key == "const":
        return lib.tensor(make_raw("f23", tmpdir), constant=True)
    return lib.tensor(make_raw(key, tmpdir))


def make_op(lib, key):
    import numpy as np

    base = lib.operation_base.Operation
    if key == "good":
        class Square(base):
            def __call__(self, a):
                self.variables = (a,)
                return a.data ** 2

            def backward_var(self, grad, index, **kwargs):
                return 2 * grad * self.variables[0].data
        return Square
    if key == "badgrad_shape":
        class BadShape(base):
            def __call__(self, a):
                self.variables = (a,)
                return a.data * 1.0

            def backward_var(self, grad, index, **kwargs):
                return np.ones((7, 7))
        return BadShape
    if key == "returns_list":
        class ReturnsList(base):
            def __call__(self, a):
                self.variables = (a,)
                return [1.0, 2.0]

            def backward_var(self, grad, index, **kwargs):
                return grad
        return ReturnsList
    if key == "no_variables":
        class NoVariables(base):
            def __call__(self, a):
                return a.data * 1.0

            def backward_var(self, grad, index, **kwargs):
                return grad
        return NoVariables
    raise KeyError(key)


def build(spec, lib, tmpdir):
    if isinstance(spec, I):
        return make_raw(spec.key, tmpdir)
    if isinstance(spec, T):
        return make_tensor(lib, spec.key, tmpdir)
    if isinstance(spec, Op):
        return make_op(lib, spec.key)
    if isinstance(spec, list):
        return [build(s, lib, tmpdir) for s in spec]
    if isinstance(spec, tuple):
        return tuple(build(s, lib, tmpdir) for s in spec)
    if isinstance(spec, dict):
        return {k: build(v, lib, tmpdir) for k, v in spec.items()}
    return spec


def spec_repr(v):
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return f"float('{v}')"
    if isinstance(v, type):
        return getattr(v, "__name__", repr(v))
    return repr(v)


# ---------------------------------------------------------------------------
# bad values per parameter kind
# ---------------------------------------------------------------------------
ARRAY_BAD = ["abc", None, I("obj"), I("objnum"), I("complex"), I("str_arr"), I("datetime"),
             I("ragged"), I("empty0"), I("empty03"), I("0d"), I("npscalar"), I("nan"),
             I("noncontig"), I("negstride"), I("fortran"), I("readonly"), I("bigendian"),
             I("i23"), I("b23"), I("f16"), I("f32"), I("wrong57"), I("f234"), I("list23"),
             T("nan"), T("empty03"), T("0d"), T("i23"), T("f32"), T("view"), T("graph"),
             T("const"), I("object"), {}, 1.5, True]
AXIS_BAD = [5, -5, (0, 0), (0, 5), (1, -1), "a", 1.5, [0], I("axisarr"), True, 10 ** 20,
            None, -1, (), I("npint")]
SHAPE_BAD = [-3, (-1,), (2, -2), "ab", (2.5,), (), [2, None], 10 ** 20, (10 ** 10, 10 ** 10),
             (0,), I("shapearr"), ((2,),), None, 2.0, (2, 3, 0), (3, 2), 6]
INT_BAD = [-1, -2, 0, 10 ** 20, 1.5, "3", None, float("nan"), True, I("intarr"), I("npint"), 2.0]
FLOAT_BAD = ["a", None, float("nan"), float("inf"), -1.0, 0.0, I("f3"), 1e308, 1j, T("0d")]
BOOL_BAD = ["yes", None, 2, I("boolarr"), 1.5, I("npTrue")]
DTYPE_BAD = ["foo", complex, object, "S3", "U", "int8", "float16", None, 5, "datetime64", bool]
OUT_BAD = [I("wrong57"), I("readonly"), I("i23"), "abc", [1.0, 2.0], T("wrong57"), T("const"),
           I("f23"), T("f32"), T("f23"), I("noncontig")]
WHERE_BAD = ["abc", I("bwrong"), I("i23"), None, I("b23"), I("ragged"), False]
STR_BAD = ["nope", None, 3]
FILE_BAD = [I("object"), None, 3, I("missingfile"), I("textfile")]
FUNC_BAD = ["abc", None, 3, I("func")]
ORD_BAD = ["fro", "nuc", 0, -1, 1, 3, float("inf"), float("-inf"), "abc", 1.5, None, 2, -2]
GENERIC_BAD = [None, "abc", I("object")]

KIND_VALUES = dict(array=ARRAY_BAD, axis=AXIS_BAD, shape=SHAPE_BAD, int=INT_BAD, float=FLOAT_BAD,
                   bool=BOOL_BAD, dtype=DTYPE_BAD, out=OUT_BAD, where=WHERE_BAD, str=STR_BAD,
                   file=FILE_BAD, func=FUNC_BAD, ord=ORD_BAD, generic=GENERIC_BAD)

PARAM_KIND = {}
for _k, _names in dict(
        array="x a x1 x2 other arr_like t condition y class_probs targets scores y_true weights beta "
              "filter_bank arr start stop fill_value a_min a_max grad X Uz Wz bz Ur Wr br Uh Wh bh s0 "
              "variables tensors input_vars item value from_ dst src b fin tensor operands "
              "arrays_and_dtypes inputs",
        axis="axis axis1 axis2 source destination axes",
        shape="shape newshape pool window_shape",
        int="N M k n num ddof minlength ndmin repeats shift seed_number low high max_work bp_lim step "
            "dilation stride padding",
        float="alpha margin hinge eps slope gain mean std lower_bound upper_bound base rtol atol dropout",
        bool="keepdims endpoint constant copy optimize equal_nan nan_to_num to_numpy render save dims "
             "dtypes sum_stats clear_graph _clear_view_info subok",
        dtype="dtype to",
        out="out",
        where="where",
        str="casting order method",
        file="file",
        func="func Op ufunc",
        ord="ord").items():
    for _n in _names.split():
        PARAM_KIND[_n] = _k

# per-(function, parameter) kind overrides
KIND_OVERRIDE = {
    ("nnet.losses.focal_loss", "gamma"): "float",
    ("nnet.losses.softmax_focal_loss", "gamma"): "float",
    ("nnet.layers.batchnorm", "gamma"): "array",
    ("nnet.layers.batchnorm", "beta"): "array",
    ("nnet.initializers.constant", "value"): "float",
    ("nnet.initializers.normal", "mean"): "float",
    ("nnet.initializers.normal", "std"): "float",
    ("full_like", "fill_value"): "float",
    ("Tensor.__setitem__", "key"): "index",
    ("Tensor.__getitem__", "item"): "index",
    ("Tensor.__contains__", "item"): "array",
    ("random.randint", "dtype"): "dtype",
    ("nnet.layers.max_pool", "stride"): "int",
    ("nnet.layers.conv_nd", "stride"): "int",
    ("arange", "args"): "int",
    ("repeat", "repeats"): "int",
    ("roll", "shift"): "int",
    ("reshape", "newshape"): "shape",
    ("Tensor.reshape", "newshape"): "shape",
    ("sliding_window_view", "step"): "int",
    ("sliding_window_view", "dilation"): "int",
}
INDEX_BAD = [5, -5, 1.5, "a", None, (0, 0, 0), (Ellipsis, Ellipsis), [0, 7], I("idx_oob"),
             I("idx_neg_oob"), I("idx_float"), I("idx_bool_bad"), I("idx_bool"), I("idx_dup"),
             slice(None, None, 0), slice("a", None), T("i23"), T("f23"), [[0, 1], [1]], {},
             (slice(None), 3), (slice(None), I("idx_dup")), I("b23"), T("b23"), 10 ** 20,
             I("empty0"), ()]
KIND_VALUES["index"] = INDEX_BAD

# required arguments of the base (valid) call of each name: (args, kwargs[, self])
BASE = {
    "Tensor": ([I("f23")], {}),
    "add_sequence": ([T("f23"), T("f23"), T("f23")], {}),
    "multiply_sequence": ([T("f23"), T("f23"), T("f23")], {}),
    "arange": ([1, 7, 2], {}),
    "asarray": ([T("f23")], {}),
    "atleast_1d": ([T("0d"), T("f23")], {}),
    "atleast_2d": ([T("0d"), T("f3")], {}),
    "atleast_3d": ([T("f3"), T("f23")], {}),
    "bincount": ([I("labels")], {}),
    "broadcast_to": ([T("f3"), (2, 3)], {}),
    "can_cast": ([I("f23"), "float32"], {}),
    "clip": ([T("f23"), 0.2, 0.6], {}),
    "concatenate": ([[T("f23"), T("f23")]], {}),
    "stack": ([[T("f23"), T("f23")]], {}),
    "copyto": ([I("f23"), T("f23")], {}),
    "empty": ([(2, 3)], {}),
    "empty_like": ([T("f23")], {}),
    "execute_op": ([Op("good"), T("f23")], {}),
    "expand_dims": ([T("f23"), 1], {}),
    "eye": ([3], {}),
    "full": ([(2, 3), 1.5], {}),
    "full_like": ([T("f23"), 1.5], {}),
    "geomspace": ([1.0, 8.0], {"num": 4}),
    "linspace": ([0.0, 1.0], {"num": 5}),
    "logspace": ([0.0, 2.0], {"num": 3}),
    "identity": ([3], {}),
    "load": ([I("tmpfile")], {}),
    "save": ([I("tmpfile"), T("f23")], {}),
    "mem_guard_off": ([I("func")], {}),
    "mem_guard_on": ([I("func")], {}),
    "no_autodiff": ([I("func")], {}),
    "moveaxis": ([T("f23"), 0, 1], {}),
    "multi_matmul": ([[T("f23"), T("f32x"), T("f23")]], {}),
    "ones": ([(2, 3)], {}),
    "zeros": ([(2, 3)], {}),
    "ones_like": ([T("f23")], {}),
    "zeros_like": ([T("f23")], {}),
    "repeat": ([T("f23"), 2], {}),
    "reshape": ([T("f23"), (3, 2)], {}),
    "result_type": ([I("f23"), "float32"], {}),
    "roll": ([T("f23"), 1], {}),
    "sliding_window_view": ([I("f234"), (2, 2), 1], {}),
    "swapaxes": ([T("f23"), 0, 1], {}),
    "tensor": ([I("f23")], {}),
    "astensor": ([I("f23")], {}),
    "transpose": ([T("f23"), 1, 0], {}),
    "where": ([I("b23"), T("f23"), T("f23")], {}),
    "min_scalar_type": ([I("f23")], {}),
    "shape": ([T("f23")], {}),
    "linalg.norm": ([T("f23")], {}),
    "nnet.activations.elu": ([T("f23"), 0.5], {}),
    "nnet.activations.leaky_relu": ([T("f23"), 0.1], {}),
    "nnet.layers.batchnorm": ([T("f234")], {"eps": 1e-5}),
    "nnet.layers.conv_nd": ([T("x_nchw"), T("w_fchw")], {"stride": 1}),
    "nnet.layers.max_pool": ([T("x_nchw"), (2, 2), 1], {}),
    "nnet.losses.focal_loss": ([T("probs"), I("labels")], {}),
    "nnet.losses.softmax_focal_loss": ([T("scores"), I("labels")], {}),
    "nnet.losses.margin_ranking_loss": ([T("v4"), T("v4"), I("pm1"), 0.5], {}),
    "nnet.losses.multiclass_hinge": ([T("scores"), I("labels")], {}),
    "nnet.losses.negative_log_likelihood": ([T("scores"), I("labels")], {}),
    "nnet.losses.softmax_crossentropy": ([T("scores"), I("labels")], {}),
    "nnet.initializers.constant": ([2, 3], {}),
    "nnet.initializers.dirac": ([2, 2, 3], {}),
    "nnet.initializers.glorot_normal": ([2, 3], {}),
    "nnet.initializers.glorot_uniform": ([2, 3], {}),
    "nnet.initializers.he_normal": ([2, 3], {}),
    "nnet.initializers.he_uniform": ([2, 3], {}),
    "nnet.initializers.identity": ([3], {}),
    "nnet.initializers.normal": ([2, 3], {}),
    "nnet.initializers.uniform": ([2, 3], {}),
    "random.rand": ([2, 3], {}),
    "random.randn": ([2, 3], {}),
    "random.randint": ([0, 5], {"shape": (2, 3)}),
    "random.random": ([(2, 3)], {}),
    "random.random_sample": ([(2, 3)], {}),
    "random.ranf": ([(2, 3)], {}),
    "random.sample": ([(2, 3)], {}),
    "random.seed": ([3], {}),
    "computational_graph.build_graph": ([T("graph")], {"render": False}),
    "nnet.layers.gru.gru": ([T("gX"), T("gU"), T("gW"), T("gb"), T("gU"), T("gW"), T("gb"),
                             T("gU"), T("gW"), T("gb")], {}),
    # Tensor methods (self is T(f23) unless a third element says otherwise)
    "Tensor.__getitem__": ([(0, slice(None))], {}),
    "Tensor.__setitem__": ([(0, 1), 5.0], {}),
    "Tensor.__contains__": ([0.5], {}),
    "Tensor.__array_function__": ([_np.shape, (), (T("f23"),), {}], {}),
    "Tensor.__array_ufunc__": ([_np.sin, "__call__", T("f23")], {}),
    "Tensor.__init__": ([I("f23")], {}),
    "Tensor.__imatmul__": ([T("f33")], {}, T("f33")),
    "matmul": ([T("f23"), T("f32x")], {}),
    "Tensor.__matmul__": ([I("f32x")], {}),
    "Tensor.__float__": ([], {}, T("0d")),
    "Tensor.__int__": ([], {}, T("0d")),
    "Tensor.__index__": ([], {}, T("0d")),
    "Tensor.item": ([], {}, T("0d")),
    "Tensor.astype": (["float32"], {}),
    "Tensor.clip": ([0.2, 0.6], {}),
    "Tensor.moveaxis": ([0, 1], {}),
    "Tensor.swapaxes": ([0, 1], {}),
    "Tensor.reshape": ([3, 2], {}),
    "Tensor.transpose": ([1, 0], {}),
}
BASE["einsum"] = (["ij,kj->ik", T("f23"), T("f23")], {})
BASE["multi_matmul"] = ([[T("f23"), T("f32x"), T("f23")]], {})
BASE["Tensor.__matmul__"] = ([I("f32x")], {})
BASE["Tensor.__rmatmul__"] = ([I("f32x")], {})

PROPERTIES = {"T", "base", "constant", "creator", "dtype", "grad", "ndim", "shape", "size"}
# names whose results are not comparable by value (uninitialised memory)
NO_VALUE_COMPARE = {"empty", "empty_like"}
# names whose reference is unavailable: MyGrad's gru imports numba (a test extra; without it
# the gru cases are judged by the expectation written with each)
try:
    import numba  # noqa: F401
    NOREF = set()
except ImportError:
    NOREF = {"nnet.layers.gru.gru"}

# Cases where mygrad_c deliberately differs from MyGrad because MyGrad's value or gradient is
# wrong (nan where the math is finite, or a finite but wrong number).  Each entry: a regex that
# must match the case's description *fully*, the kind of difference it excuses ("values" or
# "grads": only differences of that kind are excused; an exception on either side is never),
# and the reason.  Keep the patterns tight: everything else stays "silent".
OURS_BETTER = [
    (r"nnet\.activations\.relu\([IT]\(nan\)\)", "values",
     "relu(-inf) = 0; MyGrad gives nan (it computes x * (x > 0))"),
    (r"nnet\.activations\.leaky_relu\(T\(f23\), float\('(nan|inf)'\)(, constant=None)?\)", "values",
     "positive inputs give x whatever the slope; MyGrad gives nan there (max(x,0) + slope*min(x,0))"),
    (r"nnet\.activations\.soft_sign\([IT]\(nan\)\)", "values",
     "soft_sign(+-inf) = +-1 with gradient 0; MyGrad gives nan (inf / inf)"),
    (r"nnet\.losses\.softmax_focal_loss\(T\(scores\), I\(labels\), alpha=(float\('inf'\)|1e\+308)\)", "grads",
     "the gradient is alpha times the alpha=1 gradient (finite for alpha=1e308, -inf on the true class "
     "for inf); MyGrad gives nan on the true class and inf elsewhere"),
    (r"(T\(nan\)\.cumprod\(\)|cumprod\(T\(nan\)\))", "grads",
     "the gradient of cumprod is computed without dividing by x: MyGrad's is wrong where the "
     "math is finite (d/dx0 sum(cumprod([nan, 1, 2])) = 1 + x1 + x1*x2 = 4, MyGrad 3; inf inputs "
     "give finite entries, MyGrad nan)"),
]


def ours_better(c, kind):
    for pat, k, why in OURS_BETTER:
        if k == kind and re.fullmatch(pat, c["desc"]):
            return why
    return None


# ---------------------------------------------------------------------------
# case generation
# ---------------------------------------------------------------------------
def qualname(module, name):
    mod = module[len("mygrad_c"):].lstrip(".")
    if mod == "Tensor":
        return f"Tensor.{name}"
    return f"{mod}.{name}" if mod else name


def resolve(qual, lib):
    import importlib

    parts = qual.split(".")
    if len(parts) > 1:
        try:  # a module path first (mygrad_c.nnet.layers.gru is both a module and a function)
            return getattr(importlib.import_module(".".join([lib] + parts[:-1])), parts[-1])
        except (ImportError, AttributeError):
            pass
    root = importlib.import_module(lib)
    obj = root
    for i, part in enumerate(parts):
        if not hasattr(obj, part):
            obj = importlib.import_module(".".join([lib] + parts[: i + 1]))
        else:
            obj = getattr(obj, part)
    return obj


def signature_params(qual):
    import inspect

    lib = "mygrad_c" if qual in NOREF else "mygrad"
    try:
        obj = resolve(qual, lib)
        sig = inspect.signature(obj)
    except Exception:
        return None
    return [p for p in sig.parameters.values() if p.name not in ("self", "_creator", "_base")]


def _kind(qual, pname):
    return KIND_OVERRIDE.get((qual, pname)) or PARAM_KIND.get(pname, "generic")


def _ufunc_base(qual):
    import mygrad

    obj = getattr(mygrad, qual, None)
    nin = getattr(obj, "nin", None)
    if nin == 1:
        return [T("f23")]
    if nin == 2:
        return [T("f23"), T("f23")]
    return None


def base_call(qual, params):
    """(args, kwargs, self_spec) of a valid call."""
    b = BASE.get(qual)
    if b is not None:
        args, kwargs = list(b[0]), dict(b[1])
        self_spec = b[2] if len(b) > 2 else T("f23")
        return args, kwargs, self_spec
    if "." not in qual:
        ub = _ufunc_base(qual)
        if ub is not None:
            return ub, {}, None
    args = []
    import inspect

    for p in params or []:
        if p.default is not inspect.Parameter.empty or p.kind in (p.VAR_KEYWORD,):
            continue
        k = _kind(qual, p.name)
        if p.kind == p.VAR_POSITIONAL:
            args.append(T("f23") if k == "array" else 2)
            continue
        args.append({"array": T("f23"), "axis": 0, "shape": (2, 3), "int": 2, "float": 0.5,
                     "bool": False, "dtype": "float32"}.get(k, T("f23")))
    return args, {}, T("f23")


def make_cases(items=None):
    """All cases: dicts with name, desc, args, kwargs, self (spec), expect (for NOREF)."""
    import inspect

    from test_api_surface import _api_items

    if items is None:
        items = _api_items()
    cases = []

    def add(qual, args, kwargs, self_spec=None, note="", expect=None, method=None):
        cases.append(dict(name=qual, args=args, kwargs=kwargs, self=self_spec, note=note,
                          expect=expect, method=method))

    for module, name in items:
        qual = qualname(module, name)
        params = signature_params(qual)
        is_method = qual.startswith("Tensor.")
        args, kwargs, self_spec = base_call(qual, params)
        if not is_method:
            self_spec = None
        add(qual, args, kwargs, self_spec, note="valid base call",
            expect="value" if qual in NOREF else None)
        if params is None:  # constants, properties, types without signature
            if is_method:
                for s in SELF_BAD:
                    add(qual, [], {}, s, note="self")
            continue
        if is_method:
            for s in SELF_BAD:
                add(qual, args, kwargs, s, note="self")
        for pos, p in enumerate(params):
            if p.kind == p.VAR_KEYWORD:
                continue
            k = _kind(qual, p.name)
            values = KIND_VALUES[k]
            for v in values:
                a, kw = list(args), dict(kwargs)
                if p.kind == p.VAR_POSITIONAL:
                    # replace the whole *args by one bad value, and append one bad value
                    add(qual, a[:pos] + [v], kw, self_spec, note=f"*{p.name}",
                        expect="error" if qual in NOREF else None)
                    continue
                if pos < len(a) and p.kind != p.KEYWORD_ONLY:
                    a[pos] = v
                elif p.kind == p.POSITIONAL_ONLY:
                    if pos != len(a):
                        continue
                    a.append(v)
                else:
                    kw[p.name] = v
                add(qual, a, kw, self_spec, note=p.name,
                    expect=noref_expect(p, v) if qual in NOREF else None)
    cases.extend(hand_cases())
    for i, c in enumerate(cases):
        c["id"] = i
        c["desc"] = describe(c)
    return cases


# --pairs: two parameters bad at once, a few values of each kind that fail in different ways
PAIR_VALUES = dict(array=["abc", None, I("complex")], axis=[5, "a", 1.5], shape=[-3, "ab", (2.5,)],
                   int=[-1, 1.5, None], float=["a", None, float("nan")], bool=["yes", None, 2],
                   dtype=["foo", None, complex], out=[I("wrong57"), "abc", T("wrong57"), I("readonly")], where=["abc", I("bwrong")],
                   str=["nope", None], file=[None, 3], func=["abc", None], ord=["abc", 1.5],
                   generic=[None, "abc"], index=[5, 1.5, "a"])


def make_pair_cases(items=None, k=2):
    """Cases with two parameters bad at once (every pair of a callable's named parameters;
    ``k=3``: every three, two values each): which error comes first must be MyGrad's
    (tests/test_error_order.py holds the ones fixed)."""
    from itertools import combinations, product

    from test_api_surface import _api_items

    cases = []
    for module, name in (items if items is not None else _api_items()):
        qual = qualname(module, name)
        if qual in NOREF:
            continue
        params = signature_params(qual)
        if not params:
            continue
        args, kwargs, self_spec = base_call(qual, params)
        if not qual.startswith("Tensor."):
            self_spec = None
        named = [(pos, p) for pos, p in enumerate(params) if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
                 and not any(q.kind == q.VAR_POSITIONAL for q in params[:pos])]
        for chosen in combinations(named, k):
            # (three at once: the first two values of each kind)
            pools = [PAIR_VALUES[_kind(qual, p.name)][:2 if k > 2 else None] for _, p in chosen]
            for values in product(*pools):
                a, kw = list(args), dict(kwargs)
                ok = True
                for (pos, p), v in zip(chosen, values):
                    if pos < len(a) and p.kind != p.KEYWORD_ONLY:
                        a[pos] = v
                    elif p.kind == p.POSITIONAL_ONLY:
                        ok = ok and pos == len(a)
                        a.append(v)
                    else:
                        kw[p.name] = v
                if ok:
                    cases.append(dict(name=qual, args=a, kwargs=kw, self=self_spec,
                                      note="+".join(p.name for _, p in chosen), expect=None, method=None))
    for i, c in enumerate(cases):
        c["id"] = i
        c["desc"] = describe(c)
    return cases


NOREF_INVALID = {repr(v) for v in ["abc", I("obj"), I("complex"), I("str_arr"), I("datetime"),
                                   I("ragged"), I("empty0"), I("empty03"), I("0d"), I("npscalar"),
                                   I("wrong57"), I("f234"), I("object"), {}, 1.5, True, "yes", 2,
                                   I("boolarr"), -1, 10 ** 20, "3", -2, "a", float("nan"),
                                   float("inf"), 1j, I("f3"), I("intarr")]}


def noref_expect(p, v):
    """What a gru call with ``v`` for parameter ``p`` must do (MyGrad's gru needs numba)."""
    if v is None:
        return "any" if p.default is not p.empty else "error"
    if p.name == "dropout" and isinstance(v, float) and 0 <= v < 1:
        return "any"
    return "error" if repr(v) in NOREF_INVALID else "any"


SELF_BAD = [T("0d"), T("empty03"), T("empty0"), T("nan"), T("i23"), T("b23"), T("f16"), T("f32"),
            T("f234"), T("f3"), T("view"), T("graph"), T("const"), T("bigendian"), T("negstride")]


def hand_cases():
    out = []

    def add(qual, args, kwargs=None, self_spec=None, note="hand", expect=None, method=None):
        out.append(dict(name=qual, args=list(args), kwargs=kwargs or {}, self=self_spec, note=note,
                        expect=expect, method=method))

    conv = "nnet.layers.conv_nd"
    x, w = T("x_nchw"), T("w_fchw")
    for kw in [dict(stride=0), dict(stride=-1), dict(stride=(1,)), dict(stride=(1, 1, 1)),
               dict(stride=1.5), dict(stride=(1, 0)), dict(stride=1, padding=-1),
               dict(stride=1, padding=(1,)), dict(stride=1, padding=(1, 1, 1)),
               dict(stride=1, padding=10), dict(stride=1, dilation=0), dict(stride=1, dilation=-2),
               dict(stride=1, dilation=(1, 1, 1)), dict(stride=1, dilation=5), dict(stride=3),
               dict(stride=10), dict(stride=(2, 1), padding=(0, 2), dilation=(2, 1)),
               dict(stride=1, padding=(1, 0))]:
        add(conv, [x, w], kw)
    for xs, ws in [(x, T("w_bad_c")), (x, T("w_big")), (T("x_1d"), T("w_1d")), (T("x_1d"), w),
                   (x, T("w_1d")), (T("f23"), T("f23")), (T("0d"), w), (x, T("0d")),
                   (I("noncontig"), I("negstride")), (T("empty03"), w), (I("x_nchw"), I("w_fchw")),
                   (T("f234"), T("f234"))]:
        add(conv, [xs, ws], dict(stride=1))
    add(conv, [T("x_1d"), T("w_1d")], dict(stride=2, padding=1, dilation=2))
    pool = "nnet.layers.max_pool"
    for a in [((2, 2), 0), ((2, 2), -1), ((0, 2), 1), ((-1, 2), 1), ((2,), 1), ((2, 2, 2, 2, 2), 1),
              ((6, 6), 1), ((2, 2), (1,)), ((2, 2), (1, 1, 1)), ((2, 2), 1.5), (2, 1), ("ab", 1),
              ((2, 2), 10), ((5, 5), 1), ((1, 1), 1), ((2, 2), (0, 1)), ((2.0, 2.0), 1)]:
        add(pool, [T("x_nchw"), a[0], a[1]])
    for xs in [T("x_1d"), T("f3"), T("0d"), T("empty03"), I("noncontig"), I("negstride"), T("i23"),
               T("nan"), I("bigendian")]:
        add(pool, [xs, (2,), 1])
        add(pool, [xs, (2, 2), 1])
    ein = "einsum"
    for a in [("ij->", T("f23")), ("ij,jk->ik", T("f23"), T("f23")), ("ij,jk", T("f23")),
              ("ii->i", T("f23")), ("ijk->", T("f23")), ("i->", T("0d")), ("ij->kk", T("f23")),
              ("ij->ii", T("f23")), ("ab!c", T("f23")), ("", T("f23")), ("->", T("0d")),
              ("ij,ij->ij", T("f23"), T("wrong57")), ("...i->...", T("f234")),
              ("...ij,...jk", T("f234"), T("f3")), ("ij->j", "abc"), ("ij->j", None),
              ("ij->j", I("complex")), ("ij->j", I("obj")), ("ij->j", I("negstride")),
              ("ij->j", I("bigendian")), ("ij,jk->ik",), (T("f23"), [0, 1], [1]),
              (T("f23"), [0, 1], T("f23"), [1, 2], [0, 2]), (T("f23"), ["a", 1]),
              (T("f23"), [0, 1, 2]), ("ij->ji", T("nan")), ("ij->i", T("empty03")),
              ("ij->ij", T("f23"), T("f23"))]:
        add(ein, list(a))
    add(ein, ["ij->j", T("f23")], dict(optimize="nope"))
    add(ein, ["ij->j", T("f23")], dict(out=I("wrong57")))
    add(ein, ["ij->j", T("f23")], dict(out=I("f3")))
    # losses
    for name in ["nnet.losses.softmax_crossentropy", "nnet.losses.multiclass_hinge",
                 "nnet.losses.negative_log_likelihood", "nnet.losses.softmax_focal_loss"]:
        for xs, ys in [(T("scores"), I("labels_oob")), (T("scores"), I("labels_neg")),
                       (T("scores"), I("labels_float")), (T("scores"), I("labels_short")),
                       (T("scores"), I("labels_2d")), (T("scores"), T("labels")),
                       (T("v4"), I("labels")), (T("f234"), I("labels")), (T("0d"), I("labels")),
                       (T("empty03"), I("empty0")), (T("nan"), I("labels_short")),
                       (T("scores"), [0, 2, 1, 2]), (T("scores"), "abc"), (T("scores"), I("probs"))]:
            add(name, [xs, ys])
    nll = "nnet.losses.negative_log_likelihood"
    for wv in [I("w3"), I("f23"), I("i23"), T("w3"), I("empty0"), [1.0, 2.0]]:
        add(nll, [T("scores"), I("labels")], dict(weights=wv))
    for name in ["nnet.losses.focal_loss"]:
        for xs, ys in [(T("probs"), I("labels_oob")), (T("probs"), I("labels_neg")),
                       (T("probs"), I("labels_float")), (T("probs"), I("labels_short")),
                       (T("v4"), I("labels")), (T("scores"), I("labels")),
                       (T("nan"), I("labels_short"))]:
            add(name, [xs, ys])
            add(name, [xs, ys], dict(gamma=2.0))
    mrl = "nnet.losses.margin_ranking_loss"
    for a in [(T("v4"), T("f3"), I("pm1"), 0.5), (T("f23"), T("f23"), I("pm1"), 0.5),
              (T("v4"), T("v4"), I("labels"), 0.5), (T("v4"), T("v4"), I("f3"), 0.5),
              (T("v4"), T("v4"), 1.0, 0.5), (T("v4"), T("v4"), I("pm1"), -1.0),
              (T("f23"), T("f23"), I("f3"), 0.5), (T("0d"), T("0d"), 1, 0.5),
              (T("empty0"), T("empty0"), I("empty0"), 0.5), (T("v4"), T("v4"), I("pm1"), I("f3"))]:
        add(mrl, list(a))
    bn = "nnet.layers.batchnorm"
    for kw in [dict(eps=1e-5, gamma=I("f3")), dict(eps=1e-5, gamma=T("f3")),
               dict(eps=1e-5, beta=T("f3")), dict(eps=1e-5, gamma=I("wrong57")),
               dict(eps=-1.0), dict(eps=0.0), dict(eps=1e-5, gamma=1.0, beta=0.0)]:
        add(bn, [T("f234")], kw)
    for xs in [T("f3"), T("0d"), T("empty03"), T("f23")]:
        add(bn, [xs], dict(eps=1e-5))
    # gru: the reference needs numba; cases say what is expected
    g = "nnet.layers.gru.gru"
    U, W, bb = T("gU"), T("gW"), T("gb")
    good = [T("gX"), U, W, bb, U, W, bb, U, W, bb]
    add(g, good, dict(s0=T("gs0")), expect="any")  # MyGrad requires a constant s0
    add(g, good, dict(bp_lim=1), expect="value")
    add(g, good, dict(dropout=0.5), expect="value")
    for i, bad in [(1, T("gU_bad")), (2, T("gW_bad")), (3, T("f23")),
                   (0, T("gX2d")), (0, "abc"), (0, None), (0, I("complex")), (4, I("obj")),
                   (5, T("f234")), (9, T("wrong57"))]:
        a = list(good)
        a[i] = bad
        add(g, a, expect="error")
    add(g, [T("gX_empty"), U, W, bb, U, W, bb, U, W, bb], expect="any")
    add(g, [I("gX"), I("gU"), I("gW"), I("gb"), I("gU"), I("gW"), I("gb"), I("gU"), I("gW"),
            I("gb")], expect="value")
    for kw in [dict(s0=T("gs0_bad")), dict(s0="abc"), dict(bp_lim=-1), dict(bp_lim=0),
               dict(bp_lim=1.5), dict(dropout=1.5), dict(dropout=-0.1), dict(dropout="a"),
               dict(dropout=1.0)]:
        add(g, good, kw, expect="error" if kw not in (dict(bp_lim=0),) else "any")
    # indexing / setitem / backward on structured inputs
    for key, val in [((0, 1), "abc"), ((0, 1), I("complex")), ((0, 1), I("wrong57")),
                     ((0, 1), None), ((slice(None),), I("f3")), (I("idx_dup"), 1.0),
                     (I("b23"), I("f3")), (I("b23"), T("f3")), (0, I("f23")),
                     (I("idx_oob"), 1.0), ((0, 1), T("graph")), (Ellipsis, T("f23")),
                     (I("idx_dup"), I("wrong57")), ((0, 1), I("nan")), ((0, 1), float("nan"))]:
        add("Tensor.__setitem__", [key, val], self_spec=T("f23"))
        add("Tensor.__setitem__", [key, val], self_spec=T("graph"))
    for gval in ["abc", I("wrong57"), I("f3"), I("complex"), I("obj"), I("i23"), I("nan"),
                 I("0d"), T("f23"), I("ragged"), I("noncontig"), I("bigendian"), 2.0]:
        add("Tensor.backward", [gval], self_spec=T("graph"))
        add("Tensor.backward", [gval], self_spec=T("0d"))
    # numpy protocols: numpy functions on tensors with bad arguments
    for fn, a, kw in [("sum", [T("f23")], dict(axis=5)), ("sum", [T("f23")], dict(axis=(0, 0))),
                      ("mean", [T("f23")], dict(axis="a")), ("concatenate", [[T("f23"), "a"]], {}),
                      ("concatenate", [[T("f23"), T("f3")]], {}), ("stack", [[T("f23"), T("f3")]], {}),
                      ("reshape", [T("f23"), (4, 4)], {}), ("transpose", [T("f23"), (0, 0)], {}),
                      ("sin", [T("f23")], dict(out=I("wrong57"))), ("add", [T("f23"), I("wrong57")], {}),
                      ("add", [T("f23"), "abc"], {}), ("multiply", [T("f23"), I("complex")], {}),
                      ("where", [I("b23"), T("f23"), I("wrong57")], {}), ("clip", [T("f23"), 1.0, 0.0], {}),
                      ("var", [T("f23")], dict(ddof=5)), ("std", [T("f23")], dict(ddof=-1)),
                      ("einsum", ["ij->kk", T("f23")], {}), ("matmul", [T("f23"), T("f23")], {}),
                      ("add.reduce", [T("f23")], dict(axis=5)), ("add.accumulate", [T("f23")], dict(axis=5)),
                      ("multiply.outer", [T("f23"), "abc"], {}), ("maximum.reduce", [T("empty0")], {}),
                      ("cumsum", [T("f23")], dict(axis=7)), ("moveaxis", [T("f23"), 0, 5], {}),
                      ("expand_dims", [T("f23"), 9], {}), ("squeeze", [T("f23")], dict(axis=0)),
                      ("linalg.norm", [T("f23")], dict(ord="abc")), ("max", [T("empty0")], {}),
                      ("argmax", [T("empty0")], {}), ("sqrt", [T("f23")], dict(where=I("bwrong")))]:
        add("numpy." + fn, a, kw)
    # ufunc-like methods of mygrad's ufuncs
    for fn, a, kw in [("add.reduce", [T("f23")], dict(axis=5)), ("add.reduce", ["abc"], {}),
                      ("add.accumulate", [T("f23")], dict(axis=(0, 1))), ("multiply.outer", [T("f23"), "a"], {}),
                      ("maximum.reduce", [T("empty0")], {}), ("add.reduce", [T("f23")], dict(axis=(0, 0))),
                      ("add.at", [I("f23"), I("idx_oob"), 1.0], {}), ("subtract.outer", [T("f3"), T("f3")], {}),
                      ("multiply.reduce", [T("f23")], dict(axis=None)), ("power.accumulate", [T("nan")], {})]:
        add(fn, a, kw, note="ufunc method")
    # sliding_window_view structured args
    swv = "sliding_window_view"
    for a in [((2, 2, 2, 2), 1), ((5, 5), 1), ((0, 2), 1), ((2, 2), (1,)), ((2, 2), (1, 1, 1)),
              ((2, 2), 0), ((2, 2), -1), ((2,), 1), ((2, 2), (1, 0))]:
        add(swv, [I("f234"), a[0], a[1]])
    add(swv, [I("f234"), (2, 2), 1, (3, 3)])
    add(swv, [I("f234"), (2, 2), 1, 0])
    add(swv, [I("f234"), (2, 2), 1, (1,)])
    add(swv, [T("f234"), (2, 2), 1])
    # execute_op with user operations
    for op, ins in [(Op("badgrad_shape"), [T("f23")]), (Op("returns_list"), [T("f23")]),
                    (Op("no_variables"), [T("f23")]), (Op("good"), ["abc"]),
                    (Op("good"), [T("f23"), T("f23")]), (Op("good"), [])]:
        add("execute_op", [op] + ins, note="execute_op+backward")
    add("execute_op", [Op("good"), T("f23")], dict(op_args="abc"))
    add("execute_op", [Op("good"), T("f23")], dict(op_kwargs=[1, 2]))
    add("execute_op", [Op("good"), T("f23")], dict(out=I("wrong57")))
    # save then load of odd tensors
    for t in [T("0d"), T("empty03"), T("nan"), T("i23"), T("view"), T("bigendian"), T("const")]:
        add("save+load", [t])
    # reshape / transpose varargs forms
    for a in [(3, -1), (-1, -1), (4, 4), ((3, 2),), ((3, 2), 1), ("a",), (2.0, 3), ()]:
        add("Tensor.reshape", list(a))
    for a in [(0, 0), (0, 1, 2), (5, 0), ((1, 0),), ((1, 0), 1)]:
        add("Tensor.transpose", list(a))
        add("transpose", [T("f23")] + list(a))
    return out


def describe(c):
    args = ", ".join(spec_repr(a) for a in c["args"])
    kw = ", ".join(f"{k}={spec_repr(v)}" for k, v in c["kwargs"].items())
    call = ", ".join(s for s in (args, kw) if s)
    name = c["name"]
    if name.startswith("Tensor.") and c["self"] is not None:
        return f"{spec_repr(c['self'])}.{name[7:]}({call})"
    return f"{name}({call})"


# ---------------------------------------------------------------------------
# running one case in one library
# ---------------------------------------------------------------------------
def call_in(lib_name, c, tmpdir):
    """Build the inputs and run the case in ``lib_name``; return (result, inputs, self)."""
    import importlib

    import numpy as np

    lib = importlib.import_module(lib_name)
    name = c["name"]
    args = build(c["args"], lib, tmpdir)
    kwargs = build(c["kwargs"], lib, tmpdir)
    self_obj = build(c["self"], lib, tmpdir) if c["self"] is not None else None
    inputs = [self_obj, args, kwargs]
    if name.startswith("numpy."):
        fn = np
        for part in name[6:].split("."):
            fn = getattr(fn, part)
        return fn(*args, **kwargs), inputs
    if name == "save+load":
        p = os.path.join(tmpdir, f"{lib_name}.npz")
        lib.save(p, args[0])
        return lib.load(p), inputs
    if name.startswith("Tensor."):
        attr = name[7:]
        if attr == "__init__":
            t = lib.Tensor.__new__(lib.Tensor)
            t.__init__(*args, **kwargs)
            return t, inputs
        if attr in ("__array_function__", "__array_ufunc__"):
            return getattr(self_obj, attr)(*args, **kwargs), inputs
        if attr in PROPERTIES:
            return getattr(self_obj, attr), inputs
        return getattr(self_obj, attr)(*args, **kwargs), inputs
    obj = resolve(name, lib_name)
    if not callable(obj):
        return obj, inputs
    if name in ("mem_guard_off", "mem_guard_on", "no_autodiff") and callable(args[0] if args else None):
        res = obj(*args, **kwargs)
        return (res() if callable(res) else res), inputs
    return obj(*args, **kwargs), inputs


def norm(v, depth=0):
    """A library-independent summary of a result, for comparison."""
    import numpy as np

    tname = type(v).__name__
    if hasattr(v, "data") and hasattr(v, "constant") and hasattr(v, "backward"):
        return ("T", np.array(v.data, copy=True), bool(v.constant))
    if isinstance(v, np.ndarray):
        return ("A", np.array(v, copy=True))
    if isinstance(v, (list, tuple)) and depth < 3:
        return ("L", tname, [norm(x, depth + 1) for x in v])
    if isinstance(v, dict) and depth < 3:
        return ("D", sorted((str(k), norm(x, depth + 1)) for k, x in v.items()))
    if isinstance(v, (np.generic, int, float, complex, bool, str, type(None), bytes)):
        return ("V", v)
    if isinstance(v, np.dtype):
        return ("V", str(v))
    if hasattr(v, "__next__"):
        return ("L", "iter", [norm(x, depth + 1) for x in list(v)[:50]])
    if isinstance(v, type):
        return ("O", "type:" + v.__name__)
    return ("O", tname.replace("mygrad_c", "mygrad"))


def same(a, b):
    """Compare two norm() summaries; return None when equal or a short reason."""
    import numpy as np

    if a[0] != b[0]:
        if {a[0], b[0]} == {"V", "A"} or {a[0], b[0]} == {"A", "T"}:
            pass
        else:
            return f"kind {a[0]} vs {b[0]}"
    if a[0] in ("T", "A") and b[0] in ("T", "A"):
        if a[0] != b[0]:
            return f"returns {'Tensor' if a[0] == 'T' else 'ndarray'} where MyGrad returns " \
                   f"{'Tensor' if b[0] == 'T' else 'ndarray'}"
        x, y = a[1], b[1]
        if x.shape != y.shape:
            return f"shape {x.shape} vs {y.shape}"
        if x.dtype != y.dtype:
            if x.dtype.newbyteorder("=") == y.dtype.newbyteorder("="):
                return f"MINOR dtype byte order {x.dtype.str} vs {y.dtype.str}"
            return f"dtype {x.dtype} vs {y.dtype}"
        if a[0] == "T" and a[2] != b[2]:
            return f"constant {a[2]} vs {b[2]}"
        if x.dtype.kind in "fc":
            tol = {2: 1e-2, 4: 1e-5}.get(x.dtype.itemsize, 1e-9)
            if not np.allclose(x, y, rtol=tol, atol=tol, equal_nan=True):
                return f"values differ (max abs diff {np.nanmax(np.abs(x - y)) if x.size else 0})"
        elif x.dtype.kind == "O":
            if [type(v).__name__ for v in x.ravel()] != [type(v).__name__ for v in y.ravel()]:
                return "object values differ"
        elif not np.array_equal(x, y):
            return "values differ"
        return None
    if a[0] == "V" or b[0] == "V":
        x, y = a[1], b[1]
        try:
            if isinstance(x, (float, np.floating)) and isinstance(y, (float, np.floating)) \
                    and np.isnan(x) and np.isnan(y):
                return None
            eq = bool(np.all(x == y))
            if type(x) is not type(y) and not (isinstance(x, (int, float)) and isinstance(y, (int, float))
                                                and type(x).__module__ == type(y).__module__):
                return f"type {type(x).__name__} vs {type(y).__name__}"
            return None if eq else f"{x!r} vs {y!r}"
        except Exception:
            return f"{x!r} vs {y!r}"
    if a[0] == "L":
        if len(a[2]) != len(b[2]):
            return f"length {len(a[2])} vs {len(b[2])}"
        if a[1] != b[1] and "iter" not in (a[1], b[1]):
            return f"container {a[1]} vs {b[1]}"
        for i, (x, y) in enumerate(zip(a[2], b[2])):
            r = same(x, y)
            if r:
                return f"[{i}] {r}"
        return None
    if a[0] == "D":
        if [k for k, _ in a[1]] != [k for k, _ in b[1]]:
            return "dict keys differ"
        for (k, x), (_, y) in zip(a[1], b[1]):
            r = same(x, y)
            if r:
                return f"[{k}] {r}"
        return None
    return None if a == b else f"{a[1]} vs {b[1]}"


def collect_tensors(obj, out, depth=0):
    if depth > 3:
        return out
    if hasattr(obj, "backward") and hasattr(obj, "constant"):
        out.append(obj)
    elif isinstance(obj, (list, tuple)):
        for x in obj:
            collect_tensors(x, out, depth + 1)
    elif isinstance(obj, dict):
        for x in obj.values():
            collect_tensors(x, out, depth + 1)
    return out


def collect_arrays(obj, out, depth=0):
    import numpy as np

    if depth > 3:
        return out
    if hasattr(obj, "backward") and hasattr(obj, "constant"):
        out.append(("T", np.array(obj.data, copy=True)))
    elif isinstance(obj, np.ndarray):
        out.append(("A", np.array(obj, copy=True)))
    elif isinstance(obj, (list, tuple)):
        for x in obj:
            collect_arrays(x, out, depth + 1)
    elif isinstance(obj, dict):
        for x in obj.values():
            collect_arrays(x, out, depth + 1)
    return out


def run_lib(lib_name, c, tmpdir):
    """Outcome of a case in one library: dict(kind='value'|'error', ...)."""
    import importlib
    import warnings

    import numpy as np

    lib = importlib.import_module(lib_name)
    np.random.seed(0)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            res, inputs = call_in(lib_name, c, tmpdir)
        except BaseException as e:  # noqa: BLE001 - we classify everything
            if isinstance(e, (KeyboardInterrupt, SystemExit)):
                raise
            return dict(kind="error", type=type(e).__name__,
                        mro=[k.__name__ for k in type(e).__mro__], msg=str(e)[:300])
        out = dict(kind="value")
        try:
            out["norm"] = norm(res)
        except Exception as e:  # noqa: BLE001
            out["norm"] = ("O", f"unsummarisable {type(e).__name__}")
        try:
            out["post"] = collect_arrays(inputs, [])
        except Exception:  # noqa: BLE001
            out["post"] = []
        # gradients: back-propagate from a float, non-constant tensor result
        outs = collect_tensors(res, [])
        if len(outs) == 1 and not isinstance(res, (list, tuple)) and not outs[0].constant \
                and outs[0].dtype.kind == "f" and not c["name"].startswith("Tensor.backward"):
            try:
                outs[0].backward()
                ins = collect_tensors(inputs, [])
                out["grads"] = [None if t.grad is None else np.array(t.grad, copy=True) for t in ins]
            except BaseException as e:  # noqa: BLE001
                if isinstance(e, (KeyboardInterrupt, SystemExit)):
                    raise
                out["grad_error"] = dict(type=type(e).__name__,
                                         mro=[k.__name__ for k in type(e).__mro__], msg=str(e)[:300])
        elif c["name"].startswith("Tensor.backward"):
            ins = collect_tensors(inputs, [])
            out["grads"] = [None if t.grad is None else np.array(t.grad, copy=True) for t in ins]
        return out


# MyGrad errors that come from MyGrad's own limits, not from an invalid input
REF_LIMITATIONS = [r"no implementation found for 'numpy\.(linspace|logspace|geomspace)'",
                   r"output array is read-?only", r"maximum recursion depth"]

CLEAR = {"TypeError", "ValueError", "IndexError", "NotImplementedError", "AxisError",
         "MyGradException", "InvalidGradient", "InvalidBackprop", "DisconnectedView", "OSError",
         "FileNotFoundError", "ComplexWarning", "UFuncTypeError", "DTypePromotionError"}


def is_clear(err):
    return any(k in CLEAR for k in err["mro"])


def compare_grads(o, r):
    import numpy as np

    rt = r.get("norm", ("", None))
    rdt = rt[1].dtype if rt[0] in ("T", "A") else np.dtype(float)

    if "grad_error" in o or "grad_error" in r:
        if "grad_error" in o and "grad_error" in r:
            return None
        if "grad_error" in o:
            return "backward raises " + o["grad_error"]["type"] + ": " + o["grad_error"]["msg"]
        return None  # the reference fails in backward, we do not: not our bug
    go, gr = o.get("grads"), r.get("grads")
    if go is None or gr is None:
        return None
    if len(go) != len(gr):
        return f"{len(go)} vs {len(gr)} input tensors"
    for i, (x, y) in enumerate(zip(go, gr)):
        if (x is None) != (y is None):
            return f"grad of input {i}: {'None' if x is None else 'array'} vs " \
                   f"{'None' if y is None else 'array'}"
        if x is None:
            continue
        if x.shape != y.shape:
            return f"grad of input {i}: shape {x.shape} vs {y.shape}"
        if x.dtype != y.dtype:
            return f"grad of input {i}: dtype {x.dtype} vs {y.dtype}"
        tol = {2: 1e-2, 4: 1e-5}.get(min(x.dtype.itemsize, rdt.itemsize if rdt.kind == "f" else 8), 1e-9)
        if x.dtype.kind == "f" and not np.allclose(x, y, rtol=tol, atol=tol, equal_nan=True):
            return f"grad of input {i} differs"
    return None


def classify(c, o, r):
    """Category and reason, from our outcome ``o`` and the reference's ``r``."""
    expect = c.get("expect")
    if r is None or c["name"] in NOREF:
        # no reference: judge by the expectation written with the case
        if o["kind"] == "error":
            if not is_clear(o):
                return "unclear", f"{o['type']}: {o['msg']}"
            if expect == "value":
                return "rejects_valid", f"{o['type']}: {o['msg']}"
            return "ok_noref", ""
        if expect == "error":
            return "silent", "returns a value for an invalid input (no reference)"
        if "grad_error" in o:
            return "unclear", "backward raises " + o["grad_error"]["type"]
        return "ok_noref", ""
    if o["kind"] == "error" and r["kind"] == "error":
        if o["type"] == r["type"] or r["type"] in o["mro"]:
            if not o["msg"].strip() and is_clear(o) and r["msg"].strip():
                return "unclear", f"{o['type']} with an empty message"
            return "ok_error", ""
        if not is_clear(o):
            return "unclear", f"{o['type']}: {o['msg']}  (MyGrad: {r['type']}: {r['msg']})"
        if not is_clear(r):
            return "ours_better", f"{o['type']} (MyGrad: {r['type']}: {r['msg']})"
        return "type_mismatch", f"{o['type']}: {o['msg']}  (MyGrad: {r['type']}: {r['msg']})"
    if o["kind"] == "error":
        if not is_clear(o):
            return "unclear", f"{o['type']}: {o['msg']}  (MyGrad returns a value)"
        if not o["msg"].strip():
            return "unclear", f"{o['type']} with an empty message (MyGrad returns a value)"
        if "grad_error" in r:   # (MyGrad's forward runs, its backward fails: gru's Wz of (D, D + 1))
            g = r["grad_error"]
            return "ours_better", f"{o['type']}: {o['msg']}  (MyGrad returns a value and its backward raises {g['type']}: {g['msg']})"
        return "rejects_valid", f"{o['type']}: {o['msg']}  (MyGrad returns a value)"
    if r["kind"] == "error":
        if any(re.search(p, r["msg"]) for p in REF_LIMITATIONS) and "readonly" not in c["desc"]:
            return "ours_better", f"returns a value; MyGrad's own limitation: {r['type']}: {r['msg']}"
        if is_clear(r):
            return "silent", f"returns a value; MyGrad raises {r['type']}: {r['msg']}"
        return "ours_better", f"returns a value; MyGrad raises {r['type']}: {r['msg']}"
    uninit = ("where" in c["kwargs"] and "out" not in c["kwargs"] and c["kwargs"]["where"] is not True)
    if c["name"] not in NO_VALUE_COMPARE and not uninit:
        d = same(o["norm"], r["norm"])
        if d and d.startswith("MINOR"):
            return "minor_mismatch", "result " + d[6:]
        if d:
            why = ours_better(c, "values")
            if why and "grad_error" not in o:
                return "ours_better", f"result {d}: {why}"
            return "silent", "result " + d
        for i, (x, y) in enumerate(zip(o.get("post", []), r.get("post", []))):
            d = same(("A", x[1]), ("A", y[1]))
            if d:
                return "silent", f"input {i} after the call: {d}"
    d = compare_grads(o, r)
    if d:
        if d.startswith("backward raises"):
            return ("rejects_valid" if is_clear(o["grad_error"]) else "unclear"), d + " (MyGrad's does not)"
        why = ours_better(c, "grads")
        if why:
            return "ours_better", f"{d}: {why}"
        return "silent", d
    return "ok_value", ""


# ---------------------------------------------------------------------------
# worker and driver
# ---------------------------------------------------------------------------
def worker():
    import resource

    try:
        resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))
    except Exception:  # noqa: BLE001
        pass
    import mygrad
    import numpy  # noqa: F401

    import mygrad_c

    pairs = int(os.environ.get("BAD_INPUT_PAIRS") or 0)
    cases = make_pair_cases(k=pairs) if pairs else make_cases()
    tmpdir = tempfile.mkdtemp(prefix="badinput_")
    out = sys.stdout
    for line in sys.stdin:
        ids = json.loads(line)
        for i in ids:
            c = cases[i]
            out.write(json.dumps({"start": i}) + "\n")
            out.flush()
            if os.environ.get("BAD_INPUT_SELFTEST_CRASH") == str(i):  # checks the crash accounting
                os.abort()
            o = run_lib("mygrad_c", c, tmpdir)
            out.write(json.dumps({"mid": i}) + "\n")
            out.flush()
            r = None if c["name"] in NOREF else run_lib("mygrad", c, tmpdir)
            for lib in (mygrad, mygrad_c):
                try:
                    lib.turn_memory_guarding_on()
                except Exception:  # noqa: BLE001
                    pass
            cat, why = classify(c, o, r)
            ours = o["type"] + ": " + o["msg"] if o["kind"] == "error" else "value"
            ref = "n/a" if r is None else (r["type"] + ": " + r["msg"] if r["kind"] == "error" else "value")
            out.write(json.dumps({"done": i, "cat": cat, "why": why, "ours": ours, "ref": ref}) + "\n")
            out.flush()
        out.write(json.dumps({"batch_end": True}) + "\n")
        out.flush()
        break


class Runner:
    def __init__(self, ids):
        self.todo = list(ids)
        self.results = {}
        self.cwd = tempfile.mkdtemp(prefix="badinput_cwd_")  # build_graph(save=...) writes files here

    def run(self):
        while self.todo:
            ids, self.todo = self.todo, []
            proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--worker"], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=self.cwd)
            proc.stdin.write((json.dumps(ids) + "\n").encode())
            proc.stdin.close()
            sel = selectors.DefaultSelector()
            sel.register(proc.stdout, selectors.EVENT_READ)
            buf, current, phase = b"", None, None
            last = time.monotonic()
            finished = False
            startup = 120.0
            while True:
                events = sel.select(timeout=1.0)
                if events:
                    chunk = os.read(proc.stdout.fileno(), 1 << 16)
                    if not chunk:
                        break
                    buf += chunk
                    while b"\n" in buf:
                        line, buf = buf.split(b"\n", 1)
                        msg = json.loads(line)
                        last = time.monotonic()
                        startup = 0
                        if "start" in msg:
                            current, phase = msg["start"], "ours"
                        elif "mid" in msg:
                            phase = "ref"
                        elif "done" in msg:
                            self.results[msg["done"]] = msg
                            current = None
                        elif "batch_end" in msg:
                            finished = True
                elif time.monotonic() - last > CASE_TIMEOUT + startup:
                    proc.kill()
                    if current is not None:
                        self.results[current] = {"done": current, "cat": "hang" if phase == "ours" else "ref_hang",
                                                 "why": f"no answer within {CASE_TIMEOUT:.0f} s", "ours": "?", "ref": "?"}
                    break
            rc = proc.wait()
            if not finished and current is not None and current not in self.results:
                cat = "crash" if phase == "ours" else "ref_crash"
                self.results[current] = {"done": current, "cat": cat, "why": f"worker died (exit code {rc})",
                                         "ours": f"died {rc}" if phase == "ours" else "?", "ref": "?"}
            self.todo = [i for i in ids if i not in self.results]
            if not finished and not self.todo:
                break


SEVERE = ["crash", "hang", "silent", "unclear", "type_mismatch", "rejects_valid"]
ALL_CATS = ["ok_value", "ok_error", "ok_noref", "ours_better", "minor_mismatch"] + SEVERE + ["ref_crash", "ref_hang"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--worker", action="store_true")
    ap.add_argument("--json", help="write every case's outcome to this file")
    ap.add_argument("--jobs", type=int, default=max(1, min(4, os.cpu_count() or 1)))
    ap.add_argument("--only", help="only cases whose name contains this")
    ap.add_argument("--show", default="crash,hang,silent,unclear,type_mismatch,rejects_valid",
                    help="categories whose cases are listed (comma separated)")
    ap.add_argument("--table", action="store_true", help="print the per-function table")
    ap.add_argument("--pairs", action="store_true",
                    help="two parameters bad at once (every pair of each callable's parameters)")
    ap.add_argument("--triples", action="store_true",
                    help="three parameters bad at once (every three of each callable's parameters)")
    a = ap.parse_args()
    if a.worker:
        worker()
        return 0
    t0 = time.time()
    k = 3 if a.triples else 2 if a.pairs else 0
    if k:
        os.environ["BAD_INPUT_PAIRS"] = str(k)   # (the workers build the same cases)
    cases = make_pair_cases(k=k) if k else make_cases()
    ids = [c["id"] for c in cases if not a.only or a.only in c["name"]]
    chunks = [ids[k::a.jobs] for k in range(a.jobs)]
    runners = [Runner(ch) for ch in chunks]
    threads = [threading.Thread(target=r.run) for r in runners]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    results = {}
    for r in runners:
        results.update(r.results)
    per_fn = defaultdict(Counter)
    total = Counter()
    for i in ids:
        res = results.get(i, {"cat": "crash", "why": "no result"})
        per_fn[cases[i]["name"]][res["cat"]] += 1
        total[res["cat"]] += 1
    from test_api_surface import _api_items

    api = {qualname(m, n) for m, n in _api_items()}
    covered = api & set(per_fn)
    print(f"bad-input report: {len(ids)} inputs tried over {len(per_fn)} callables "
          f"({len(covered)}/{len(api)} API.md names covered) in {time.time() - t0:.0f} s")
    if a.table or not a.only:
        print(f"\n{'function':42s} " + " ".join(f"{c[:9]:>9s}" for c in ALL_CATS))
        for fn in sorted(per_fn):
            cnt = per_fn[fn]
            print(f"{fn[:42]:42s} " + " ".join(f"{cnt.get(c, 0) or '':>9}" for c in ALL_CATS))
    show = set(a.show.split(",")) if a.show else set()
    if show:
        for cat in ALL_CATS:
            if cat not in show:
                continue
            rows = [(cases[i]["desc"], results[i]) for i in ids if results.get(i, {}).get("cat") == cat]
            if rows:
                print(f"\n== {cat} ({len(rows)}) ==")
                for desc, res in rows:
                    print(f"  {desc}\n      -> {res['why']}")
    print("\nSUMMARY")
    print(f"  functions covered     : {len(covered)} of {len(api)} API.md names "
          f"(+{len(per_fn) - len(covered)} extra callables: numpy protocols, ufunc methods, save+load)")
    print(f"  inputs tried          : {len(ids)}")
    for cat in ALL_CATS:
        print(f"  {cat:22s}: {total.get(cat, 0)}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump([dict(id=i, name=cases[i]["name"], call=cases[i]["desc"], note=cases[i]["note"],
                            **{k: results.get(i, {}).get(k) for k in ("cat", "why", "ours", "ref")})
                       for i in ids], f, indent=1)
    bad = total.get("crash", 0) + total.get("silent", 0)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
