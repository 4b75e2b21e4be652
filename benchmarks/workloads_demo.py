"""Benchmark workload 7: one training epoch of the demo's CNN on the digits.

Each function runs one epoch of ``mygrad_c.demo`` (the same code for both libraries:
only the library module passed in differs), from a model and optimizer built once,
so that only the training itself is timed.  Target: mygrad_c at least 5 times
faster than MyGrad.
"""
from __future__ import annotations

import numpy as np

from _libs import load


def make_epoch(lib, quick: bool, batch_size=None):
    """A function that trains the demo CNN (built with the module ``lib``) for one epoch,
    with the demo's default batch size; returns the loss."""
    from mygrad_c.demo import BATCH_SIZE, LR, SmallCNN, split_digits, train_epoch
    from mygrad_c.optim import SGD

    X_train, y_train, _, _ = split_digits(seed=0)
    if quick:
        X_train, y_train = X_train[:256], y_train[:256]
    model = SmallCNN(lib, seed=0)
    opt = SGD(model.parameters, lr=LR, momentum=0.9)

    def one_epoch() -> float:
        # the same shuffling each call, so that every repeat does identical work
        rng = np.random.default_rng(1)
        loss, _ = train_epoch(model, opt, X_train, y_train, batch_size or BATCH_SIZE, rng)
        return loss

    return one_epoch


def workloads(quick: bool) -> list[dict]:
    """Workload 7 (``quick``: 256 images instead of 1,438).  The demo's code is mygrad_c's
    (its optimizer, the data split), so MyGrad's process imports mygrad_c too."""
    def build(lib):
        L = load(lib) if lib != "torch" else None
        return None if L is None else make_epoch(L, quick)

    return [dict(id="7", name="one epoch of the demo CNN on digits", build=build, target=">=5x mygrad")]
