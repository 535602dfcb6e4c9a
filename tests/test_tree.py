"""Tests of the pytree helpers."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pytest

from descentlab.tree import (
    tree_flatten,
    tree_leaves,
    tree_map,
    tree_size,
    tree_unflatten,
)


class Pair(NamedTuple):
    first: object
    second: object


def example():
    return {
        "layers": [
            {"W": np.ones((3, 2)), "b": np.zeros(2)},
            {"W": np.ones((2, 1)), "b": np.zeros(1)},
        ],
        "scale": np.array(2.0),
        "pair": Pair(np.arange(3.0), (np.ones(4),)),
    }


def test_flatten_unflatten_round_trip():
    tree = example()
    leaves, treedef = tree_flatten(tree)
    assert len(leaves) == treedef.num_leaves == 7
    rebuilt = tree_unflatten(treedef, leaves)
    assert isinstance(rebuilt["pair"], Pair) and isinstance(rebuilt["pair"].second, tuple)
    assert isinstance(rebuilt["layers"], list)
    for a, b in zip(tree_leaves(rebuilt), leaves, strict=True):
        assert a is b
    with pytest.raises(ValueError, match="Expected 7 leaves, got 6"):
        tree_unflatten(treedef, leaves[:-1])


def test_a_single_array_is_a_tree_with_one_leaf():
    x = np.ones(3)
    leaves, treedef = tree_flatten(x)
    assert leaves == [x] and tree_unflatten(treedef, [5]) == 5
    assert tree_map(lambda a: a * 2, x).tolist() == [2.0, 2.0, 2.0]


def test_leaf_order_and_size():
    tree = {"b": np.ones(2), "a": [np.ones((2, 2)), np.ones(1)]}
    assert [leaf.shape for leaf in tree_leaves(tree)] == [(2,), (2, 2), (1,)]
    assert tree_size(tree) == 7
    assert tree_size(example()) == 6 + 2 + 2 + 1 + 1 + 3 + 4


def test_tree_map_over_several_trees():
    params = example()
    grads = tree_map(np.ones_like, params)
    moved = tree_map(lambda p, g, h: p - 0.5 * g + h, params, grads, grads)
    np.testing.assert_array_equal(moved["layers"][0]["W"], np.full((3, 2), 1.5))
    assert isinstance(moved["pair"], Pair)


def test_dicts_match_regardless_of_key_order():
    a = {"x": np.ones(1), "y": np.zeros(2)}
    b = {"y": np.ones(2), "x": np.ones(1)}
    summed = tree_map(np.add, a, b)
    assert list(summed) == ["x", "y"]
    np.testing.assert_array_equal(summed["y"], np.ones(2))


def test_shape_mismatch_names_the_position_and_both_shapes():
    a = {"layers": [{"W": np.ones((3, 2))}]}
    b = {"layers": [{"W": np.ones((2, 3))}]}
    with pytest.raises(ValueError, match=r"\['layers'\]\[0\]\['W'\]: \(3, 2\) vs \(2, 3\)"):
        tree_map(np.add, a, b)
    with pytest.raises(ValueError, match=r"the root: \(3,\) vs \(4,\)"):
        tree_map(np.add, np.ones(3), np.ones(4))


def test_structure_mismatches():
    with pytest.raises(ValueError, match=r"keys \['a', 'b'\] vs \['a'\]"):
        tree_map(np.add, {"a": 1.0, "b": 2.0}, {"a": 1.0})
    with pytest.raises(ValueError, match=r"\['a'\]: length 2 vs 3"):
        tree_map(np.add, {"a": [1.0, 2.0]}, {"a": [1.0, 2.0, 3.0]})
    with pytest.raises(TypeError, match=r"\['a'\]: expected a list, got dict"):
        tree_map(np.add, {"a": [1.0]}, {"a": {"0": 1.0}})
    with pytest.raises(TypeError, match="the root: expected a dict, got ndarray"):
        tree_map(np.add, {"a": 1.0}, np.ones(1))
    with pytest.raises(TypeError, match=r"\[1\]: expected a leaf"):
        tree_map(np.add, [1.0, 2.0], [1.0, [2.0]])
