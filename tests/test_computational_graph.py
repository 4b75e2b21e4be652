"""Tests for mygrad_c.computational_graph: to_dot (no dependency) and build_graph."""
from __future__ import annotations

import re
import sys

import numpy as np
import pytest

import mygrad_c as mg
from mygrad_c.computational_graph import build_graph, to_dot


def small_graph():
    x = mg.tensor([1.0, 2.0])
    w = mg.tensor(3.0)
    f = x * w + x
    return x, w, f


def canonical(source: str) -> list[str]:
    """The lines of DOT source with node ids renumbered in order of first appearance,
    duplicate lines removed and label quoting unified, so two graphs can be compared."""
    ids: dict[str, str] = {}

    def renumber(match: re.Match) -> str:
        return ids.setdefault(match.group(0), f"n{len(ids)}")

    seen, lines = set(), []
    for line in source.strip().splitlines():
        line = re.sub(r"\b\d{6,}\b", renumber, line.strip())
        line = re.sub(r'label=([^" \]]+)', r'label="\1"', line)
        if line not in seen:
            seen.add(line)
            lines.append(line)
    return lines


# ---------------------------------------------------------------------------
# to_dot: the dependency-free path
# ---------------------------------------------------------------------------
def test_to_dot_exact_text():
    x, w, f = small_graph()
    assert to_dot(f, names={"x": x, "w": w, "f": f}, show_ids=False) == "\n".join([
        "strict digraph {",
        "    node [fontsize=12]",
        '    0 [label="f"]',
        '    1 [label="Add" fillcolor=red style=filled]',
        "    1 -> 0",
        '    2 [label="Intermediary Tensor"]',
        "    2 -> 1",
        '    3 [label="Multiply" fillcolor=red style=filled]',
        "    3 -> 2",
        '    4 [label="x"]',
        "    4 -> 3",
        '    5 [label="w"]',
        "    5 -> 3",
        '    4 [label="x"]',
        "    4 -> 1",
        "}",
    ])


def test_to_dot_uses_python_ids_by_default():
    x, w, f = small_graph()
    dot = to_dot(f)
    assert f"{id(f)} [label=" in dot
    assert f"{id(f.creator)} -> {id(f)}" in dot
    assert f"{id(x)} -> {id(f.creator)}" in dot  # x feeds the Add directly


def test_labels_without_names_are_reprs():
    x, w, f = small_graph()
    dot = to_dot(f, show_ids=False)
    assert '[label="Tensor([4., 8.])"]' in dot
    assert '[label="Tensor(3.)"]' in dot
    assert '[label="Tensor([1., 2.])"]' in dot


def test_labels_with_names():
    a = np.array([1.0, 2.0])
    x = mg.tensor([3.0, 4.0])
    c = mg.tensor([5.0, 6.0], constant=True)
    y = (x * a) * c + 2.0
    dot = to_dot(y, names={"x": x, "a": a, "also_x": x}, show_ids=False)
    assert '[label="x"]' in dot and "also_x" not in dot  # the first name wins
    assert '[label="a\\n*Constant*"]' in dot  # the constant made from the named array
    assert '[label="*Constant*"]' in dot  # the unnamed constant c
    assert '[label="2.0"]' in dot  # a 0-d tensor shows its value
    assert dot.count('"Intermediary Tensor"') == 3  # x * a, (x * a) * c, and y


def test_names_can_be_locals_with_any_values():
    x = mg.tensor([1.0, 2.0])
    y = x * 2.0
    unrelated = "a string"  # noqa: F841
    dot = to_dot(y, names=locals(), show_ids=False)
    assert '[label="y"]' in dot and '[label="x"]' in dot


def test_dims_dtypes_stats():
    x = mg.tensor(np.array([1.0, 2.0, 6.0], dtype=np.float32))
    y = x * mg.tensor(np.float32(2.0))
    dot = to_dot(y, names={"x": x}, dims=True, dtypes=True, sum_stats=True, show_ids=False)
    assert ('[label="Intermediary Tensor\\nDims: (3,)\\nDtype: float32\\nMin: 2.0\\n'
            'Median: 4.0\\nMean: 6.0\\nMax: 12.0"]') in dot
    # no dims or statistics for a 0-d tensor
    assert '[label="2.0\\nDtype: float32"]' in dot


def test_quotes_are_escaped():
    x = mg.tensor([1.0])
    dot = to_dot(x * 2.0, names={'say "hi"': x}, show_ids=False)
    assert '[label="say \\"hi\\""]' in dot


def test_leaf_only_graph():
    assert to_dot(mg.tensor(3.0), show_ids=False) == (
        'strict digraph {\n    node [fontsize=12]\n    0 [label="Tensor(3.)"]\n}'
    )


def test_deep_graph_does_not_recurse():
    x = mg.tensor(1.0)
    y = x
    for _ in range(5 * sys.getrecursionlimit()):
        y = y * 1.0
    dot = to_dot(y, names={}, show_ids=False)  # names: skip the (slow) reprs
    assert dot.count("Multiply") == 5 * sys.getrecursionlimit()


def test_shared_subgraph_is_expanded_once():
    x = mg.tensor([1.0, 2.0])
    h = x * 3.0
    y = h + h
    dot = to_dot(y, show_ids=False)
    assert dot.count("Multiply") == 1
    assert dot.count("Add") == 1


def test_works_on_mygrad_tensors():
    mygrad = pytest.importorskip("mygrad")
    x = mygrad.tensor([1.0, 2.0])
    dot = to_dot(x * 2.0, names={"x": x}, show_ids=False)
    assert '[label="x"]' in dot and "Multiply" in dot


# ---------------------------------------------------------------------------
# build_graph without the graphviz package (mocked absence)
# ---------------------------------------------------------------------------
@pytest.fixture
def no_graphviz(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)  # makes `import graphviz` fail


def test_build_graph_without_graphviz_returns_dot(no_graphviz):
    x, w, f = small_graph()
    out = build_graph(f, names={"x": x, "w": w}, dims=True)
    assert isinstance(out, str)
    assert out == to_dot(f, names={"x": x, "w": w}, dims=True)
    assert build_graph(f, render=False) is None


def test_build_graph_without_graphviz_saves_dot(no_graphviz, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _, _, f = small_graph()
    with pytest.warns(UserWarning, match="pip install mygrad_c\\[viz\\]"):
        assert build_graph(f, render=False, save=True) is None
    assert (tmp_path / "computational_graph.gv").read_text() == to_dot(f) + "\n"


# ---------------------------------------------------------------------------
# build_graph with the graphviz package
# ---------------------------------------------------------------------------
def test_build_graph_returns_digraph():
    graphviz = pytest.importorskip("graphviz")
    x, w, f = small_graph()
    g = build_graph(f, names=locals())
    assert isinstance(g, graphviz.Digraph)
    assert canonical(g.source) == [
        "strict digraph {",
        "node [fontsize=12]",
        'n0 [label="f"]',
        'n1 [label="Add" fillcolor=red style=filled]',
        "n1 -> n0",
        'n2 [label="Intermediary Tensor"]',
        "n2 -> n1",
        'n3 [label="Multiply" fillcolor=red style=filled]',
        "n3 -> n2",
        'n4 [label="x"]',
        "n4 -> n3",
        'n5 [label="w"]',
        "n5 -> n3",
        "n4 -> n1",
        "}",
    ]
    assert build_graph(f, render=False) is None


@pytest.mark.parametrize("options", [{}, dict(dims=True, dtypes=True, sum_stats=True)])
def test_build_graph_matches_mygrad(options):
    pytest.importorskip("graphviz")
    mygrad = pytest.importorskip("mygrad")
    from mygrad.computational_graph import build_graph as mygrad_build_graph

    def graph_of(lib):
        x = lib.tensor([1.0, 2.0])
        c = lib.tensor([3.0, 5.0], constant=True)
        y = (x * c - 2.0) * x / 4.0
        return y, {"x": x, "y": y}

    ours = build_graph(*graph_of(mg), **options).source
    theirs = mygrad_build_graph(*graph_of(mygrad), **options).source
    assert canonical(ours) == canonical(theirs)
    ours = build_graph(graph_of(mg)[0], **options).source
    theirs = mygrad_build_graph(graph_of(mygrad)[0], **options).source
    assert canonical(ours) == canonical(theirs)


def test_build_graph_save_renders_pdf_when_dot_exists(monkeypatch):
    graphviz = pytest.importorskip("graphviz")
    calls = []
    monkeypatch.setattr(graphviz.Digraph, "render", lambda self, **kw: calls.append(kw))
    monkeypatch.setattr("shutil.which", lambda name: "/usr/bin/dot")
    _, _, f = small_graph()
    assert build_graph(f, save=True, render=False) is None
    assert calls == [dict(filename="computational_graph", cleanup=True)]


def test_build_graph_save_without_dot_program_saves_source(monkeypatch, tmp_path):
    pytest.importorskip("graphviz")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("shutil.which", lambda name: None)
    _, _, f = small_graph()
    with pytest.warns(UserWarning, match="Graphviz program"):
        g = build_graph(f, save=True)
    assert (tmp_path / "computational_graph.gv").read_text().strip() == g.source.strip()
