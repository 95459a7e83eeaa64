"""Label Studio's ML-backend protocol (docs/assist.md, "Reference backend"): `/health`,
`/setup`, `/predict`. Results in Label Studio's shape: percent coordinates of the original
image, `polygonlabels` when the labelling config has a PolygonLabels control for the image,
else `rectanglelabels`.

Interactive predictions follow Label Studio's Segment Anything example: `params.context.result`
holds `keypointlabels` clicks (`is_positive`) and / or a `rectanglelabels` box, in percent;
the answer is one region with the prompt's label.
"""

from __future__ import annotations

import os
import threading
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

from . import images
from .model import BadPrompt, Image, Model, Point, Prompt, Region

OUTPUT_TAGS = ("PolygonLabels", "RectangleLabels")  # what this backend answers in, preferred first
RESULT_TYPES = {"PolygonLabels": "polygonlabels", "RectangleLabels": "rectanglelabels"}


@dataclass(frozen=True)
class Control:
    tag: str
    name: str
    to_name: str
    labels: tuple[str, ...]


@dataclass(frozen=True)
class LabelConfig:
    image_name: str  # the Image tag's name: the results' to_name
    image_key: str  # the task data key holding the image ($image -> "image")
    controls: tuple[Control, ...]

    def output(self) -> Control:
        for tag in OUTPUT_TAGS:
            for control in self.controls:
                if control.tag == tag and control.to_name == self.image_name:
                    return control
        raise BadPrompt("the labelling config has no PolygonLabels or RectangleLabels for its "
                        "Image (this backend answers polygons or rectangles, not brushes)")


@dataclass
class Setup:
    """What `/setup` told us: where relative image URLs live and the token to fetch them."""

    hostname: str | None = None
    access_token: str | None = None
    schema: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def base_url(self) -> str | None:
        return self.hostname or os.environ.get("LABEL_STUDIO_URL") or None

    def token(self) -> str | None:
        return self.access_token or os.environ.get("LABEL_STUDIO_API_KEY") or None


def parse_config(xml: str) -> LabelConfig:
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise BadPrompt(f"label_config is not XML: {exc}") from exc
    image = root if root.tag == "Image" else root.find(".//Image")
    if image is None or not image.get("name") or not image.get("value"):
        raise BadPrompt("the labelling config has no <Image name=... value=$...>")
    controls = tuple(
        Control(tag=node.tag, name=node.get("name", ""), to_name=node.get("toName", ""),
                labels=tuple(label.get("value", "") for label in node.iter("Label")))
        for node in root.iter() if node.tag.endswith("Labels") and node.get("name"))
    return LabelConfig(image_name=image.get("name", ""),
                       image_key=image.get("value", "").lstrip("$"), controls=controls)


def health(model: Model) -> dict[str, Any]:
    return {"status": "UP", "model_class": model.name, "model_version": model.model_version,
            "capabilities": ["predict", "interact"]}


def setup(model: Model, state: Setup, body: dict[str, Any]) -> dict[str, Any]:
    with state.lock:
        state.hostname = str(body.get("hostname") or "") or state.hostname
        state.access_token = str(body.get("access_token") or "") or state.access_token
        state.schema = str(body.get("schema") or "") or state.schema
    return {"model_version": model.model_version}


def predict(model: Model, state: Setup, body: dict[str, Any]) -> dict[str, Any]:
    tasks = body.get("tasks")
    if not isinstance(tasks, list) or not all(isinstance(t, dict) for t in tasks):
        raise BadPrompt("tasks must be a list of task objects")
    config = parse_config(str(body.get("label_config") or state.schema or ""))
    params = body.get("params") if isinstance(body.get("params"), dict) else {}
    context = params.get("context") if isinstance(params, dict) else None
    context_results = context.get("result") if isinstance(context, dict) else None
    control = config.output()  # before any image is fetched
    results = [predict_task(model, state, config, control, task, context_results or None)
               for task in tasks]
    return {"results": results, "model_version": model.model_version}


def predict_task(model: Model, state: Setup, config: LabelConfig, control: Control,
                 task: dict[str, Any], context: list[Any] | None) -> dict[str, Any]:
    image = task_image(state, config, task)
    if context:
        prompt, label = context_prompt(context, image)
        region = model.interact(image, prompt, max_vertices=None)
        chosen = label if label in control.labels else first(control.labels)
        found = [result(region, control, config, image, chosen)]
    else:
        regions = model.predict(image, max_vertices=None)
        found = [result(r, control, config, image, first(control.labels)) for r in regions]
    score = max((r["score"] for r in found), default=0.0)
    return {"result": found, "score": score, "model_version": model.model_version}


def task_image(state: Setup, config: LabelConfig, task: dict[str, Any]) -> Image:
    data = task.get("data") if isinstance(task.get("data"), dict) else {}
    ref = data.get(config.image_key) if isinstance(data, dict) else None
    if not isinstance(ref, str) or not ref:
        raise BadPrompt(f"task data has no image under {config.image_key!r}")
    return images.from_reference(ref, base_url=state.base_url(), token=state.token())


def context_prompt(context: list[Any], image: Image) -> tuple[Prompt, str | None]:
    """Label Studio's interactive context -> a prompt in image pixels, and the label the
    annotator picked for it."""
    points: list[Point] = []
    box = None
    label = None
    for item in context:
        if not isinstance(item, dict) or not isinstance(item.get("value"), dict):
            raise BadPrompt("params.context.result items are Label Studio results")
        kind, value = item.get("type"), item["value"]
        width = percent_base(item.get("original_width"), image.width)
        height = percent_base(item.get("original_height"), image.height)
        x, y = percent(value.get("x")) * width, percent(value.get("y")) * height
        labels = value.get(kind) if isinstance(kind, str) else None
        label = labels[0] if isinstance(labels, list) and labels else label
        if kind == "keypointlabels":
            positive = item.get("is_positive", value.get("is_positive", True))
            points.append(Point(x=x, y=y, positive=bool(positive)))
        elif kind == "rectanglelabels":
            box = (x, y, x + percent(value.get("width")) * width,
                   y + percent(value.get("height")) * height)
        else:
            raise BadPrompt(f"context results of type {kind!r} are not prompts")
    if not points and box is None:
        raise BadPrompt("params.context.result holds no keypoint or rectangle")
    return Prompt(points=tuple(points), box=box), label


def percent(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadPrompt("a context coordinate must be a number (percent)")
    return float(value) / 100.0


def percent_base(value: object, default: int) -> float:
    return float(value) if isinstance(value, int | float) and value > 0 else float(default)


def first(labels: tuple[str, ...]) -> str | None:
    return labels[0] if labels else None


def result(region: Region, control: Control, config: LabelConfig, image: Image,
           label: str | None) -> dict[str, Any]:
    kind = RESULT_TYPES[control.tag]
    xs = [x * 100.0 / image.width for x, _ in region.vertices]
    ys = [y * 100.0 / image.height for _, y in region.vertices]
    if kind == "polygonlabels":
        value: dict[str, Any] = {"points": [[round(x, 4), round(y, 4)]
                                           for x, y in zip(xs, ys, strict=True)],
                                 "closed": True}
    else:
        value = {"x": round(min(xs), 4), "y": round(min(ys), 4),
                 "width": round(max(xs) - min(xs), 4), "height": round(max(ys) - min(ys), 4),
                 "rotation": 0}
    value[kind] = [label] if label else []
    return {"id": uuid.uuid4().hex[:10], "from_name": control.name, "to_name": config.image_name,
            "type": kind, "value": value, "original_width": image.width,
            "original_height": image.height, "image_rotation": 0,
            "score": round(region.score, 4)}
