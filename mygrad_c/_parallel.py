"""Large NumPy passes split over threads.

NumPy releases the GIL inside the loops of its ufuncs, its reductions and
``take``, so Python threads that each run one of them on a part of an array run
at the same time.  The helpers here cut such a pass into parts, run the parts on
a small pool of threads (the calling thread takes one of them) and give exactly
what NumPy gives in one call: the same values bit for bit, the same dtype and
memory layout, the same warnings and errors.

- Elementwise ufuncs and ``take`` are cut along the first axis of the result.
- A whole-array sum is cut where NumPy's own pairwise summation cuts it (half
  of the elements, rounded down to a multiple of 8): the two halves' sums are
  added last by NumPy too, so the result is the same number.
- Floating-point errors: every part runs with errors *recorded*; if any part
  met one (an overflow, a division by zero, ...), the whole pass is run again
  in the calling thread under the caller's ``np.errstate``, so the warning (or
  the error) is NumPy's own, issued once.

Arrays of fewer than ``MIN_SIZE`` elements (2^19) are not split: handing a part to a
thread costs some 10-20 µs on a machine with idle cores at hand, and 50-60 µs on the
2-core virtual machine of the benchmarks (waking a sleeping thread there takes that
long), where a multiply of 2^18 float32 values took 35 µs in one thread and 93 µs in
two.  The number of threads is ``MYGRAD_C_NUM_THREADS`` if that is set, else
``OMP_NUM_THREADS`` (as PyTorch and OpenBLAS read it), else the number of CPUs this
process may run on; 1 turns the splitting off.
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, List, Optional, Sequence

import numpy as np

__all__ = ["MIN_SIZE", "num_threads", "set_num_threads", "ufunc_call", "whole_sum", "take_rows", "run"]

MIN_SIZE = int(os.environ.get("MYGRAD_C_PARALLEL_MIN_SIZE", 1 << 19))   # (tests set it low)


def _threads_from_environment() -> int:
    for var in ("MYGRAD_C_NUM_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(var, "").split(",")[0].strip()
        if value:
            try:
                return max(int(value), 1)
            except ValueError:
                pass
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # (no sched_getaffinity on macOS / Windows)
        return os.cpu_count() or 1


_threads = _threads_from_environment()
_pool: Optional[ThreadPoolExecutor] = None
_pool_pid: Optional[int] = None
_pool_lock = threading.Lock()


def num_threads() -> int:
    """How many threads a large pass is split over (1: not split)."""
    return _threads


def set_num_threads(n: int) -> None:
    """Split large passes over ``n`` threads from now on (1: not at all)."""
    global _threads, _pool
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"the number of threads must be a positive integer, got {n!r}")
    with _pool_lock:
        _threads = n
        if _pool is not None:
            _pool.shutdown(wait=False)
            _pool = None


def _get_pool() -> ThreadPoolExecutor:
    # a pool made before os.fork() has no threads in the child: make a new one there
    global _pool, _pool_pid
    pid = os.getpid()
    with _pool_lock:
        if _pool is None or _pool_pid != pid:
            _pool = ThreadPoolExecutor(max_workers=_threads - 1, thread_name_prefix="mygrad_c")
            _pool_pid = pid
        return _pool


def run(parts: Sequence[Callable[[], object]]) -> Optional[List[object]]:
    """Run the callables ``parts`` at once (the first in this thread), each with
    floating-point errors recorded.  Their results, or None if any part met a
    floating-point error (the caller then runs the pass again in one piece)."""
    errors: list = []

    def record(kind, flag):
        errors.append(kind)

    def guarded(part):
        with np.errstate(all="call", call=record):
            return part()

    futures = [_get_pool().submit(guarded, part) for part in parts[1:]]
    try:
        first = guarded(parts[0])
    finally:
        rest = [f.result() for f in futures]   # (every part is done before anything is read)
    return None if errors else [first] + rest


def _bounds(n: int, parts: int) -> List[int]:
    return [n * k // parts for k in range(parts + 1)]


def _worth_splitting(shape: tuple) -> bool:
    return _threads > 1 and len(shape) > 0 and shape[0] > 1 and int(np.prod(shape)) >= MIN_SIZE


def ufunc_call(ufunc: np.ufunc, *arrays: np.ndarray):
    """``ufunc(*arrays)`` for a NumPy ufunc with one output, split over threads when large.

    Every operand must be C-contiguous, or one value broadcast (all strides 0, as a
    ``.sum()``'s gradient is): then NumPy's result is C-contiguous too, and so is the
    one made here.
    """
    if _threads == 1 or all(a.size < MIN_SIZE for a in arrays):
        return ufunc(*arrays)
    try:
        shape = np.broadcast_shapes(*[a.shape for a in arrays])
    except ValueError:
        return ufunc(*arrays)   # (NumPy's error)
    if not _worth_splitting(shape) or ufunc.nout != 1 or ufunc.signature is not None:   # (no gufuncs)
        return ufunc(*arrays)
    operands = []
    for a in arrays:
        if a.dtype.hasobject:
            return ufunc(*arrays)
        if a.ndim and not any(a.strides):
            a = a[(0,) * a.ndim + (Ellipsis,)]   # (a 0-d view of the one value)
        elif not a.flags.c_contiguous:
            return ufunc(*arrays)
        operands.append(a)
    n = len(shape)
    full = [a.ndim == n and a.shape[0] == shape[0] for a in operands]
    dtype = ufunc(*[a.reshape(-1)[:0] if a.ndim else a for a in operands]).dtype
    out = np.empty(shape, dtype=dtype)
    cuts = _bounds(shape[0], _threads)
    parts = [(lambda lo=lo, hi=hi: ufunc(*[a[lo:hi] if f else a for a, f in zip(operands, full)],
                                         out=out[lo:hi]))
             for lo, hi in zip(cuts[:-1], cuts[1:]) if hi > lo]
    if run(parts) is None:
        return ufunc(*arrays)   # a floating-point error: NumPy's warning or error, once
    return out


_PAIRWISE_BLOCK = 128   # NumPy sums up to this many elements in one block, not by halves


def whole_sum(x: np.ndarray):
    """``np.add.reduce(x, axis=None)`` for a large C-contiguous float32/float64 array,
    the two halves summed at once (the same number: see the module's docstring).
    None when ``x`` is not such an array (the caller sums it itself)."""
    if (_threads == 1 or x.size < MIN_SIZE or x.size <= _PAIRWISE_BLOCK
            or x.dtype not in (np.float32, np.float64) or not x.flags.c_contiguous):
        return None
    flat = x.reshape(-1)
    half = flat.size // 2
    half -= half % 8
    sums = run([lambda: np.add.reduce(flat[:half]), lambda: np.add.reduce(flat[half:])])
    if sums is None:
        return None
    return np.add(sums[0], sums[1])


def take_rows(data: np.ndarray, index: np.ndarray):
    """``np.take(data, index, axis=0)`` for in-bounds integer indices, split over threads
    when the result is large (None when it is not: the caller takes it itself)."""
    shape = index.shape + data.shape[1:]
    if _threads == 1 or not _worth_splitting(shape) or data.dtype.hasobject:
        return None
    flat = index.reshape(-1)
    out = np.empty((flat.size,) + data.shape[1:], dtype=data.dtype)
    cuts = _bounds(flat.size, _threads)
    # mode="wrap" reads an in-bounds negative index as NumPy's default does, without
    # the copy of ``out`` that mode="raise" makes
    parts = [(lambda lo=lo, hi=hi: np.take(data, flat[lo:hi], axis=0, out=out[lo:hi], mode="wrap"))
             for lo, hi in zip(cuts[:-1], cuts[1:]) if hi > lo]
    run(parts)
    return out.reshape(shape)
