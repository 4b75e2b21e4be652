"""Time every benchmark workload in mygrad_c, MyGrad and PyTorch in one process; print one table.

Usage::

    python benchmarks/run.py            # full run
    python benchmarks/run.py --quick    # smoke run (small sizes, few repeats; < 1 minute)
    python benchmarks/run.py --only 1,4 # selected workload ids

Workloads live in ``benchmarks/workloads_*.py``; each module defines
``workloads(quick: bool) -> list[dict]`` returning dicts with keys

- ``id`` (str), ``name`` (str), ``mygrad_c``, ``mygrad``, ``torch``: zero-argument callables
  doing one forward + backward pass (``mygrad``/``torch`` may be None);
- optional ``target``: text such as ``"<=0.6x torch"`` (time ratio mygrad_c/torch at most 0.6)
  or ``">=5x mygrad"`` (mygrad_c at least 5 times faster than MyGrad); without it the target
  of ``BENCHMARKS.md`` for that id is used;
- optional ``per``: number of ops per call, to report time per op;
- optional ``memory=True``: also report the tracemalloc peak of one call per library
  (PyTorch's allocator is invisible to tracemalloc, so its column says n/a);
- optional ``repeats``: number of timed repeats;
- optional ``check``: a callable returning ``(text, passed)``, an extra pass/fail check
  (e.g. linear growth) shown in the notes column.

Machines here are shared and noisy: each library is timed in the same process, after a
warm-up call, and the best of several repeats counts.  A module that fails to import, or
a workload that raises, becomes a row reporting the error; the run goes on.
"""
from __future__ import annotations

import argparse
import gc
import glob
import importlib.util
import os
import re
import sys
import time
import tracemalloc
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for p in (ROOT, HERE):
    if p not in sys.path:
        sys.path.insert(0, p)

LIBS = ("mygrad_c", "mygrad", "torch")

# targets from BENCHMARKS.md, used when a workload does not state its own
DEFAULT_TARGETS = {
    "1": "<=0.6x torch", "2": "<=0.6x torch", "3": "<=1.5x torch", "4": "<=1.5x torch",
    "5": "<=1.5x torch", "6": "<=0.5x torch", "7": ">=5x mygrad",
}

_TARGET_RE = re.compile(r"^\s*(<=|>=|≤|≥|<|>)\s*([0-9]*\.?[0-9]+)\s*[x×]\s*(torch|pytorch|mygrad)\b", re.I)


def parse_target(text):
    """``"<=0.6x torch"`` -> ("torch", max ratio 0.6); ``">=5x mygrad"`` -> ("mygrad", 0.2).

    Returns ``(reference, max_ratio)``, where the workload passes when
    ``time(mygrad_c) / time(reference) <= max_ratio``, or None if the text is not understood.
    """
    if not text:
        return None
    m = _TARGET_RE.match(text)
    if m is None:
        return None
    op, value, ref = m.group(1), float(m.group(2)), m.group(3).lower()
    ref = "torch" if ref in ("torch", "pytorch") else "mygrad"
    if op in ("<=", "≤", "<"):
        return ref, value
    # ">= N x ref": N times faster than ref
    return ref, 1.0 / value if value else float("inf")


def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except Exception:  # noqa: BLE001
        return False
    torch.set_num_threads(2)
    return True


# ---------------------------------------------------------------------------
# discovery
# ---------------------------------------------------------------------------
def discover(quick: bool):
    """Yield workload dicts, or error rows for modules that cannot be loaded."""
    for path in sorted(glob.glob(os.path.join(HERE, "workloads_*.py"))):
        modname = os.path.splitext(os.path.basename(path))[0]
        try:
            spec = importlib.util.spec_from_file_location(f"benchmarks.{modname}", path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module
            spec.loader.exec_module(module)
            items = list(module.workloads(quick))
        except Exception as e:  # noqa: BLE001
            yield dict(id=modname, name=f"{modname}.py", error=f"{type(e).__name__}: {e}".splitlines()[0],
                       module=modname)
            continue
        for w in items:
            w = dict(w)
            w.setdefault("module", modname)
            yield w


# ---------------------------------------------------------------------------
# timing
# ---------------------------------------------------------------------------
def time_fn(fn, quick: bool, repeats=None):
    """Best time of one call, after a warm-up call.

    Fast calls are batched so that each timed sample lasts at least a few ms;
    slow calls get fewer repeats (the whole measurement stays within a budget).
    """
    gc.collect()
    t0 = time.perf_counter()
    fn()  # warm-up
    first = time.perf_counter() - t0
    budget = 1.0 if quick else 12.0
    n_rep = repeats or (3 if quick else 7)
    min_sample = 0.002 if quick else 0.01
    number = 1
    if first < min_sample:
        number = max(1, int(min_sample / max(first, 1e-7)))
    samples = []
    if first * n_rep * number > budget:
        # slow workload: the warm-up counts as a sample; at most one or two more
        samples.append(first)
        n_rep = 0 if quick or first > budget else max(1, min(2, int(budget / first) - 1))
    start = time.perf_counter()
    for i in range(n_rep):
        gc.collect()
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - t0) / number)
        if i >= 1 and time.perf_counter() - start > budget:
            break
    return min(samples)


def peak_memory(fn) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - base


def fmt_time(t):
    if t is None:
        return "—"
    if isinstance(t, str):
        return t
    if t < 1e-6:
        return f"{t * 1e9:.0f} ns"
    if t < 1e-3:
        return f"{t * 1e6:.2f} µs"
    if t < 1:
        return f"{t * 1e3:.2f} ms"
    return f"{t:.2f} s"


def fmt_mem(b):
    if b is None:
        return "n/a"
    return f"{b / 1e6:.1f}MB"


def run_workload(w, quick: bool, have_torch: bool):
    row = dict(id=str(w.get("id", "?")), name=w.get("name", ""), times={}, errors={}, notes=[], mem={})
    if "error" in w:
        row["notes"].append(w["error"])
        row["status"] = "ERROR"
        return row
    per = w.get("per") or 1
    for lib in LIBS:
        fn = w.get(lib)
        if fn is None or (lib == "torch" and not have_torch):
            row["times"][lib] = None
            continue
        try:
            t = time_fn(fn, quick, w.get("repeats"))
            row["times"][lib] = t / per
            if w.get("memory"):
                row["mem"][lib] = None if lib == "torch" else peak_memory(fn)
        except Exception as e:  # noqa: BLE001
            row["times"][lib] = None
            msg = f"{type(e).__name__}: {e}".splitlines()[0][:160]
            row["errors"][lib] = msg
            row["notes"].append(f"{lib}: {msg}")
            if os.environ.get("BENCH_TRACEBACK"):
                traceback.print_exc()
    tc, tm, tt = (row["times"].get(k) for k in LIBS)
    row["r_mygrad"] = tc / tm if tc and tm else None
    row["r_torch"] = tc / tt if tc and tt else None
    target = w.get("target") or DEFAULT_TARGETS.get(row["id"])
    row["target"] = target or ""
    parsed = parse_target(target)
    if "mygrad_c" in row["errors"]:
        row["status"] = "ERROR"
    elif parsed is None:
        row["status"] = "—" if not target else "?"
    else:
        ref, max_ratio = parsed
        ratio = row["r_torch"] if ref == "torch" else row["r_mygrad"]
        row["status"] = "n/a" if ratio is None else ("PASS" if ratio <= max_ratio else "FAIL")
    if w.get("memory") and row["mem"]:
        mc, mm = row["mem"].get("mygrad_c"), row["mem"].get("mygrad")
        row["notes"].insert(0, "peak mem: " + ", ".join(f"{k} {fmt_mem(v)}" for k, v in row["mem"].items())
                            + ("" if mc is None or mm is None else (" (≤ MyGrad)" if mc <= mm else " (> MyGrad!)")))
    check = w.get("check")
    if check is not None and "mygrad_c" not in row["errors"]:
        try:
            text, ok = check()
            row["notes"].insert(0, f"{text} {'PASS' if ok else 'FAIL'}")
            if not ok and row["status"] == "PASS":
                row["status"] = "FAIL"
        except Exception as e:  # noqa: BLE001
            row["notes"].append(f"check failed: {type(e).__name__}: {e}")
    return row


# ---------------------------------------------------------------------------
# output
# ---------------------------------------------------------------------------
def print_table(rows, per_flags):
    headers = ["id", "workload", "mygrad_c", "MyGrad", "PyTorch", "c/MyGrad", "c/torch", "target", "status",
               "notes"]
    lines = []
    for r in rows:
        suffix = "/op" if per_flags.get(id(r)) else ""
        cells = [r["id"], r["name"]]
        for lib in LIBS:
            t = r["times"].get(lib)
            cells.append(fmt_time(t) + suffix if t is not None else ("ERR" if lib in r["errors"] else "—"))
        cells.append(f"{r['r_mygrad']:.3f}" if r.get("r_mygrad") else "—")
        cells.append(f"{r['r_torch']:.3f}" if r.get("r_torch") else "—")
        cells += [r.get("target", ""), r.get("status", ""), "; ".join(r["notes"])]
        lines.append(cells)
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *lines)]
    widths[1] = min(widths[1], 70)

    def fmt(cells):
        out = []
        for i, c in enumerate(cells):
            c = str(c)
            if i == 1 and len(c) > widths[1]:
                c = c[: widths[1] - 1] + "…"
            out.append(c.ljust(widths[i]) if i < len(cells) - 1 else c)
        return "| " + " | ".join(out) + " |"

    print(fmt(headers))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for cells in lines:
        print(fmt(cells))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="short smoke run (small sizes, few repeats)")
    ap.add_argument("--only", default="", help="comma-separated workload ids to run")
    args = ap.parse_args(argv)
    only = {s.strip() for s in args.only.split(",") if s.strip()}

    have_torch = torch_available()
    import numpy as np

    try:
        import mygrad
        mygrad_version = mygrad.__version__
    except Exception:  # noqa: BLE001
        mygrad_version = "not importable"
    torch_version = "not importable"
    if have_torch:
        import torch
        torch_version = f"{torch.__version__} ({torch.get_num_threads()} threads)"
    print(f"# mygrad_c benchmarks{' (--quick)' if args.quick else ''}: numpy {np.__version__}, "
          f"MyGrad {mygrad_version}, PyTorch {torch_version}; best of repeats after a warm-up, same process")

    rows, per_flags = [], {}
    t_start = time.perf_counter()
    for w in discover(args.quick):
        if only and str(w.get("id")) not in only and w.get("module") not in only:
            continue
        row = run_workload(w, args.quick, have_torch)
        if w.get("per") and w.get("per") != 1:
            per_flags[id(row)] = True
        rows.append(row)
        print(f"  ... {row['id']}: {row['status']}", file=sys.stderr, flush=True)
    rows.sort(key=lambda r: (not r["id"].isdigit(), int(r["id"]) if r["id"].isdigit() else 0, r["id"]))
    print_table(rows, per_flags)
    print(f"# total {time.perf_counter() - t_start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
