"""Time every benchmark workload in mygrad_c, MyGrad and PyTorch; print one table per thread count.

Usage::

    python benchmarks/run.py                 # full run: the table with 1 thread, then with 2
    python benchmarks/run.py --quick         # smoke run (small sizes, 2 rounds; about a minute)
    python benchmarks/run.py --only 11,14    # selected workload ids
    python benchmarks/run.py --threads 1     # one thread count only

How it measures (see /work/shared/BENCHMARKS.md):

- Each library runs in a process of its own (a worker: this script with ``--worker``),
  started with ``OPENBLAS_NUM_THREADS``/``OMP_NUM_THREADS``/``MKL_NUM_THREADS`` set to the
  thread count, and with ``threadpoolctl`` (NumPy's BLAS) and ``torch.set_num_threads``
  set again after import.  In one process PyTorch's OpenMP pool and NumPy's OpenBLAS pool
  spin against each other, and a library never shares a process with another one's
  allocations.
- Rounds interleave the libraries: in each round every library runs every workload once
  (one sample: the mean of a few calls for calls shorter than a few ms), one library
  after the other, and the best sample over the rounds counts.  A slow spell of the
  machine thus hits all libraries alike.  With more than one thread, a pause between
  libraries lets the previous one's thread pool go back to sleep.
- Memory (workloads with ``memory=True``): the peak of one call above what was allocated
  before it - tracemalloc for mygrad_c and MyGrad (NumPy reports its arrays to it), and
  for PyTorch the allocation events of its profiler (``profile_memory=True``), summed in
  time order, since PyTorch's allocator is invisible to tracemalloc.

Workloads live in ``benchmarks/workloads_*.py``; each module defines
``workloads(quick: bool) -> list[dict]`` returning dicts with keys

- ``id`` (str), ``name`` (str), ``build``: ``build(lib)`` for lib in ("mygrad_c", "mygrad",
  "torch") imports that library (only it) and returns a zero-argument callable doing one
  forward + backward pass, or None when the library has no such workload;
- ``target``: text such as ``"<=0.6x torch"`` (time ratio mygrad_c/torch at most 0.6) or
  ``">=5x mygrad"`` (mygrad_c at least 5 times faster than MyGrad), several joined by ";";
- optional ``per``: number of ops per call, to report time per op;
- optional ``memory=True`` and ``memory_target`` (e.g. ``"<=1.2x torch"``): report the
  peak memory of one call and check it against another library's;
- optional ``check``: a callable run in mygrad_c's worker, returning ``(text, passed)``,
  an extra pass/fail check (e.g. linear growth) shown in the notes column.

A module that fails to import, or a workload that raises, becomes a row reporting the
error; the run goes on.
"""
from __future__ import annotations

import argparse
import gc
import glob
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
LIBS = ("mygrad_c", "mygrad", "torch")

_TARGET_RE = re.compile(r"^\s*(<=|>=|≤|≥|<|>)\s*([0-9]*\.?[0-9]+)\s*[x×]\s*(torch|pytorch|mygrad)\b", re.I)


def parse_target(text):
    """``"<=0.6x torch"`` -> ("torch", max ratio 0.6); ``">=5x mygrad"`` -> ("mygrad", 0.2).

    Returns ``(reference, max_ratio)``: the target is met when
    ``value(mygrad_c) / value(reference) <= max_ratio``; None if the text is not understood.
    """
    m = _TARGET_RE.match(text or "")
    if m is None:
        return None
    op, value, ref = m.group(1), float(m.group(2)), m.group(3).lower()
    ref = "torch" if ref in ("torch", "pytorch") else "mygrad"
    if op in ("<=", "≤", "<"):
        return ref, value
    return ref, 1.0 / value if value else float("inf")   # ">= N x ref": N times faster


def parse_targets(text):
    """All the targets of ``"<=1.0x torch; >=5x mygrad"``; None if any is not understood."""
    parts = [p for p in (text or "").split(";") if p.strip()]
    parsed = [parse_target(p) for p in parts]
    return None if any(p is None for p in parsed) else parsed


# ---------------------------------------------------------------------------
# discovery (in every process; workload modules import only NumPy at module level)
# ---------------------------------------------------------------------------
def discover(quick: bool, only=()):
    """The workload dicts (or error rows for modules that cannot be loaded), in id order."""
    for p in (ROOT, HERE):
        if p not in sys.path:
            sys.path.insert(0, p)
    out = []
    for path in sorted(glob.glob(os.path.join(HERE, "workloads_*.py"))):
        modname = os.path.splitext(os.path.basename(path))[0]
        try:
            spec = importlib.util.spec_from_file_location(f"benchmarks.{modname}", path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module
            spec.loader.exec_module(module)
            items = [dict(w, module=modname) for w in module.workloads(quick)]
        except Exception as e:  # noqa: BLE001
            items = [dict(id=modname, name=f"{modname}.py", module=modname,
                          error=f"{type(e).__name__}: {e}".splitlines()[0])]
        out += [w for w in items if not only or str(w["id"]) in only or w["module"] in only]
    return sorted(out, key=lambda w: (not str(w["id"]).isdigit(),
                                      int(w["id"]) if str(w["id"]).isdigit() else 0, str(w["id"])))


# ---------------------------------------------------------------------------
# the worker: one library, one thread count
# ---------------------------------------------------------------------------
def _limit_threads(lib: str, threads: int) -> None:
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(threads)
    except ImportError:  # the environment variables set by the parent still apply
        pass
    if lib == "torch":
        import torch
        torch.set_num_threads(threads)


def _peak_memory(fn, lib: str) -> int:
    """Bytes allocated at the peak of one call of ``fn``, above what was allocated before it."""
    gc.collect()
    if lib == "torch":
        import logging

        from torch.profiler import ProfilerActivity, profile
        logging.disable(logging.WARNING)
        with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
            fn()
        events = [e for e in prof.profiler.kineto_results.events() if e.name() == "[memory]"]
        current = peak = 0
        for e in sorted(events, key=lambda e: e.start_ns()):
            current += e.nbytes()
            peak = max(peak, current)
        return peak
    import tracemalloc
    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - base


def _sample(fn, number: int) -> float:
    gc.collect()
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - t0) / number


def worker(lib: str, threads: int, quick: bool, only) -> int:
    """Serve the parent over stdin/stdout (one JSON object per line)."""
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)   # anything the libraries print goes to stderr, not into the protocol
    _limit_threads(lib, threads)
    fns, errors = {}, {}
    for w in discover(quick, only):
        if "error" in w:
            continue
        try:
            fn = w["build"](lib)
        except Exception as e:  # noqa: BLE001 - reported in the table
            errors[w["id"]] = f"{type(e).__name__}: {e}".splitlines()[0][:160]
            if os.environ.get("BENCH_TRACEBACK"):
                traceback.print_exc()
            continue
        if fn is not None:
            fns[w["id"]] = (w, fn)

    def reply(obj):
        out.write(json.dumps(obj) + "\n")
        out.flush()

    reply(dict(ready=sorted(fns), errors=errors))
    for line in sys.stdin:
        cmd = json.loads(line)
        res = {}
        for wid in cmd.get("ids", ()):
            w, fn = fns[wid]
            try:
                if cmd["cmd"] == "sample":
                    res[wid] = _sample(fn, cmd["number"][wid])
                elif cmd["cmd"] == "memory":
                    res[wid] = _peak_memory(fn, lib)
                elif cmd["cmd"] == "check":
                    res[wid] = list(w["check"]())
            except Exception as e:  # noqa: BLE001
                res[wid] = dict(error=f"{type(e).__name__}: {e}".splitlines()[0][:160])
                if os.environ.get("BENCH_TRACEBACK"):
                    traceback.print_exc()
        reply(res)
        if cmd["cmd"] == "quit":
            break
    return 0


# ---------------------------------------------------------------------------
# the parent: start the workers, interleave rounds, print the table
# ---------------------------------------------------------------------------
class Worker:
    def __init__(self, lib, threads, args):
        env = dict(os.environ)
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = str(threads)
        env["PYTHONPATH"] = os.pathsep.join([ROOT] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
        cmd = [sys.executable, os.path.abspath(__file__), "--worker", lib, "--threads", str(threads)]
        cmd += (["--quick"] if args.quick else []) + (["--only", args.only] if args.only else [])
        self.lib = lib
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True,
                                     stderr=None if os.environ.get("BENCH_TRACEBACK") else subprocess.DEVNULL)
        hello = self._read()
        self.ready, self.errors = set(hello.get("ready", ())), hello.get("errors", {})

    def _read(self):
        line = self.proc.stdout.readline()
        if not line:
            return dict(error=f"{self.lib} worker exited (code {self.proc.poll()})")
        return json.loads(line)

    def ask(self, cmd, ids, **kw):
        ids = [i for i in ids if i in self.ready]
        if not ids or self.proc.poll() is not None:
            return {}
        self.proc.stdin.write(json.dumps(dict(cmd=cmd, ids=ids, **kw)) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self):
        try:
            if self.proc.poll() is None:
                self.proc.stdin.write(json.dumps(dict(cmd="quit")) + "\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=30)
        except Exception:  # noqa: BLE001
            self.proc.kill()


def measure(workloads, threads: int, args):
    """{id: row} for one thread count."""
    ids = [w["id"] for w in workloads if "error" not in w]
    rows = {w["id"]: dict(w, times={}, samples={}, mem={}, errors={}, notes=[]) for w in workloads}
    for w in workloads:
        if "error" in w:
            rows[w["id"]]["notes"].append(w["error"])
    workers = {}
    for lib in LIBS:
        workers[lib] = Worker(lib, threads, args)
        for wid, msg in workers[lib].errors.items():
            rows[wid]["errors"][lib] = msg
    pause = 0.3 if threads > 1 else 0.0
    budget = 1.5 if args.quick else 10.0           # seconds of timed calls per workload and library
    min_sample = 0.002 if args.quick else 0.02     # a sample lasts at least this long
    n_rounds = args.rounds or (2 if args.quick else 7)

    def record(lib, res):
        for wid, v in res.items():
            if isinstance(v, dict):
                rows[wid]["errors"][lib] = v["error"]
                plan[lib].pop(wid, None)
            else:
                rows[wid]["samples"].setdefault(lib, []).append(v)

    # warm-up: one call each, then a second that tells how many calls make a sample and how many
    # rounds fit (a first call pays for lazy initialisation - PyTorch's first backward takes
    # milliseconds - and calibrating on it made that library's samples a few calls long, each
    # started cold)
    plan = {}
    for lib in LIBS:
        plan[lib] = {i: 1 for i in ids if i in workers[lib].ready}
        first = workers[lib].ask("sample", list(plan[lib]), number=plan[lib])
        slow = {wid for wid, v in first.items() if not isinstance(v, dict) and v > budget / 2}
        again = [wid for wid in plan[lib] if wid not in slow and not isinstance(first.get(wid), dict)]
        first.update(workers[lib].ask("sample", again, number={wid: 1 for wid in again}))
        for wid, v in first.items():
            if isinstance(v, dict):
                rows[wid]["errors"][lib] = v["error"]
                plan[lib].pop(wid)
                continue
            number = max(1, int(min_sample / max(v, 1e-7)))
            rounds = max(1, min(n_rounds, int(budget / max(v * number, 1e-9))))
            if v > budget / 2:   # a slow call: the warm-up counts as the one sample
                rows[wid]["samples"][lib] = [v]
                rounds = 0
            plan[lib][wid] = (number, rounds)
        time.sleep(pause)
    for r in range(n_rounds):
        order = LIBS if r % 2 == 0 else LIBS[::-1]
        for lib in order:
            todo = {wid: nr[0] for wid, nr in plan[lib].items() if nr[1] > r}
            if todo:
                record(lib, workers[lib].ask("sample", list(todo), number=todo))
                time.sleep(pause)
        print(f"  ... {threads} thread(s): round {r + 1}/{n_rounds}", file=sys.stderr, flush=True)
    mem_ids = [w["id"] for w in workloads if w.get("memory") and "error" not in w]
    for lib in LIBS:
        for wid, v in workers[lib].ask("memory", mem_ids).items():
            if isinstance(v, dict):
                rows[wid]["notes"].append(f"{lib} memory: {v['error']}")
            else:
                rows[wid]["mem"][lib] = v
    checks = workers["mygrad_c"].ask("check", [w["id"] for w in workloads if w.get("check") and "error" not in w])
    for w in workers.values():
        w.close()
    for wid, row in rows.items():
        for lib, s in row["samples"].items():
            row["times"][lib] = min(s) / (row.get("per") or 1)
            if args.samples:
                row["notes"].append(f"{lib} samples (ms): " + " ".join(f"{v * 1e3:.3g}" for v in s))
        _judge(row, checks.get(wid))
    return [rows[w["id"]] for w in workloads]


def _judge(row, check):
    """Ratios, the pass/fail status and the notes of one row."""
    tc, tm, tt = (row["times"].get(k) for k in LIBS)
    row["r_mygrad"] = tc / tm if tc and tm else None
    row["r_torch"] = tc / tt if tc and tt else None
    for lib, msg in row["errors"].items():
        row["notes"].append(f"{lib}: {msg}")
    parsed = parse_targets(row.get("target"))
    if "error" in row or "mygrad_c" in row["errors"]:
        row["status"] = "ERROR"
    elif not row.get("target"):
        row["status"] = "—"
    elif parsed is None:
        row["status"] = "?"
    else:
        ratios = [(row["r_torch"] if ref == "torch" else row["r_mygrad"], limit) for ref, limit in parsed]
        row["status"] = ("n/a" if any(r is None for r, _ in ratios)
                         else "PASS" if all(r <= limit for r, limit in ratios) else "FAIL")
    if row.get("memory") and row["mem"]:
        text = "peak mem: " + ", ".join(f"{k} {v / 1e6:.1f}MB" for k, v in row["mem"].items())
        mt = parse_target(row.get("memory_target"))
        if mt is not None and row["mem"].get("mygrad_c") is not None and row["mem"].get(mt[0]):
            ratio = row["mem"]["mygrad_c"] / row["mem"][mt[0]]
            ok = ratio <= mt[1]
            text += f" ({ratio:.2f}x {mt[0]}, target {row['memory_target'].split()[0]}: {'PASS' if ok else 'FAIL'})"
            if not ok and row["status"] == "PASS":
                row["status"] = "FAIL"
        row["notes"].insert(0, text)
    if check is not None:
        if isinstance(check, dict):
            row["notes"].append(f"check failed: {check['error']}")
        else:
            text, ok = check
            row["notes"].insert(0, f"{text} {'PASS' if ok else 'FAIL'}")
            if not ok and row["status"] == "PASS":
                row["status"] = "FAIL"


# ---------------------------------------------------------------------------
# output
# ---------------------------------------------------------------------------
def fmt_time(t):
    if t < 1e-6:
        return f"{t * 1e9:.0f} ns"
    if t < 1e-3:
        return f"{t * 1e6:.2f} µs"
    if t < 1:
        return f"{t * 1e3:.2f} ms"
    return f"{t:.2f} s"


def print_table(rows):
    headers = ["id", "workload", "mygrad_c", "MyGrad", "PyTorch", "c/MyGrad", "c/torch", "target", "status",
               "notes"]
    lines = []
    for r in rows:
        suffix = "/op" if (r.get("per") or 1) != 1 else ""
        cells = [r["id"], r["name"]]
        for lib in LIBS:
            t = r["times"].get(lib)
            cells.append(fmt_time(t) + suffix if t is not None else ("ERR" if lib in r["errors"] else "—"))
        cells.append(f"{r['r_mygrad']:.3f}" if r.get("r_mygrad") else "—")
        cells.append(f"{r['r_torch']:.3f}" if r.get("r_torch") else "—")
        cells += [r.get("target", ""), r.get("status", ""), "; ".join(r["notes"])]
        lines.append(cells)
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *lines)]
    widths[1] = min(widths[1], 60)

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


def _versions():
    code = ("import json, importlib\nv = {}\nfor m in ('numpy', 'mygrad', 'torch'):\n"
            "    try: v[m] = importlib.import_module(m).__version__\n"
            "    except Exception: v[m] = 'not importable'\nprint(json.dumps(v))")
    try:
        return json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                         timeout=120).stdout)
    except Exception:  # noqa: BLE001
        return {}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="short smoke run (small sizes, 2 rounds)")
    ap.add_argument("--only", default="", help="comma-separated workload ids (or module names) to run")
    ap.add_argument("--threads", default="1,2", help="comma-separated thread counts (default: 1,2)")
    ap.add_argument("--rounds", type=int, default=0, help="rounds (default 7, --quick 2)")
    ap.add_argument("--samples", action="store_true", help="list every sample (ms) in the notes")
    ap.add_argument("--worker", choices=LIBS, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    thread_counts = [int(t) for t in args.threads.split(",") if t.strip()]
    if args.worker:
        return worker(args.worker, thread_counts[0], args.quick, only)

    v = _versions()
    print(f"# mygrad_c benchmarks{' (--quick)' if args.quick else ''}: numpy {v.get('numpy')}, "
          f"MyGrad {v.get('mygrad')}, PyTorch {v.get('torch')}; each library in its own process, "
          "rounds interleaving the libraries, best sample over the rounds")
    workloads = discover(args.quick, only)
    t_start = time.perf_counter()
    failed = 0
    for threads in thread_counts:
        rows = measure(workloads, threads, args)
        print(f"\n## {threads} thread{'s' if threads > 1 else ''} per library\n")
        print_table(rows)
        failed += sum(r["status"] in ("FAIL", "ERROR") for r in rows)
    print(f"\n# total {time.perf_counter() - t_start:.1f} s; {failed} row(s) FAIL/ERROR")
    return 0


if __name__ == "__main__":
    sys.exit(main())
