"""The LabelDescription tree of `objects_to_annotate` and category `choices`
(docs/task-format.md "Labels").

An entry is a string (a leaf) or an object `{choice, subchoices?, display?, instance_label?}`.
A choice with subchoices is a non-selectable group; only leaves are labels. Leaf names are
unique within one tree and no leaf shares its name with a group; two groups may share a name
(they are only navigation). Unknown keys in label objects are accepted and echoed back.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, TypeGuard

import orjson

from .errors import RuleError, join
from .values import require_bool, require_string

MAX_DEPTH = 32
MAX_LABEL_LENGTH = 1000
# Parsed trees kept by their JSON text: one create parses its label trees ~8 times (each
# geometry's when normalized, again when its hypothesis or attributes are checked), and a
# client sends the same tree with every task (docs/performance.md, "The write path").
PARSED_CACHE_SIZE = 64
_parsed: OrderedDict[tuple[bytes, str], LabelTree] = OrderedDict()


@dataclass(frozen=True)
class LabelNode:
    """One entry of the tree. `children` is empty for a leaf."""

    choice: str
    display: str
    children: tuple[LabelNode, ...] = ()
    instance_label: bool = False

    @property
    def is_group(self) -> bool:
        return bool(self.children)


@dataclass
class _Seen:
    leaves: dict[str, str] = field(default_factory=dict)  # name -> path where first seen
    groups: dict[str, str] = field(default_factory=dict)


class LabelTree:
    """A parsed label tree. Build it with `LabelTree.parse`."""

    def __init__(self, nodes: tuple[LabelNode, ...], raw: list[Any]) -> None:
        self.nodes = nodes
        self._raw = raw
        self._paths: dict[str, list[LabelNode]] = {}
        self._walk(nodes, [])
        self.leaves: list[str] = list(self._paths)

    def _walk(self, nodes: tuple[LabelNode, ...], ancestors: list[LabelNode]) -> None:
        for node in nodes:
            if node.is_group:
                self._walk(node.children, [*ancestors, node])
            else:
                self._paths[node.choice] = [*ancestors, node]

    @classmethod
    def parse(cls, objects: Any, path: str) -> LabelTree:
        """Parse a list of strings and/or LabelDescription objects. None means an empty tree."""
        if objects is None:
            return cls((), [])
        key = _cache_key(objects, path)
        tree = _parsed.get(key) if key is not None else None
        if tree is None:
            nodes, raw = _parse_list(objects, path, 1, _Seen())
            tree = cls(nodes, raw)
            if key is not None:
                _parsed[key] = tree
                if len(_parsed) > PARSED_CACHE_SIZE:
                    _parsed.popitem(last=False)
        return tree

    @property
    def is_empty(self) -> bool:
        return not self.leaves

    def is_leaf(self, name: Any) -> TypeGuard[str]:
        return isinstance(name, str) and name in self._paths

    def display(self, name: str) -> str:
        """The text shown to labelers for leaf `name` (KeyError if it is not a leaf)."""
        return self._paths[name][-1].display

    def path(self, name: str) -> list[str]:
        """Display names from the root group down to leaf `name`, e.g. ["Pedestrian", "Adult"]."""
        return [node.display for node in self._paths[name]]

    def to_json(self) -> list[Any]:
        """The tree as sent (null-valued optional keys dropped), as a new list."""
        try:
            copied: list[Any] = orjson.loads(orjson.dumps(self._raw))  # deepcopy, ~10× faster
            return copied
        except (orjson.JSONEncodeError, TypeError):
            return copy.deepcopy(self._raw)


def _cache_key(objects: Any, path: str) -> tuple[bytes, str] | None:
    """A parse's key (the tree's JSON text and the path its errors name), or None for a value
    that is not plain JSON. A parsed tree is never changed, so one may serve every caller."""
    try:
        return orjson.dumps(objects), path
    except (orjson.JSONEncodeError, TypeError):
        return None


def _parse_list(items: Any, path: str, depth: int, seen: _Seen) -> tuple[tuple[Any, ...],
                list[Any]]:
    if not isinstance(items, list):
        raise RuleError(path, "must be a list of labels (strings or objects with a choice)")
    if depth > MAX_DEPTH:
        raise RuleError(path, f"labels may be nested at most {MAX_DEPTH} levels deep")
    nodes, raw = [], []
    for index, item in enumerate(items):
        node, item_raw = _parse_item(item, join(path, index), depth, seen)
        nodes.append(node)
        raw.append(item_raw)
    return tuple(nodes), raw


def _parse_item(item: Any, path: str, depth: int, seen: _Seen) -> tuple[LabelNode, Any]:
    if isinstance(item, str):
        _check_name(item, path)
        _remember_leaf(item, path, seen)
        return LabelNode(item, item), item
    if not isinstance(item, dict):
        raise RuleError(path, "must be a string or an object with a choice")
    return _parse_object(item, path, depth, seen)


def _parse_object(item: dict[str, Any], path: str, depth: int, seen: _Seen) -> tuple[LabelNode,
                  dict[str, Any]]:
    choice_path = join(path, "choice")
    if item.get("choice") is None:
        raise RuleError(choice_path, "is required")
    choice = item["choice"]
    _check_name(choice, choice_path)
    display = item.get("display")
    if display is not None:
        require_string(display, join(path, "display"), max_length=MAX_LABEL_LENGTH)
    instance_label = item.get("instance_label")
    if instance_label is not None:
        require_bool(instance_label, join(path, "instance_label"))
    # subchoices hold their place, filled below by their parse
    raw = {key: None if key == "subchoices" else copy.deepcopy(value)
           for key, value in item.items() if value is not None}
    children: tuple[Any, ...] = ()
    subchoices = item.get("subchoices")
    if subchoices is not None:
        sub_path = join(path, "subchoices")
        if isinstance(subchoices, list) and not subchoices:
            raise RuleError(sub_path, "must not be empty (omit subchoices for a leaf label)")
        _remember_group(choice, choice_path, seen)
        children, raw["subchoices"] = _parse_list(subchoices, sub_path, depth + 1, seen)
    else:
        _remember_leaf(choice, choice_path, seen)
    node = LabelNode(choice, display or choice, children, bool(instance_label))
    return node, raw


def _check_name(name: Any, path: str) -> None:
    if not isinstance(name, str) or not name:
        raise RuleError(path, "must be a non-empty string")
    if len(name) > MAX_LABEL_LENGTH:
        raise RuleError(path, f"must be at most {MAX_LABEL_LENGTH} characters")


def _remember_leaf(name: str, path: str, seen: _Seen) -> None:
    if name in seen.leaves:
        raise RuleError(path, f'duplicates the label "{name}" at {seen.leaves[name]}')
    if name in seen.groups:
        raise RuleError(path, f'"{name}" is already a group name at {seen.groups[name]}')
    seen.leaves[name] = path


def _remember_group(name: str, path: str, seen: _Seen) -> None:
    if name in seen.leaves:
        raise RuleError(path, f'"{name}" is already a label at {seen.leaves[name]}')
    seen.groups.setdefault(name, path)
