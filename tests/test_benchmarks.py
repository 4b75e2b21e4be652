"""benchmarks/run.py: target parsing, workload discovery (every row of BENCHMARKS.md, each
library buildable on its own), and one end-to-end smoke run of the worker processes."""
import importlib.util
import os
import subprocess
import sys

import pytest

BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks")
_spec = importlib.util.spec_from_file_location("benchmarks_run", os.path.join(BENCH, "run.py"))
run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run)


def test_parse_targets():
    assert run.parse_target("<=0.6x torch") == ("torch", 0.6)
    assert run.parse_target(">=5x mygrad") == ("mygrad", 0.2)
    assert run.parse_target("≤ 1.5 × PyTorch") == ("torch", 1.5)
    assert run.parse_target("fast") is None
    assert run.parse_targets("<=1.0x torch; >=5x mygrad") == [("torch", 1.0), ("mygrad", 0.2)]
    assert run.parse_targets("<=1.0x torch; soon") is None


def test_every_row_is_discovered_and_builds_in_mygrad_c():
    workloads = run.discover(quick=True)
    assert [w["id"] for w in workloads] == [str(i) for i in range(1, 16)]  # (15: hvp, issue 14)
    for w in workloads:
        assert "error" not in w, w
        assert run.parse_targets(w["target"]), w["id"]
        fn = w["build"]("mygrad_c")
        assert callable(fn), w["id"]
    memory = {w["id"]: w["memory_target"] for w in workloads if w.get("memory")}
    assert memory == {"3": "<=1x mygrad", "5": "<=1x mygrad", "11": "<=1.2x torch", "14": "<=1.2x torch"}


def test_judge_combines_time_and_memory_targets():
    row = dict(id="11", target="<=1.0x torch; >=5x mygrad", memory=True, memory_target="<=1.2x torch",
               times={"mygrad_c": 1.0, "mygrad": 10.0, "torch": 1.1}, errors={}, notes=[],
               mem={"mygrad_c": 100, "mygrad": 300, "torch": 90})
    run._judge(row, None)
    assert row["status"] == "PASS" and "PASS" in row["notes"][0]
    row.update(notes=[], mem={"mygrad_c": 200, "torch": 90})
    run._judge(row, None)
    assert row["status"] == "FAIL"          # memory over PyTorch's + 20 %
    row.update(notes=[], times={"mygrad_c": 1.0, "mygrad": 4.0, "torch": 2.0}, mem={})
    run._judge(row, None)
    assert row["status"] == "FAIL"          # only 4x faster than MyGrad


@pytest.mark.skipif(not os.environ.get("MYGRAD_C_BENCH_SMOKE"),
                    reason="starts three worker processes; set MYGRAD_C_BENCH_SMOKE=1")
def test_quick_run_end_to_end():
    out = subprocess.run([sys.executable, os.path.join(BENCH, "run.py"), "--quick", "--only", "1,5",
                          "--threads", "1", "--rounds", "1"], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert "| 1 " in out.stdout and "| 5 " in out.stdout and "| ERROR " not in out.stdout
