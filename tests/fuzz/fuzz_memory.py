"""Fuzz the block cache behind NumPy's allocations (``mygrad_c._memory``).

A random sequence of allocations (``np.empty``/``np.zeros``/``np.ones`` of sizes around
the cache's smallest block), writes, ``resize`` (realloc), frees in any order and limit
changes.  Every array must hold what NumPy promises (zeros from ``np.zeros`` even in a
reused dirty block, the values written before a resize), and the cache must never keep
more than its limit.

    python tests/fuzz/fuzz_memory.py -max_total_time=60
"""
from _common import Provider, add_repo_to_path, instrumented, run_main

add_repo_to_path()
import numpy as np  # noqa: E402

with instrumented():
    import mygrad_c  # noqa: F401  (installs the cache)
    from mygrad_c import _memory

PAGE = 4096
MIN_BLOCK = _memory.stats()["min_block"]


def _size(p: Provider) -> int:
    """A byte count near the interesting edges: tiny, just below / at / above the
    smallest cached block, or a few pages more."""
    edge = p.pick((0, 1, MIN_BLOCK - PAGE, MIN_BLOCK - 1, MIN_BLOCK, MIN_BLOCK + 1, 2 * MIN_BLOCK))
    return max(0, edge + p.int_in(-8, 8) * p.pick((1, 8, PAGE)))


def _check(arr: np.ndarray, fill: int) -> None:
    assert np.all(arr == fill), "an array lost its values"


def test_one_input(data: bytes) -> None:
    p = Provider(data)
    limit_before = _memory.stats()["limit"]
    _memory.set_limit(p.pick((0, MIN_BLOCK, 3 * MIN_BLOCK, 128 << 20)))
    live = []   # (array, the value every element holds)
    try:
        for step in range(p.int_in(1, 24)):
            action = p.byte() % 5
            if action == 0 or not live:
                n = _size(p)
                kind = p.byte() % 3
                if kind == 0:
                    a = np.zeros(n, np.uint8)
                    _check(a, 0)
                elif kind == 1:
                    a = np.ones(n, np.uint8)
                else:
                    a = np.empty(n, np.uint8)
                    a[...] = 1
                fill = (step % 250) + 2
                a[...] = fill              # dirty it for whoever gets the block next
                live.append((a, fill))
            elif action == 1:
                live.pop(p.int_in(0, len(live) - 1))   # freed (maybe kept)
            elif action == 2:
                a, fill = live.pop(p.int_in(0, len(live) - 1))
                old = a.size
                a.resize(_size(p), refcheck=False)         # realloc, possibly across the edge
                keep = min(old, a.size)
                _check(a[:keep], fill)
                a[...] = fill
                live.append((a, fill))
            elif action == 3:
                _memory.set_limit(p.pick((0, MIN_BLOCK, 3 * MIN_BLOCK, 128 << 20)))
            else:
                _memory.release()
            s = _memory.stats()
            assert s["kept_bytes"] <= s["limit"], s
            for a, fill in live:
                _check(a, fill)
    finally:
        live.clear()
        _memory.set_limit(limit_before)


def main():
    run_main(test_one_input)


if __name__ == "__main__":
    main()
