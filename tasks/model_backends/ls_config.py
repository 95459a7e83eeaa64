"""The Label Studio labelling config (XML) a Label Studio ML backend is set up with, built from
a task's geometries and their labels (docs/assist.md, "Label Studio's ML-backend protocol").

box -> RectangleLabels (canRotate as the box geometry's can_rotate), polygon -> PolygonLabels
(and BrushLabels: a brush mask comes back as a polygon), point -> KeyPointLabels. The control
tags' names are the geometries' names, so a region's `from_name` says what it is.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from tasks.rules.geometry import label_tree

IMAGE_NAME = "image"
# Scale geometry -> the Label Studio control tags that carry it (name, tag)
CONTROLS: dict[str, tuple[tuple[str, str], ...]] = {
    "box": (("box", "RectangleLabels"),),
    "polygon": (("polygon", "PolygonLabels"), ("brush", "BrushLabels")),
    "point": (("point", "KeyPointLabels"),),
}


def label_config(params: dict) -> str:
    """The <View> for a task's normalized params."""
    geometries = params.get("geometries") or {}
    lines = ["<View>", f'  <Image name="{IMAGE_NAME}" value="$image"/>']
    for geometry, controls in CONTROLS.items():
        if geometry not in geometries:
            continue
        labels = label_tree(geometries, geometry).leaves
        for name, tag in controls:
            lines.append(_control(name, tag, labels, geometries[geometry] or {}))
    lines.append("</View>")
    return "\n".join(lines)


def _control(name: str, tag: str, labels: list[str], options: dict) -> str:
    extra = ""
    if tag == "RectangleLabels":
        extra = f' canRotate="{"true" if options.get("can_rotate") else "false"}"'
    body = "".join(f"\n    <Label value={quoteattr(label)}/>" for label in labels)
    return f'  <{tag} name="{name}" toName="{IMAGE_NAME}"{extra}>{body}\n  </{tag}>'


def geometry_of_control(name: str) -> str | None:
    """The Scale geometry a control tag named `name` (a region's from_name) stands for."""
    for geometry, controls in CONTROLS.items():
        if any(control == name for control, _ in controls):
            return geometry
    return None
