"""Pictures of computational graphs.

``build_graph(fin)`` draws the graph that produced the tensor ``fin``: one node
per tensor, one red node per operation, and arrows in the direction the
values flowed (inputs -> operation -> output).  It returns a
``graphviz.Digraph`` (shown as a picture in Jupyter) when the ``graphviz``
Python package is installed (``pip install mygrad_c[viz]``; drawing a picture
also needs the Graphviz program, https://graphviz.org/download/).  Without it,
``build_graph`` returns the graph as DOT text, which any Graphviz viewer (for
example an online one) turns into the picture.  ``to_dot`` always returns the
DOT text and needs nothing beyond mygrad_c.

The graph is read through ``tensor.creator`` (the operation that made a tensor,
or None) and ``operation.variables`` (that operation's input tensors), walked
with an explicit stack, so graphs of any depth can be drawn.

Examples
--------
>>> import mygrad_c as mg
>>> from mygrad_c.computational_graph import to_dot
>>> x = mg.tensor([1.0, 2.0])
>>> y = x * x + 1.0
>>> print(to_dot(y, names={"x": x, "y": y}, show_ids=False))
strict digraph {
    node [fontsize=12]
    0 [label="y"]
    1 [label="Add" fillcolor=red style=filled]
    1 -> 0
    2 [label="Intermediary Tensor"]
    2 -> 1
    3 [label="Multiply" fillcolor=red style=filled]
    3 -> 2
    4 [label="x"]
    4 -> 3
    4 [label="x"]
    4 -> 3
    5 [label="1.0"]
    5 -> 1
}
"""
from __future__ import annotations

import shutil
import warnings
from typing import Any, Iterator, Mapping, NamedTuple, Optional, Union

import numpy as np

from mygrad_c.tensor_base import Tensor  # (a public name of MyGrad's module)

__all__ = ["build_graph", "to_dot"]

_OP_STYLE = {"fillcolor": "red", "style": "filled"}
_SAVE_NAME = "computational_graph"


class _Node(NamedTuple):
    key: str  # a unique id (the Python id of the tensor or operation)
    label: str
    is_op: bool


class _Edge(NamedTuple):
    tail: str
    head: str


def _walk(fin: Any, labeller: "_Labeller") -> Iterator[Union[_Node, _Edge]]:
    """Yield the graph's nodes and edges, depth first from ``fin`` towards the inputs.

    Each use of a tensor as an operation's input yields that tensor's node and an
    edge to the operation; each operation is expanded once, however many times
    its output is used.
    """
    expanded: set[int] = set()
    stack: list[tuple[Any, Optional[Any]]] = [(fin, None)]  # (tensor, operation using it)
    while stack:
        tensor, consumer = stack.pop()
        yield _Node(str(id(tensor)), labeller.label(tensor), False)
        if consumer is not None:
            yield _Edge(str(id(tensor)), str(id(consumer)))
        op = tensor.creator
        if op is None or id(op) in expanded:
            continue
        expanded.add(id(op))
        yield _Node(str(id(op)), type(op).__name__, True)
        yield _Edge(str(id(op)), str(id(tensor)))
        # reversed, so that the first input is drawn (popped) first
        stack.extend((var, op) for var in reversed(op.variables))


class _Labeller:
    """Make a tensor's node label, following MyGrad's conventions.

    Without ``names`` a tensor shows its repr.  With ``names``, a tensor listed in
    it shows its name; otherwise a 0-d tensor shows its value, a constant shows
    ``*Constant*`` and any other tensor ``Intermediary Tensor``.
    """

    def __init__(self, names: Optional[Mapping[str, Any]], dims: bool, dtypes: bool,
                 sum_stats: bool):
        self.use_names = names is not None
        self.dims = dims
        self.dtypes = dtypes
        self.sum_stats = sum_stats
        # id(object) -> (name, is_array); the first name of an object wins
        self.names: dict[int, tuple[str, bool]] = {}
        for name, value in (names or {}).items():
            if isinstance(value, np.ndarray):
                self.names.setdefault(id(value), (str(name), True))
            elif hasattr(value, "creator") and hasattr(value, "data"):  # a tensor
                self.names.setdefault(id(value), (str(name), False))

    def label(self, tensor: Any) -> str:
        data = np.asarray(tensor.data)
        lines = [self._title(tensor, data)]
        if self.dims and data.ndim > 0:
            lines.append(f"Dims: {data.shape}")
        if self.dtypes:
            lines.append(f"Dtype: {data.dtype}")
        if self.sum_stats and data.ndim > 0 and data.size > 0:
            lines += [
                f"Min: {np.min(data)}",
                f"Median: {np.median(data)}",
                f"Mean: {np.mean(data)}",
                f"Max: {np.max(data)}",
            ]
        return "\n".join(lines)

    def _title(self, tensor: Any, data: np.ndarray) -> str:
        if not self.use_names:
            return repr(tensor)
        if id(tensor) in self.names:
            return self.names[id(tensor)][0]
        if id(tensor.data) in self.names:  # the constant made from a named array
            return self.names[id(tensor.data)][0] + "\n*Constant*"
        if data.ndim == 0:
            return str(data.item())
        if tensor.constant:
            return "*Constant*"
        return "Intermediary Tensor"


def _dot_quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _check_args(fin, names) -> None:
    """MyGrad asserts these (AssertionError); a TypeError naming the argument is clearer."""
    if not (hasattr(fin, "creator") and hasattr(fin, "data")):  # a Tensor (also MyGrad's)
        raise TypeError(f"`fin` must be a Tensor, got {type(fin).__name__}")
    if names is not None and not isinstance(names, Mapping):
        raise TypeError(f"`names` must be a mapping of names to tensors (e.g. locals()), "
                        f"got {type(names).__name__}")


def to_dot(fin: Any, names: Optional[Mapping[str, Any]] = None, *, dims: bool = False,
           dtypes: bool = False, sum_stats: bool = False, show_ids: bool = True) -> str:
    """The computational graph that produced ``fin``, as Graphviz DOT text.

    Needs no extra package: paste the text into any Graphviz viewer, or run
    ``dot -Tpng graph.dot -o graph.png``, to see the picture.

    Parameters
    ----------
    fin : Tensor
        The tensor at the end of the graph (a tensor of mygrad_c or of MyGrad).
    names : Optional[Mapping[str, Union[Tensor, numpy.ndarray]]]
        Labels for tensors: ``{"x": x}`` labels the node of ``x`` as "x" (the very
        same object must be in the graph).  ``names=locals()`` uses your
        variable names.  See ``build_graph`` for how unnamed tensors are labelled.
    dims : bool, optional (default=False)
        Add each (non-scalar) tensor's shape to its label.
    dtypes : bool, optional (default=False)
        Add each tensor's dtype to its label.
    sum_stats : bool, optional (default=False)
        Add each (non-scalar) tensor's minimum, median, mean and maximum.
    show_ids : bool, optional (default=True)
        Name the DOT nodes by the Python ids of the objects (as ``build_graph``
        does); False numbers them 0, 1, 2, ... in order of appearance, which
        gives the same text on every run.

    Returns
    -------
    str
        A ``strict digraph``: operations are red nodes; arrows go from an
        operation's inputs to it, and from it to its output.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> from mygrad_c.computational_graph import to_dot
    >>> x = mg.tensor([1.0, 2.0])
    >>> print(to_dot(2.0 * x, dims=True, show_ids=False))
    strict digraph {
        node [fontsize=12]
        0 [label="Tensor([2., 4.])\\nDims: (2,)"]
        1 [label="Multiply" fillcolor=red style=filled]
        1 -> 0
        2 [label="Tensor(2.)"]
        2 -> 1
        3 [label="Tensor([1., 2.])\\nDims: (2,)"]
        3 -> 1
    }
    """
    numbering: dict[str, str] = {}

    def key(k: str) -> str:
        if show_ids:
            return k
        return numbering.setdefault(k, str(len(numbering)))

    lines = ["strict digraph {", "    node [fontsize=12]"]
    _check_args(fin, names)
    for item in _walk(fin, _Labeller(names, dims, dtypes, sum_stats)):
        if isinstance(item, _Edge):
            lines.append(f"    {key(item.tail)} -> {key(item.head)}")
        else:
            style = " fillcolor=red style=filled" if item.is_op else ""
            lines.append(f"    {key(item.key)} [label={_dot_quote(item.label)}{style}]")
    lines.append("}")
    return "\n".join(lines)


def _graphviz_module():
    """The ``graphviz`` Python package, or None when it is not installed."""
    try:
        import graphviz
    except ImportError:
        return None
    return graphviz


def build_graph(fin: Any, names: Optional[Mapping[str, Any]] = None, *, render: bool = True,
                save: bool = False, dims: bool = False, dtypes: bool = False,
                sum_stats: bool = False):
    """Build (and optionally save) a picture of the computational graph that produced ``fin``.

    Parameters
    ----------
    fin : Tensor
        The tensor at the end of the graph: the final node of the picture.
    names : Optional[Mapping[str, Union[Tensor, numpy.ndarray]]]
        Maps names to tensors (or arrays): a tensor of the graph that is a value
        here is labelled with its name.  Pass ``names=locals()`` to use your
        variable names.  With ``names`` given, an unnamed 0-d tensor shows its
        value, an unnamed constant shows ``*Constant*`` and any other unnamed
        tensor ``Intermediary Tensor``.  Without ``names``, every node shows the
        full tensor.
    render : bool, optional (default=True)
        If True, return the graph: a ``graphviz.Digraph`` (displayed as a
        picture in Jupyter) when the ``graphviz`` package is installed, the DOT
        text (a ``str``) otherwise.  If False, return None.
    save : bool, optional (default=False)
        If True, save the picture as ``computational_graph.pdf`` in the current
        directory (needs the Graphviz program); without Graphviz, save the DOT
        text as ``computational_graph.gv`` instead.
    dims : bool, optional (default=False)
        Add each (non-scalar) tensor's shape to its label.
    dtypes : bool, optional (default=False)
        Add each tensor's dtype to its label.
    sum_stats : bool, optional (default=False)
        Add each (non-scalar) tensor's minimum, median, mean and maximum.

    Returns
    -------
    Union[graphviz.Digraph, str, None]

    Notes
    -----
    The picture needs ``pip install mygrad_c[viz]`` (the ``graphviz`` Python
    package) and the Graphviz program (https://graphviz.org/download/, or
    ``apt install graphviz`` / ``brew install graphviz`` / ``conda install graphviz``).
    ``to_dot`` gives the DOT text with no extra install.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> from mygrad_c.computational_graph import build_graph
    >>> x = mg.tensor([1.0, 2.0])
    >>> w = mg.tensor(3.0)
    >>> f = x * w + x
    >>> graph = build_graph(f, names=locals())  # in Jupyter, shown as a picture
    >>> dot = getattr(graph, "source", graph)   # its DOT text (graph is that text without graphviz)
    >>> "Multiply" in dot and "Add" in dot
    True
    """
    graphviz = _graphviz_module()
    if graphviz is None:
        dot = to_dot(fin, names, dims=dims, dtypes=dtypes, sum_stats=sum_stats)
        if save:
            with open(_SAVE_NAME + ".gv", "w", encoding="utf-8") as f:
                f.write(dot + "\n")
            warnings.warn(
                "The graphviz package is not installed, so the graph was saved as DOT text in "
                f"{_SAVE_NAME}.gv. For a picture: pip install mygrad_c[viz] and install the "
                "Graphviz program (https://graphviz.org/download/).",
                stacklevel=2,
            )
        return dot if render else None

    graph = graphviz.Digraph(strict=True)
    graph.node_attr["fontsize"] = "12"
    _check_args(fin, names)
    for item in _walk(fin, _Labeller(names, dims, dtypes, sum_stats)):
        if isinstance(item, _Edge):
            graph.edge(item.tail, item.head)
        else:
            graph.node(item.key, label=item.label, **(_OP_STYLE if item.is_op else {}))
    if save:
        if shutil.which("dot") is None:
            graph.save(_SAVE_NAME + ".gv")
            warnings.warn(
                "The Graphviz program (`dot`) was not found, so the graph was saved as DOT "
                f"text in {_SAVE_NAME}.gv rather than as a PDF. Install it from "
                "https://graphviz.org/download/ (or apt/brew/conda install graphviz).",
                stacklevel=2,
            )
        else:
            graph.render(filename=_SAVE_NAME, cleanup=True)
    return graph if render else None
