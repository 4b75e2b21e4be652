"""Small data sets shipped inside mygrad_c, so that examples run without a download.

``load_digits``
    The 8×8 handwritten digits: 1,797 grey-scale images of the digits 0-9.

The digits are the test set of the UCI Machine Learning Repository's
"Optical Recognition of Handwritten Digits" data (E. Alpaydin and C. Kaynak, 1998;
https://doi.org/10.24432/C50P49), in the form scikit-learn ships it.  Each
32×32 bitmap was divided into non-overlapping 4×4 blocks and the "on" pixels
of each block counted, giving an 8×8 image of integers 0..16.  The data are
licensed under the Creative Commons Attribution 4.0 International licence
(CC BY 4.0); see ``LICENSE-digits.txt`` next to this file.  They are stored in
``digits.npz`` (uint8 pixels and labels, about 45 kB).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["load_digits", "DIGITS_SHA256"]

_DIGITS_FILE = Path(__file__).with_name("digits.npz")

#: SHA-256 of the raw uint8 pixels (``images.tobytes()``) in ``digits.npz``.
DIGITS_SHA256 = "8f26b2bd9d135c256808f68f14fdabddde6d9c7f869ae419704b051f0f14b3b3"


def load_digits(*, scaled: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Load the 8×8 handwritten-digits data set (1,797 images, 10 classes).

    Parameters
    ----------
    scaled : bool, optional (default=True)
        If True, the pixels are divided by 16 so that they lie in [0, 1];
        if False, they keep their original integer values 0..16 (still as float32).

    Returns
    -------
    X : numpy.ndarray, shape-(1797, 8, 8), float32
        The images; ``X[i, row, col]`` is one pixel (0 is the background).
    y : numpy.ndarray, shape-(1797,), int64
        The digit (0-9) shown by each image.

    Notes
    -----
    Data: UCI "Optical Recognition of Handwritten Digits" (test set), by
    E. Alpaydin and C. Kaynak, CC BY 4.0.  Each call returns new arrays, so you
    may modify them freely.

    Examples
    --------
    >>> from mygrad_c.datasets import load_digits
    >>> X, y = load_digits()
    >>> X.shape, X.dtype, y.shape, y.dtype
    ((1797, 8, 8), dtype('float32'), (1797,), dtype('int64'))
    >>> float(X.min()), float(X.max())
    (0.0, 1.0)
    >>> y[:10]
    array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    """
    with np.load(_DIGITS_FILE) as data:
        images = data["images"]
        labels = data["labels"]
    X = images.astype(np.float32)
    if scaled:
        X /= 16.0
    return X, labels.astype(np.int64)

