"""Shared helpers for the fuzz targets: turn fuzz bytes into awkward NumPy arrays.

Every target exposes ``test_one_input(data: bytes)`` (what atheris calls; it
raises ``AssertionError`` on a mismatch with the NumPy reference and lets any
unexpected exception escape) and ``main()``.  ``Provider`` is a small
deterministic byte consumer so that the targets can also be driven without
atheris (the smoke test feeds them random bytes).
"""
from __future__ import annotations

import os
import sys

import numpy as np


class Provider:
    """Consume fuzz bytes as small integers, booleans and float arrays (never runs dry)."""

    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0

    def byte(self) -> int:
        if self.pos >= len(self.data):
            return 0
        b = self.data[self.pos]
        self.pos += 1
        return b

    def int_in(self, lo: int, hi: int) -> int:
        """An int in [lo, hi]."""
        span = hi - lo + 1
        v = self.byte()
        if span > 256:
            v = v | (self.byte() << 8)
        return lo + v % span

    def flag(self) -> bool:
        return bool(self.byte() & 1)

    def pick(self, seq):
        return seq[self.int_in(0, len(seq) - 1)]

    def values(self, n: int, special: bool = True) -> np.ndarray:
        """n float64 values: small integers-with-fractions mostly, nan/inf/-0.0 sometimes."""
        out = np.empty(n, dtype=np.float64)
        for i in range(n):
            b = self.byte()
            if special and b >= 250:
                out[i] = (np.nan, np.inf, -np.inf, -0.0, 1e300, -1e300)[b - 250]
            else:
                out[i] = (b - 125) / 8.0
        return out

    def array(self, shape, dtype, layout: str | None = None, special: bool = True) -> np.ndarray:
        """An array with the given shape/dtype in a fuzz-chosen memory layout."""
        shape = tuple(int(s) for s in shape)
        dtype = np.dtype(dtype)
        vals = self.values(int(np.prod(shape)), special and dtype.kind == "f")
        with np.errstate(all="ignore"):
            base = vals.astype(dtype).reshape(shape)
        layout = layout or self.pick(LAYOUTS)
        return relayout(base, layout, self)


LAYOUTS = ("c", "f", "strided", "reversed", "broadcast", "bigendian", "readonly", "offset")


def relayout(base: np.ndarray, layout: str, p: Provider | None = None) -> np.ndarray:
    """The same values as ``base`` in another memory layout."""
    if base.ndim == 0 or base.size == 0:
        if layout == "readonly":
            base = base.copy()
            base.flags.writeable = False
        return base
    if layout == "c":
        return np.ascontiguousarray(base)
    if layout == "f":
        return np.asfortranarray(base)
    if layout == "strided":
        axis = p.int_in(0, base.ndim - 1) if p else base.ndim - 1
        big = np.repeat(base, 3, axis=axis)
        sl = [slice(None)] * base.ndim
        sl[axis] = slice(1, None, 3)
        return big[tuple(sl)]
    if layout == "reversed":
        return np.flip(np.flip(base).copy())
    if layout == "broadcast":
        # a stride-0 view when an axis holds one repeated value; else fall back to C
        axis = p.int_in(0, base.ndim - 1) if p else 0
        first = np.take(base, [0], axis=axis)
        return np.broadcast_to(first, base.shape)
    if layout == "bigendian":
        return base.astype(base.dtype.newbyteorder(">"))
    if layout == "readonly":
        out = base.copy()
        out.flags.writeable = False
        return out
    if layout == "offset":
        # misaligned-by-one-element view into a larger buffer
        flat = np.empty(base.size + 1, dtype=base.dtype)
        flat[1:] = base.reshape(-1)
        return flat[1:].reshape(base.shape)
    raise ValueError(layout)


def assert_same(actual, expected, what: str, exact: bool = False) -> None:
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    if exact:
        ok = np.array_equal(actual, expected, equal_nan=True)
    else:
        tol = 1e-3 if actual.dtype == np.float32 else 1e-9
        with np.errstate(invalid="ignore", over="ignore"):
            ok = np.allclose(actual, expected, rtol=tol, atol=tol, equal_nan=True)
    if not ok:
        raise AssertionError(f"{what}: mismatch\nactual={actual!r}\nexpected={expected!r}")


def run_main(test_one_input) -> None:
    """Entry point of a target: hand it to atheris with the command-line arguments."""
    import atheris

    atheris.Setup(sys.argv, atheris.instrument_func(test_one_input))
    atheris.Fuzz()


def instrumented():
    """Context manager instrumenting the imports done inside it (coverage of the wrappers)."""
    try:
        import atheris
    except ImportError:  # driven without atheris (the smoke test)
        import contextlib
        return contextlib.nullcontext()
    return atheris.instrument_imports()


def add_repo_to_path() -> None:
    """Import mygrad_c from PYTHONPATH (e.g. the debug build), else from the repo root."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if not os.environ.get("PYTHONPATH") and root not in sys.path:
        sys.path.insert(0, root)


def assert_close_scaled(got, ref, scale, nterms: int, dtype, what: str) -> None:
    """``got`` (any float dtype) against a float64 ``ref`` that is a sum of ``nterms``
    terms whose absolute values sum to ``scale``: the error bound of naive summation
    in ``dtype``; non-finite reference entries must match exactly (NaN == NaN)."""
    got = np.asarray(got, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    assert got.shape == ref.shape, f"{what}: shape {got.shape} != {ref.shape}"
    finite = np.isfinite(ref)
    if not np.array_equal(got[~finite], ref[~finite], equal_nan=True):
        raise AssertionError(f"{what}: non-finite mismatch\ngot={got!r}\nref={ref!r}")
    eps = np.finfo(np.dtype(dtype)).eps if np.dtype(dtype).kind == "f" else 0.0
    bound = (nterms + 2) * eps * np.asarray(scale, dtype=np.float64)[finite] + 1e-12
    with np.errstate(invalid="ignore"):
        bad = ~(np.abs(got[finite] - ref[finite]) <= bound)
    if np.any(bad):
        raise AssertionError(f"{what}: mismatch\ngot={got!r}\nref={ref!r}")


def same_error(fn_c, fn_ref):
    """Run the mygrad_c call and the MyGrad call; if either raises, both must raise
    the same exception type.  Returns (result_c, result_ref) or None after an error."""
    err_c = err_r = None
    res_c = res_r = None
    try:
        res_c = fn_c()
    except Exception as e:  # noqa: BLE001 - compared below
        err_c = e
    try:
        res_r = fn_ref()
    except Exception as e:  # noqa: BLE001
        err_r = e
    if err_c is None and err_r is None:
        return res_c, res_r
    if err_c is None or err_r is None or type(err_c) is not type(err_r):
        raise AssertionError(f"errors differ: mygrad_c {err_c!r}, mygrad {err_r!r}")
    if not isinstance(err_c, (ValueError, TypeError, IndexError, AssertionError)):
        raise AssertionError(f"unexpected error class {err_c!r}")
    return None
