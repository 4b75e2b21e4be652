"""Tests for the demo (python -m mygrad_c.demo): data split, training, and command-line options."""
from __future__ import annotations

import io
import os
import subprocess
import sys

import numpy as np
import pytest

import mygrad_c
from mygrad_c.demo import PLOT_HINT, ProgressBar, SmallCNN, main, split_digits, train

QUICK = ["--epochs", "1", "--subset", "400", "--batch-size", "20"]


def run_main(args):
    out = io.StringIO()
    result = main(args, stream=out)
    return result, out.getvalue()


def test_split_is_fixed_by_seed_and_complete():
    X_train, y_train, X_test, y_test = split_digits(seed=0)
    assert X_train.shape == (1438, 1, 8, 8) and X_test.shape == (359, 1, 8, 8)
    assert X_train.dtype == np.float32 and y_train.dtype == np.int64
    # all 1,797 images are used exactly once
    counts = np.bincount(np.concatenate([y_train, y_test]), minlength=10)
    assert counts.tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    again = split_digits(seed=0)
    assert np.array_equal(again[0], X_train) and np.array_equal(again[3], y_test)
    assert not np.array_equal(split_digits(seed=1)[3], y_test)


def test_model_output_shape():
    model = SmallCNN(mygrad_c, seed=0)
    assert model(np.zeros((3, 1, 8, 8), dtype=np.float32)).shape == (3, 10)
    assert [p.shape for p in model.parameters] == [(16, 1, 3, 3), (16, 1, 1), (256, 10), (10,)]
    assert all(p.dtype == np.float32 for p in model.parameters)


def test_default_training_reaches_95_percent():
    result = train(mygrad_c, progress=False)  # the default run: 8 epochs
    assert result.test_accuracy >= 0.95
    assert len(result.epoch_seconds) == 8
    assert result.train_loss[-1] < result.train_loss[0]


def test_training_is_reproducible():
    a = train(mygrad_c, epochs=1, subset=200, progress=False)
    b = train(mygrad_c, epochs=1, subset=200, progress=False)
    assert a.train_loss == b.train_loss and a.test_accuracy == b.test_accuracy


def test_same_code_runs_with_mygrad_and_gives_the_same_numbers():
    mygrad = pytest.importorskip("mygrad")
    ours = train(mygrad_c, epochs=1, subset=200, batch_size=40, progress=False)
    theirs = train(mygrad, epochs=1, subset=200, batch_size=40, progress=False)
    assert theirs.library == "mygrad"
    np.testing.assert_allclose(ours.train_loss, theirs.train_loss, rtol=1e-4)
    assert abs(ours.test_accuracy - theirs.test_accuracy) <= 0.01


def test_one_epoch_cli_run_prints_progress_and_result():
    result, text = run_main(QUICK)
    lines = text.splitlines()
    assert lines[0].startswith("mygrad_c") and "400 handwritten digits" in lines[0]
    assert lines[1].startswith("epoch 1/1 [########################] 20/20  loss ")
    assert "test acc" in lines[1]
    assert lines[2].startswith("test accuracy: ") and "time per epoch: " in lines[2]
    assert f"{result.test_accuracy:.1%}" in lines[2]
    assert result.test_accuracy > 0.7  # one epoch on 400 images already learns a lot


def test_cli_options_are_used():
    result, text = run_main(["--epochs", "2", "--batch-size", "100", "--lr", "0.05", "--seed", "3",
                             "--subset", "200"])
    assert "2 epoch(s), batch size 100, SGD lr 0.05" in text
    assert "epoch 2/2 [########################] 2/2" in text
    assert len(result.train_loss) == 2
    expected = train(mygrad_c, epochs=2, batch_size=100, lr=0.05, seed=3, subset=200,
                     progress=False)
    assert result.train_loss == expected.train_loss


@pytest.mark.parametrize("bad", [["--epochs", "0"], ["--batch-size", "-1"], ["--lr", "fast"]])
def test_cli_rejects_bad_options(bad, capsys):
    with pytest.raises(SystemExit):
        main(bad, stream=io.StringIO())


def test_progress_bar_redraws_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    bar = ProgressBar(4, "epoch 1/1", stream, width=8)
    bar.show(2, "loss 1.000")
    bar.finish("done")
    text = stream.getvalue()
    assert text.startswith("\repoch 1/1 [####----] 2/4  loss 1.000")
    assert "\repoch 1/1 [########] 4/4  done" in text and text.endswith("\n")


def test_compare_mygrad():
    pytest.importorskip("mygrad")
    _, text = run_main(QUICK + ["--compare-mygrad"])
    assert "the same code with MyGrad 2.5" in text
    assert text.count("test accuracy: ") == 2
    assert "x faster than MyGrad on this training." in text


def test_compare_mygrad_when_mygrad_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "mygrad", None)  # makes `import mygrad` fail
    _, text = run_main(QUICK + ["--compare-mygrad"])
    assert "MyGrad is not installed (`pip install mygrad`)" in text


def test_plot_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "curves.png"
    _, text = run_main(["--epochs", "2", "--subset", "200", "--batch-size", "100",
                        "--plot", str(path)])
    assert f"saved the loss and accuracy curves to {path}" in text
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    import matplotlib.image

    image = matplotlib.image.imread(str(path))
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 200


def test_plot_without_matplotlib_explains_how_to_get_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    path = tmp_path / "curves.png"
    _, text = run_main(QUICK + ["--plot", str(path)])
    assert PLOT_HINT in text and "pip install mygrad_c[plot]" in text
    assert "test accuracy" in text  # the training still runs
    assert not path.exists()


def test_runs_as_a_module():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.run([sys.executable, "-m", "mygrad_c.demo", *QUICK], capture_output=True,
                          text=True, timeout=120, cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert "test accuracy: " in proc.stdout
    help_text = subprocess.run([sys.executable, "-m", "mygrad_c.demo", "--help"],
                               capture_output=True, text=True, timeout=60, cwd=root).stdout
    for option in ("--epochs", "--batch-size", "--lr", "--seed", "--compare-mygrad", "--plot"):
        assert option in help_text
