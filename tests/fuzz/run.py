"""Run every fuzz target (``tests/fuzz/fuzz_*.py``) for a number of seconds each.

    python tests/fuzz/run.py --seconds 5                     # CI: a few seconds each
    python tests/fuzz/run.py --seconds 600 --parallel 2 \\
        --root /tmp/dbg --corpus /tmp/fuzz-corpus             # long run, debug build

``--root`` is the checkout whose ``mygrad_c`` is imported (put first on
PYTHONPATH; the targets run with a scratch working directory so that the
current directory cannot shadow it) - point it at a ``MYGRAD_C_DEBUG=1``
build to run with bounds checks on.  ``--corpus DIR`` keeps a corpus per
target in ``DIR/<target>`` so that runs build on each other.  Findings are
written to ``--artifacts`` (default: a temporary directory) and the script
exits non-zero if any target found one.  The last line of each target's
libFuzzer log ("Done N runs in S second(s)") gives the iteration count.
"""
from __future__ import annotations

import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def targets(names=None) -> list:
    found = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(HERE, "fuzz_*.py")))
    if names:
        wanted = [n if n.startswith("fuzz_") else "fuzz_" + n for n in names]
        missing = set(wanted) - set(found)
        if missing:
            raise SystemExit(f"unknown targets: {sorted(missing)}")
        return wanted
    return found


def start(name, seconds, root, corpus, artifacts, log_dir):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([root, HERE] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    args = [sys.executable, os.path.join(HERE, name + ".py"), f"-max_total_time={seconds}",
            f"-artifact_prefix={os.path.join(artifacts, name)}-", "-print_final_stats=1",
            "-rss_limit_mb=4096"]
    if corpus:
        cdir = os.path.join(corpus, name)
        os.makedirs(cdir, exist_ok=True)
        args.append(cdir)
    log = open(os.path.join(log_dir, name + ".log"), "w")
    proc = subprocess.Popen(args, cwd=artifacts, env=env, stdout=log, stderr=subprocess.STDOUT)
    return proc, log


def summarise(name, rc, log_path):
    text = open(log_path, errors="replace").read()
    m = re.findall(r"Done (\d+) runs in (\d+) second", text)
    runs, secs = (int(m[-1][0]), int(m[-1][1])) if m else (None, None)
    ok = rc == 0 and m
    return dict(name=name, rc=rc, runs=runs, seconds=secs, ok=bool(ok), log=log_path)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=int, default=5, help="seconds per target")
    ap.add_argument("--parallel", type=int, default=1, help="targets run at once")
    ap.add_argument("--root", default=REPO, help="checkout whose mygrad_c to fuzz")
    ap.add_argument("--corpus", default=None, help="directory of per-target corpora")
    ap.add_argument("--artifacts", default=None, help="where findings/logs go")
    ap.add_argument("targets", nargs="*", help="target names (default: all)")
    opts = ap.parse_args(argv)
    artifacts = opts.artifacts or tempfile.mkdtemp(prefix="mygrad_c_fuzz_")
    os.makedirs(artifacts, exist_ok=True)
    todo = targets(opts.targets)
    running, results = [], []
    t0 = time.time()
    while todo or running:
        while todo and len(running) < max(1, opts.parallel):
            name = todo.pop(0)
            proc, log = start(name, opts.seconds, os.path.abspath(opts.root), opts.corpus,
                              artifacts, artifacts)
            running.append((name, proc, log))
        time.sleep(0.2)
        for item in list(running):
            name, proc, log = item
            if proc.poll() is not None:
                log.close()
                running.remove(item)
                r = summarise(name, proc.returncode, log.name)
                results.append(r)
                status = "ok" if r["ok"] else f"FINDING (exit {r['rc']}), see {r['log']}"
                print(f"{name:28s} {r['runs'] or 0:>10} runs in {r['seconds'] or 0:>5} s  {status}",
                      flush=True)
    total = sum(r["runs"] or 0 for r in results)
    bad = [r for r in results if not r["ok"]]
    print(f"{len(results)} targets, {total} runs, {len(bad)} with findings, "
          f"{time.time() - t0:.0f} s wall; logs/artifacts in {artifacts}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
