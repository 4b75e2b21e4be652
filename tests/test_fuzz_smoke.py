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


# inputs a coverage-guided run found, kept as regressions (base64, as libFuzzer prints them)
FOUND = {
    # (CI's fuzz step, session 20) float64 states [inf, -2.5e299] times weights -2.5e299: the
    # kernel's BLAS product fuses the overflowing product into -inf (FMA), where the separately
    # rounded products of the reference gave inf - inf = nan; the reference now allows either
    "fuzz_gru": ["Cf8KCgo7//////////////////////////////////////////////////////////"
                 "////////////////////////////////////////////8KCgoKCgoKCv99+////w==",
                 # (CI's fuzz step, session 27) states [-2.5e299, inf]: the reference's product by
                 # each half of [Wz | Wr] took another BLAS path than the kernel's product by both
                 # (-inf one way, nan the other); the reference now multiplies as the kernel does
                 "KgH2AAAIGTf6////////////////////////////+/////////////////////////////////////////////////8E/////////////////////////////////////////w=="],
}


@pytest.mark.parametrize("name,data", [(n, d) for n, ds in FOUND.items() for d in ds])
def test_fuzz_target_on_found_inputs(name, data):
    import base64

    sys.path.insert(0, FUZZ_DIR)
    try:
        module = importlib.import_module(name)
    finally:
        sys.path.remove(FUZZ_DIR)
    with np.errstate(all="ignore"):
        module.test_one_input(base64.b64decode(data))
