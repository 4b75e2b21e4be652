"""Run a program - Python statements about tensors - in mygrad_c and in MyGrad side by
side, and compare everything observable after every statement.

A ``Program`` is a list of setup statements and a loop body run ``iterations`` times, as
a training loop does.  The statements name the library ``mg`` (and NumPy ``np``), so one
text runs in both.  ``run_program`` executes it statement by statement in two namespaces
(``mg`` = mygrad_c / mygrad) and after each one compares every variable - values, dtype,
shape, constant, whether it has a creator, writeable flag, ``.base`` (as the
corresponding variable), memory sharing and gradients (``describe`` from test_views.py)
- and the type of any raised exception.  On the first difference it raises
``ProgramMismatch``: its message shows the program as a script that runs both libraries
and prints the differing attribute, and as a ``run_program(Program(...))`` call.
``shrink`` deletes statements from a failing program while it still fails the same way.

Used by test_program_fuzzer.py (random programs), test_training_loops.py and
hunt_programs.py (long fuzzing runs that list distinct discrepancies).
"""
from __future__ import annotations

import ast
import contextlib
import copy
import ctypes
import dataclasses
import gc
import io
import os
import re
import sys
import threading
import time
import warnings
from dataclasses import dataclass, field
from typing import Optional

import mygrad
import numpy as np
from hypothesis.errors import HypothesisDeprecationWarning, UnsatisfiedAssumption

import mygrad_c as mg
from helpers import tols
from test_views import describe
from test_views_stateful import _do  # collects MyGrad's cyclic garbage before each step

LIBS = (mg, mygrad)
RESERVED = ("mg", "np", "copy", "__builtins__")


@dataclass
class Program:
    setup: list = field(default_factory=list)
    body: list = field(default_factory=list)
    iterations: int = 1

    def steps(self):
        """(statement, where) for each statement executed, in order; ``where`` is
        ("setup", i) or ("body", i, iteration)."""
        for i, s in enumerate(self.setup):
            yield s, ("setup", i)
        for it in range(self.iterations if self.body else 0):
            for i, s in enumerate(self.body):
                yield s, ("body", i, it)

    def statement(self, where: tuple) -> str:
        return self.setup[where[1]] if where[0] == "setup" else self.body[where[1]]

    def __repr__(self) -> str:
        lines = ["Program(", "    setup=["]
        lines += [f"        {s!r}," for s in self.setup]
        lines.append("    ],")
        if self.body:
            lines.append("    body=[")
            lines += [f"        {s!r}," for s in self.body]
            lines.append("    ],")
            lines.append(f"    iterations={self.iterations},")
        lines.append(")")
        return "\n".join(lines)


@dataclass
class Difference:
    """The first difference: variable ``name``'s ``key`` is ``got`` in mygrad_c and
    ``want`` in MyGrad (name "<statement>", key "exception": only one library raised,
    or they raised different types; ``got`` says which)."""
    name: str
    key: str
    got: object
    want: object
    where: tuple = ()
    stmt: str = ""
    info: dict = field(default_factory=dict)   # describe() of the mygrad_c variable
    raised: bool = False                       # did the statement raise (in both)
    mirror: object = field(default=None, repr=False, compare=False)

    def signature(self) -> tuple:
        """What makes two failures 'the same' while shrinking."""
        if self.key == "exception":
            return self.key, self.stmt, re.sub(r"\(.*", "", str(self.got))
        return self.key, self.stmt


class ProgramMismatch(AssertionError):
    """mygrad_c and MyGrad disagree after some statement of a program."""

    def __init__(self, message: str, program: Program, diff: Difference):
        super().__init__(message)
        self.program = program
        self.diff = diff


class ProgramTooLarge(Exception):
    """The program's arrays outgrew ``MAX_PROGRAM_BYTES`` (a loop that doubles a tensor each
    iteration): it ends there, as at MyGrad's internal failures - a thorough run was
    killed by the OOM killer at 24 GB on one (session 10)."""


# what a fuzzed program's arrays may hold in all (its arrays have a few elements; a loop
# that grows one geometrically passes this long before it can exhaust the machine)
MAX_PROGRAM_BYTES = 16 << 20


def _program_bytes(ns: dict) -> int:
    """Bytes of the arrays a namespace holds (tensors' and plain arrays', each counted)."""
    return sum(a.nbytes for a in map(_array_of, ns.values()) if isinstance(a, np.ndarray))


class MyGradCrashed(Exception):
    """MyGrad failed its own internal assertion: not behaviour to mirror (ends the program)."""


class MyGradHung(Exception):
    """Raised (by the hang watchdog) in a MyGrad statement that has run for ``HANG_S``
    seconds: MyGrad's backward can loop without end over a graph that an ``out=`` write
    made cyclic, its memory growing all the while (docs/fuzzing.md).  Counted as MyGrad
    crashing (test_views_stateful._mygrad_internal_error): the program ends there."""


# how long one statement may run inside MyGrad's code before it is ended (a MyGrad
# statement of a fuzzed program takes milliseconds; the endless backward grows the
# process by ~50 MB/s, so this bounds it to about a gigabyte)
HANG_S = 15.0
_running = [None, None]   # (when the current statement started, the thread running it)


def _in_mygrad(thread_id: int) -> bool:
    """Is that thread running MyGrad's code (a frame of the installed mygrad package)?
    Not while numba compiles MyGrad's gru (its first call, which on a busy machine takes
    longer than HANG_S: the gru regression programs ended there, unchecked)."""
    frame = sys._current_frames().get(thread_id)
    found = False
    while frame is not None:
        name = frame.f_code.co_filename.replace("\\", "/")
        if "/site-packages/numba/" in name:
            return False
        found = found or "/site-packages/mygrad/" in name
        frame = frame.f_back
    return found


def _hang_watchdog():
    while True:
        time.sleep(1)
        with _running_lock:
            t0, thread_id = _running
            if t0 is not None and time.time() - t0 > HANG_S and _in_mygrad(thread_id):
                # re-armed, not cleared: an exception raised while a garbage-collector
                # callback runs is swallowed ("Exception ignored in ..."), so it is raised
                # again every few seconds until the statement ends
                _running[0] = t0 + 5
                print(f"\n=== MyGrad ran one statement for {HANG_S:.0f} s: ended (MyGradHung) ===",
                      file=sys.stderr, flush=True)
                _async_exc(thread_id, MyGradHung)


def _async_exc(thread_id: int, exc) -> None:
    """Raise ``exc`` in that thread at its next bytecode (None: cancel one not yet raised)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id),
                                               ctypes.py_object(exc) if exc is not None else None)


_running_lock = threading.Lock()
_watchdog: list = []


@contextlib.contextmanager
def hang_guard():
    """Watch the statement run inside: past ``HANG_S`` in MyGrad's code, MyGradHung is
    raised in it (the watchdog thread starts on first use)."""
    if not _watchdog:
        _watchdog.append(threading.Thread(target=_hang_watchdog, name="mygrad-hang-watchdog", daemon=True))
        _watchdog[0].start()
    _running[:] = [time.time(), threading.get_ident()]
    try:
        yield
    finally:
        with _running_lock:
            _running[0] = None
            _async_exc(_running[1], None)   # (the statement ended first: not raised after it)


class KnownBugHit(Exception):
    """A difference that matches a reported, not yet fixed bug, while hunting for others
    (``MYGRAD_C_FUZZ_SKIP_KNOWN``): ends the program without failing."""


# ---------------------------------------------------------------------------
# what may differ, and what is known to differ
# ---------------------------------------------------------------------------
def _allowed_difference(key: str, got, want, info_c: dict, all_c: list) -> bool:
    """The explicit list of differences from MyGrad that the tests accept: only where
    MyGrad's behaviour corrupts data or gives a wrong number.

    1. A live graph that used a base's memory locks every view of that memory in
       mygrad_c.  MyGrad locks only the arrays the graph itself used, so a view whose own
       graph was released (by backward or clear_graph) stays writeable, and a write
       through it silently changes the base under the live graph: the gradient then
       comes out wrong (test_views.py::test_released_view_of_used_base_is_locked).

    (When MyGrad fails its own internal assertion - "A placeholder copy can not be
    created for a tensor with a gradient" - the program ends there: ``MyGradCrashed``.)
    """
    if key == "writeable" and want is True and got is False:
        if info_c.get("guard_locked_view"):
            return True
        if "plain" in info_c:  # an array the program holds, e.g. such a view's .data
            return any(all_c[j].get("guard_locked_view") for j in info_c["shares"])
    return False


# Reported discrepancies, recognised by their first symptom (docs/fuzzing.md has each
# with a minimal reproduction).  Used to name a failure in its report, and to look past
# the ones named by MYGRAD_C_FUZZ_SKIP_KNOWN (comma-separated, or "all") in a long
# fuzzing run.  By default (CI) every difference fails.
def _released_view(d: "Difference") -> bool:
    """MyGrad treats a view as released from its base once its graph was cleared (by a
    backward through it or through the base, or clear_graph): its base is None, writes
    through either no longer reach the other.  Is there such a variable?"""
    if d.mirror is None:
        return d.key == "base" and d.want is None and d.got is not None
    ns_c, ns_r = d.mirror.ns[mg], d.mirror.ns[mygrad]
    for k in variables(ns_r):
        t, tc = ns_r[k], ns_c.get(k)
        if not isinstance(t, mygrad.Tensor) or not isinstance(tc, mg.Tensor) or tc.base is None:
            continue
        # MyGrad's own record of views: clearing a graph empties the _view_children of
        # every tensor in it, and a view that is not there any more is released
        if t.base is None or not any(c is t for c in t.base._view_children):
            return True
    return False


def _array_of(obj):
    """A tensor's array, or the object itself (a NumPy array's own ``.data`` is a buffer)."""
    return obj.data if isinstance(obj, (mg.Tensor, mygrad.Tensor)) else obj


def _ran(d: "Difference", *words: str) -> bool:
    """Has the program run a statement containing one of ``words`` (up to ``d``)?"""
    return d.mirror is not None and any(w in s for s in d.mirror._code for w in words)


def _leaky_relu_inf_grad(d: "Difference") -> bool:
    """(hunt seed 214, session 26) an infinite gradient into ``leaky_relu``: MyGrad's
    backward adds a masked term for each side (``g * (x > 0) + slope * g * (x < 0)``), and
    inf * 0 makes every element nan; mygrad_c's is ``g`` times the slope of each element's
    own side (inf where the incoming gradient is).  The gradients differ only there."""
    if d.key != "grad" or d.want is None or d.got is None or not _ran(d, "leaky_relu"):
        return False
    want, got = np.asarray(d.want, dtype=float), np.asarray(d.got, dtype=float)
    if want.shape != got.shape:
        return False
    differ = ~((want == got) | (np.isnan(want) & np.isnan(got)))
    return bool(differ.any()) and bool((np.isnan(want[differ]) & np.isinf(got[differ])).all())


def _nonfinite(*values) -> bool:
    """Both are numeric arrays (or numbers), and one of them holds nan or +-inf."""
    arrays = [np.asarray(v) for v in values if v is not None]
    if len(arrays) != len(values) or any(a.dtype.kind not in "biufc" for a in arrays):
        return False
    return not all(np.all(np.isfinite(a)) for a in arrays)


def _softmax_reference(call: ast.Call, ns: dict):
    """The exact (float64) value of a softmax-family call of the program, from the same
    inputs: softmax, logsoftmax, softmax_crossentropy or negative_log_likelihood of a
    logsoftmax (None for any other form)."""
    def name(c):
        return c.func.attr if isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute) else None

    def arg(node):
        value = eval(compile(ast.Expression(node), "<arg>", "eval"), dict(ns))  # noqa: S307
        return np.asarray(value.data if isinstance(value, mg.Tensor) else value)

    kind = name(call)
    if call.keywords or kind not in ("softmax", "logsoftmax", "softmax_crossentropy", "negative_log_likelihood"):
        return None
    if kind == "negative_log_likelihood":
        if name(call.args[0]) != "logsoftmax" or call.args[0].keywords:
            return None
        x_node, kind = call.args[0].args[0], "softmax_crossentropy"
    else:
        x_node = call.args[0]
    x = arg(x_node).astype(np.float64)
    if x.ndim != 2 or x.dtype.kind != "f":
        return None
    with np.errstate(all="ignore"):
        # from the differences to the largest score (exact for equal scores of any
        # magnitude: adding log 2 to -2**63 and subtracting it again would lose it)
        shifted = x - x.max(axis=-1, keepdims=True)
        log_softmax = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
        if kind == "softmax":
            return np.exp(log_softmax)
        if kind == "logsoftmax":
            return log_softmax
        y = arg(call.args[1]).astype(int)
        return np.mean(-log_softmax[np.arange(len(x)), y])


def _more_accurate_softmax(d: "Difference") -> bool:
    """mygrad_c's softmax-family value is at least as close to the exact one (computed in
    float64 from the same scores) as MyGrad's, and closer somewhere: MyGrad rounds the
    log-sum-exp in the scores' precision (float16: 128 + log 2 becomes 128.75, so a loss of
    log 2 comes out as 0.75)."""
    if d.mirror is None or d.key != "data" or "softmax" not in d.stmt:
        return False
    try:
        tree = ast.parse(d.stmt)
    except SyntaxError:
        return False
    assigned = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    if not calls or any(isinstance(n, ast.Name) and n.id in assigned and isinstance(n.ctx, ast.Load)
                        for n in ast.walk(calls[0])):
        return False
    try:
        ref = _softmax_reference(calls[0], d.mirror.ns[mg])
    except Exception:  # noqa: BLE001  (a form this does not know)
        return False
    if ref is None:
        return False
    got, want = np.asarray(d.got, dtype=np.float64), np.asarray(d.want, dtype=np.float64)
    if got.shape != np.shape(ref) or want.shape != np.shape(ref) or not np.all(np.isfinite(ref)):
        return False
    err_c, err_r = np.abs(got - ref), np.abs(want - ref)
    return bool(np.all(err_c <= err_r) and np.any(err_c < err_r))


def _mygrad_failed_write_rewired(d: "Difference") -> bool:
    """(hunt seed 250, session 33) After an in-place write that raised in both libraries
    (``v[None, :, -2] *= 2.`` into a view whose shape was set under no_autodiff, the index
    out of bounds in the view taken again), MyGrad has already put a new tensor in place of
    the view's parent as its creator's input: ``v.creator.variables[0]`` is no longer the
    base (and a backward from ``v`` then gives no gradient at all, not even to ``v``).
    mygrad_c's failed write changes nothing: the input read back is still the base."""
    if d.mirror is None or d.key != "base" or ".creator.variables[" not in d.stmt:
        return False
    earlier = d.mirror.failed[:-1] if d.raised else d.mirror.failed
    return any("out=" in s or _IN_PLACE_TARGET.match(s) is not None for s in earlier)


def _after_a_failed_backward(d: "Difference") -> bool:
    """Did a backward raise midway (in both libraries) before the statement of ``d``?
    (Its graph is kept, so the statement may back-propagate through it again.)"""
    earlier = d.mirror.failed[:-1] if d.raised else d.mirror.failed
    return any("backward" in s for s in earlier)


def _einsum_backpropagated_once(d: "Difference") -> bool:
    """A backward that raises in both, through an einsum an earlier failed backward had
    reached: MyGrad's einsum operation back-propagates into each input once in its life
    (a counter it never resets), so the retry leaves those inputs without a gradient -
    and, where the retry does not raise first, MyGrad then fails its own assertion
    (a tensor in the graph with no gradient) - or, for an input the retry reaches by
    another path too, without the einsum's share.  mygrad_c back-propagates again."""
    if d.mirror is None or d.key != "grad" or d.got is None or "backward" not in d.stmt:
        return False
    # (MyGrad's retry leaves such an input None - where it does not raise first, MyGrad
    # fails its assertion - or, where the input has another path, a gradient short of the
    # einsum's share: a wrong number)
    if (d.want is None and not d.raised) or not _after_a_failed_backward(d):
        return False
    for v in d.mirror.ns[mygrad].values():
        op = getattr(v, "creator", None) if isinstance(v, mygrad.Tensor) else None
        if type(op).__name__ == "EinSum" and op._cache is not None and 0 in op._cache.values():
            return True
    # (the einsum may be gone with the graph this backward cleared)
    return any("einsum" in s for s in d.mirror._code)


def _mygrad_focal_loss_retried(d: "Difference") -> bool:
    """A backward through a focal loss that an earlier failed backward had reached:
    MyGrad's focal-loss operation scales the derivative it keeps from the forward by the
    incoming gradient in place, so each backward through it multiplies again - the retry
    gives its input the product of both incoming gradients (seed 98: the sign of a
    ``backward(-1.)`` that raised, then 118.6 where -118.6 is right).  mygrad_c's
    derivative is computed afresh each time."""
    if d.mirror is None or d.key != "grad" or "backward" not in d.stmt:
        return False
    return _after_a_failed_backward(d) and any("focal_loss" in s for s in d.mirror._code)


def _mygrad_stale_view_grad(d: "Difference") -> bool:
    """MyGrad hands out a gradient for a view whose base has none (the base was used in
    a new operation since, which nulled its gradient): the view's gradient kept from an
    earlier backward, when it was the base's own array (a squeeze of nothing) - MyGrad
    keeps a view's gradient while its ``.base`` is the base's gradient, and both are None
    then.  mygrad_c gives None, as MyGrad does for the base and for every other view."""
    if d.mirror is None or d.key != "grad" or d.want is None or d.got is not None:
        return False
    t = d.mirror.ns[mygrad].get(d.name)
    if not isinstance(t, mygrad.Tensor) or t.base is None or t.base.grad is not None:
        return False
    g = t.grad
    return isinstance(g, np.ndarray) and g.base is None   # (its own memory: a view's would be recomputed)


def _mygrad_deepcopy_took_views(d: "Difference") -> bool:
    """MyGrad's deep copy of a tensor shares the original's record of the views taken from
    it: an in-place write into the copy then re-makes the original's views as views of the
    copy (``v2 = v1[0]``; ``v5 = copy.deepcopy(v1)``; ``v5[...] = 7`` - v2 reads 7, its
    ``.base`` is v5; a write into v1 takes it back).  Seen as a view whose base is, in
    MyGrad, a deep copy the program made, and in mygrad_c another tensor."""
    if d.mirror is None or not _ran(d, "copy.deepcopy("):
        return False
    copies = {s.split(" = ", 1)[0] for s in d.mirror._code if " = copy.deepcopy(" in s}
    return _based_on_in_mygrad_only(d, copies, variables(d.mirror.ns[mygrad]))


def _based_on_in_mygrad_only(d: "Difference", bases, views) -> bool:
    """Is one of the variables ``views`` a view whose MyGrad ``.base`` is the tensor of one
    of the names ``bases``, where mygrad_c's ``.base`` is not that name's tensor?"""
    ns_c, ns_r = d.mirror.ns[mg], d.mirror.ns[mygrad]
    for name in views:
        u_r, u_c = ns_r.get(name), ns_c.get(name)
        if not (isinstance(u_r, mygrad.Tensor) and isinstance(u_c, mg.Tensor)) or u_r.base is None:
            continue
        if any(b != name and ns_r.get(b) is u_r.base and ns_c.get(b) is not u_c.base for b in bases):
            return True
    return False


def _mygrad_cumprod_nonfinite(d: "Difference") -> bool:
    """MyGrad's cumprod gradient divides by the input and misses the nan / inf of the
    products (``cumprod([-0., nan, ...]).backward()``: 0 where the exact gradient is nan);
    mygrad_c's is computed without dividing.  Seen as a gradient that differs, non-finite
    in one library, after a backward through a cumprod whose result holds nan or inf - or
    whose result's gradient does: MyGrad turns a nan arriving there into 0 (and an inf,
    where an input is 0, into the largest float), where it multiplies a partial derivative."""
    if d.mirror is None or d.key != "grad" or not _nonfinite(d.got, d.want) or not _ran(d, "cumprod("):
        return False
    ns_c = d.mirror.ns[mg]
    for stmt in d.mirror._code:
        for name in re.findall(r"(\w+) = [^=]*\bcumprod\(", stmt):
            t = ns_c.get(name)
            if isinstance(t, mg.Tensor) and t.dtype.kind == "f" and (
                    not np.isfinite(t.data).all()
                    or (t.grad is not None and not np.isfinite(t.grad).all())):
                return True
    return False


def _mygrad_multiply_sequence_division(d: "Difference") -> bool:
    """MyGrad's multiply_sequence gradient is ``(grad * product) / x_i`` once its forward
    found no product near 0: nan or inf where an input is infinite, the product overflowed,
    or an input was written to 0 after the forward (under mem_guard_off); mygrad_c's is the
    product of the other inputs there (deliberate difference 17, docs/guide/migrating.md).
    Seen as a gradient, after a multiply_sequence, that is non-finite in MyGrad where
    mygrad_c's is finite."""
    if d.mirror is None or d.key != "grad" or not _ran(d, "multiply_sequence("):
        return False
    want, got = np.asarray(d.want), np.asarray(d.got)
    if want.shape != got.shape or want.dtype.kind not in "fc" or got.dtype.kind not in "fc":
        return False
    return bool((~np.isfinite(want) & np.isfinite(got)).any())


def _mygrad_view_reattached(d: "Difference") -> bool:
    """MyGrad keeps a view that a write into it (in place, ``out=``, also one that then
    fails) cut off its base registered with the tensor it was taken from: a later write
    into that tensor, or its own cut-off, makes the view a view of it again, and the view's
    values follow a tensor it had been disconnected from (``v3 = v2[:1]`` of a released
    view v2; a failed ``out=v3``; ``v2[...] = 7``: MyGrad's v3 reads 7).  mygrad_c's view
    stays cut off.  Seen as a program variable whose MyGrad base is a tensor the statement
    names, where mygrad_c's base is not, after a statement that wrote into that variable."""
    if d.mirror is None:
        return False
    ns_r = d.mirror.ns[mygrad]
    named = [n for n in set(re.findall(r"\b[A-Za-z_]\w*\b", d.stmt)) if isinstance(ns_r.get(n), mygrad.Tensor)]

    def written_into(name):
        written = re.compile(rf"out={name}\b|^(with [^:]+: )?{name}\b(\[.*\])? *[-+*/@%&|^]*=(?!=)")
        return any(written.search(stmt) for stmt in d.mirror._code)
    return _based_on_in_mygrad_only(d, named, [v for v in variables(ns_r) if written_into(v)])


def _call_arguments(stmt: str, name: str, ns: dict, count: int = 2):
    """The values of the first ``count`` positional arguments of the call of ``name`` in
    ``stmt``, evaluated in ``ns`` (None if there is no such call, or they cannot be)."""
    calls = [n for n in ast.walk(ast.parse(stmt)) if isinstance(n, ast.Call)
             and getattr(n.func, "attr", None) == name and len(n.args) >= count]
    try:
        return [eval(compile(ast.Expression(a), "<arg>", "eval"), dict(ns))  # noqa: S307
                for a in calls[0].args[:count]]
    except Exception:  # noqa: BLE001  (no such call, or a form this does not know)
        return None


def _mygrad_max_pool_strides(d: "Difference") -> bool:
    """MyGrad's max_pool reads the wrong memory - values from elsewhere in its input, or
    from outside it - when a pooled axis of length 1 has a stride other than the
    C-contiguous one (NumPy leaves such a stride arbitrary; MyGrad's own max_pool output
    has one): ``max_pool(x, (1,), 1)`` of an (1, 4, 1) array with strides (32, 8, 16)
    gives x's elements 0, 2, 4, 6.  Is the statement such a max_pool of MyGrad's input?"""
    if d.mirror is None or d.key != "data" or "max_pool(" not in d.stmt:
        return False
    with mygrad.no_autodiff:   # (MyGrad's view of the input, without registering one)
        args = _call_arguments(d.stmt, "max_pool", d.mirror.ns[mygrad])
    if args is None:
        return False
    x, pool = np.asarray(_array_of(args[0])), args[1]
    natural = np.empty(x.shape, x.dtype).strides
    return any(x.shape[i] == 1 and x.strides[i] != natural[i] for i in range(x.ndim - len(pool), x.ndim))


_GRU_OUTPUT = re.compile(r"^(?:with [^:]+: )?(v\d+) = mg\.nnet\.(?:layers\.)?gru\(")


def _gru_outputs(d: "Difference") -> list:
    """The MyGrad tensors the program's gru calls returned (those still bound)."""
    ns = d.mirror.ns[mygrad]
    found = [ns.get(m.group(1)) for m in map(_GRU_OUTPUT.match, d.mirror._code) if m]
    return [t for t in found if t is not None]


def _is_or_views(t, tensors: list) -> bool:
    """Is ``t`` one of ``tensors``, or a view (through ``.base``) of one?"""
    while t is not None:
        if any(t is o for o in tensors):
            return True
        t = getattr(t, "base", None)
    return False


def _mygrad_gru_output_grad(d: "Difference") -> bool:
    """The ``.grad`` of a gru layer's output (or of a view of it) after a backward through
    the layer: MyGrad's gru back-propagates through time inside the gradient array it is
    handed, so the output's ``.grad`` is left holding its own accumulations, one time step
    short (shape (T, N, D) for an output of (T + 1, N, D)); mygrad_c's is dL/dS
    (seed 159, session 16)."""
    if d.mirror is None or d.key != "grad" or not any("gru(" in s for s in d.mirror._code):
        return False
    return _is_or_views(d.mirror.ns[mygrad].get(d.name), _gru_outputs(d))


def _mygrad_gru_written_output(d: "Difference") -> bool:
    """(seed 180, session 18) A gradient after an in-place write into a gru layer's output
    (or a view of it), e.g. ``s[0] = -0.5``: MyGrad's back-propagation through time then
    gives the layer's inputs wrong gradients (``x.grad[0]`` -1.281 where central
    differences give -1.260, as mygrad_c's); without the write both agree."""
    if d.mirror is None or d.key != "grad" or not any("gru(" in s for s in d.mirror._code):
        return False
    ns, outputs = d.mirror.ns[mygrad], _gru_outputs(d)
    for stmt in d.mirror._code:
        m = _IN_PLACE_TARGET.match(stmt) or _OUT_TARGET.search(stmt)
        if m and _is_or_views(ns.get(m.group(1)), outputs):
            return True
    return False


def _mygrad_gru_shape_set_output(d: "Difference") -> bool:
    """(hunt seed 205, session 24) A backward through a gru layer whose output's shape was
    set (``s.shape = (-1,)``; or of a view of it): MyGrad's back-propagation through time
    reads the output tensor's new shape and crashes (IndexError "tuple index out of range",
    or ValueError: operands could not be broadcast); mygrad_c gives the gradients MyGrad
    gives with ``s = s.reshape(-1)`` instead."""
    if d.mirror is None or d.key != "exception" or "backward(" not in d.stmt:
        return False
    if not _MYGRAD_CRASHED_ALONE.match(str(d.got)):
        return False
    ns, outputs = d.mirror.ns[mygrad], _gru_outputs(d)
    return any(_is_or_views(ns.get(m.group(1)), outputs) for m in map(_SET_SHAPE.match, d.mirror._code) if m)


def _mygrad_drops_nan(d: "Difference", op: str, n_inputs: int) -> bool:
    """MyGrad's conv_nd and gru give a finite number where an input element is nan or
    infinite and the weight it meets is 0: conv_nd with a 1x1 filter (MyGrad's contraction
    skips the zero weight), gru whose input weights are all 0 (seed 162, session 17);
    NumPy's, PyTorch's and mygrad_c's arithmetic give nan, as 0 * nan is.  Is the
    statement such a call of ``op`` (whose first ``n_inputs`` arguments are arrays), its
    result differing only where mygrad_c's is nan?"""
    if d.mirror is None or d.key != "data" or f"{op}(" not in d.stmt:
        return False
    got, want = np.asarray(d.got), np.asarray(d.want)
    if got.shape != want.shape or got.dtype.kind != "f":
        return False
    differ = ~np.isclose(got, want, equal_nan=True)
    if not (np.all(np.isnan(got[differ])) and np.all(np.isfinite(want[differ]))):
        return False
    with mg.no_autodiff:
        args = _call_arguments(d.stmt, op, d.mirror.ns[mg], n_inputs)
    if args is None:
        return False
    # (nan from the inputs only)
    return not all(np.all(np.isfinite(np.asarray(_array_of(a)))) for a in args)


_OUT_TARGET = re.compile(r"out=(v\d+)\b(?!\.)")   # a tensor target (not `out=v1.data`)
_IN_PLACE_TARGET = re.compile(r"(?:with [^:]*: )?(v\d+)(?:\[.*\]\s*(?:\*\*|//|[-+*/%@&|^])?=(?!=)"
                              r"|\s*(?:\*\*|//|[-+*/%@&|^])=)")


def _write_after_failed_op(d: "Difference") -> bool:
    """An in-place write that MyGrad lets through into a new array where mygrad_c refuses
    it as read-only, into a tensor that an operation which raised had taken as an input:
    MyGrad's guard tracks the arrays of that operation for ever (leaked-lock), and treats
    a tracked read-only array as locked by a graph; without the failed operation MyGrad
    raises "read-only" too."""
    if d.mirror is None or d.key != "exception" or "read-only" not in str(d.got) \
            or "mygrad did not" not in str(d.got) or not str(d.got).startswith("mygrad_c raised"):
        return False
    m = _OUT_TARGET.search(d.stmt) or _IN_PLACE_TARGET.match(d.stmt)
    return m is not None and any(re.search(rf"\b{m.group(1)}\b", s) for s in d.mirror.failed)


def _soft_sign_int_overflow(d: "Difference") -> bool:
    """(hunt seed 244, session 32) soft_sign of an integer tensor that holds its dtype's most
    negative value (here from ``reciprocal`` of an integer 0) or int64's largest: MyGrad
    computes ``|x|`` and ``1 + |x|`` in the integer dtype, which overflow (``|int8(-128)|`` is
    -128), so its value there has the wrong sign or a magnitude above 1; mygrad_c's, computed
    in float64, is ``x / (1 + |x|)``.  Every element that differs must be such a wrong one."""
    if d.key != "data" or "soft_sign" not in d.stmt:
        return False
    want, got = np.asarray(d.want, dtype=float), np.asarray(d.got, dtype=float)
    if want.shape != got.shape:
        return False
    wrong = (np.abs(want) > 1) | (np.sign(want) != np.sign(got))
    return bool(wrong.any()) and bool(np.all(wrong | (want == got)))


def _mygrad_writes_untracked_shape(d: "Difference") -> bool:
    """(seed 171, session 17) An in-place write through a view whose shape was set while no
    graph was tracked (``with mg.no_autodiff: v.shape = ...``): MyGrad computes the new value
    from the view's reshaped array and fails to write it into the view's region of its base
    (ValueError: the shapes do not broadcast); mygrad_c computes it from the view as its
    record of the view (and MyGrad's, at a write into the base) has it, and writes it."""
    if d.mirror is None or d.key not in ("exception", "data"):
        return False
    got = str(d.got)
    # (the mirror image, hunt seed 194: the *base*'s shape set so, a write through a view
    # taken before: MyGrad writes and the view takes the shape it has taken again from the
    # reshaped base - a write changing a tensor's shape; mygrad_c refuses, naming the cause:
    # ``refused``)
    refused = got.startswith("mygrad_c raised ValueError(") and "), mygrad did not" in got \
        and "cannot write through this view" in got
    if d.key == "exception" and not refused and (
            "mygrad_c did not" not in got
            or not got.startswith(("mygrad raised ValueError", "mygrad raised IndexError"))):
        return False   # (IndexError: an index of the view's new shape into its old one, seed 192)
    m = _OUT_TARGET.search(d.stmt) or _IN_PLACE_TARGET.match(d.stmt)   # (a ufunc's out= too)
    ns = d.mirror.ns[mg]
    if m is None or m.group(1) not in ns:
        return False
    target = ns[m.group(1)]
    # (the view's own shape set so, hunt seed 203: MyGrad writes the element the index
    # names in the view taken again - not the one it names in the view - and the view takes
    # that shape; mygrad_c refuses the same way.  Its base's shape set so that the view's
    # values still fit the view taken again, hunt seed 214: MyGrad indexes that view -
    # ``v[0] = 5.`` of a (4,) view taken again as (1, 4) writes all four elements, ``v[-2]``
    # raises IndexError; mygrad_c writes the elements the index names in the view)
    written_element = "[" in d.stmt.split("=")[0]
    if d.key == "data" and not written_element:
        return False
    targets = (target,) if target.base is None else (target, target.base)
    reshaped = [r.group(1) for r in map(_UNTRACKED_SET_SHAPE.match, d.mirror._code) if r]
    return any(ns.get(name) is t for name in reshaped for t in targets)   # (by any name)


def _mygrad_replays_untracked_shape(d: "Difference") -> bool:
    """(seed 175, session 17) A backward through views of a tensor whose shape was set
    while no graph was tracked (``with mg.no_autodiff: v.shape = ...``): MyGrad re-takes
    the view from the reshaped array and fails (IndexError: too many indices); mygrad_c
    refuses the gradient of the old shape (InvalidGradient, its message naming the cause),
    as PyTorch refuses a gradient of the wrong shape - or, where that gradient has fewer
    dimensions than the reshaped input, the ValueError MyGrad raises for such a gradient,
    with the same hint (thorough seed 1550, session 30: stack's gradient for an input
    reshaped from (6,) to (6, 1)).  Where the backward does not depend on the old shape,
    mygrad_c gives the gradient in the new one, and MyGrad's may still crash on it (its
    repeat's backward: IndexError, hunt seed 177)."""
    if d.mirror is None or d.key != "exception" or "backward(" not in d.stmt:
        return False
    got = str(d.got)
    if not (re.match(r"\(InvalidGradient\(.*, (IndexError|ValueError)\(", got, re.S)
            # (the hint's end: got is shortened in the middle)
            or re.match(r"\(ValueError\(.*before building the graph.*, (IndexError|ValueError)\(",
                        got, re.S)
            or _MYGRAD_CRASHED_ALONE.match(got)):
        return False
    return any(map(_UNTRACKED_SET_SHAPE.match, d.mirror._code))


_SET_SHAPE = re.compile(r"^(?:with [^:]+: )?(v\d+)\.shape = ")
_UNTRACKED_SET_SHAPE = re.compile(r"with mg\.no_autodiff: (v\d+)\.shape = ")   # (no graph tracked)
# a statement on which MyGrad crashed (IndexError / ValueError) and mygrad_c ran on
_MYGRAD_CRASHED_ALONE = re.compile(r"mygrad raised (IndexError|ValueError)\(.*, mygrad_c did not", re.S)


def _mygrad_dropped_sibling_views(d: "Difference") -> bool:
    """(seed 175, session 17) Setting the shape of a view drops its base's *other* views
    from MyGrad's record of the base's views: at the next write into the base (or into any
    of its views) MyGrad does not re-make them, so they keep the old values in memory of
    their own (``v0 += 1`` leaves ``v3 = v0[::-1]`` as it was) and a backward through them
    gives no gradient at all (not even their own ``.grad``); mygrad_c's stay views.  Is
    the difference in such a dropped view, in its base, or in a gradient of a backward
    whose graph reaches one (in MyGrad)?  (Also whether the base keeps its creator after a
    backward through a dropped view: MyGrad clears the graph of a view's base with the
    view's - not once it has dropped the view; hunt seed 176.)"""
    if d.mirror is None or d.key not in ("data", "grad", "shares", "base", "has_creator") \
            or not any(map(_SET_SHAPE.match, d.mirror._code)):
        return False
    ns = d.mirror.ns[mygrad]
    names = [m.group(1) for m in map(_SET_SHAPE.match, d.mirror._code) if m]
    reshaped = [ns.get(n) for n in names]
    if d.key == "base" and len(set(names)) >= 2:
        # (hunt seed 241, session 31) the base a later shape set gives the views of the
        # reshaped tensor (its past state reached through `.creator.variables`: MyGrad's
        # shape setter makes its views views of it, as mygrad_c's) - except a view MyGrad
        # had dropped at an earlier shape set of a sibling view, which keeps its old base
        ns_c = d.mirror.ns[mg]
        t_c, t_r = ns_c.get(d.name), ns.get(d.name)
        base_c = getattr(t_c, "base", None)
        for n in set(names):
            if base_c is not None and base_c is ns_c.get(n) and isinstance(ns.get(n), mygrad.Tensor) \
                    and not any(c is t_r for c in ns[n]._view_children):
                return True
    dropped = []
    for k in variables(ns):
        t = ns[k]
        base = getattr(t, "base", None)
        if (isinstance(t, mygrad.Tensor) and base is not None
                and any(r is not t and getattr(r, "base", None) is base for r in reshaped)
                and not any(c is t for c in base._view_children)):
            dropped.append(t)
    if not dropped:
        return False
    related = {id(t) for t in dropped} | {id(t.base) for t in dropped}
    if id(ns.get(d.name)) in related:
        return True
    if d.key == "shares":
        # whether another tensor shares memory with a dropped view (thorough seed 1535:
        # an out= write into the base leaves MyGrad's dropped view in memory of its own)
        names = variables(ns)
        return all(id(ns[names[i]]) in related for i in set(d.got) ^ set(d.want))
    m = re.search(r"\b(v\d+)(?:\.sum\(\))?\.backward\(", d.stmt)
    return d.key == "grad" and m is not None and m.group(1) in ns and any(
        id(t) in related for t in _tensors_in_graphs([ns[m.group(1)]], mygrad))


def _shape_set_view_grad_after_failed_backward(d: "Difference") -> bool:
    """(thorough seed 1521, session 18; fixed) A view whose shape was set twice, with a
    backward that raised between: MyGrad reads the view's gradient off its past state's,
    which that backward nulled (None once the view is used again); mygrad_c read it off
    its base through the view's chain and kept the earlier backward's."""
    if d.mirror is None or d.key != "grad" or d.want is not None or d.got is None or not d.mirror.failed:
        return False
    t = d.mirror.ns[mygrad].get(d.name)
    return (getattr(t, "base", None) is not None
            and any(m and m.group(1) == d.name for m in map(_SET_SHAPE.match, d.mirror._code)))


def _refused_over_locked_target(d: "Difference") -> bool:
    """Both raise, mygrad_c first refusing to write into an over-locked target (NumPy
    checks that an output is writeable before anything else): MyGrad, whose array there is
    writeable, goes on to raise another error (a casting one).  The target's lock is the
    over-locked difference (a view of memory a live graph uses)."""
    if d.mirror is None or d.key != "exception" or not re.match(r"\(ValueError\('[^']*read-only", str(d.got)):
        return False
    m = _OUT_TARGET.search(d.stmt) or _IN_PLACE_TARGET.match(d.stmt)
    if m is None or m.group(1) not in d.mirror.ns[mg]:
        return False
    return bool(d.mirror.info(m.group(1)).get("guard_locked_view"))


def _signed_zero(d: "Difference") -> bool:
    """Some variable holds -0.0 in one library where the other has +0.0 (e.g. MyGrad's
    relu(-2) is -0.0): sign-sensitive operations (arctan2, 1 / x) then differ - in values
    only: a difference in views, memory, flags or graphs is never a zero's sign (seed 94's
    write through a deep copy's view, which also left a -0.0, was taken for one)."""
    if d.mirror is None or d.key not in ("data", "grad"):
        return False
    ns_c, ns_r = d.mirror.ns[mg], d.mirror.ns[mygrad]
    for k in variables(ns_r):
        a, b = ns_r[k], ns_c.get(k)
        a, b = _array_of(a), _array_of(b)
        if isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape and a.dtype.kind == "f":
            zero = (a == 0) & (b == 0)
            if (np.signbit(a[zero]) != np.signbit(b[zero])).any():
                return True
    return False


def _backward_into_past_state(d: "Difference") -> bool:
    """mygrad_c refuses (InvalidBackprop) a backward whose graph reaches the past state of
    an in-place target - a state whose graph was cleared before the write - where MyGrad
    back-propagates into the target's new state."""
    if d.mirror is None or "backward" not in d.stmt:
        return False
    if not ((d.key == "exception" and "mygrad_c raised InvalidBackprop" in str(d.got))
            or (d.key == "grad" and d.raised and (d.want is None or d.got is None))):
        # (a backward that raises in both: MyGrad nulls the gradient of the op's input
        # object, which mygrad_c's graph does not reach - or gives that object, the target's
        # new state, the gradient it computed before failing elsewhere, where mygrad_c's
        # graph reaches the cleared past state first and fails before any gradient)
        return False
    return any(t._hidden and t.creator is None for t in _tensors_in_graphs(d.mirror.ns[mg].values(), mg))


_OUT_ARRAY = re.compile(r"out=(v\d+(?:\.data)?)(?=[,)])")


def _out_overwrote_an_input(d: "Difference") -> bool:
    """(hunt seed 196) ``mg.add(v1, v1.data, out=v1.data)`` (the guard off, or a NumPy array
    target and input): MyGrad records the input array itself, which the write then fills with
    the result - its backward reads the overwritten values (``multiply(x, a, out=a)`` gives
    ``x.grad`` the product, a wrong number); mygrad_c keeps a copy of the input's values
    (documented in the migration guide).  Did the program run an out= into an array that the
    same call took as an input, and is the difference in what such a copy changes?"""
    if d.mirror is None or d.key not in ("shares", "data", "grad"):
        return False
    ns = d.mirror.ns[mg]
    for stmt in d.mirror._code:
        m = _OUT_ARRAY.search(stmt)
        if m is None or stmt.count(m.group(1)) < 2:
            continue
        if m.group(1).endswith(".data") or isinstance(ns.get(m.group(1)), np.ndarray):
            return True
    return False


def _stale_op_input_read(d: "Difference") -> bool:
    """``vN = vK.creator.variables[j]`` of an operation whose input was written in place
    after its graph was cleared: mygrad_c's operation refers to the input's earlier state
    (what it computed with), MyGrad's to the input object as it is now - another variable
    of the program in MyGrad, a hidden state in mygrad_c."""
    if d.mirror is None or ".creator.variables[" not in d.stmt:
        return False
    ns_c, ns_r = d.mirror.ns[mg], d.mirror.ns[mygrad]
    name = d.stmt.split("=")[0].strip()
    tc, t = ns_c.get(name), ns_r.get(name)
    if not (isinstance(tc, mg.Tensor) and isinstance(t, mygrad.Tensor)):
        return False
    if tc._hidden and any(ns_r[k] is t and ns_c.get(k) is not tc
                          for k in variables(ns_r) if k != name):
        return True
    # (A deep copy of the operation's result, thorough seed 1549: its operation's input is
    # a copy of that earlier state, which is not hidden - and the copied operation keeps
    # the original's record of which inputs were cleared, so the test below holds for it.)
    # The same when the written input is no variable of the program any more (a training
    # loop rebinding ``vN`` to the op's input and writing into it, hunt seed 192): MyGrad's
    # object carries the write (its new history or values), mygrad_c's operation refers to
    # an input whose graph was cleared since the operation used it.
    from mygrad_c import _engine

    m = re.search(r"(\w+)\.creator\.variables\[(-?\d+)\]", d.stmt)
    holder = ns_c.get(m.group(1)) if m else None
    op = getattr(holder, "creator", None)
    if op is None:
        return False
    j = int(m.group(2)) % len(op.variables)
    if j not in _engine.cleared_inputs(op, every=True):
        return False
    return (t.creator is not None and tc.creator is None) or \
        t.shape != tc.shape or not np.array_equal(t.data, tc.data, equal_nan=True)


def _tensors_in_graphs(objects, lib) -> list:
    """The tensors of ``lib`` among ``objects`` and every tensor their graphs reach."""
    seen, stack = {}, [v for v in objects if isinstance(v, lib.Tensor)]
    while stack:
        t = stack.pop()
        if id(t) not in seen:
            seen[id(t)] = t
            if t.creator is not None:
                stack.extend(v for v in t.creator.variables if isinstance(v, lib.Tensor))
    return list(seen.values())


def _stale_ops(ns: dict) -> frozenset:
    """The ids of the mygrad_c tensors whose gradient a backward may take from a stale
    operation - one whose input is the past state of an in-place target that was cleared
    after the operation used it, and whose values the write changed (MyGrad's operation
    then refers to the target as it is now: see ``stale-op-after-clear``).  Those are the
    operation's inputs, the target as it is now, and every tensor their graphs reach.
    Empty when no graph reaches such an operation."""
    from mygrad_c import _engine

    from_ = []
    for t in _tensors_in_graphs(ns.values(), mg):
        op = t.creator
        if op is None:
            continue
        for j in _engine.cleared_inputs(op, every=True):
            past = op.variables[j]
            if not past._hidden:
                continue
            now = _engine.current_object(past)
            if now is not past and now.shape == past.shape and \
                    np.array_equal(now.data, past.data, equal_nan=True):
                continue   # the write left the values as they were: nothing to tell apart
            from_.extend(v for v in op.variables if isinstance(v, mg.Tensor))
            from_.append(now)
    if not from_:
        return frozenset()
    return frozenset(id(t) for t in _tensors_in_graphs(from_, mg))


def _gradient_from_new_state(d: "Difference") -> bool:
    """A backward through an operation whose input was cleared and then written in place
    (``e = einsum("i,i", w, c)`` of a constant ``c``; ``c.backward()``; ``c *= 2``;
    ``e.backward()``): MyGrad's operation computes the gradient from ``c``'s new values
    (``w.grad`` 2c, a wrong number), mygrad_c's from the values it computed with (c).
    Only the gradients of the tensors such an operation reaches (or of views of them)
    are told apart so."""
    if d.key != "grad" or d.mirror is None or not d.mirror.stale_before:
        return False
    t = d.mirror.ns[mg].get(d.name)
    return isinstance(t, mg.Tensor) and (id(t) in d.mirror.stale_before
                                         or id(t.base) in d.mirror.stale_before)


def _locked_through_stale_op(d: "Difference") -> bool:
    """MyGrad keeps an array locked that mygrad_c released, through an operation that
    refers to an in-place target as it is now: in MyGrad a live graph reaches an operation
    whose input tensor was written in place after the operation ran (its graph had been
    cleared) and whose new history uses the array; mygrad_c's operation refers to the
    input's past state (a hidden tensor), which does not."""
    if d.mirror is None or d.key != "writeable" or d.want is not False or d.got is not True:
        return False
    arr = _array_of(d.mirror.ns[mygrad].get(d.name))
    if not isinstance(arr, np.ndarray):
        return False
    if not any(t._hidden for t in _tensors_in_graphs(d.mirror.ns[mg].values(), mg)):
        return False   # no operation of mygrad_c's refers to a past state
    return any(t.creator is not None and any(isinstance(v, mygrad.Tensor) and np.shares_memory(v.data, arr)
                                             for v in t.creator.variables)
               for t in _tensors_in_graphs(d.mirror.ns[mygrad].values(), mygrad))


def _leaked_lock(d: "Difference") -> bool:
    """MyGrad leaves an array read-only although no tensor sharing its memory has a graph
    or is used by a live operation any more: a lock it never releases."""
    if d.mirror is None or d.key != "writeable" or d.want is not False or d.got is not True:
        return False
    ns_r = d.mirror.ns[mygrad]
    t = ns_r.get(d.name)
    arr = _array_of(t)
    if not isinstance(arr, np.ndarray):
        return False
    for k in variables(ns_r):
        u = ns_r[k]
        if isinstance(u, mygrad.Tensor) and np.shares_memory(u.data, arr) and (
                u.creator is not None or getattr(u, "_ops", None)):
            return False
    return True


KNOWN_BUGS: dict = {
    # -- known to the lead when this was written ------------------------------------
    # after 64 views of a tensor were taken and dropped, the next view fails in mygrad_c
    "view-registry": lambda d: d.key == "exception" and "AttributeError" in str(d.got),
    # a view reused across backward passes keeps its first gradient in mygrad_c
    # (not a cumprod's non-finite gradient, an accepted difference of its own, below)
    "stale-view-grad": lambda d: (d.key == "grad" and d.info.get("base") is not None
                                  and not _mygrad_cumprod_nonfinite(d)),
    # MyGrad makes a broadcast_to output writeable once its graph is released
    "broadcast-writeable": lambda d: d.key == "writeable" and d.want is True and d.info.get("readonly_view"),
    # -- found by the program fuzzer --------------------------------------------------
    # under no_autodiff, MyGrad's results are never constant
    "no-autodiff-constant": lambda d: d.key == "constant" and "no_autodiff" in d.stmt,
    # under no_autodiff, MyGrad's backward does nothing (no gradients, graph kept)
    "no-autodiff-backward": lambda d: "no_autodiff" in d.stmt and "backward" in d.stmt,
    # an op made under mem_guard_off leaves its output writeable in MyGrad (x[i] = v:
    # mygrad_c locks the result)
    "mem-guard-off-lock": lambda d: d.key == "writeable" and d.want is True and "mem_guard_off" in d.stmt,
    # MyGrad locks the base array of a tensor whose array is a NumPy view of it (a view
    # made under no_autodiff); mygrad_c only the view
    "under-locked": lambda d: (d.key == "writeable" and d.want is False and d.got is True
                               and not _locked_through_stale_op(d)),
    # an in-place write into a tensor whose array is a read-only NumPy view (made under
    # no_autodiff from a locked tensor): MyGrad raises "read-only", mygrad_c writes into
    # a new array (or raises another error first)
    "read-only-numpy-view": lambda d: d.key == "exception" and "read-only" in str(d.got),
    # squeeze with nothing to squeeze returns the input's own array: MyGrad makes it a
    # view of the input when that array is itself a NumPy view
    "squeeze-nothing": lambda d: d.key == "base" and "squeeze" in d.stmt,
    # the state a view had before an in-place write (an operation's recorded input,
    # ``c.variables[j]``): MyGrad's is a view of the base's earlier state, mygrad_c's is
    # frozen on its own (``.base`` None; values and gradients the same)
    "past-view-base": lambda d: (d.key == "base" and d.got is None and d.want is not None
                                 and ".creator.variables[" in d.stmt and d.mirror is not None
                                 and getattr(d.mirror.ns[mg].get(d.name), "_hidden", False)),
    # x op= scalar on a constant float16/float32 tensor: MyGrad records a creator
    "constant-augmented-creator": lambda d: (d.key == "has_creator" and d.want is True
                                            and re.search(r"\S+ \W+= ", d.stmt) is not None),
    # MyGrad keeps the dtype for x ** 1 and x ** 2 (also with a 0-d array exponent, and
    # x **= 1.0 on an integer tensor); mygrad_c promotes as np.power does
    "power-special-exponents": lambda d: "**" in d.stmt and (d.key == "dtype" or "UFuncTypeError" in str(d.got)),
    # Tensor.copy() copies the gradient in MyGrad
    "copy-grad": lambda d: d.key == "grad" and ".copy()" in d.stmt,
    # null_gradients() on a tensor whose graph was cleared keeps its gradient in MyGrad
    "null-gradients": lambda d: d.key == "grad" and "null_gradients" in d.stmt,
    # a backward that raises (InvalidBackprop) leaves no gradients in MyGrad; mygrad_c
    # keeps those of an earlier backward
    # a backward retried after one that raised, through an einsum the failed one had
    # reached: MyGrad's einsum skips the inputs it back-propagated into before
    "einsum-once": _einsum_backpropagated_once,
    # (seed 98, session 15) a backward retried after one that raised, through a focal loss
    # the failed one had reached: MyGrad's focal loss multiplies its kept derivative again
    "focal-loss-retry-in-mygrad": _mygrad_focal_loss_retried,
    # a view whose base's gradient was nulled (the base used again): MyGrad still hands out
    # the view's gradient of the earlier backward when it was the base's own array
    "stale-grad-in-mygrad": _mygrad_stale_view_grad,
    # MyGrad's max_pool reads the wrong memory for a pooled length-1 axis with an unusual stride
    "max-pool-strides-in-mygrad": _mygrad_max_pool_strides,
    # MyGrad's conv_nd with a 1x1 filter: 0 * nan comes out as 0
    "conv-nan-in-mygrad": lambda d: _mygrad_drops_nan(d, "conv_nd", 2),
    # MyGrad writes a view reshaped under no_autodiff into its base in its new shape
    "untracked-shape-write-in-mygrad": _mygrad_writes_untracked_shape,
    # (fixed) a view whose shape was set, after a backward that raised: MyGrad's gradient
    # is read off the past state's (nulled), mygrad_c's was read off the base
    "shape-set-view-grad-after-failed-backward": _shape_set_view_grad_after_failed_backward,
    # MyGrad re-takes a view from a base reshaped under no_autodiff during backward
    "untracked-shape-backward-in-mygrad": _mygrad_replays_untracked_shape,
    "repeat-empty-in-mygrad": lambda d: (d.key == "exception" and "backward" in d.stmt
                                         and "mygrad raised ValueError('Each size of the window-shape must "
                                             "fit" in str(d.got) and "mygrad_c did not" in str(d.got)),
    # MyGrad's shape setter of a view drops its base's other views from the base's record
    "shape-set-drops-views-in-mygrad": _mygrad_dropped_sibling_views,
    # MyGrad's gru with input weights of 0: 0 * nan comes out as 0
    "gru-nan-in-mygrad": lambda d: _mygrad_drops_nan(d, "gru", 10),
    # MyGrad's gru gives wrong gradients after an in-place write into its output
    "gru-written-output-in-mygrad": _mygrad_gru_written_output,
    # MyGrad's gru overwrites the gradient array of its output during back-propagation
    "gru-output-grad-in-mygrad": _mygrad_gru_output_grad,
    # MyGrad's gru crashes in the backward after its output's shape was set
    "gru-shape-set-output-in-mygrad": _mygrad_gru_shape_set_output,
    # MyGrad's deep copy takes over the original's views when the copy is written in place
    "deepcopy-takes-views-in-mygrad": _mygrad_deepcopy_took_views,
    # MyGrad's cumprod gradient misses the nan / inf of the products
    "cumprod-nonfinite-in-mygrad": _mygrad_cumprod_nonfinite,
    # MyGrad's multiply_sequence gradient divides the product by the input: nan / inf where
    # an input is now 0 (written after the forward) or infinite, or the product overflowed
    "multiply-sequence-division-in-mygrad": _mygrad_multiply_sequence_division,
    # MyGrad re-attaches a view it had cut off (by a write into it) to the tensor it was
    # taken from, at a later write into that tensor (or its cut-off)
    "view-reattached-in-mygrad": _mygrad_view_reattached,
    # (seed 77) an activation's input written under no_autodiff after the forward ran under
    # mem_guard_off: MyGrad's soft_sign backward read the written values, mygrad_c's did not
    # (fixed in session 10, with relu, elu, selu and logsoftmax)
    "fused-op-reads-written-input": lambda d: (d.key == "grad" and _ran(d, "soft_sign(")
                                               and _ran(d, "mem_guard_off") and _ran(d, "no_autodiff")),
    # a deep copy of a tensor whose graph reaches a cleared part (here the previous
    # iteration's copy, back-propagated through): MyGrad's backward through the copy raises
    # InvalidBackprop ("... was 'cleared' prior to backprop"); mygrad_c back-propagated
    # (found in session 8, fixed in session 9)
    "deepcopy-cleared-graph": lambda d: (d.key == "exception" and "mygrad raised InvalidBackprop" in str(d.got)
                                         and _ran(d, "copy.deepcopy")),
    "failed-backward-grad": lambda d: (d.key == "grad" and d.want is None and d.got is not None
                                       and "backward" in d.stmt and d.raised),
    # an operation that fails (out= into an integer tensor) nulls its inputs' gradients
    # in mygrad_c; MyGrad keeps them
    "failed-op-nulls-grad": lambda d: (d.key == "grad" and d.want is not None and d.got is None and d.raised
                                       and "backward" not in d.stmt),
    "out-overwrites-input-in-mygrad": _out_overwrote_an_input,
    # (hunt seed 195) an in-place write or out= that raises (a casting error) has, in MyGrad,
    # already taken the views of the target's base again - a tensor whose shape was set is
    # then a view of its earlier state; mygrad_c's failed write changes nothing
    "failed-write-rebuilds-views-in-mygrad": lambda d: (
        (d.key == "base" and d.raised and d.want is not None and d.got is None
         and ("out=" in d.stmt or _IN_PLACE_TARGET.match(d.stmt) is not None))
        or _mygrad_failed_write_rewired(d)),
    # a backward that raises leaves the gradients it had computed in MyGrad; none in mygrad_c
    # (hunt seed 216) or read later, as a tensor of that graph taken from an operation's
    # inputs (``v5 = v3.creator.variables[1]``)
    "failed-backward-partial": lambda d: (d.key == "grad" and d.want is not None and d.got is None and (
        (d.raised and "backward" in d.stmt)
        or (d.mirror is not None and ".creator.variables[" in d.stmt and _after_a_failed_backward(d)))),
    # an op whose graph was cleared keeps referring to its input tensor in MyGrad; after an
    # in-place write into that tensor, a backward (or clear_graph) through the op clears
    # the tensor's new graph (its creator is gone)
    # (when the input's new state has been used since, MyGrad back-propagates into it;
    # mygrad_c's op reaches the cleared past state: InvalidBackprop; and a gradient the op
    # computes from that input's values uses its new values in MyGrad, seed 97)
    "stale-op-after-clear": lambda d: ((d.key == "has_creator" and d.want is False and d.got is True
                                        and ("backward" in d.stmt or "clear_graph" in d.stmt))
                                       or _backward_into_past_state(d) or _locked_through_stale_op(d)
                                       or _gradient_from_new_state(d) or _stale_op_input_read(d)),
    # out= whose inputs are all constant: MyGrad leaves the (non-constant) target non-constant
    "out-constant": lambda d: d.key == "constant" and "out=" in d.stmt,
    # out= that overwrites the whole target keeps the target's earlier graph in mygrad_c:
    # what it used stays locked, and a backward from the target clears that old graph too
    # (MyGrad's target has the new graph only)
    "out-overwrite-lock": lambda d: ((d.key == "writeable" and d.want is True and "out=" in d.stmt)
                                     or (d.key == "has_creator" and d.want is True and d.got is False
                                         and "backward" in d.stmt)
                                     or (d.key == "grad" and d.want is None and d.got is not None
                                         and "backward" in d.stmt and not np.any(d.got))),
    # a view made after a backward lets MyGrad back-propagate again through the cleared
    # graph; mygrad_c raises InvalidBackprop
    "backward-after-view": lambda d: d.key == "exception" and "mygrad_c raised InvalidBackprop" in str(d.got),
    # margin_ranking_loss of integer tensors: MyGrad raises TypeError
    "margin-ranking-int": lambda d: d.key == "exception" and "must contain floats" in str(d.got),
    # a view whose graph was cleared, after a backward from it: MyGrad keeps its .base
    "base-after-backward": lambda d: (d.key == "base" and d.want is not None and d.got is None
                                      and "backward" in d.stmt),
    # a softmax-family value closer to the exact one than MyGrad's (float16 rounding)
    "softmax-accuracy": _more_accurate_softmax,
    # softmax_crossentropy of scores holding +inf: MyGrad inf (right), mygrad_c nan
    "softmax-ce-inf": lambda d: d.key in ("data", "grad") and "softmax_crossentropy" in d.stmt,
    # softmax (and focal_loss of it) of scores with +inf, or huge integers: MyGrad's row is
    # all nan (integers: nan where the answer is [0, 1]); mygrad_c's nan only where the
    # score is inf
    # (also the gradients of a backward through such a softmax)
    "softmax-nonfinite": lambda d: (d.key in ("data", "grad")
                                    and ("softmax" in d.stmt or "focal_loss" in d.stmt
                                         or (d.key == "grad" and "backward" in d.stmt
                                             and _ran(d, "softmax", "focal_loss")))
                                    and _nonfinite(d.want, d.got)),
    # an in-place write through a view under mem_guard_off: MyGrad locks the base's
    # replaced array (until a backward) although guarding is off
    "mem-guard-off-old-lock": lambda d: (d.key == "writeable" and d.want is False and d.got is True
                                         and "mem_guard_off" in d.stmt),
    # MyGrad leaves an array locked with no graph left that uses its memory, or locked by
    # an operation that raised (it never existed, so its locks are never released)
    "leaked-lock": lambda d: _leaked_lock(d) or _write_after_failed_op(d) or (d.key == "writeable" and d.want is False
                                                 and d.got is True and d.raised),
    # soft_sign(+-inf): MyGrad's x / (1 + |x|) gives nan; mygrad_c the limit +-1 (gradient 0)
    "soft-sign-inf": lambda d: (d.key in ("data", "grad") and "soft_sign" in d.stmt
                                and bool(np.isnan(np.asarray(d.want, dtype=float)).any())),
    "soft-sign-int-overflow-in-mygrad": _soft_sign_int_overflow,
    # abs(t): MyGrad's Tensor has no __abs__ (TypeError); mygrad_c's has
    "abs": lambda d: d.key == "exception" and "abs()" in str(d.got),
    # both raise, but different exceptions: the libraries check in another order (e.g. a
    # backward through a cleared graph that would divide by zero: MyGrad's
    # ZeroDivisionError, mygrad_c's InvalidBackprop)
    "error-precedence": lambda d: d.key == "exception" and str(d.got).startswith("("),
    # an element write x[i] = v that mygrad_c does in x's own array leaves that array
    # locked while a graph uses x's earlier state (x[[0, 0]]), also after x.clear_graph();
    # MyGrad gives x a new array, unlocked
    "element-write-lock": lambda d: (d.key == "writeable" and d.want is True and d.got is False
                                     and "clear_graph" in d.stmt),
    "leaky-relu-inf-grad-in-mygrad": _leaky_relu_inf_grad,
    # MyGrad's relu(x) is x * (x > 0): -0.0 for negative x, nan for -inf
    "relu-inf": lambda d: d.key == "data" and "relu" in d.stmt and bool(np.isnan(d.want).any()),
    "signed-zero": _signed_zero,
    # (seed 85, session 11) a 0-d tensor's gradient through MyGrad's masked in-place path
    # (out= with a 0-d NumPy array as where=) comes out of MyGrad as a NumPy float64 scalar,
    # not an array of the tensor's dtype as everywhere else; mygrad_c gives the array in
    # the tensor's dtype (the same value; compared separately)
    "grad-dtype-0d-where-in-mygrad": lambda d: (d.key == "grad_dtype" and d.want == np.float64
                                              and d.info.get("shape") == ()
                                              and d.got == d.info.get("dtype")),
    # mygrad_c locks arrays that MyGrad leaves writeable, around views made under
    # no_autodiff / mem_guard_off (after the more specific entries above)
    "over-locked": lambda d: ((d.key == "writeable" and d.want is True and d.got is False)
                              or (d.key == "exception"
                                  and any(w in d.stmt for w in (".data", "no_autodiff", "mem_guard_off"))
                                  and str(d.got).startswith("mygrad_c raised ValueError")
                                  and "read-only" in str(d.got))
                              or _refused_over_locked_target(d)),
    # (known to the lead; last, as its test looks at the whole state) see _released_view
    "released-view": _released_view,
}


# KNOWN_BUGS entries accepted as deliberate differences (a program ends there without
# failing, as the states part ways).  Move a name here only where MyGrad's behaviour
# crashes, corrupts data or gives a wrong number, and say why.
ACCEPTED: dict = {
    # (hunt seed 196) MyGrad's backward reads an input array that out= overwrote
    "out-overwrites-input-in-mygrad": "MyGrad gives a wrong gradient: its recorded input is the "
                                      "out= array the result overwrote",
    # (hunt seed 195) an operation that raises should leave the program's state as it was
    "failed-write-rebuilds-views-in-mygrad": "MyGrad changes the views of a write's target "
                                             "even when the write fails",
    # relu(-inf) is -0.0; MyGrad's x * (x > 0) gives nan
    "relu-inf": "MyGrad gives a wrong number: relu(-inf) = nan",
    "leaky-relu-inf-grad-in-mygrad": "MyGrad gives a wrong number: nan for leaky_relu's gradient "
                                     "where the incoming gradient is infinite (inf * 0 in its masks)",
    "grad-dtype-0d-where-in-mygrad": "MyGrad's .grad there is a float64 NumPy scalar, not the array "
                                     "of the tensor's dtype its own rule gives (the value is the same)",
    # An op recorded before its input's graph was cleared keeps referring to the input
    # object in MyGrad: after an in-place write into the input, the op's graph reaches the
    # input's new history (a backward through it refuses a variable input, InvalidBackprop
    # in both; through a constant one MyGrad clears the new history).  mygrad_c rewires the
    # op to the input's past state, which is what the op computed with.
    "stale-op-after-clear": "MyGrad's graph then mixes an op's old input with the input's new state",
    # a view's array stays read-only in MyGrad after every graph that used its memory is
    # gone (e.g. a view of a view rebuilt by an element write, then back-propagated
    # through): a write into it then fails for ever; mygrad_c releases the lock
    # mem_guard_off promises writeable arrays; MyGrad locks (until a backward) the array an
    # in-place write through a view replaced, so a write into it raises
    "mem-guard-off-old-lock": "MyGrad locks an array under mem_guard_off: a later write raises",
    # (also the arrays an operation that raised had locked, e.g. a failed concatenate)
    "leaked-lock": "MyGrad never releases a lock: later writes fail",
    # soft_sign(+-inf) is +-1 (gradient 0); MyGrad's x / (1 + |x|) gives nan
    "soft-sign-inf": "MyGrad gives a wrong number: soft_sign(inf) = nan",
    # (hunt seed 244, session 32) soft_sign of an integer tensor holding its dtype's most
    # negative value (or int64's largest): MyGrad's |x| and 1 + |x| overflow in the integer dtype
    "soft-sign-int-overflow-in-mygrad": "MyGrad gives a wrong number: soft_sign(int8(-128)) = 1.008, "
                                        "soft_sign(int64 min) = +1",
    # abs(t): MyGrad's Tensor has no __abs__ and raises TypeError; mygrad_c computes |t|
    "abs": "MyGrad fails (TypeError) on abs(t)",
    # mygrad_c locks every array of a block of memory that a live graph uses (here a view
    # taken under no_autodiff of the memory a graph uses); MyGrad locks only the arrays the
    # graph used, and a write through another array viewing the same memory silently
    # corrupts the gradient (docs/bugs-views.md: "a base used by a live graph locks all its
    # views")
    "over-locked": "MyGrad leaves writeable a view of memory a live graph uses (silent corruption)",
    # x[i] = v writes into x's own array when nobody can read the old values; that array
    # stays read-only while a live graph uses an earlier state of x sharing it, also after
    # x.clear_graph() (MyGrad copies the array, and the copy is writeable again).  The
    # write-in-place is what keeps element-update loops fast (benchmark row 10); the array
    # is only more locked, never corrupted.
    "element-write-lock": "an element-write array stays locked while an earlier state's graph lives",
    # softmax of +inf (or of huge integers): mygrad_c gives the limit where it is
    # determined ([[inf, 1]] -> [1, 0]; integers exactly), MyGrad nan
    "softmax-nonfinite": "MyGrad gives nan where the softmax is determined",
    # MyGrad's einsum back-propagates into each input once in the operation's life: after
    # a backward that raised midway, a retry through it gives those inputs no gradient,
    # and MyGrad then fails its own assertion (or, if the retry raises first, leaves them
    # None); mygrad_c back-propagates through the einsum again
    "einsum-once": "MyGrad's einsum skips its inputs in a retried backward, then fails its own assertion",
    # MyGrad's focal-loss operation scales the derivative it kept from the forward in
    # place by each incoming gradient: a backward that raised midway after reaching it
    # leaves it scaled, and a retry gives the loss's input a wrong gradient (the product
    # of both incoming gradients); mygrad_c computes the derivative afresh
    "focal-loss-retry-in-mygrad": "MyGrad's focal loss gives a wrong gradient in a retried backward",
    # softmax, logsoftmax and softmax_crossentropy keep the log-sum-exp in higher precision
    # than the scores' float16 (issue 11, item 8: keep the more accurate value); the
    # predicate checks against the float64 value of the same scores
    "softmax-accuracy": "MyGrad's softmax losses lose the log-sum-exp correction (float16: 0.75 for log 2; "
                        "equal integer scores of -2**63: 0)",
    # a squeeze of nothing of a released view shares its parent's gradient array; once the
    # parent is used again (its gradient nulled), MyGrad keeps handing out that array as
    # the squeeze's gradient - the stale gradient of issue 11's defect 2 - mygrad_c None
    "stale-grad-in-mygrad": "MyGrad hands out a view's stale gradient after its base's was nulled",
    # max_pool of an array whose pooled length-1 axis has a stride other than the
    # C-contiguous one (MyGrad's own max_pool output has such strides): MyGrad reads other
    # elements of its input, or memory outside it; mygrad_c pools the values
    "max-pool-strides-in-mygrad": "MyGrad's max_pool reads the wrong memory for unusual strides",
    # conv_nd of an input holding nan (or inf) with a zero weight: 0 * nan is nan in
    # NumPy's, PyTorch's and mygrad_c's arithmetic; MyGrad's contraction (1x1 filters)
    # skips the zero weight and gives 0
    "conv-nan-in-mygrad": "MyGrad's conv_nd drops a nan input where the weight is 0",
    # (seed 162, session 17) gru of an input holding nan with input weights (U) all 0:
    # MyGrad's states stay finite (0), mygrad_c's are nan from that step on, as NumPy's
    # `X @ U` is
    "gru-nan-in-mygrad": "MyGrad's gru drops a nan input where the weights are 0",
    # (seed 171, session 17) `with mg.no_autodiff: v.shape = ...` of a view, then `v -= w`:
    # MyGrad computes v - w in v's new shape and cannot write it into v's region of its
    # base (ValueError: non-broadcastable); NumPy's `a.shape = s; a -= w` works, and
    # mygrad_c writes the view as its base has it (MyGrad's own view at a write into the base)
    # (hunt seed 194) and the mirror image: the base's shape set so, a write through a view
    # taken before, whose values no longer fit the view taken again: MyGrad writes, and the
    # view changes shape; mygrad_c raises ValueError naming the likely cause
    "untracked-shape-write-in-mygrad": "MyGrad fails to write a view reshaped under no_autodiff, "
                                       "or changes a view's shape by a write through it",
    # (seed 175, session 17) `with mg.no_autodiff: v.shape = ...` of a tensor whose views
    # a live graph used, then a backward through them: MyGrad re-takes each view from the
    # reshaped array and crashes (IndexError: too many indices); mygrad_c refuses the
    # gradient of the old shape with an InvalidGradient that names the likely cause (as
    # PyTorch refuses a gradient of the wrong shape)
    # (hunt seed 187, session 20) the backward of a repeat of an empty tensor: MyGrad's
    # sliding window over the gradient raises ValueError; mygrad_c gives the empty gradient
    # (tests/test_fidelity_api.py::test_repeat_of_an_empty_input_backpropagates)
    "repeat-empty-in-mygrad": "MyGrad crashes (ValueError) in the backward of a repeat of an empty tensor",
    "untracked-shape-backward-in-mygrad": "MyGrad crashes (IndexError) re-taking a view of a base reshaped "
                                          "under no_autodiff",
    # (seed 175, session 17) `v2.shape = ...` of a view of v0 drops v0's other views (v3)
    # from MyGrad's record of v0's views: the next write into v0 or one of its views leaves
    # v3 holding the old values in memory of its own (a wrong number: NumPy's view shows
    # the new ones), and a backward through v3 gives no gradient, not even v3's own
    # .grad; mygrad_c's v3 stays a view of v0 (values and gradients as if no shape was set)
    "shape-set-drops-views-in-mygrad": "MyGrad's shape setter cuts a base's other views off it "
                                       "(stale values, no gradients)",
    # a gru layer's output: MyGrad's backward through time accumulates into the gradient
    # array it is handed, which is the output's .grad (of the wrong shape, T steps for T + 1
    # states, and wrong values); mygrad_c's is dL/dS
    "gru-output-grad-in-mygrad": "MyGrad's gru leaves its output's .grad overwritten (wrong shape and values)",
    # (seed 180, session 18) an in-place write into a gru layer's output (s[1] = 0.5),
    # then a backward through it: MyGrad's back-propagation through time gives the layer's
    # inputs wrong gradients (central differences agree with mygrad_c's)
    "gru-written-output-in-mygrad": "MyGrad's gru gives wrong gradients after a write into its output",
    # (hunt seed 205, session 24) the shape of a gru layer's output set, then a backward
    # through it: MyGrad's back-propagation through time reads the new shape and crashes
    # (IndexError or ValueError); mygrad_c gives the gradients of the output reshaped
    # (tests/nnet/test_gru.py::test_gru_backward_after_its_outputs_shape_was_set)
    "gru-shape-set-output-in-mygrad": "MyGrad's gru crashes in the backward after its output's shape was set",
    # a deep copy in MyGrad keeps the original's record of its views (weak references are
    # copied as they are): an in-place write into the copy re-makes those views on the
    # copy's memory, so a view of the original then shows the copy's data (and switches
    # back at the next write into the original); mygrad_c's copy has no views of its own
    "deepcopy-takes-views-in-mygrad": "MyGrad's deep copy, written in place, hijacks the original's views",
    # cumprod of values whose products hold nan or inf: MyGrad's division-based gradient
    # gives finite numbers (0) where the exact gradient is nan (docs/guide/migrating.md,
    # "numbers where MyGrad's are wrong")
    "cumprod-nonfinite-in-mygrad": "MyGrad's cumprod gradient misses nan/inf products",
    # (seed 96, session 14) multiply_sequence(v0, v0) under mem_guard_off, then
    # v0.data[1] = 0: MyGrad's gradient divides by the written 0 (nan), mygrad_c's is the
    # product of the others (migrating.md, deliberate difference 17)
    "multiply-sequence-division-in-mygrad": "MyGrad's multiply_sequence gradient divides by the input "
                                            "(nan or inf where it is 0 or infinite)",
    # a view cut off its base by a write into it stays registered with its parent in
    # MyGrad: a later write into the parent overwrites the cut-off view's values (or the
    # parent's own cut-off, even by an out= that fails, makes it a view of the parent)
    "view-reattached-in-mygrad": "MyGrad re-attaches a cut-off view: a write into its old parent overwrites it",
}


def skipped_bugs() -> set:
    names = {n.strip() for n in os.environ.get("MYGRAD_C_FUZZ_SKIP_KNOWN", "").split(",") if n.strip()}
    return set(KNOWN_BUGS) if "all" in names else names


def known_bug(diff: Difference, names=None) -> Optional[str]:
    """The name of the known bug ``diff`` looks like (among ``names``), or None."""
    for name in (KNOWN_BUGS if names is None else names):
        if KNOWN_BUGS[name](diff):
            return name
    return None


# ---------------------------------------------------------------------------
# comparing two namespaces
# ---------------------------------------------------------------------------
def _comparable(obj) -> bool:
    return obj is None or isinstance(obj, (mg.Tensor, mygrad.Tensor, np.ndarray, np.generic,
                                           int, float, bool))


def variables(ns: dict) -> list:
    """The program's variables, in the order they were first bound."""
    return [k for k in ns if k not in RESERVED and _comparable(ns[k])]


def _close(got, want, dtype) -> bool:
    got, want = np.asarray(got), np.asarray(want)
    if want.dtype.kind not in "fc" or got.dtype.kind not in "fc":
        return np.array_equal(got, want)
    if np.array_equal(got, want, equal_nan=True):
        return True
    with np.errstate(all="ignore"):
        return bool(np.allclose(got, want, equal_nan=True, **tols(dtype)))


def first_difference(names, got: list, want: list, floor=np.float64) -> Optional[Difference]:
    """Compare two describe() lists (mygrad_c, MyGrad) of the variables ``names``.

    Floats are compared with the tolerance of their dtype, or of ``floor`` if that is
    less precise: a value computed from float16 data may be stored as float64, and
    the libraries need not round alike on the way."""
    for name, g, w in zip(names, got, want):
        if g.keys() != w.keys():
            return Difference(name, "kind", sorted(g), sorted(w), info=g)
        for key in w:
            if key in ("readonly_view", "guard_locked_view"):
                continue
            gv, wv = g[key], w[key]
            if _allowed_difference(key, gv, wv, g, got):
                continue
            if isinstance(wv, np.ndarray) or isinstance(gv, np.ndarray):
                # tolerance by the dtype of the tensor (a gradient has its tensor's dtype)
                dtype = w["dtype"] if key == "grad" else np.asarray(wv).dtype
                if dtype.kind == "f" and np.dtype(floor).itemsize < dtype.itemsize:
                    dtype = np.dtype(floor)
                if (gv is None or wv is None or np.shape(gv) != np.shape(wv)
                        or not _close(gv, wv, dtype)):
                    return Difference(name, key, gv, wv, info=g)
            elif gv != wv:
                return Difference(name, key, gv, wv, info=g)
    return None


# ---------------------------------------------------------------------------
# running
# ---------------------------------------------------------------------------
@contextlib.contextmanager
def frozen_gc():
    """Move every object that exists now out of the collector's sight for the duration
    (``gc.freeze``): the collection before each statement then only looks at what the
    program made, which makes it about ten times faster.  Re-entrant."""
    if _frozen[0]:
        yield
        return
    gc.collect()
    gc.freeze()
    _frozen[0] = True
    try:
        yield
    finally:
        _frozen[0] = False
        gc.unfreeze()


_frozen = [False]


class Mirror:
    """Two namespaces, one per library, that execute the same statements."""

    def __init__(self):
        self.ns = {lib: {"mg": lib, "np": np, "copy": copy} for lib in LIBS}
        self._code: dict = {}
        self.floor = np.dtype(np.float64)
        self.ended: Optional[str] = None   # why the program ended early, if it did
        self.failed: list = []             # the statements that raised in both, in order
        self.stale_before = frozenset()    # (before the last statement) see _stale_ops

    def execute(self, stmt: str) -> Optional[Difference]:
        """Run ``stmt`` in both.  Returns None if both ran or both raised the same type
        of exception, else the Difference.  Raises MyGradCrashed on MyGrad's internal
        assertion; sets ``self.raised`` (did both raise)."""
        code = self._code.get(stmt)
        if code is None:
            code = self._code[stmt] = compile(stmt, "<program>", "exec")
        errors = {}

        def f(lib):
            try:
                with hang_guard():
                    exec(code, self.ns[lib])
            except Exception as e:  # noqa: BLE001
                errors[lib] = e
                raise
        self.raised = False
        self.stale_before = _stale_ops(self.ns[mg]) if "backward" in stmt else frozenset()
        try:
            with warnings.catch_warnings():  # _do's assume() outside a hypothesis test
                warnings.simplefilter("ignore", HypothesisDeprecationWarning)
                self.raised = _do(f) is None
            if self.raised:
                self.failed.append(stmt)
        except UnsatisfiedAssumption:
            raise MyGradCrashed(repr(errors.get(mygrad))) from None
        except AssertionError as e:
            self.raised = True
            return Difference("<statement>", "exception", str(e), None)
        finally:
            # a caught exception's traceback holds the frames it went through (and _do's
            # frame holds the exception: a cycle); drop it so that what the failed
            # statement made is freed at once, as in a plain script
            for e in errors.values():
                while e is not None:
                    e.__traceback__ = None
                    e = e.__context__
        if max(_program_bytes(self.ns[mg]), _program_bytes(self.ns[mygrad])) > MAX_PROGRAM_BYTES:
            raise ProgramTooLarge(f"its arrays hold more than {MAX_PROGRAM_BYTES >> 20} MB")
        return None

    def info(self, name: str) -> dict:
        """describe() of the mygrad_c variable ``name``."""
        names = variables(self.ns[mg])
        return describe([self.ns[mg][k] for k in names])[names.index(name)]

    def difference(self) -> Optional[Difference]:
        names_c, names_r = variables(self.ns[mg]), variables(self.ns[mygrad])
        if names_c != names_r:
            return Difference("<namespace>", "names", names_c, names_r)
        got = describe([self.ns[mg][k] for k in names_c])
        want = describe([self.ns[mygrad][k] for k in names_r])
        for w in want:   # the least precise float dtype the program has used so far
            dt = w.get("dtype", getattr(w.get("plain"), "dtype", None))
            if dt is not None and dt.kind == "f" and dt.itemsize < np.dtype(self.floor).itemsize:
                self.floor = dt
        return first_difference(names_r, got, want, self.floor)


class Runner:
    """Executes a program's statements in a Mirror, comparing after each one."""

    def __init__(self, program: Program, *, repro: bool = True):
        self.program = program
        self.m = Mirror()
        self.raised: set = set()   # (part, index) of statements that raised (in both)
        self.repro = repro

    def step(self, stmt: str, where: tuple, check: bool = True) -> bool:
        """Run one statement; False if the program ends here (MyGrad crashed).
        Raises ProgramMismatch on a difference (KnownBugHit for one that is skipped);
        check=False compares only the exceptions raised, not the variables."""
        try:
            diff = self.m.execute(stmt)
        except MyGradCrashed as e:
            self.m.ended = f"MyGrad failed its own assertion at {where}: {stmt}  ({e})"
            return False
        except ProgramTooLarge as e:
            self.m.ended = f"the program grew too large at {where}: {stmt}  ({e})"
            return False
        if self.m.raised:
            self.raised.add(where[:2])
        if check:
            diff = diff or self.m.difference()
        if diff is None:
            return True
        diff.where, diff.stmt, diff.raised, diff.mirror = where, stmt, self.m.raised, self.m
        if diff.name in variables(self.m.ns[mg]):
            diff.info = self.m.info(diff.name)
        if known_bug(diff, skipped_bugs() | set(ACCEPTED)):
            raise KnownBugHit(diff)
        program = dataclasses.replace(self.program, setup=list(self.program.setup),
                                      body=list(self.program.body))
        raise ProgramMismatch(report(program, diff, self.raised, self.m, repro=self.repro),
                              program, diff)

    def run(self, start: int = 0, every_statement: bool = True) -> "Runner":
        """Run the program's statements from the ``start``-th executed one on.

        every_statement=False compares the variables only after each setup statement,
        after each backward and at the end (a difference is then located by running the
        program again, comparing after every statement).  Exceptions are compared
        after every statement in both modes."""
        last = ("body", len(self.program.body) - 1, self.program.iterations - 1)
        try:
            with frozen_gc():
                for k, (stmt, where) in enumerate(self.program.steps()):
                    check = (every_statement or where[0] == "setup" or where == last
                             or ".backward(" in stmt)
                    if k >= start and not self.step(stmt, where, check):
                        break
        except ProgramMismatch:
            if every_statement:
                raise
            Runner(self.program, repro=self.repro).run()  # raises the located difference
            raise
        return self


def run_program(program: Program, *, repro: bool = True, every_statement: bool = True) -> Mirror:
    """Execute ``program`` in both libraries, comparing after every statement.

    Raises ProgramMismatch (with a script that reproduces it) on the first difference.
    A program ends early, without failing, when MyGrad fails its own internal assertion
    (or at an accepted difference, or at a known bug that a hunt skips): the returned
    Mirror's ``ended`` says why.  ``repro=False`` skips checking
    that the printed script reproduces the difference on its own.
    """
    runner = Runner(program, repro=repro)
    try:
        runner.run(every_statement=every_statement)
    except KnownBugHit as e:
        name = known_bug(e.args[0], ACCEPTED)
        runner.m.ended = (f"accepted difference {name!r}" if name is not None
                          else f"known bug {known_bug(e.args[0])!r} (skipped)")
    return runner.m


def shrink(program: Program, diff: Difference, budget: int = 400) -> tuple:
    """Delete statements (and iterations, and ``with`` wrappers) from a failing program
    while it still fails with the same signature.  Returns (program, ProgramMismatch)."""
    sig = diff.signature()
    best = [None]

    def fails(p: Program) -> bool:
        nonlocal budget
        if budget <= 0:
            return False
        budget -= 1
        try:
            Runner(p, repro=False).run()
        except ProgramMismatch as e:
            if e.diff.signature() == sig:
                best[0] = e
                return True
        except Exception:  # noqa: BLE001  (KnownBugHit, or a harness error on a broken program)
            pass
        return False

    p = dataclasses.replace(program, setup=list(program.setup), body=list(program.body))
    if diff.where[0] == "setup":   # nothing after the failing statement matters
        p = Program(setup=p.setup[: diff.where[1] + 1])
    else:
        p.iterations = diff.where[2] + 1
    if not fails(p):
        return program, None
    changed = True
    while changed:
        changed = False
        while p.iterations > 1 and fails(dataclasses.replace(p, iterations=p.iterations - 1)):
            p = dataclasses.replace(p, iterations=p.iterations - 1)
            changed = True
        if p.iterations == 1 and p.body and fails(Program(setup=p.setup + p.body)):
            p = Program(setup=p.setup + p.body)
            changed = True
        for part in ("body", "setup"):
            i = len(getattr(p, part)) - 1
            while i >= 0:
                stmts = getattr(p, part)
                for cand in _simpler(stmts[i]):
                    q = dataclasses.replace(p, **{part: stmts[:i] + ([cand] if cand else []) + stmts[i + 1:]})
                    if fails(q):
                        p = q
                        changed = True
                        break
                i -= 1
    return p, best[0]


def _simpler(stmt: str):
    """Candidate replacements for a statement while shrinking (None deletes it)."""
    yield None
    m = re.match(r"with mg\.\w+: (.*)$", stmt)
    if m:
        yield m.group(1)


# ---------------------------------------------------------------------------
# reporting: a script that runs both libraries
# ---------------------------------------------------------------------------
def _show_expr(m: Mirror, d: Difference) -> str:
    name, key, got, want = d.name, d.key, d.got, d.want
    if name.startswith("<"):
        return ""
    if key in ("grad", "grad_dtype"):
        return f"{name}.grad"
    if key in ("constant",):
        return f"{name}.constant"
    if key == "has_creator":
        return f"{name}.creator is None"
    if key == "writeable":
        return f"{name}.data.flags.writeable"
    names = variables(m.ns[mygrad])
    if key == "base":
        idx = want if isinstance(want, int) else got if isinstance(got, int) else None
        return f"{name}.base is None" if idx is None else f"{name}.base is {names[idx]}"
    if key == "shares":
        other = sorted(set(got) ^ set(want))[0]
        return f"np.shares_memory({_data(m, name)}, {_data(m, names[other])})"
    return name


def _data(m: Mirror, name: str) -> str:
    return f"{name}.data" if isinstance(m.ns[mygrad][name], mygrad.Tensor) else name


def script(program: Program, where: tuple, raised: set, show: str, gc_each: bool) -> str:
    """Python source that runs the program up to ``where`` in both libraries and prints
    ``show`` for each."""
    ind = "    "
    out = (["import gc"] if gc_each else []) + ["import copy", "import numpy as np", "import mygrad",
                                                 "import mygrad_c", "", "for mg in (mygrad, mygrad_c):"]

    def emit(stmt, key, depth):
        if key in raised:
            out.append(ind * depth + "try:")
            depth += 1
        out.extend(ind * depth + ("gc.collect(); " if gc_each and not k else "") + line
                   for k, line in enumerate(stmt.splitlines()))
        if key in raised:
            depth -= 1
            out.append(ind * depth + "except Exception as e:")
            out.append(ind * depth + ind + "print(mg.__name__, 'raised', type(e).__name__, e)")

    if where[0] == "setup":
        for i, s in enumerate(program.setup[: where[1] + 1]):
            emit(s, ("setup", i), 1)
    else:
        for i, s in enumerate(program.setup):
            emit(s, ("setup", i), 1)
        _, stop, it = where
        out.append(f"{ind}for it in range({it + 1}):")
        for i, s in enumerate(program.body):
            emit(s, ("body", i), 2)
            if i == stop and stop < len(program.body) - 1:
                out.append(f"{ind * 2}if it == {it}:")
                out.append(f"{ind * 3}break")
    if show:
        out.append(f"{ind}{'gc.collect(); ' if gc_each else ''}print(mg.__name__, {show!r}, '=', repr({show}))")
    return "\n".join(out) + "\n"


def _script_output(src: str) -> list:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), np.errstate(all="ignore"):
        try:
            exec(compile(src, "<repro>", "exec"), {"__name__": "__repro__"})
        except Exception as e:  # noqa: BLE001
            print("script raised", type(e).__name__, e)
    return buf.getvalue().splitlines()


def _differs(lines: list) -> bool:
    """Does a script's output show the two libraries disagreeing?"""
    by_lib: dict = {"mygrad": [], "mygrad_c": []}
    for line in lines:
        lib, _, rest = line.partition(" ")
        if lib not in by_lib:
            return True  # the script itself failed
        by_lib[lib].append(rest)
    return by_lib["mygrad"] != by_lib["mygrad_c"]


def report(program: Program, d: Difference, raised: set, m: Mirror, repro: bool = True) -> str:
    where = d.where
    step = (f"setup statement {where[1]}" if where[0] == "setup"
            else f"loop body statement {where[1]}, iteration {where[2]}")
    head = [f"mygrad_c and MyGrad differ after {step}:"] + ["    " + line for line in d.stmt.splitlines()]
    if d.name == "<statement>":
        head.append(f"  {d.got}")
    else:
        pad = " " * (len(d.name) + len(d.key) + 3)
        head.append(f"  {d.name}.{d.key}: mygrad_c {d.got!r}\n{pad}   mygrad {d.want!r}")
    bug = known_bug(d)
    if bug:
        head.append(f"  (looks like the known bug {bug!r}: programs.KNOWN_BUGS)")
    show = _show_expr(m, d)
    text = script(program, where, raised, show, gc_each=False)
    note = ""
    if repro and not _differs(_script_output(text)):
        with_gc = script(program, where, raised, show, gc_each=True)
        if _differs(_script_output(with_gc)):
            text = with_gc
            note = "  (MyGrad's result depends on when its cyclic garbage is collected)"
        else:
            note = ("  (this script does not show the difference on its own: the harness "
                    "also reads every variable after each statement)")
    return "\n".join(head + ["", "Reproduce (runs both libraries):" + note, "", text,
                             "As a regression test:", f"run_program({program!r})"])
