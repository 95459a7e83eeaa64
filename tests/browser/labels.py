"""Label trees of the browser tests' tasks (nested, with display names)."""

VEHICLES = [{"choice": "Vehicle", "subchoices": ["car", "truck"]}]
SURFACES = ["road", {"choice": "sidewalk", "display": "Sidewalk"}]
LANES = [{"choice": "Lane marking", "subchoices": [
    {"choice": "lane_center", "display": "Centre line"},
    {"choice": "lane_edge", "display": "Edge line"}]}]
KEYPOINTS = [{"choice": "Body keypoint", "subchoices": [
    "head", {"choice": "left_foot", "display": "Left foot"}]}]
PEDESTRIANS = [{"choice": "Pedestrian", "subchoices": [
    {"choice": "ped_adult", "display": "Adult"}, {"choice": "ped_child", "display": "Child"}]}]


def all_geometries(**box_options) -> dict:
    return {
        "box": {"objects_to_annotate": VEHICLES, **box_options},
        "polygon": {"objects_to_annotate": SURFACES, "min_vertices": 3},
        "line": {"objects_to_annotate": LANES, "min_vertices": 2},
        "point": {"objects_to_annotate": KEYPOINTS},
        "ellipse": {"objects_to_annotate": PEDESTRIANS},
        "cuboid": {"objects_to_annotate": VEHICLES},
    }
