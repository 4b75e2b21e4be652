"""Benchmark workload 7: one training epoch of the demo's CNN on the digits.

``workloads(quick)`` is collected by ``benchmarks/run.py``.  Each function runs
one epoch of ``mygrad_c.demo`` (the same code for both libraries: only the
library module passed in differs), from a model and optimizer built once, so
that only the training itself is timed.  Target: mygrad_c at least 5 times
faster than MyGrad.
"""
from __future__ import annotations

from types import ModuleType
from typing import Callable, Optional

import numpy as np

import mygrad_c
from mygrad_c.demo import BATCH_SIZE, LR, SmallCNN, split_digits, train_epoch
from mygrad_c.optim import SGD


def make_epoch(lib: ModuleType, quick: bool, batch_size: int = BATCH_SIZE) -> Callable[[], float]:
    """A function that trains the demo CNN (built with ``lib``) for one epoch, with the demo's
    default batch size; returns the loss."""
    X_train, y_train, _, _ = split_digits(seed=0)
    if quick:
        X_train, y_train = X_train[:256], y_train[:256]
    model = SmallCNN(lib, seed=0)
    opt = SGD(model.parameters, lr=LR, momentum=0.9)

    def one_epoch() -> float:
        # the same shuffling each call, so that every repeat does identical work
        rng = np.random.default_rng(1)
        loss, _ = train_epoch(model, opt, X_train, y_train, batch_size, rng)
        return loss

    return one_epoch


def _mygrad() -> Optional[ModuleType]:
    try:
        import mygrad
    except ImportError:
        return None
    return mygrad


def workloads(quick: bool) -> list[dict]:
    """Workload 7 for ``benchmarks/run.py`` (``quick``: 256 images instead of 1,438)."""
    mygrad = _mygrad()
    return [
        dict(
            id="7",
            name="one epoch of the demo CNN on digits",
            mygrad_c=make_epoch(mygrad_c, quick),
            mygrad=make_epoch(mygrad, quick) if mygrad is not None else None,
            torch=None,
            target=">=5x mygrad",
        )
    ]


if __name__ == "__main__":  # a quick stand-alone measurement: python benchmarks/workloads_demo.py
    import argparse
    import timeit

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    (w,) = workloads(args.quick)
    times = {}
    for lib in ("mygrad_c", "mygrad"):
        fn = w[lib]
        if fn is None:
            continue
        fn()  # warm-up
        times[lib] = min(timeit.repeat(fn, number=1, repeat=args.repeat))
        print(f"{lib:9s} {times[lib] * 1e3:8.1f} ms per epoch")
    if len(times) == 2:
        print(f"mygrad_c is {times['mygrad'] / times['mygrad_c']:.1f}x faster than MyGrad")
