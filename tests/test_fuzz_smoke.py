"""A short run of every fuzz target in ``tests/fuzz/`` (about 1.5 s each, in-process).

Each target's ``test_one_input`` is fed random byte strings (seeded, so a failure
is reproducible: the failing bytes are in the assertion message).  Longer,
coverage-guided runs: ``python tests/fuzz/run.py --seconds N`` (see docs/fuzzing.md).
"""
import glob
import importlib
import os
import sys
import time

import numpy as np
import pytest

pytest.importorskip("atheris")

FUZZ_DIR = os.path.join(os.path.dirname(__file__), "fuzz")
TARGETS = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(FUZZ_DIR, "fuzz_*.py")))
SECONDS = 1.5


@pytest.mark.parametrize("name", TARGETS)
def test_fuzz_target_briefly(name):
    sys.path.insert(0, FUZZ_DIR)
    try:
        module = importlib.import_module(name)
    finally:
        sys.path.remove(FUZZ_DIR)
    rng = np.random.default_rng(sum(map(ord, name)))
    deadline = time.perf_counter() + SECONDS
    runs = 0
    with np.errstate(all="ignore"):
        while time.perf_counter() < deadline:
            data = rng.integers(0, 256, size=int(rng.integers(0, 64)), dtype=np.uint8).tobytes()
            try:
                module.test_one_input(data)
            except Exception as e:
                raise AssertionError(f"{name} failed on input {data!r}: {e!r}") from e
            runs += 1
    assert runs > 0
