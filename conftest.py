"""Doctests of the docstrings in ``mygrad_c/``, the guide pages in ``docs/`` and the README.

Run them with::

    pytest --doctest-modules --doctest-glob="*.rst" mygrad_c docs README.md

- Each doctest starts with ``np`` and ``mg`` (``mygrad_c``) in its namespace, NumPy's global
  random state seeded with 0 and NumPy's default print options, so an example prints the same
  on every run; the print options are restored afterwards.
- A Markdown page is one doctest made of its ```` ```pycon ```` / ```` ```python ```` blocks, in
  order (later blocks see the names of earlier ones); the text around them is not read, so an
  expected output ends where its block ends.
- At the end pytest prints how many examples (``>>>`` lines) ran and passed, and how many were
  skipped (none should be: an example that cannot run does not belong in the docs).
"""
import doctest
import re

import numpy as np
import pytest
from _pytest.doctest import (
    DoctestItem, DoctestTextfile, _get_checker, _get_continue_on_failure, _get_runner,
    get_optionflags,
)

# docs/demo.md is a draft of README sections whose examples build on each other across blocks;
# docs/conf.py is Sphinx's configuration, not a module with doctests.
collect_ignore = ["docs/demo.md", "docs/conf.py", "docs/_build", "build"]

_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([^\s`]*)")
_RUN_LANGS = {"pycon", "python", "py"}


def markdown_doctest_text(text):
    """The page with everything but its Python code blocks blanked out (line numbers kept)."""
    out, fence, keep = [], None, False
    for line in text.splitlines():
        m = _FENCE.match(line)
        if fence is None and m:
            fence, keep = m.group(2), m.group(3) in _RUN_LANGS
            out.append("")
        elif fence is not None and line.strip().startswith(fence) and not line.strip().strip(fence[0]):
            fence, keep = None, False
            out.append("")
        else:
            out.append(line if keep else "")
    return "\n".join(out) + "\n"


class MarkdownDoctest(DoctestTextfile):
    def collect(self):
        text = markdown_doctest_text(self.path.read_text(self.config.getini("doctest_encoding")))
        runner = _get_runner(
            verbose=False, optionflags=get_optionflags(self.config), checker=_get_checker(),
            continue_on_failure=_get_continue_on_failure(self.config))
        test = doctest.DocTestParser().get_doctest(
            text, {"__name__": "__main__"}, self.path.name, str(self.path), 0)
        if test.examples:
            yield DoctestItem.from_parent(self, name=test.name, runner=runner, dtest=test)


def pytest_collect_file(file_path, parent):
    if file_path.suffix == ".md":
        return MarkdownDoctest.from_parent(parent, path=file_path)
    return None


@pytest.fixture(autouse=True)
def _doctest_environment(request):
    if not isinstance(request.node, DoctestItem):
        yield
        return
    import mygrad_c

    request.node.dtest.globs.setdefault("np", np)
    request.node.dtest.globs.setdefault("mg", mygrad_c)
    saved = np.get_printoptions()
    np.set_printoptions()  # NumPy's defaults
    np.random.seed(0)
    try:
        yield
    finally:
        np.set_printoptions(**saved)


_COUNTS = {"items": 0, "passed": 0, "skipped": 0, "in_failed": 0}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if not isinstance(item, DoctestItem) or call.when != "call" or item.dtest is None:
        return
    report = outcome.get_result()
    examples = item.dtest.examples
    skipped = sum(1 for ex in examples if ex.options.get(doctest.SKIP))
    _COUNTS["items"] += 1
    _COUNTS["skipped"] += skipped
    if report.passed:
        _COUNTS["passed"] += len(examples) - skipped
    else:
        _COUNTS["in_failed"] += len(examples)


def pytest_terminal_summary(terminalreporter):
    if _COUNTS["items"]:
        terminalreporter.write_line(
            f"doctest examples: {_COUNTS['passed']} run and passed, {_COUNTS['skipped']} skipped, "
            f"{_COUNTS['in_failed']} in failing docstrings/pages ({_COUNTS['items']} docstrings "
            "and pages)")
