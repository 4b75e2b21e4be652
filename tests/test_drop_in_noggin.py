"""Drop-in test with the logger MyGrad's users train with: ``noggin`` (live plots and logs of
training metrics), fed the way tutorial scripts feed it - the loss *tensor* itself, not
``loss.item()``, and 0-d tensors of accuracy made with ``mg.mean``.

noggin knows nothing of MyGrad: it keeps each value it is given, adds ``weighting * value``
to a running sum, and turns the lists into arrays with NumPy at each epoch.  So this checks
that a tensor behaves as a number there exactly as MyGrad's does (``float * tensor``,
``np.concatenate`` of a list of 0-d tensors, ``np.mean`` of them, the ``.npz`` file it
saves) while the model (mynn, bound to each library: ``tests/drop_in.py``) trains step by
step on the same leaf tensors, in and out of ``no_autodiff``.
"""
from __future__ import annotations

import warnings

import mygrad
import numpy as np
import pytest

import mygrad_c

mynn = pytest.importorskip("mynn")
noggin = pytest.importorskip("noggin")
matplotlib = pytest.importorskip("matplotlib")
from drop_in import import_on_mygrad_c  # noqa: E402
from helpers import bits  # noqa: E402

OURS = import_on_mygrad_c("mynn")
LIBS = ((mygrad, mynn), (mygrad_c, OURS))


def _train_and_log(mg, nn, plotter, epochs=3):
    """A two-layer classifier trained with SGD, its loss and accuracy given to ``plotter``
    as tensors after every batch, and a test pass under ``no_autodiff`` after every epoch."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 4)).astype(np.float32)
    y = (x.sum(axis=1) > 0).astype(np.int64)
    np.random.seed(0)  # (mynn's initializers draw from NumPy's global generator)
    d1, d2 = nn.layers.dense(4, 8), nn.layers.dense(8, 2)
    params = d1.parameters + d2.parameters
    opt = nn.optimizers.SGD(params, learning_rate=0.1, momentum=0.5)
    for _ in range(epochs):
        for b in range(0, 60, 20):
            pred = d2(mg.nnet.relu(d1(x[b:b + 20])))
            loss = mg.nnet.softmax_crossentropy(pred, y[b:b + 20])
            loss.backward()
            opt.step()
            accuracy = mg.mean(mg.argmax(pred, axis=1) == y[b:b + 20])
            plotter.set_train_batch({"loss": loss, "accuracy": accuracy}, batch_size=20)
        plotter.set_train_epoch()
        for b in range(0, 60, 30):
            with mg.no_autodiff:
                pred = d2(mg.nnet.relu(d1(x[b:b + 30])))
                loss = mg.nnet.softmax_crossentropy(pred, y[b:b + 30])
            plotter.set_test_batch({"loss": loss, "accuracy": (pred.argmax(axis=1) == y[b:b + 30]).mean()},
                                   batch_size=30)
        plotter.set_test_epoch()
    return params


def _metrics(metrics):
    return {name: {key: bits(value) for key, value in data.items()} for name, data in metrics.items()}


def test_noggin_logs_tensors_as_with_mygrad(tmp_path):
    matplotlib.use("Agg")
    logged, saved, parameters = [], [], []
    for mg, nn in LIBS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (noggin: "live plotting is not supported" under Agg)
            plotter, fig, ax = noggin.create_plot(metrics=["loss", "accuracy"])
            params = _train_and_log(mg, nn, plotter)
            plotter.plot()
        matplotlib.pyplot.close(fig)
        assert all(type(p).__module__ == mg.Tensor.__module__ for p in params)  # (each copy's own)
        logged.append((_metrics(plotter.train_metrics), _metrics(plotter.test_metrics)))
        path = tmp_path / f"{mg.__name__}.npz"
        noggin.save_metrics(path, plotter)
        saved.append(tuple(_metrics(m) for m in noggin.load_metrics(path)))
        parameters.append([bits(p.data) for p in params])
    assert logged[1] == logged[0]
    assert saved[1] == saved[0] == logged[0]
    assert parameters[1] == parameters[0]
    # (what was logged is a real training run: the loss went down over the epochs)
    epoch_losses = plotter.train_metrics["loss"]["epoch_data"]
    assert epoch_losses.shape == (3,) and epoch_losses[-1] < epoch_losses[0]


def test_noggins_logger_takes_tensors_as_with_mygrad():
    results = []
    for mg, nn in LIBS:
        logger = noggin.LiveLogger()
        _train_and_log(mg, nn, logger, epochs=2)
        results.append((_metrics(logger.train_metrics), _metrics(logger.test_metrics), repr(logger)))
    assert results[1] == results[0]
