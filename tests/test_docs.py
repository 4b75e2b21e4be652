"""The documentation's promises: every public name has a docstring with an Examples section and an
entry in the API reference (docs/reference/*.rst), the examples of docstrings that live in the
compiled modules run (pytest's --doctest-modules only collects .py files), and every code block of
the guide pages is either a doctest or a shell/text block.

The docstrings of the .py modules and the guide pages themselves run as doctests through
``pytest --doctest-modules --doctest-glob="*.md" --doctest-glob="*.rst" mygrad_c docs README.md``
(the root conftest.py sets them up; .ci/run calls it).
"""
from __future__ import annotations

import doctest
import importlib
import importlib.util
import inspect
import pathlib
import re
import types

import numpy as np
import pytest

import mygrad_c

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

# The modules whose public names the reference documents (the list, plus the modules a
# custom operation and its error handling import from).
MODULES = [
    "mygrad_c", "mygrad_c.nnet", "mygrad_c.nnet.layers", "mygrad_c.nnet.activations",
    "mygrad_c.nnet.losses", "mygrad_c.nnet.initializers", "mygrad_c.linalg", "mygrad_c.random",
    "mygrad_c.optim", "mygrad_c.datasets", "mygrad_c.computational_graph",
    "mygrad_c.operation_base", "mygrad_c.errors", "mygrad_c.io", "mygrad_c.typing",
]
# Type aliases and data constants cannot carry an example of their own; they still need an entry.
NO_EXAMPLE_NEEDED = {"mygrad_c.typing"}


def public_names(modname):
    mod = importlib.import_module(modname)
    names = getattr(mod, "__all__", None)
    if names is None:
        names = [n for n in dir(mod) if not n.startswith("_")]
    return [(n, getattr(mod, n)) for n in names
            if not isinstance(getattr(mod, n), types.ModuleType)]


def is_ours(obj):
    """A callable defined by mygrad_c (not one of NumPy's re-exported objects)."""
    return callable(obj) and (getattr(obj, "__module__", None) or "").startswith("mygrad_c")


PUBLIC = [(m, n, o) for m in MODULES for n, o in public_names(m)]
OURS = [(m, n, o) for m, n, o in PUBLIC if is_ours(o)]

_DIRECTIVE = re.compile(
    r"^\.\. (?:auto(?:function|class|data|exception|method|attribute)|"
    r"py:(?:function|class|data|exception))::\s+([\w.]+)", re.M)


def documented_paths():
    paths = set()
    for page in (DOCS / "reference").glob("*.rst"):
        paths.update(_DIRECTIVE.findall(page.read_text()))
    return paths


def resolve(path):
    mod, _, name = path.rpartition(".")
    return getattr(importlib.import_module(mod), name)


def test_reference_entries_resolve():
    """Every entry of the reference names an existing object (a renamed function is noticed)."""
    for path in sorted(documented_paths()):
        resolve(path)


def test_every_public_name_has_a_reference_entry():
    paths = documented_paths()
    ids = {id(resolve(p)) for p in paths}
    missing = [f"{m}.{n}" for m, n, o in PUBLIC
               if f"{m}.{n}" not in paths and (not callable(o) or id(o) not in ids)]
    assert not missing, f"public names with no entry in docs/reference/*.rst: {missing}"


@pytest.mark.parametrize("modname, name, obj", OURS, ids=[f"{m}.{n}" for m, n, _ in OURS])
def test_public_name_has_docstring_with_examples(modname, name, obj):
    doc = inspect.getdoc(obj) or ""
    assert doc.strip(), f"{modname}.{name} has no docstring"
    if modname in NO_EXAMPLE_NEEDED:
        return
    assert re.search(r"^Examples\n-{8}", doc, re.M), f"{modname}.{name}: no 'Examples' section"
    assert ">>>" in doc, f"{modname}.{name}: its Examples section has no example"


# ---------------------------------------------------------------------------------------------
# Docstrings of compiled code (Tensor's backward, execute_op, Operation, ...): pytest's doctest
# collector reads .py files only, so these examples are collected here.
# ---------------------------------------------------------------------------------------------
def _compiled_docstrings():
    seen, found = set(), []

    def visit(qualname, obj):
        if id(obj) in seen:
            return
        seen.add(id(obj))
        doc = getattr(obj, "__doc__", None)
        module = getattr(obj, "__module__", None) or getattr(getattr(obj, "__objclass__", None),
                                                             "__module__", "")
        if isinstance(doc, str) and ">>>" in doc and module and importlib.util.find_spec(
                module) is not None and not str(importlib.util.find_spec(module).origin).endswith(".py"):
            found.append((qualname, doc))

    roots = [(f"{m}.{n}", o) for m, n, o in PUBLIC if is_ours(o)]
    for so in sorted((ROOT / "mygrad_c").glob("*.so")) + sorted((ROOT / "mygrad_c").glob("*.pyd")):
        compiled = importlib.import_module("mygrad_c." + so.name.split(".")[0])
        roots += [(f"{compiled.__name__}.{n}", o) for n, o in vars(compiled).items()
                  if not n.startswith("__") and (inspect.isclass(o) or callable(o))]
    for qualname, obj in roots:
        visit(qualname, obj)
        if isinstance(obj, type):
            for klass in obj.__mro__:
                if klass is object:
                    continue
                for attr, member in vars(klass).items():
                    if not attr.startswith("_") or attr in ("__init__", "__call__"):
                        visit(f"{qualname}.{attr}", member)
    return sorted(found)


COMPILED_DOCS = _compiled_docstrings()


def test_compiled_docstrings_were_found():
    names = [q for q, _ in COMPILED_DOCS]
    assert any(q.endswith("scatter_add_rows") for q in names), names
    assert any(q.endswith("execute_op") for q in names), names


@pytest.mark.parametrize("qualname, doc", COMPILED_DOCS, ids=[q for q, _ in COMPILED_DOCS])
def test_compiled_docstring_examples(qualname, doc):
    saved = np.get_printoptions()
    np.set_printoptions()
    np.random.seed(0)
    try:
        test = doctest.DocTestParser().get_doctest(
            doc, {"np": np, "mg": mygrad_c}, qualname, None, 0)
        runner = doctest.DocTestRunner(
            optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        out = []
        runner.run(test, out=out.append)
    finally:
        np.set_printoptions(**saved)
    assert runner.failures == 0, "".join(out)
    assert runner.tries > 0


# ---------------------------------------------------------------------------------------------
# Guide pages: every code block is an example that runs (a doctest), or a shell command / output.
# ---------------------------------------------------------------------------------------------
GUIDE_PAGES = sorted((DOCS / "guide").glob("*.md")) + [DOCS / "index.md"]
_FENCE = re.compile(r"^```(\S*)\n(.*?)^```", re.M | re.S)
NOT_RUN = {"bash", "console", "text", "toctree", "{toctree}", "{eval-rst}"}


@pytest.mark.parametrize("page", GUIDE_PAGES, ids=[p.name for p in GUIDE_PAGES])
def test_guide_code_blocks_are_doctests(page):
    blocks = _FENCE.findall(page.read_text())
    for lang, body in blocks:
        if lang in NOT_RUN:
            continue
        assert lang in ("pycon", "python"), f"{page.name}: a ```{lang} block"
        assert body.lstrip().startswith(">>>"), (
            f"{page.name}: a Python block that is not a doctest (it would not be run):\n{body}")


def test_every_guide_page_is_in_the_toctree():
    index = (DOCS / "index.md").read_text()
    for page in GUIDE_PAGES[:-1]:
        assert f"guide/{page.stem}\n" in index, page.name


# ---------------------------------------------------------------------------------------------
# The demo's figure: whole-number epoch ticks, and a batch of digits with predicted labels.
# ---------------------------------------------------------------------------------------------
def test_demo_figure_has_integer_epoch_ticks_and_labelled_digits(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    import mygrad_c.demo as demo

    saved = []
    real_savefig = Figure.savefig
    monkeypatch.setattr(Figure, "savefig",
                        lambda fig, path, **kw: (saved.append(fig), real_savefig(fig, path, **kw)))
    result = demo.train(mygrad_c, epochs=3, subset=300, progress=False)
    demo.plot_curves(result, str(tmp_path / "demo.png"))
    assert (tmp_path / "demo.png").read_bytes()[:4] == b"\x89PNG"
    fig = saved[0]
    axes = fig.get_axes()
    curves = [ax for ax in axes if ax.get_xlabel() == "epoch"]
    assert len(curves) == 2
    for ax in curves:
        ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
        assert ticks and all(float(t).is_integer() for t in ticks), ticks
    digits = [ax for ax in axes if ax.images]
    assert len(digits) == 24
    _, _, _, y_test = demo.split_digits(result.seed)
    with mygrad_c.no_autodiff:
        predicted = np.argmax(result.model(demo.split_digits(result.seed)[2][:24]).data, axis=1)
    for ax, p, y in zip(digits, predicted, y_test[:24]):
        title = ax.get_title()
        assert title.split()[0] == str(p)
        assert (f"(is {y})" in title) == (p != y)


# ---------------------------------------------------------------------------------------------
# The guide pages that describe MyGrad's semantics print the same with MyGrad itself.
# ---------------------------------------------------------------------------------------------
def _root_conftest():
    """The repository's root conftest.py (tests/conftest.py shadows its module name)."""
    spec = importlib.util.spec_from_file_location("_docs_conftest", ROOT / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SAME_AS_MYGRAD = ["tensor.md", "graph.md", "views.md", "memory-guarding.md", "no-autodiff.md"]


@pytest.mark.parametrize("page", SAME_AS_MYGRAD)
def test_guide_page_examples_print_the_same_with_mygrad(page):
    pytest.importorskip("mygrad")
    text = _root_conftest().markdown_doctest_text((DOCS / "guide" / page).read_text())
    text = text.replace("import mygrad_c as mg", "import mygrad as mg")
    text = text.replace("mygrad_c.errors.", "mygrad.errors.")
    assert "mygrad_c" not in text.replace("from mygrad_c.computational_graph import", "")
    saved = np.get_printoptions()
    np.set_printoptions()
    np.random.seed(0)
    try:
        test = doctest.DocTestParser().get_doctest(text, {}, page, page, 0)
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        out = []
        runner.run(test, out=out.append)
    finally:
        np.set_printoptions(**saved)
    assert runner.tries > 5
    assert runner.failures == 0, "".join(out)
