"""Tiny pytree helpers: treat a model's parameters as one object.

A *tree* is either a leaf (a NumPy array, or any object that is not a container) or a
``dict``, ``list`` or ``tuple`` (named tuples included) whose items are trees. A model with a
weight matrix and a bias vector is the tree ``{"W": W, "b": b}``; a single array is a tree
with one leaf. Optimizers use these helpers to apply the same per-array update to every leaf.

Leaves are visited in a fixed order: dict items in the dict's own (insertion) order, list
and tuple items by index. Two dicts match when they have the same keys, in any order; the
result of :func:`tree_map` keeps the order of its first tree.

The functions:

- :func:`tree_flatten` / :func:`tree_unflatten`: split a tree into its leaves and skeleton.
- :func:`tree_leaves`: the leaves as a list.
- :func:`tree_map`: apply a function leaf by leaf to one or several matching trees.
- :func:`tree_size`: the total number of scalar entries (the parameter count of a model).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = [
    "TreeDef",
    "flatten_matching",
    "leaf_path",
    "tree_flatten",
    "tree_leaves",
    "tree_map",
    "tree_size",
    "tree_unflatten",
]


class TreeDef:
    """The skeleton of a tree: its containers, with every leaf replaced by a placeholder."""

    __slots__ = ("skeleton", "num_leaves")

    def __init__(self, skeleton: Any, num_leaves: int) -> None:
        self.skeleton = skeleton
        self.num_leaves = num_leaves

    def __repr__(self) -> str:
        return f"TreeDef({self.skeleton!r}, num_leaves={self.num_leaves})"


class _Leaf:
    """Placeholder for a leaf inside a :class:`TreeDef` skeleton."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "*"


_LEAF = _Leaf()


def _is_namedtuple(node: Any) -> bool:
    return isinstance(node, tuple) and hasattr(node, "_fields")


def _rebuild(node: Any, children: list[Any]) -> Any:
    """A container of the same kind as ``node`` holding ``children``."""
    if _is_namedtuple(node):
        return type(node)(*children)
    return type(node)(children)


def tree_flatten(tree: Any) -> tuple[list[Any], TreeDef]:
    """Split ``tree`` into its list of leaves and a :class:`TreeDef` to rebuild it."""
    leaves: list[Any] = []

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, (list, tuple)):
            return _rebuild(node, [walk(item) for item in node])
        leaves.append(node)
        return _LEAF

    skeleton = walk(tree)
    return leaves, TreeDef(skeleton, len(leaves))


def tree_unflatten(treedef: TreeDef, leaves: list[Any]) -> Any:
    """Inverse of :func:`tree_flatten`: put ``leaves`` back into the skeleton, in order."""
    if len(leaves) != treedef.num_leaves:
        raise ValueError(f"Expected {treedef.num_leaves} leaves, got {len(leaves)}")
    remaining = iter(leaves)

    def fill(node: Any) -> Any:
        if node is _LEAF:
            return next(remaining)
        if isinstance(node, dict):
            return {key: fill(value) for key, value in node.items()}
        return _rebuild(node, [fill(item) for item in node])

    return fill(treedef.skeleton)


def tree_leaves(tree: Any) -> list[Any]:
    """The leaves of ``tree``, in the order described in the module docstring."""
    return tree_flatten(tree)[0]


def tree_size(tree: Any) -> int:
    """Total number of scalar entries in all leaves (e.g. a model's parameter count)."""
    return sum(int(np.size(leaf)) for leaf in tree_leaves(tree))


def _describe(path: str) -> str:
    return path if path else "the root"


def _flatten_like(skeleton: Any, tree: Any, path: str, leaves: list[Any]) -> None:
    """Append the leaves of ``tree`` to ``leaves``, checking it has the shape of ``skeleton``.

    Raises TypeError when a container kind differs and ValueError when keys, lengths or leaf
    shapes differ; the message names the position (e.g. ``['layers'][1]['W']``).
    """
    if skeleton is _LEAF:
        if isinstance(tree, (dict, list, tuple)):
            raise TypeError(
                f"Tree structure mismatch at {_describe(path)}: expected a leaf (array), "
                f"got a {type(tree).__name__}"
            )
        leaves.append(tree)
        return
    if isinstance(skeleton, dict):
        if not isinstance(tree, dict):
            raise TypeError(
                f"Tree structure mismatch at {_describe(path)}: expected a dict, "
                f"got {type(tree).__name__}"
            )
        if tree.keys() != skeleton.keys():
            raise ValueError(
                f"Tree structure mismatch at {_describe(path)}: keys {sorted(map(str, skeleton))}"
                f" vs {sorted(map(str, tree))}"
            )
        for key, child in skeleton.items():
            _flatten_like(child, tree[key], f"{path}[{key!r}]", leaves)
        return
    if not isinstance(tree, (list, tuple)):
        raise TypeError(
            f"Tree structure mismatch at {_describe(path)}: expected a "
            f"{type(skeleton).__name__}, got {type(tree).__name__}"
        )
    if len(tree) != len(skeleton):
        raise ValueError(
            f"Tree structure mismatch at {_describe(path)}: length {len(skeleton)} vs {len(tree)}"
        )
    for index, (child, item) in enumerate(zip(skeleton, tree, strict=True)):
        _flatten_like(child, item, f"{path}[{index}]", leaves)


def flatten_matching(treedef: TreeDef, tree: Any, first_leaves: list[Any]) -> list[Any]:
    """Leaves of ``tree``, checked to match ``treedef`` and the shapes of ``first_leaves``.

    Used by :func:`tree_map` and by the optimizers to check a gradient against its
    parameters. Raises TypeError/ValueError naming the position and both shapes.
    """
    leaves: list[Any] = []
    _flatten_like(treedef.skeleton, tree, "", leaves)
    for index, (first, other) in enumerate(zip(first_leaves, leaves, strict=True)):
        if _shape(first) != _shape(other):
            raise ValueError(
                f"Shape mismatch at {_describe(leaf_path(treedef, index))}: "
                f"{_shape(first)} vs {_shape(other)}"
            )
    return leaves


def _shape(leaf: Any) -> tuple:
    return leaf.shape if isinstance(leaf, np.ndarray) else np.shape(leaf)


def leaf_path(treedef: TreeDef, wanted: int) -> str:
    """The ``[key][index]`` path of leaf number ``wanted``, e.g. ``"['W']"`` (for messages)."""
    paths: list[str] = []

    def walk(node: Any, path: str) -> None:
        if node is _LEAF:
            paths.append(path)
        elif isinstance(node, dict):
            for key, child in node.items():
                walk(child, f"{path}[{key!r}]")
        else:
            for index, child in enumerate(node):
                walk(child, f"{path}[{index}]")

    walk(treedef.skeleton, "")
    return paths[wanted]


def tree_map(fn: Callable[..., Any], tree: Any, *rest: Any) -> Any:
    """Apply ``fn`` leaf by leaf: ``fn(leaf, *matching_leaves_of_rest)``; same structure out.

    Every tree in ``rest`` must have the structure of ``tree`` (same container kinds, dict
    keys and lengths) and leaves of the same shapes; otherwise a TypeError (container kind) or
    ValueError (keys, length, shape) names the position, e.g.
    ``Shape mismatch at ['W']: (3, 2) vs (2, 3)``.

    >>> tree_map(lambda p, g: p - 0.1 * g, {"w": np.ones(2)}, {"w": np.ones(2)})
    {'w': array([0.9, 0.9])}
    """
    leaves, treedef = tree_flatten(tree)
    others = [flatten_matching(treedef, other, leaves) for other in rest]
    return tree_unflatten(treedef, [fn(*args) for args in zip(leaves, *others, strict=True)])
