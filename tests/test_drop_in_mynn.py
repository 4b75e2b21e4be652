"""Drop-in test with a real package built on MyGrad: ``mynn`` (MyGrad's companion neural-network
library: layers, losses, optimizers) run unchanged on mygrad_c.

One process holds two copies of mynn (``tests/drop_in.py``): the one bound to MyGrad and one whose
``import mygrad`` gave mygrad_c.  Each test builds the same model in both from the same seed and
trains it the way mynn's users do - forward, ``loss.backward()``, ``optimizer.step()`` (which writes
``param.data += update``), again and again on the same parameters - and compares, at every step,
the loss, every parameter's gradient and value, and the layers' running statistics.

What this exercises that single-op tests do not: a convolution bias that is a *view*
(``bias.reshape(1, -1, 1, 1)`` whose ``.data`` mynn then replaces) updated in place for many steps;
custom ``Operation`` classes (focal and Huber losses: ``scalar_only``, ``self.back``) run through
``Tensor._op``; ``batchnorm``'s ``creator.mean``/``creator.var`` read for running averages; a
PReLU slope that is a 0-d tensor; dropout's masks drawn from NumPy's global generator; in-place
``x -= ...; x /= ...`` on tensors in batchnorm's test mode.
"""
from __future__ import annotations

import mygrad
import numpy as np
import pytest
from numpy.testing import assert_allclose

import mygrad_c

mynn = pytest.importorskip("mynn")  # a test extra; the copy bound to MyGrad
from drop_in import import_on_mygrad_c  # noqa: E402
from helpers import bits  # noqa: E402

OURS = import_on_mygrad_c("mynn")
LIBS = ((mygrad, mynn), (mygrad_c, OURS))

STEPS = 12
LOSSES = ["softmax_cross_entropy", "weighted_cross_entropy", "softmax_focal_loss", "focal_loss",
          "negative_log_likelihood", "huber_loss", "l1_loss", "mean_squared_loss", "kl_divergence"]
OPTIMIZERS = {
    "SGD": dict(learning_rate=0.05),
    "SGD-momentum": dict(learning_rate=0.05, momentum=0.9, weight_decay=1e-3),
    "Adam": dict(learning_rate=0.01),
    "Adadelta": dict(),
    "AdaMax": dict(learning_rate=0.01),
}  # (mynn's AdaGrad and RMSprop raise NotImplementedError)


def _optimizer(nn, name, params):
    cls = getattr(nn.optimizers, name.split("-")[0])
    return cls(params, **OPTIMIZERS[name])


def _loss(mg, nn, name, scores, labels, rng_targets):
    """The loss ``name`` of the (N, C) scores for integer labels (or their one-hot targets)."""
    if name == "softmax_cross_entropy":
        return nn.losses.softmax_cross_entropy(scores, labels)
    if name == "weighted_cross_entropy":
        return nn.losses.softmax_cross_entropy(scores, labels, weights=np.array([0.5, 2.0, 1.0]))
    if name == "softmax_focal_loss":
        softmax_focal_loss = nn.losses.focal_loss.__globals__["softmax_focal_loss"]  # its module's
        return softmax_focal_loss(scores, labels, alpha=0.5, gamma=2)
    if name == "focal_loss":
        return nn.losses.focal_loss(mg.nnet.softmax(scores), labels, alpha=0.25, gamma=1.5)
    if name == "negative_log_likelihood":
        return nn.losses.negative_log_likelihood(mg.nnet.logsoftmax(scores), labels,
                                                 weights=np.array([1.0, 0.5, 3.0]))
    if name == "huber_loss":
        return nn.losses.huber_loss(scores, rng_targets * 3, delta=0.7)
    if name == "l1_loss":
        return nn.losses.l1_loss(scores, rng_targets)
    if name == "mean_squared_loss":
        return nn.losses.mean_squared_loss(scores, rng_targets)
    assert name == "kl_divergence"
    return nn.losses.kl_divergence(mg.nnet.softmax(scores), rng_targets * 0.8 + 0.1)


class MLP:
    """dense -> relu -> dropout -> dense -> PReLU -> dense, as a mynn user writes it."""

    def __init__(self, mg, nn):
        init = nn.initializers
        self.layers = [nn.layers.dense(6, 8, weight_initializer=init.glorot_normal),
                       nn.layers.dense(8, 8, weight_initializer=init.he_uniform),
                       nn.layers.dense(8, 3)]
        self.dropout = nn.layers.dropout(0.25)
        self.prelu = nn.layers.prelu(0.1)
        self.relu = nn.activations.relu

    def __call__(self, x):
        h = self.dropout(self.relu(self.layers[0](x)))
        return self.layers[2](self.prelu(self.layers[1](h)))

    @property
    def parameters(self):
        return sum((layer.parameters for layer in self.layers), ()) + self.prelu.parameters

    def statistics(self):
        return []


class CNN:
    """conv (bias: a view) -> relu -> max_pool -> conv -> leaky_relu -> batchnorm -> dense."""

    def __init__(self, mg, nn, gamma_shape=(3,)):
        self.conv1 = nn.layers.conv(1, 4, 3, 3, padding=1, weight_initializer=nn.initializers.he_normal)
        # no bias before the batchnorm: its gradient would be 0 up to rounding, which Adam's
        # normalised step turns into a full step of either sign
        self.conv2 = nn.layers.conv(4, 3, 3, 3, stride=1, bias=False)
        self.norm = nn.layers.batchnorm(3, momentum=0.2)
        if gamma_shape is not None:  # (3,): MyGrad 2.5 cannot back-propagate mynn's (1, 3)
            self.norm.gamma = mg.ones(gamma_shape, dtype=np.float32)
            self.norm.beta = mg.zeros(gamma_shape, dtype=np.float32)
        self.dense = nn.layers.dense(3, 3)
        self.mg, self.acts = mg, nn.activations

    def __call__(self, x, test=False):
        h = self.mg.nnet.max_pool(self.acts.relu(self.conv1(x)), (2, 2), 2)
        h = self.acts.leaky_relu(self.conv2(h), 0.05)
        return self.dense(self.norm(h.reshape(len(x), -1), test=test))

    @property
    def parameters(self):
        return (self.conv1.parameters + self.conv2.parameters + self.norm.parameters
                + self.dense.parameters)

    def statistics(self):
        return [self.norm.moving_mean, self.norm.moving_variance]


def _data(model, seed):
    rng = np.random.default_rng(seed)
    n = 5
    x = rng.standard_normal((n, 6) if model is MLP else (n, 1, 6, 6)).astype(np.float32)
    labels = rng.integers(0, 3, size=n)
    targets = np.eye(3, dtype=np.float32)[labels]
    return x, labels, targets


def _close(ours, ref, what, step, reshape=False, exact=False):
    """``ours`` equals MyGrad's ``ref`` to float rounding, or with ``exact`` bit for bit (with
    ``reshape``: compared in ref's shape)."""
    if ref is None or ours is None:
        assert ours is None and ref is None, f"step {step}: {what}: {ours!r} vs MyGrad's {ref!r}"
        return
    ours, ref = np.asarray(ours), np.asarray(ref)
    if reshape:
        ours = ours.reshape(ref.shape)
    assert ours.dtype == ref.dtype and ours.shape == ref.shape, \
        f"step {step}: {what}: {ours.dtype}{ours.shape} vs MyGrad's {ref.dtype}{ref.shape}"
    if exact:
        assert bits(ours) == bits(ref), f"step {step}: {what}: not MyGrad's bits"
    assert_allclose(ours, ref, rtol=2e-4, atol=2e-5, err_msg=f"step {step}: {what}")


def _train(model_cls, loss_name, opt_name, reshape=False):
    """Run STEPS training steps with both libraries in lock step, comparing after each stage
    (with ``reshape``, our parameters are compared in the shapes of MyGrad's).

    The MLP's run must be MyGrad's bit for bit: its matmuls, additions, activations, losses
    and mynn's own operations compute as MyGrad's do.  The CNN's is compared to rounding:
    mygrad_c's convolution sums in another order (im2col and one GEMM, where MyGrad contracts
    a strided window view)."""
    exact = model_cls is MLP
    runs = []
    for mg, nn in LIBS:
        np.random.seed(7)  # mynn's initializers and dropout draw from NumPy's global generator
        model = model_cls(mg, nn)
        runs.append((mg, nn, model, _optimizer(nn, opt_name, model.parameters)))
    for step in range(STEPS):
        x, labels, targets = _data(model_cls, step)
        results = []
        for mg, nn, model, optim in runs:
            np.random.seed(100 + step)
            loss = _loss(mg, nn, loss_name, model(x), labels, targets)
            loss.backward()
            results.append((loss, [p.grad for p in model.parameters]))
        (ours, our_grads), (ref, ref_grads) = results[1], results[0]
        assert type(ours) is mygrad_c.Tensor and type(ref) is mygrad.Tensor
        _close(ours.data, ref.data, "loss", step, exact=exact)
        for i, (g, r) in enumerate(zip(our_grads, ref_grads)):
            _close(g, r, f"grad of parameter {i}", step, reshape, exact)
        for _, _, model, optim in runs:
            optim.step()
        (_, _, ours_m, _), (_, _, ref_m, _) = runs[1], runs[0]
        for i, (p, r) in enumerate(zip(ours_m.parameters, ref_m.parameters)):
            _close(p.data, r.data, f"parameter {i} after the update", step, reshape, exact)
        for i, (s, r) in enumerate(zip(ours_m.statistics(), ref_m.statistics())):
            _close(s, r, f"running statistic {i}", step, reshape)
        if model_cls is CNN:  # the evaluation pass: batchnorm's test mode writes x in place
            _close(ours_m(x, test=True).data, ref_m(x, test=True).data, "test-mode output", step)


@pytest.mark.parametrize("loss_name", LOSSES)
def test_mlp_training_as_with_mygrad(loss_name):
    _train(MLP, loss_name, "SGD-momentum")


@pytest.mark.parametrize("opt_name", sorted(OPTIMIZERS))
def test_cnn_training_as_with_mygrad(opt_name):
    _train(CNN, "softmax_cross_entropy", opt_name)


@pytest.mark.parametrize("opt_name", sorted(OPTIMIZERS))
def test_mlp_optimizers_as_with_mygrad(opt_name):
    _train(MLP, "softmax_focal_loss", opt_name)


def test_batchnorm_layer_as_mynn_makes_it():
    """mynn's batchnorm layer keeps gamma and beta of shape (1, C): MyGrad 2.5's backward fails on
    them (ValueError from its broadcast reduction: the gradient it computes has shape (C,)).
    mygrad_c back-propagates them; trained with them, the model follows MyGrad's run of the same
    model whose gamma and beta have shape (C,), step by step (a deliberate difference: MyGrad
    crashes; docs/guide/migrating.md)."""
    np.random.seed(7)
    model = CNN(mygrad, mynn, gamma_shape=None)
    x, labels, _ = _data(CNN, 0)
    with pytest.raises(ValueError, match="dimensionality of the gradient"):
        mynn.losses.softmax_cross_entropy(model(x), labels).backward()

    class CNNWithMynnsGamma(CNN):
        def __init__(self, mg, nn):
            super().__init__(mg, nn, gamma_shape=None if mg is mygrad_c else (3,))

    _train(CNNWithMynnsGamma, "softmax_cross_entropy", "Adam", reshape=True)


def test_the_copies_are_bound_to_their_libraries():
    assert mynn.layers.dense.__call__.__globals__["matmul"] is mygrad.matmul
    assert OURS.layers.dense.__call__.__globals__["matmul"] is mygrad_c.matmul
    assert OURS.losses.huber_loss.__globals__["Operation"] is mygrad_c.operation_base.Operation
