"""Long program-fuzzing runs that list every distinct discrepancy, shrunk.

Where test_program_fuzzer.py stops at the first failure, this keeps generating programs
(the same generator) for a while, shrinks each failing one, groups them by the kind of
difference and the shape of the failing statement, and prints one reproduction per
group.  Known bugs (programs.KNOWN_BUGS) are recognised and counted, or skipped with
``--skip-known`` so that the run looks past them.

    PYTHONPATH=. python tests/hunt_programs.py --minutes 10 --seed 1 [--skip-known all]
"""
from __future__ import annotations

import argparse
import faulthandler
import gc
import os
import re
import resource
import signal
import sys
import threading
import time
import warnings

sys.path.insert(0, os.path.dirname(__file__))

import conftest  # noqa: E402,F401  (hypothesis profiles)
from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402
import hypothesis.strategies as st  # noqa: E402

import programs  # noqa: E402
from programs import KnownBugHit, MyGradHung, ProgramMismatch, known_bug, run_program, shrink  # noqa: E402
from test_program_fuzzer import write_and_run  # noqa: E402


def group_key(e: ProgramMismatch) -> tuple:
    """Known bugs group by name; others by the kind of difference and of statement."""
    d = e.diff
    bug = known_bug(d)
    if bug:
        return bug, "", ""
    stmt = re.sub(r"^with mg\.(\w+): ", "", d.stmt)
    m = (re.search(r"\.(backward|clear_graph|null_grad)\(", stmt) or re.search(r"out=", stmt)
         or re.match(r"\w+ (\W+=) ", stmt) or re.match(r"\w+\[.*\] = ", stmt)
         or re.search(r"(mg\.[\w.]+|np\.\w+|\.\w+)\(", stmt) or re.search(r"(\[)", stmt)
         or re.search(r" ([-+*/@]+) ", stmt))
    kind = (m.group(1) if m and m.groups() else m.group(0) if m else stmt)
    if "[" in kind and "=" in kind:
        kind = "x[...] ="
    got = re.sub(r"\(.*", "", str(d.got)) if d.key == "exception" else ""
    return d.key, kind, got


class MemoryHog(Exception):
    """A program made the process grow past --max-rss."""


def watch_memory(limit_mb: int, slow_s: float = 10.0) -> list:
    """Check the process size after every statement; past ``limit_mb`` raise MemoryHog.
    A statement that runs longer than ``slow_s`` gets the program's statements and the
    Python stack printed (once); one still inside MyGrad after ``programs.HANG_S`` is
    ended by programs' watchdog (MyGradHung).  Returns the list the statements of the
    current program are recorded in."""
    executed: list = []
    execute = programs.Mirror.execute
    started = [None]   # for the slow-statement report

    def watchdog():
        while True:
            time.sleep(5)
            t0 = started[0]
            if t0 is not None and time.time() - t0 > slow_s:
                started[0] = None
                print("\n=== slow statement; statements run:\n" + "\n".join(executed[-40:]), flush=True)
                faulthandler.dump_traceback(all_threads=True)
    threading.Thread(target=watchdog, daemon=True).start()

    def checked(self, stmt):
        executed.append(stmt)
        started[0] = time.time()
        try:
            return execute(self, stmt)
        finally:
            started[0] = None
            rss = int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE") >> 20
            if rss > limit_mb:
                raise MemoryHog(f"{rss} MB after: {stmt}")
    programs.Mirror.execute = checked
    return executed


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--kind", choices=["straight", "training", "both"], default="both")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--max-rss", type=int, default=2000, help="MB; a program that grows the process past "
                    "this is reported (and the address space is capped at twice this)")
    ap.add_argument("--skip-known", default="", help='known bugs to look past: "all" or names')
    ap.add_argument("--show-every", action="store_true",
                    help="also print every later failing program of a group, unshrunk (a known "
                         "bug's predicate is broad: another bug may fall under it)")
    args = ap.parse_args(argv)
    os.environ["MYGRAD_C_FUZZ_SKIP_KNOWN"] = args.skip_known
    warnings.simplefilter("ignore")
    deadline = time.time() + 60 * args.minutes
    groups: dict = {}
    count = [0, 0]   # programs, failures

    executed = watch_memory(args.max_rss)
    # kill -USR1 <pid>: where is it, and which statements of the current program ran
    faulthandler.register(signal.SIGUSR1, all_threads=False)
    signal.signal(signal.SIGUSR2, lambda *a: print("statements run:\n" + "\n".join(executed[-40:]), flush=True))
    limit = 2 * args.max_rss << 20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    def hunt(data):
        count[0] += 1
        executed.clear()
        training = {"straight": False, "training": True}.get(args.kind)
        if training is None:
            training = data.draw(st.booleans(), "training loop")
        try:
            write_and_run(data, training)
        except KnownBugHit:
            pass
        except (MemoryHog, MemoryError, MyGradHung) as e:
            print(f"\n=== memory: {e!r} ===\nstatements run:\n" + "\n".join(executed[-40:]), flush=True)
            gc.collect()
        except ProgramMismatch as e:
            count[1] += 1
            key = group_key(e)
            if key in groups:
                groups[key][0] += 1
                if args.show_every:
                    print(f"\n--- again: {key} (at {e.diff.stmt!r}: {e.diff.key}) ---\n{e.program!r}", flush=True)
                return
            program, shrunk = shrink(e.program, e.diff)
            msg = str(shrunk or e)
            if shrunk is not None:
                try:
                    run_program(program)
                except ProgramMismatch as final:
                    msg = str(final)
            groups[key] = [1, msg]
            print(f"\n=== new: {key} ===\n{msg}", flush=True)

    def summary():
        print(f"\n{count[0]} programs, {count[1]} failed, {len(groups)} distinct:", flush=True)
        for key, (n, _) in sorted(groups.items(), key=lambda kv: -kv[1][0]):
            print(f"  {n:5d}  {key}", flush=True)

    def overdue(grace_s=300):
        # a statement that never ends where the watchdog cannot reach it (MyGrad's endless
        # backward inside the garbage collector): the count is not lost
        time.sleep(max(0.0, deadline - time.time()) + grace_s)
        print(f"\n=== still running {grace_s} s past the deadline: stopped; statements run:\n"
              + "\n".join(executed[-40:]), flush=True)
        summary()
        os._exit(3)
    threading.Thread(target=overdue, daemon=True).start()

    batch = 0
    progress_at = time.time() + 120
    while time.time() < deadline:   # batches of programs, each with its own seed
        run = seed(args.seed * 10 ** 6 + batch)(settings(
            max_examples=100, deadline=None, database=None, phases=[Phase.generate],
            suppress_health_check=list(HealthCheck))(given(data=st.data())(hunt)))
        run()
        batch += 1
        if args.verbose:
            rss = int(open("/proc/self/statm").read().split()[1]) * 4096 >> 20
            print(f"batch {batch}: {count[0]} programs, {count[1]} failed, rss {rss} MB", flush=True)
        elif time.time() > progress_at:
            progress_at = time.time() + 120
            print(f"[{(time.time() - deadline) / 60 + args.minutes:.0f} min] {count[0]} programs, "
                  f"{count[1]} failed, {len(groups)} distinct", flush=True)
    summary()
    return 0


if __name__ == "__main__":
    sys.exit(main())
