"""The fuzz targets are scripts for atheris, not pytest modules: don't collect them.

``tests/test_fuzz_smoke.py`` runs each target briefly; ``tests/fuzz/run.py`` runs
them for longer.
"""
collect_ignore_glob = ["fuzz_*.py", "run.py", "_common.py"]
