"""Train a small convolutional network on handwritten digits: ``python -m mygrad_c.demo``.

The demo splits the 8×8 digits shipped with mygrad_c (``mygrad_c.datasets``)
into a training and a test set, trains a small CNN with ``mygrad_c.optim``,
shows a progress bar for each epoch, and ends with the accuracy on the test
images and the time per epoch::

    conv (16 filters 3×3, padding 1) → relu → max-pool 2×2 → dense (10) → softmax cross-entropy

The model and training code take the autodiff library as an argument, so the
very same code runs on MyGrad: ``train(lib=mygrad)``; ``--compare-mygrad`` does
that and prints the speed ratio.

Options (``python -m mygrad_c.demo --help``)::

    --epochs N          number of passes over the training images (default 8)
    --batch-size N      images per optimizer step (default 64)
    --lr LR             SGD learning rate (default 0.1, momentum 0.9)
    --seed N            seed of the split, the initial weights and the shuffling (default 0)
    --subset N          train on the first N training images only (quick runs)
    --compare-mygrad    also train with MyGrad (if installed) and print the speed ratio
    --plot FILE.png     draw the loss and accuracy curves and a batch of test digits with
                        their predicted labels, in one figure (needs matplotlib)

Examples
--------
>>> import mygrad_c
>>> from mygrad_c.demo import train
>>> result = train(lib=mygrad_c, epochs=2, progress=False)
>>> len(result.train_loss), result.test_accuracy > 0.9
(2, True)
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from types import ModuleType
from typing import Optional, Sequence, TextIO

import numpy as np

import mygrad_c
from mygrad_c.datasets import load_digits
from mygrad_c.optim import SGD

__all__ = ["SmallCNN", "split_digits", "train", "train_epoch", "evaluate", "TrainResult", "main"]

# the default run: about 3 s with mygrad_c on 2 cores, >= 96.7% test accuracy for seeds 0-5
EPOCHS = 8
BATCH_SIZE = 64
LR = 0.1

PLOT_HINT = ("--plot needs matplotlib: `pip install mygrad_c[plot]` "
             "(or `pip install matplotlib`)")


# ---------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------
def split_digits(seed: int = 0, test_fraction: float = 0.2
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle the digits with ``seed`` and split them into training and test sets.

    Returns
    -------
    X_train, y_train, X_test, y_test
        Images of shape (N, 1, 8, 8) (one colour channel) as float32 in [0, 1],
        and their int64 labels.

    Examples
    --------
    >>> from mygrad_c.demo import split_digits
    >>> X_train, y_train, X_test, y_test = split_digits(seed=0)
    >>> X_train.shape, X_test.shape
    ((1438, 1, 8, 8), (359, 1, 8, 8))
    """
    X, y = load_digits()
    order = np.random.default_rng(seed).permutation(len(X))
    X = X[order, np.newaxis]  # add the channel axis: (N, 1, 8, 8)
    y = y[order]
    n_test = int(round(test_fraction * len(X)))
    return X[n_test:], y[n_test:], X[:n_test], y[:n_test]


# ---------------------------------------------------------------------------
# the model: identical code for mygrad_c and MyGrad
# ---------------------------------------------------------------------------
class SmallCNN:
    """conv (3×3, padding 1) → relu → max-pool 2×2 → dense, written for any MyGrad-like library.

    Parameters
    ----------
    lib : module
        ``mygrad_c`` or ``mygrad``: the library whose tensors and operations are used.
    seed : int
        Seed of the initial weights (He initialisation), drawn with NumPy so that
        both libraries start from the same weights.
    n_filters : int, optional (default=16)
        The number of convolution filters.

    Examples
    --------
    >>> import numpy as np, mygrad_c
    >>> from mygrad_c.demo import SmallCNN
    >>> model = SmallCNN(mygrad_c, seed=0)
    >>> model(np.zeros((5, 1, 8, 8), dtype=np.float32)).shape
    (5, 10)
    """

    def __init__(self, lib: ModuleType, seed: int = 0, n_filters: int = 16):
        self.lib = lib
        rng = np.random.default_rng(seed)
        conv_w = rng.normal(0, np.sqrt(2 / 9), size=(n_filters, 1, 3, 3))
        dense_in = n_filters * 4 * 4
        dense_w = rng.normal(0, np.sqrt(1 / dense_in), size=(dense_in, 10))
        self.conv_w = lib.tensor(conv_w.astype(np.float32))
        self.conv_b = lib.tensor(np.zeros((n_filters, 1, 1), dtype=np.float32))
        self.dense_w = lib.tensor(dense_w.astype(np.float32))
        self.dense_b = lib.tensor(np.zeros(10, dtype=np.float32))

    @property
    def parameters(self) -> list:
        """The trainable tensors, for the optimizer."""
        return [self.conv_w, self.conv_b, self.dense_w, self.dense_b]

    def __call__(self, x):
        """Class scores (logits), shape (N, 10), for images ``x`` of shape (N, 1, 8, 8)."""
        nn = self.lib.nnet
        h = nn.layers.conv_nd(x, self.conv_w, stride=1, padding=1) + self.conv_b  # (N, F, 8, 8)
        h = nn.activations.relu(h)
        h = nn.layers.max_pool(h, (2, 2), 2)  # (N, F, 4, 4)
        h = h.reshape(len(h), -1)  # (N, F*16)
        return self.lib.matmul(h, self.dense_w) + self.dense_b


# ---------------------------------------------------------------------------
# training
# ---------------------------------------------------------------------------
class ProgressBar:
    """A plain-text progress bar: redrawn in place on a terminal, one line per epoch otherwise."""

    def __init__(self, total: int, title: str, stream: TextIO, width: int = 24):
        self.total = total
        self.title = title
        self.stream = stream
        self.width = width
        self.live = bool(getattr(stream, "isatty", lambda: False)())
        self.start = time.perf_counter()

    def show(self, done: int, info: str) -> None:
        """Redraw the bar (on a terminal) with ``done`` of ``total`` steps finished."""
        if self.live:
            self.stream.write("\r" + self._line(done, info))
            self.stream.flush()

    def finish(self, info: str) -> None:
        """Draw the full bar and end its line."""
        self.stream.write(("\r" if self.live else "") + self._line(self.total, info) + "\n")
        self.stream.flush()

    def _line(self, done: int, info: str) -> str:
        filled = self.width * done // max(self.total, 1)
        bar = "#" * filled + "-" * (self.width - filled)
        seconds = time.perf_counter() - self.start
        return f"{self.title} [{bar}] {done:>{len(str(self.total))}}/{self.total}  {info}  {seconds:5.2f}s"


def train_epoch(model: SmallCNN, opt: SGD, X: np.ndarray, y: np.ndarray, batch_size: int,
                rng: np.random.Generator, bar: Optional[ProgressBar] = None
                ) -> tuple[float, float]:
    """One pass over ``(X, y)`` in shuffled mini-batches; returns the mean loss and accuracy."""
    softmax_crossentropy = model.lib.nnet.losses.softmax_crossentropy
    order = rng.permutation(len(X))
    X, y = X[order], y[order]  # shuffled once: each batch is then a cheap slice
    total_loss = 0.0
    n_correct = 0
    n_seen = 0
    n_batches = (len(X) + batch_size - 1) // batch_size
    for step in range(n_batches):
        batch = slice(step * batch_size, (step + 1) * batch_size)
        x_batch, y_batch = X[batch], y[batch]
        logits = model(x_batch)
        loss = softmax_crossentropy(logits, y_batch)
        loss.backward()
        opt.step()
        opt.zero_grad()

        total_loss += loss.item() * len(y_batch)
        n_correct += int(np.count_nonzero(logits.data.argmax(axis=1) == y_batch))
        n_seen += len(y_batch)
        if bar is not None:
            bar.show(step + 1, f"loss {total_loss / n_seen:.3f}  acc {n_correct / n_seen:6.1%}")
    return total_loss / n_seen, n_correct / n_seen


def evaluate(model: SmallCNN, X: np.ndarray, y: np.ndarray) -> float:
    """The fraction of the images ``X`` whose class the model predicts correctly."""
    with model.lib.no_autodiff:
        logits = model(X)
    return float(np.mean(np.argmax(np.asarray(logits.data), axis=1) == y))


@dataclass
class TrainResult:
    """What ``train`` measured: per-epoch history, final test accuracy and timings."""

    library: str
    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    test_accuracy_history: list[float] = field(default_factory=list)
    epoch_seconds: list[float] = field(default_factory=list)
    model: Optional[SmallCNN] = field(default=None, repr=False, compare=False)  # for the plot
    seed: int = 0

    @property
    def test_accuracy(self) -> float:
        """The test accuracy after the last epoch."""
        return self.test_accuracy_history[-1]

    @property
    def seconds_per_epoch(self) -> float:
        """The median training time of an epoch (evaluation excluded; the median
        is robust to a busy machine slowing down one epoch)."""
        return float(np.median(self.epoch_seconds))


def train(lib: ModuleType = mygrad_c, *, epochs: int = EPOCHS, batch_size: int = BATCH_SIZE,
          lr: float = LR, seed: int = 0, subset: Optional[int] = None, progress: bool = True,
          stream: Optional[TextIO] = None) -> TrainResult:
    """Train ``SmallCNN`` on the digits with ``lib`` (``mygrad_c`` or ``mygrad``).

    Parameters
    ----------
    lib : module, optional (default=mygrad_c)
        The autodiff library; the same code runs with ``mygrad``.
    epochs, batch_size, lr, seed
        Training settings (SGD with momentum 0.9; defaults 8, 64, 0.1, 0).  ``seed`` fixes the data
        split, the initial weights and the shuffling, so two libraries see
        exactly the same computation.
    subset : int, optional
        Train on the first ``subset`` training images only (quick runs).
    progress : bool, optional (default=True)
        Print a progress bar per epoch.
    stream : TextIO, optional
        Where to print (default: ``sys.stdout``).

    Returns
    -------
    TrainResult

    Examples
    --------
    >>> import mygrad_c
    >>> from mygrad_c.demo import train
    >>> result = train(lib=mygrad_c, epochs=8, progress=False)
    >>> result.test_accuracy > 0.95
    True
    """
    stream = sys.stdout if stream is None else stream
    X_train, y_train, X_test, y_test = split_digits(seed)
    if subset is not None:
        X_train, y_train = X_train[:subset], y_train[:subset]
    model = SmallCNN(lib, seed=seed)
    opt = SGD(model.parameters, lr=lr, momentum=0.9)
    rng = np.random.default_rng(seed + 1)
    result = TrainResult(library=lib.__name__, model=model, seed=seed)
    n_batches = (len(X_train) + batch_size - 1) // batch_size
    for epoch in range(1, epochs + 1):
        bar = ProgressBar(n_batches, f"epoch {epoch:>{len(str(epochs))}}/{epochs}", stream) \
            if progress else None
        start = time.perf_counter()
        loss, acc = train_epoch(model, opt, X_train, y_train, batch_size, rng, bar)
        result.epoch_seconds.append(time.perf_counter() - start)
        result.train_loss.append(loss)
        result.train_accuracy.append(acc)
        result.test_accuracy_history.append(evaluate(model, X_test, y_test))
        if bar is not None:
            bar.finish(f"loss {loss:.3f}  acc {acc:6.1%}  test acc "
                       f"{result.test_accuracy_history[-1]:6.1%}")
    return result


# ---------------------------------------------------------------------------
# plotting and the command line
# ---------------------------------------------------------------------------
def plot_curves(result: TrainResult, path: str, n_digits: int = 24) -> None:
    """Save one figure (needs matplotlib): the loss and accuracy per epoch, and a batch of test
    digits with the trained model's predicted labels (red where the prediction is wrong).

    Examples
    --------
    >>> import os, tempfile
    >>> import mygrad_c
    >>> from mygrad_c.demo import plot_curves, train
    >>> result = train(lib=mygrad_c, epochs=2, progress=False)
    >>> path = os.path.join(tempfile.mkdtemp(), "demo.png")
    >>> plot_curves(result, path)
    >>> os.path.getsize(path) > 0
    True
    """
    import matplotlib

    matplotlib.use("Agg")  # draw to a file; no window needed
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    epochs = np.arange(1, len(result.train_loss) + 1)
    n_cols = 8
    n_rows = -(-n_digits // n_cols)
    fig = plt.figure(figsize=(10, 4 + 1.35 * n_rows))
    top, bottom = fig.subfigures(2, 1, height_ratios=[4, 1.35 * n_rows])
    ax_loss, ax_acc = top.subplots(1, 2)
    ax_loss.plot(epochs, result.train_loss, marker="o")
    ax_loss.set(xlabel="epoch", ylabel="training loss", title="Loss")
    ax_acc.plot(epochs, result.train_accuracy, marker="o", label="train")
    ax_acc.plot(epochs, result.test_accuracy_history, marker="o", label="test")
    ax_acc.set(xlabel="epoch", ylabel="accuracy", title="Accuracy")
    ax_acc.legend()
    for ax in (ax_loss, ax_acc):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
    top.suptitle(f"Small CNN on 8x8 digits ({result.library})")

    _, _, X_test, y_test = split_digits(result.seed)
    X_show, y_show = X_test[:n_digits], y_test[:n_digits]
    predicted = None
    if result.model is not None:
        with result.model.lib.no_autodiff:
            logits = result.model(X_show)
        predicted = np.argmax(np.asarray(logits.data), axis=1)
    axes = bottom.subplots(n_rows, n_cols, squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if i >= len(X_show):
            continue
        ax.imshow(X_show[i, 0], cmap="gray_r", vmin=0, vmax=1)
        if predicted is None:
            ax.set_title(f"{y_show[i]}", fontsize=10)
        else:
            right = predicted[i] == y_show[i]
            ax.set_title(f"{predicted[i]}" if right else f"{predicted[i]} (is {y_show[i]})",
                         fontsize=10, color="black" if right else "red")
    bottom.suptitle("Test digits and the predicted labels (red: wrong, with the true label)")
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _matplotlib_available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m mygrad_c.demo",
        description="Train a small CNN on the 8x8 handwritten digits with mygrad_c.",
    )
    parser.add_argument("--epochs", type=int, default=EPOCHS,
                        help=f"passes over the data (default {EPOCHS})")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE,
                        help=f"images per step (default {BATCH_SIZE})")
    parser.add_argument("--lr", type=float, default=LR, help=f"SGD learning rate (default {LR})")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--subset", type=int, default=None, metavar="N",
                        help="train on the first N training images only")
    parser.add_argument("--compare-mygrad", action="store_true",
                        help="also train with MyGrad and print the speed ratio")
    parser.add_argument("--plot", metavar="FILE.png", default=None,
                        help="save loss/accuracy curves and predicted digits (needs matplotlib)")
    args = parser.parse_args(argv)
    if args.epochs < 1 or args.batch_size < 1 or (args.subset is not None and args.subset < 1):
        parser.error("--epochs, --batch-size and --subset must be positive")
    return args


def main(argv: Optional[Sequence[str]] = None, stream: Optional[TextIO] = None) -> TrainResult:
    """Run the demo from the command line; returns mygrad_c's ``TrainResult``."""
    args = _parse_args(argv)
    out = sys.stdout if stream is None else stream
    if args.plot and not _matplotlib_available():
        print(f"note: {PLOT_HINT}; training without plotting.", file=out)
    settings = dict(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, seed=args.seed,
                    subset=args.subset, stream=out)

    n_train = len(split_digits(args.seed)[0]) if args.subset is None else args.subset
    print(f"mygrad_c {mygrad_c.__version__}: training a small CNN on {n_train} handwritten "
          f"digits (8x8), {args.epochs} epoch(s), batch size {args.batch_size}, "
          f"SGD lr {args.lr} momentum 0.9", file=out)
    ours = train(mygrad_c, **settings)
    print(f"test accuracy: {ours.test_accuracy:.1%}   "
          f"time per epoch: {ours.seconds_per_epoch:.2f} s", file=out)

    if args.compare_mygrad:
        try:
            import mygrad
        except ImportError:
            print("--compare-mygrad: MyGrad is not installed (`pip install mygrad`).", file=out)
        else:
            print(f"\nthe same code with MyGrad {mygrad.__version__}:", file=out)
            theirs = train(mygrad, **settings)
            ratio = theirs.seconds_per_epoch / ours.seconds_per_epoch
            print(f"test accuracy: {theirs.test_accuracy:.1%}   "
                  f"time per epoch: {theirs.seconds_per_epoch:.2f} s", file=out)
            print(f"mygrad_c is {ratio:.1f}x faster than MyGrad on this training.", file=out)

    if args.plot and _matplotlib_available():
        plot_curves(ours, args.plot)
        print(f"saved the loss and accuracy curves to {args.plot} "
              "(with a batch of test digits and their predicted labels)", file=out)
    return ours


if __name__ == "__main__":
    main()
