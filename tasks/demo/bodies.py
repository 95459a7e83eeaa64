"""The labels, attributes and links of the demo tasks, and their create bodies."""

from __future__ import annotations

from tasks.demo.annotations import (
    box_ann,
    cuboid_ann,
    ellipse_ann,
    follow_links,
    keypoint_anns,
    lane_anns,
    road_ann,
    sign_ann,
    vehicle_attributes,
)
from tasks.demo.scenes import CAMERA_HEIGHT, COLORS, Scene

ACCOUNT = "demo"
PROJECT = "demo"
BATCH = "demo-batch-1"

VEHICLE_LEAVES = ["Car", "Truck", "Bus"]
PEDESTRIAN_LEAVES = ["ped_adult", "ped_child"]
KEYPOINT_LEAVES = ["head", "left_foot", "right_foot"]
VEHICLES = {"choice": "Vehicle", "subchoices": VEHICLE_LEAVES}
PEDESTRIANS = {"choice": "Pedestrian", "subchoices": [
    {"choice": "ped_adult", "display": "Adult"}, {"choice": "ped_child", "display": "Child"}]}
SIGNS = {"choice": "Sign", "subchoices": [
    {"choice": "sign_stop", "display": "No entry"},
    {"choice": "sign_speed", "display": "Speed limit"},
    {"choice": "sign_info", "display": "Information"}]}
KEYPOINTS = {"choice": "Body keypoint", "subchoices": [
    "head", {"choice": "left_foot", "display": "Left foot"},
    {"choice": "right_foot", "display": "Right foot"}]}
SURFACES = ["road", {"choice": "sidewalk", "display": "Sidewalk"}]
LANES = {"choice": "Lane marking", "subchoices": [
    {"choice": "lane_center", "display": "Centre line"},
    {"choice": "lane_edge", "display": "Edge line"}]}


def geometry(name: str, **options: object) -> dict:
    labels = {"box": [VEHICLES], "cuboid": [VEHICLES], "ellipse": [PEDESTRIANS],
              "polygon": SURFACES, "line": [LANES], "point": [SIGNS, KEYPOINTS]}
    if name == "point":
        options.setdefault("connections", [
            {"pair": ["head", "left_foot"], "connection_attribute": "person"},
            {"pair": ["head", "right_foot"], "connection_attribute": "person"}])
    return {"objects_to_annotate": labels[name], **options}


def label_condition(labels: list[str]) -> dict:
    return {"label_condition": {"label": labels}}


def vehicle_attributes_spec(*, plate: bool = False) -> dict:
    spec = {
        "occlusion": {
            "type": "category", "description": "How much of it is hidden?", "default": "visible",
            "choices": ["visible", {"choice": "Occluded", "subchoices": [
                {"choice": "partly", "display": "Partly (< 50%)"},
                {"choice": "mostly", "display": "Mostly (50% or more)"}]}]},
        "color": {"type": "category", "description": "Colours (pick all that apply)",
                  "allow_multiple": True, "choices": [*list(COLORS)[:5], "yellow"],
                  "conditions": label_condition(VEHICLE_LEAVES)},
        "is_parked": {"type": "category", "description": "Parked?", "choices": ["yes", "no"],
                      "required": True, "conditions": label_condition(VEHICLE_LEAVES)},
        "speed_kmh": {"type": "number", "description": "Estimated speed (km/h)", "min": 0,
                      "max": 130, "step": 5,
                      "conditions": {**label_condition(VEHICLE_LEAVES),
                                     "attribute_conditions": [{"is_parked": "no"}]}},
        "centre_line": {"type": "x_line", "description": "The vehicle's vertical centre line: "
                        "drag it inside the box", "conditions": label_condition(VEHICLE_LEAVES)},
        "window_line": {"type": "y_line", "description": "Where its windows end: drag it "
                        "inside the box", "conditions": label_condition(VEHICLE_LEAVES)},
    }
    if plate:
        spec["plate"] = {"type": "text", "description": "Licence plate, if readable",
                         "conditions": label_condition(VEHICLE_LEAVES)}
    return spec


def pedestrian_attributes_spec() -> dict:
    return {
        "heading": {"type": "angle", "description": "Walking direction (0° = up, clockwise)",
                    "conditions": label_condition(PEDESTRIAN_LEAVES)},
        "person": {"type": "linked", "description": "The pedestrian this keypoint belongs to",
                   "allowed_labels": PEDESTRIAN_LEAVES, "required": True,
                   "conditions": label_condition(KEYPOINT_LEAVES)},
    }


GLOBAL_ATTRIBUTES = {
    "weather": {"type": "category", "description": "Weather", "choices": ["sunny", "cloudy",
                                                                         "rain"],
                "conditions": {"is_global": True}},
    "time_of_day": {"type": "category", "description": "Time of day",
                    "choices": ["day", "dusk", "night"], "conditions": {"is_global": True}},
}
LINKS = {
    "follows": [{"is_bidirectional": False, "from_allowed_labels": ["ped_child"],
                 "to_allowed_labels": ["ped_adult"]}],
    "walks_with": [{"is_bidirectional": True, "from_allowed_labels": PEDESTRIAN_LEAVES,
                    "to_allowed_labels": PEDESTRIAN_LEAVES}],
}


# --- the six kinds of task ------------------------------------------------------------------

def showcase_params(scene: Scene) -> dict:
    """Every geometry, global attributes, links and a hypothesis of everything drawn."""
    annotations = [box_ann(scene, i, v, attributes=vehicle_attributes(v))
                   for i, v in enumerate(scene.vehicles[1:], start=1)]
    cuboid = cuboid_ann(scene, 0, scene.vehicles[0])
    annotations.append({**cuboid, "attributes": vehicle_attributes(scene.vehicles[0])})
    annotations += [road_ann(scene), *lane_anns(scene)]
    annotations += [sign_ann(scene, i, s) for i, s in enumerate(scene.signs)]
    for i, p in enumerate(scene.people):
        annotations += [ellipse_ann(scene, i, p, attributes={"heading": 0}),
                        *keypoint_anns(scene, i, p)]
    return {
        "instruction": "Prelabels come from a model: **fix** them and add what is missing.",
        "geometries": {name: geometry(name) for name in
                       ("box", "polygon", "line", "point", "cuboid", "ellipse")},
        "annotation_attributes": {**vehicle_attributes_spec(), **pedestrian_attributes_spec(),
                                  **GLOBAL_ATTRIBUTES},
        "links": LINKS,
        "hypothesis": {"annotations": annotations, "links": follow_links(scene),
                       "global_attributes": {"weather": "sunny",
                                             "time_of_day": "dusk" if scene.dusk else "day"}},
    }


def vehicles_params(scene: Scene) -> dict:
    """Boxes only, with a full hypothesis of the vehicles."""
    return {
        "instruction": "Check every vehicle box and its attributes.",
        "geometries": {"box": geometry("box", min_width=8, min_height=8,
                                       integer_pixels=True)},
        "annotation_attributes": vehicle_attributes_spec(plate=True),
        "hypothesis": {"annotations": [
            box_ann(scene, i, v, attributes=vehicle_attributes(v, plate=i == 0))
            for i, v in enumerate(scene.vehicles)]},
    }


def rotated_params(scene: Scene) -> dict:
    """Rotatable boxes over base annotations: one locked, labels fixed, none deletable."""
    base = [box_ann(scene, i, v, rotation=0.0 if i else 0.05,
                    attributes=vehicle_attributes(v))
            for i, v in enumerate(scene.vehicles)]
    base[0]["locked"] = True
    return {
        "instruction": "Rotate the boxes to fit. The first box is locked.",
        "geometries": {"box": geometry("box", can_rotate=True)},
        "annotation_attributes": vehicle_attributes_spec(),
        "base_annotations": {"annotations": base},
        "can_add_base_annotations": True,
        "can_edit_base_annotations": True,
        "can_edit_base_annotation_labels": False,
        "can_delete_base_annotations": False,
    }


def layout_params(scene: Scene) -> dict:
    """Road surfaces and lane lines, the vehicles shown as a read-only layer."""
    boxes = [box_ann(scene, i, v) for i, v in enumerate(scene.vehicles)]
    return {
        "instruction": "Outline the road and the sidewalks, and trace every lane marking.",
        "geometries": {"polygon": geometry("polygon", min_vertices=3, max_vertices=40),
                       "line": geometry("line", min_vertices=2)},
        "layer": {"boxes": [{k: v for k, v in b.items() if k != "attributes"} for b in boxes]},
        "base_annotations": {"annotations": [road_ann(scene, locked=True),
                                             *lane_anns(scene)[:1]]},
        "can_add_base_annotations": True,
        "can_edit_base_annotations": True,
        "can_edit_base_annotation_labels": True,
        "can_delete_base_annotations": True,
        "paddingX": 60,
        "paddingY": 30,
    }


def pedestrians_params(scene: Scene) -> dict:
    """Ellipses and keypoints with connections, linked attributes and links."""
    hypothesis = []
    for i, p in enumerate(scene.people):
        hypothesis += [ellipse_ann(scene, i, p, attributes={"heading": 90}),
                       *keypoint_anns(scene, i, p)]
    return {
        "instruction": "Draw an ellipse around each pedestrian and mark head and feet.",
        "geometries": {"ellipse": geometry("ellipse"), "point": geometry("point")},
        "annotation_attributes": pedestrian_attributes_spec(),
        "links": LINKS,
        "layers": {"polygons": [road_ann(scene)], "lines": lane_anns(scene)},
        "hypothesis": {"annotations": hypothesis, "links": follow_links(scene)},
    }


def cuboid_params(scene: Scene) -> dict:
    """3D cuboids: the camera the scenes are drawn for (scenes.CAMERA_HEIGHT) looks along the
    road, level: a cuboid fitted to a vehicle has its size (a truck about 2.5 × 3.3 × 8 m)."""
    return {
        "instruction": "Fit a cuboid to every vehicle; the front face is the face nearest you.",
        "geometries": {
            "box": geometry("box"),
            "cuboid": geometry(
                "cuboid", min_width=4, min_height=4,
                camera_intrinsics={"fx": float(scene.width), "fy": float(scene.width),
                                   "cx": scene.width / 2, "cy": float(scene.horizon),
                                   "skew": 0, "scalefactor": 1},
                camera_rotation_quaternion={"w": 0.7071067811865476,
                                            "x": -0.7071067811865476, "y": 0, "z": 0},
                camera_height=CAMERA_HEIGHT),
        },
        "annotation_attributes": {"occlusion": vehicle_attributes_spec()["occlusion"]},
    }


KINDS = (showcase_params, vehicles_params, rotated_params, layout_params, pedestrians_params,
         cuboid_params)


def task_body(scene: Scene, attachment: str, context: str | None) -> dict:
    """The create body of scene `scene.index`, as an API client would POST it."""
    index = scene.index
    body = {"project": PROJECT, "attachment": attachment, "attachment_type": "image",
            "unique_id": f"demo-scene-{index:02d}", "priority": (20, 30, 10, 20)[index % 4],
            "metadata": {"scene": index, "source": "tasks.demo"},
            "tags": ["street", *(["dusk"] if scene.dusk else [])],
            **KINDS[index % len(KINDS)](scene)}
    if index % 3 == 0:
        body["batch"] = BATCH
    if index % 2 == 0:
        body["image_metadata"] = image_metadata(index)
    if index % 4 == 1:
        body["padding"] = 40
    if context and index % 6 == 0:
        body["context_attachments"] = [{"attachment": context}]
    return body


def image_metadata(index: int) -> dict:
    return {"date_time": f"2024-06-{index + 1:02d}T{8 + index % 10:02d}:30:00Z",
            "resolution": {"resolution_ratio": 0.02, "resolution_unit": "m"},
            "location": {"lat": round(48.85 + index / 1000, 4),
                         "long": round(2.35 + index / 1000, 4)}}

