"""COCO predictions (or ground truth) as the `hypothesis` of imported tasks.

Images are matched by `file_name`: the image's path relative to the imported folder, or else
its base name when only one COCO image has it. Categories are matched by name to the leaf
labels of the project's geometries. An annotation with a polygon `segmentation` becomes a
polygon (one per ring) when the label belongs to the polygon geometry, else its `bbox` becomes a
box when the label belongs to the box geometry; anything else is dropped and counted in
`notes`. A `score` is kept as the `score` attribute when the project defines a number attribute
of that name, and otherwise dropped and counted.
"""

from __future__ import annotations

import posixpath
from collections import Counter
from pathlib import Path

import orjson

from tasks.models import Project
from tasks.rules.errors import RuleError
from tasks.rules.geometry import label_tree


class HypothesisFileError(ValueError):
    pass


class CocoHypotheses:
    def __init__(self, doc: dict, params: dict) -> None:
        self.notes: Counter = Counter()
        self.categories = {c["id"]: str(c.get("name")) for c in _list(doc, "categories")}
        self.by_path: dict[str, int] = {}
        self.by_base: dict[str, int | None] = {}
        for image in _list(doc, "images"):
            self._index_image(image)
        # Grouped by image_id; one without (None) belongs to no image.
        self.annotations: dict[int | None, list[dict]] = {}
        for ann in _list(doc, "annotations", need_id=False):
            self.annotations.setdefault(ann.get("image_id"), []).append(ann)
        self.leaves = {name: _leaves(params, name) for name in ("box", "polygon")}
        score = (params.get("annotation_attributes") or {}).get("score")
        self.keeps_score = isinstance(score, dict) and score.get("type") == "number"
        self.matched: set[int] = set()

    @classmethod
    def load(cls, path: Path, project: Project) -> CocoHypotheses:
        try:
            doc = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError) as exc:
            raise HypothesisFileError(f"{path}: not a readable JSON file ({exc}).") from exc
        if not isinstance(doc, dict):
            raise HypothesisFileError(f"{path}: not a COCO object.")
        version = project.latest_version()
        return cls(doc, version.params if version else {})

    def _index_image(self, image: dict) -> None:
        name = _normal(str(image.get("file_name", "")))
        self.by_path[name] = image["id"]
        base = posixpath.basename(name)
        self.by_base[base] = None if base in self.by_base else image["id"]

    def image_id(self, relative_path: str) -> int | None:
        name = _normal(relative_path)
        found = self.by_path.get(name)
        return found if found is not None else self.by_base.get(posixpath.basename(name))

    def for_file(self, relative_path: str) -> dict | None:
        """The hypothesis for one imported file, or None when COCO has nothing for it."""
        image_id = self.image_id(relative_path)
        if image_id is None:
            return None
        self.matched.add(image_id)
        annotations = [shape for ann in self.annotations.get(image_id, [])
                       for shape in self._convert(ann)]
        return {"annotations": annotations} if annotations else None

    def unmatched_images(self) -> int:
        return len(set(self.by_path.values()) - self.matched)

    def _convert(self, ann: dict) -> list[dict]:
        label = self.categories.get(ann.get("category_id"))
        if label is None:
            self.notes["annotation with an unknown category_id: dropped"] += 1
            return []
        shapes = self._polygons(ann, label) or self._box(ann, label)
        if not shapes:
            self.notes[f'category "{label}" is no label of the project\'s box or polygon '
                       "geometry: dropped"] += 1
        for shape in shapes:
            self._score(ann, shape)
        return shapes

    def _polygons(self, ann: dict, label: str) -> list[dict]:
        rings = ann.get("segmentation")
        if label not in self.leaves["polygon"] or not isinstance(rings, list):
            return []
        return [{"type": "polygon", "label": label,
                 "vertices": [{"x": ring[i], "y": ring[i + 1]}
                              for i in range(0, len(ring) - 1, 2)]}
                for ring in rings if isinstance(ring, list) and len(ring) >= 6]

    def _box(self, ann: dict, label: str) -> list[dict]:
        bbox = ann.get("bbox")
        if label not in self.leaves["box"] or not isinstance(bbox, list) or len(bbox) != 4:
            return []
        left, top, width, height = bbox
        return [{"type": "box", "label": label, "left": left, "top": top, "width": width,
                 "height": height}]

    def _score(self, ann: dict, shape: dict) -> None:
        if "score" not in ann:
            return
        if self.keeps_score:
            shape["attributes"] = {"score": ann["score"]}
        else:
            self.notes["score dropped (the project defines no number attribute "
                       '"score")'] += 1


def _list(doc: dict, key: str, *, need_id: bool = True) -> list[dict]:
    value = doc.get(key) or []
    if not isinstance(value, list):
        raise HypothesisFileError(f"COCO {key} must be a list.")
    return [item for item in value if isinstance(item, dict) and (not need_id or "id" in item)]


def _leaves(params: dict, geometry: str) -> set[str]:
    try:
        return set(label_tree(params.get("geometries") or {}, geometry).leaves)
    except (RuleError, AttributeError, TypeError):
        return set()


def _normal(name: str) -> str:
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]
    return "/".join(parts)
