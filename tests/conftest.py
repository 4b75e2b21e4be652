"""Test configuration: hypothesis profiles and the shared helpers' import path.

The default profile ("fast") keeps the whole suite within CI's budget and is
derandomized: CI runs the same examples every time, so a run fails for a change, not for
the draw (a rare input found by chance is then reproduced by the thorough profile and
kept as an explicit test).  Set ``MYGRAD_C_HYPOTHESIS_PROFILE=thorough`` for many more,
random, examples per property; ``MYGRAD_C_HYPOTHESIS_EXAMPLES=<n>`` sets its base count
(400; the program fuzzer runs a multiple of it), so that a run fits a time limit and ends
with its statistics instead of being killed.
"""
import os
import sys

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, os.path.dirname(__file__))

settings.register_profile(
    "fast", max_examples=20, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough", max_examples=int(os.environ.get("MYGRAD_C_HYPOTHESIS_EXAMPLES", 400)), deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("MYGRAD_C_HYPOTHESIS_PROFILE", "fast"))

from helpers import forget_mygrads_dead_arrays  # noqa: E402  (after the path and profile)
from mygrad_c import _engine  # noqa: E402

# Every graph the tests build is released as it goes in its backward pass (by default only
# graphs of 1 MiB of arrays or more are: the tests' graphs are small), so that the whole
# suite runs through that path; MYGRAD_C_RELEASE_BYTES=1048576 tests the default, -1 never.
_engine.set_release_bytes(int(os.environ.get("MYGRAD_C_RELEASE_BYTES", 0)))


@pytest.fixture(autouse=True)
def _mygrads_lock_tables_without_dead_arrays():
    """Each test starts from MyGrad lock tables that name no dead array (an entry left by
    one would leave a new array at the same address read-only: see
    ``helpers.forget_mygrads_dead_arrays``)."""
    forget_mygrads_dead_arrays()
