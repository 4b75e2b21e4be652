"""Drop-in test with a second real package built on MyGrad: ``helixnet`` (Keras-like layers,
models, losses, optimizers and metrics) run unchanged on mygrad_c.

As in ``test_drop_in_mynn.py``, one process holds two copies of helixnet (``tests/drop_in.py``):
the one bound to MyGrad and one whose ``import mygrad`` gave mygrad_c.  Each test builds the same
model in both from one seed and trains it through helixnet's own loop - ``optimizer.optimize(model,
loss)`` adds the regularizers' penalties into ``loss`` in place (``loss += mg.sum([...])``),
back-propagates, clips the gradients by writing into the ``.grad`` arrays (``g *= scale``) and
updates ``param.data`` in place - comparing the loss and every parameter's gradient and value at
every step, byte for byte.

What helixnet exercises beyond mynn: tied weights (``DenseTranspose`` keeps ``dense.weights.T``, a
*view* taken once and reused by every step, whose graph each backward pass clears), a batch-norm
layer made of ``mg.mean``/``mg.var``/``mg.sqrt``, an LSTM unrolled over time with slices of one gate
matrix and ``mg.concatenate``, embeddings (``weight[X]`` with an integer array), its own max-pool
``Operation`` run through ``Tensor._op`` with ``mygrad.nnet.layers.utils.sliding_window_view``,
a transposed convolution (``conv_result += bias.reshape(...)``), ``@mg.no_autodiff`` as a method
decorator, metrics returning tensors, and its JSON save/load of a model.
"""
from __future__ import annotations

import contextlib
import io

import mygrad
import numpy as np
import pytest
from numpy.testing import assert_allclose

import mygrad_c

helixnet = pytest.importorskip("helixnet")  # a test extra; the copy bound to MyGrad
from drop_in import import_on_mygrad_c  # noqa: E402
from helpers import bits  # noqa: E402

OURS = import_on_mygrad_c("helixnet")
COPIES = ((mygrad, helixnet), (mygrad_c, OURS))

STEPS = 6
LOSSES = ["CatCrossEntropy", "MeanSquaredError", "MeanAbsError", "HuberLoss", "LogCoshLoss",
          "FocalLoss", "CosineSimilarityLoss", "BinaryCrossEntropy", "HingeLoss", "Kullback_Leibler"]
OPTIMIZERS = {
    "SGD": lambda O: O.SGD(0.1),
    "SGD-momentum": lambda O: O.SGD(0.1, momentum=0.9),
    "Adam": lambda O: O.Adam(0.01),
    "RMSProp": lambda O: O.RMSProp(0.01),
    "NesterovSGD": lambda O: O.NesterovSGD(0.05),
    "Adam-L1-L2-clipped": lambda O: O.Adam(0.01, regularizers=[O.L2(0.01), O.L1(0.001)], clip=0.5),
    "SGD-L1": lambda O: O.SGD(0.1, regularizers=[O.L1(0.01)]),
}


def _model(H, kind):
    """A model of helixnet's layers, as its users write them."""
    L, A = H.layers, H.activations
    models = {
        "mlp": lambda: [L.Dense(8, 16, A.ReLU), L.Dense(16, 4, A.softmax)],
        "mlp-float64": lambda: [L.Dense(8, 16, A.tanh, dtype=np.float64),
                                L.Dense(16, 4, A.sigmoid, dtype=np.float64)],
        "batchnorm": lambda: [L.Dense(8, 6, lambda x: x), L.BatchNorm((5, 6)), L.Dense(6, 4, A.softmax)],
        "dropout": lambda: [L.Dense(8, 16, A.ReLU), L.Dropout(0.3), L.Dense(16, 4, A.softmax)],
        "lstm": lambda: [L.LSTMLayer(3, 4, return_sequences=False), L.Dense(4, 4, A.softmax)],
        "lstm-sequences": lambda: [L.LSTMLayer(3, 4, return_sequences=True), L.Flatten(),
                                   L.Dense(24, 4, A.softmax)],
        "embedding": lambda: [L.Embedding(10, 4), L.Flatten(), L.Dense(12, 4, A.softmax)],
        "cnn": lambda: [L.Conv2D(1, 3, 3, activation=A.ReLU), L.MaxPooling2D(2), L.Flatten(),
                        L.Dense(27, 4, A.softmax)],
        "conv-transpose": lambda: [L.Conv2D(1, 2, 3, activation=A.ReLU),
                                   L.ConvTranspose2D(2, 1, 3, stride=2, activation=A.sigmoid)],
    }
    if kind.startswith("tied"):  # an autoencoder whose decoder is the encoder's weights.T
        dense = L.Dense(8, 5, A.tanh, use_bias=kind == "tied", dtype=np.float64)
        return H.models.Sequential([dense, L.DenseTranspose(dense)])
    return H.models.Sequential(models[kind]())


def _data(kind, rng):
    if kind == "cnn":
        x = rng.standard_normal((5, 1, 8, 8)).astype(np.float32)
    elif kind == "conv-transpose":
        x = rng.standard_normal((5, 1, 6, 6))
    elif kind.startswith("lstm"):
        x = rng.standard_normal((5, 6, 3)).astype(np.float32)
    elif kind == "embedding":
        x = rng.integers(0, 10, size=(5, 3))
    else:
        x = rng.standard_normal((5, 8)).astype(np.float32)
    if kind.startswith("tied"):
        return x, x
    if kind == "conv-transpose":
        return x, np.full((5, 1, 9, 9), 0.5)
    return x, np.eye(4)[rng.integers(0, 4, size=5)]


def _train(kind, opt_name, loss_name="CatCrossEntropy"):
    """STEPS steps of helixnet's training loop in both copies; the snapshots (loss, then each
    parameter's gradient and value) of every step, per copy."""
    runs = []
    for _, H in COPIES:
        np.random.seed(3)  # helixnet's initializers and dropout draw from NumPy's global generator
        model = _model(H, kind)
        optimizer = OPTIMIZERS[opt_name](H.optimizers)
        loss_fn = H.loss.MeanSquaredError if kind.startswith(("tied", "conv")) else getattr(H.loss, loss_name)
        x, y = _data(kind, np.random.default_rng(3))
        snapshots = []
        for step in range(STEPS):
            np.random.seed(1000 + step)
            loss = loss_fn(model.forward(x), y)
            if loss.ndim:
                loss = loss.mean()
            optimizer.optimize(model, loss)
            snapshots.append(("loss", np.array(loss.data)))
            for i, layer in enumerate(model.layers):
                for j, p in enumerate(layer.trainable_params):
                    snapshots.append((f"layer {i} parameter {j}: grad",
                                      None if p.grad is None else np.array(p.grad)))
                    snapshots.append((f"layer {i} parameter {j}: value", np.array(p.data)))
            optimizer.epoch_done()
        runs.append(snapshots)
    return runs


def _assert_same(runs, exact=True):
    ref, ours = runs
    assert len(ours) == len(ref)
    per_step = len(ref) // STEPS
    for k, ((what, r), (what_o, o)) in enumerate(zip(ref, ours)):
        where = f"step {k // per_step}: {what}"
        assert what == what_o
        if r is None or o is None:
            assert r is None and o is None, where
            continue
        assert o.dtype == r.dtype and o.shape == r.shape, where
        if exact:
            assert bits(o) == bits(r), f"{where}: not MyGrad's bits"
        else:
            assert_allclose(o, r, rtol=1e-7, atol=1e-12, err_msg=where)


@pytest.fixture(autouse=True)
def _quiet():
    with np.errstate(all="ignore"):  # (some losses take logs of 0 on the way, in both copies)
        yield


@pytest.mark.parametrize("loss_name", LOSSES)
def test_mlp_losses_bit_for_bit_as_with_mygrad(loss_name):
    _assert_same(_train("mlp", "Adam-L1-L2-clipped", loss_name))


@pytest.mark.parametrize("opt_name", sorted(OPTIMIZERS))
def test_mlp_optimizers_bit_for_bit_as_with_mygrad(opt_name):
    _assert_same(_train("mlp", opt_name))


@pytest.mark.parametrize("opt_name", ["Adam", "SGD-momentum"])
@pytest.mark.parametrize("kind", ["mlp-float64", "batchnorm", "dropout", "tied", "tied-no-bias",
                                  "lstm", "lstm-sequences", "embedding"])
def test_layers_bit_for_bit_as_with_mygrad(kind, opt_name):
    """Tied weights (a view of the encoder's weights reused by every step), batch norm made of
    mean/var, LSTMs and embeddings train as with MyGrad, to the last bit."""
    _assert_same(_train(kind, opt_name))


@pytest.mark.parametrize("opt_name", ["Adam", "SGD"])
@pytest.mark.parametrize("kind", ["cnn", "conv-transpose"])
def test_convolutional_layers_as_with_mygrad(kind, opt_name):
    """To rounding: mygrad_c's convolution sums in another order (one GEMM over unfolded windows,
    where MyGrad contracts a strided window view); helixnet's own max-pool Operation runs through
    ``Tensor._op`` on mygrad_c's ``sliding_window_view``."""
    _assert_same(_train(kind, opt_name), exact=False)


def _use_the_model_api(H):
    """helixnet's Sequential API end to end: summary, fit (mini-batch and full batch), predict,
    save and load, and its metrics; what a user sees of each."""
    np.random.seed(0)
    L, A = H.layers, H.activations
    model = H.models.Sequential([L.InputShape((8,)), L.Dense(8, 16, A.ReLU), L.Dropout(0.2),
                                 L.Dense(16, 4, A.softmax)])
    x = np.random.default_rng(0).standard_normal((20, 8)).astype(np.float32)
    y = np.eye(4)[np.random.default_rng(1).integers(0, 4, 20)]
    seen = []
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        model.summary()
        seen.append(printed.getvalue())
        accuracy = lambda p, t: np.mean(np.argmax(p, 1) == np.argmax(t, 1))  # noqa: E731
        model.fit(x, y, H.loss.CatCrossEntropy, H.optimizers.Adam(0.01), epochs=3, batch_size=5,
                  metrics={"acc": accuracy})
        model.fit(x, y, H.loss.CatCrossEntropy, H.optimizers.SGD(0.01), epochs=2)
    predicted = model.predict(x)   # (a method decorated with @mg.no_autodiff)
    seen += [type(predicted).__name__, predicted.constant, bits(predicted.data), model.output_shape()]
    seen += [bits(w) for w in model.get_weights()]
    return model, seen


def test_model_api_as_with_mygrad(tmp_path):
    (ref_model, ref), (our_model, ours) = (_use_the_model_api(H) for _, H in COPIES)
    assert ours == ref
    assert "Total Parameters" in ours[0]
    # a model saved by either copy loads in the other and predicts the same
    for (_, saver), model in zip(COPIES, (ref_model, our_model)):
        saver.io.save_model(model, str(tmp_path / "model.json"))
        loaded = [H.io.load_model(str(tmp_path / "model.json")) for _, H in COPIES]
        x = np.random.default_rng(5).standard_normal((3, 8)).astype(np.float32)
        ref_p, our_p = (m.predict(x) for m in loaded)
        assert type(our_p) is mygrad_c.Tensor and type(ref_p) is mygrad.Tensor
        assert bits(our_p.data) == bits(ref_p.data)


def test_metrics_as_with_mygrad():
    y_pred, y_true = np.array([1, 0, 1, 1]), np.array([1, 1, 0, 1])
    scores, labels = np.random.default_rng(2).standard_normal((6, 5)), np.arange(6) % 5
    results = []
    for _, H in COPIES:
        m = H.metrics
        got = [m.precision(y_pred, y_true), m.recall(y_pred, y_true), m.f1_score(y_pred, y_true),
               m.top_k_accuracy(scores, labels, k=2)]
        results.append([(type(r).__name__, r.constant, bits(r.data)) for r in got])
    assert results[1] == results[0]


def test_the_copies_are_bound_to_their_libraries():
    assert helixnet.layers.mg is mygrad and OURS.layers.mg is mygrad_c
    assert OURS.layers.Operation is mygrad_c.operation_base.Operation
    assert OURS.layers.sliding_window_view is mygrad_c.nnet.layers.utils.sliding_window_view
