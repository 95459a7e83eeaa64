"""Categories (COCO) and classes (YOLO, VOC): the leaf labels of the exported tasks.

Ids are stable: the leaf labels of every geometry of every exported task, sorted by name, get
1..n (COCO) or 0..n-1 (YOLO), so the same label set always gets the same ids. A label met in
a response but in no task's params (which validation does not let happen) and the stand-in for
annotations without a label, `(unlabeled)`, are added after them in the order they are met.
"""

from __future__ import annotations

import orjson
from django.db.models import QuerySet, TextField
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Cast

from tasks.rules.errors import RuleError
from tasks.rules.geometry import label_tree
from tasks.rules.labels import LabelTree

UNLABELED = "(unlabeled)"


class Categories:
    def __init__(self, leaves: dict[str, str]) -> None:
        """`leaves`: leaf label -> supercategory (the path of its groups, or "")."""
        self.names: list[str] = sorted(leaves)
        self.supercategory = dict(leaves)
        self._index = {name: i for i, name in enumerate(self.names)}

    @classmethod
    def of_tasks(cls, queryset: QuerySet) -> Categories:
        # compared as text: casting every task's params to jsonb to compare them cost
        # PostgreSQL 0.2 s for 10,000 tasks (text differing only in spacing just repeats one)
        configs = (queryset.order_by()
                   .annotate(export_geometries=Cast(KeyTransform("geometries", "params"),
                                                    TextField()))
                   .values_list("export_geometries", flat=True).distinct())
        leaves: dict[str, str] = {}
        for text in configs:
            geometries = _decoded(text)
            for name in geometries:
                _collect(geometries, name, leaves)
        # a segmentation task's labels (docs/segmentation.md "Exports")
        lists = (queryset.order_by()
                 .annotate(export_labels=Cast(KeyTransform("labels", "params"), TextField()))
                 .exclude(export_labels=None).values_list("export_labels", flat=True).distinct())
        for text in lists:
            _collect_tree(_decoded_list(text), leaves)
        return cls(leaves)

    def index(self, label: str | None) -> int:
        """0-based index of a label (None: the unlabeled stand-in), added when unknown."""
        name = UNLABELED if label is None else label
        if name not in self._index:
            self._index[name] = len(self.names)
            self.names.append(name)
            self.supercategory.setdefault(name, "")
        return self._index[name]

    def coco_id(self, label: str | None) -> int:
        return self.index(label) + 1


def _decoded(text: str | None) -> dict:
    try:
        found = orjson.loads(text) if text else None
    except orjson.JSONDecodeError:
        return {}
    return found if isinstance(found, dict) else {}


def _collect(geometries: dict, name: str, leaves: dict[str, str]) -> None:
    try:
        tree = label_tree(geometries, name)
    except (RuleError, AttributeError, TypeError):
        return  # params are validated on the way in; an odd old row is not worth failing for
    for leaf in tree.leaves:
        leaves.setdefault(leaf, "/".join(tree.path(leaf)[:-1]))


def _decoded_list(text: str | None) -> list:
    try:
        found = orjson.loads(text) if text else None
    except orjson.JSONDecodeError:
        return []
    return found if isinstance(found, list) else []


def _collect_tree(labels: list, leaves: dict[str, str]) -> None:
    try:
        tree = LabelTree.parse(labels, "labels")
    except (RuleError, AttributeError, TypeError):
        return
    for leaf in tree.leaves:
        leaves.setdefault(leaf, "/".join(tree.path(leaf)[:-1]))
