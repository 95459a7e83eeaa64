"""The reference backend without SAM: annotator's OpenCV assists for interact, the
demonstration detector for predict; a real process on loopback, a generated image with a known
object (docs/assist.md, "Reference backend")."""

from __future__ import annotations

import base64

import cv2
import numpy as np
import pytest
import requests

from tests.reference_backend.processes import backend_process, image_host

pytestmark = pytest.mark.live

WIDTH, HEIGHT = 900, 640
# An irregular object (a pentagon) of one colour on a textured background.
OUTLINE = np.array([[300, 180], [520, 150], [610, 330], [450, 480], [260, 400]], np.int32)
MIN_IOU = 0.9
POLYGONS = """<View><Image name="image" value="$image"/>
<PolygonLabels name="label" toName="image"><Label value="rock"/></PolygonLabels>
<KeyPointLabels name="kp" toName="image" smart="true"><Label value="rock"/></KeyPointLabels>
<RectangleLabels name="rect" toName="image" smart="true"><Label value="rock"/>
</RectangleLabels></View>"""


def truth() -> np.ndarray:
    mask = np.zeros((HEIGHT, WIDTH), np.uint8)
    cv2.fillPoly(mask, [OUTLINE], 1)
    return mask > 0


def png() -> bytes:
    rng = np.random.default_rng(18)
    pixels = rng.integers(60, 100, (HEIGHT, WIDTH, 3), dtype=np.uint8)  # grey noise
    pixels[truth()] = (200, 60, 50)
    ok, encoded = cv2.imencode(".png", cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR))
    assert ok
    return encoded.tobytes()


IMAGE = png()


def iou(vertices: list[tuple[float, float]]) -> float:
    found = np.zeros((HEIGHT, WIDTH), np.uint8)
    cv2.fillPoly(found, [np.round(np.array(vertices)).astype(np.int32)], 1)
    both, either = (found.astype(bool) & truth()).sum(), (found.astype(bool) | truth()).sum()
    return float(both / either)


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    with backend_process(tmp_path_factory.mktemp("opencv") / "backend.log") as url:
        yield url


def annotator_body(**fields: object) -> dict:
    return {"protocol": "annotator/1", **fields, "image": {
        "data": base64.b64encode(IMAGE).decode(), "content_type": "image/png",
        "width": WIDTH, "height": HEIGHT}}


def test_health_names_the_opencv_model(backend):
    body = requests.get(f"{backend}/health", timeout=10).json()
    assert (body["status"], body["model_class"]) == ("UP", "opencv")
    body = requests.get(f"{backend}/health", headers={"User-Agent": "annotator/1"},
                        timeout=10).json()
    assert (body["status"], body["model_version"]) == ("ok", "opencv-assists/1")


@pytest.mark.parametrize("prompt", [
    {"box": [240, 130, 630, 500], "points": []},  # box -> polygon (GrabCut)
    {"box": None, "points": [{"x": 430, "y": 320, "positive": True}]},  # click inside
], ids=["box", "click"])
def test_interact_outlines_the_object(backend, prompt):
    answer = requests.post(f"{backend}/interact", timeout=60, json=annotator_body(
        prompt=prompt, geometry="polygon", max_vertices=12))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["model_version"] == "opencv-assists/1"
    vertices = [(v["x"], v["y"]) for v in body["shape"]["vertices"]]
    assert 3 <= len(vertices) <= 12
    assert iou(vertices) >= MIN_IOU


def test_negative_clicks_alone_are_a_400(backend):
    answer = requests.post(f"{backend}/interact", timeout=60, json=annotator_body(
        prompt={"points": [{"x": 5, "y": 5, "positive": False}]}, geometry="box"))
    assert answer.status_code == 400, answer.text
    assert answer.json() == {"status_code": 400,
                             "error": "a prompt needs a box or a positive click"}


def test_annotator_predict_finds_the_object_with_the_first_label(backend):
    answer = requests.post(f"{backend}/predict", timeout=60, json=annotator_body(
        task={"id": "t", "type": "imageannotation"}, labels=["rock", "sand"],
        geometries={"polygon": {"objects_to_annotate": ["rock", "sand"], "max_vertices": 20}},
        annotation_attributes={}))
    assert answer.status_code == 200, answer.text
    (found,) = answer.json()["annotations"]
    assert (found["type"], found["label"]) == ("polygon", "rock")
    assert 0 < found["score"] <= 1
    assert iou([(v["x"], v["y"]) for v in found["vertices"]]) >= MIN_IOU


def test_label_studio_predict_and_interactive_rectangle(backend):
    with image_host({"/scene.png": IMAGE}) as host:
        plain = requests.post(f"{backend}/predict", timeout=60, json={
            "tasks": [{"id": 1, "data": {"image": f"{host}/scene.png"}}],
            "label_config": POLYGONS, "params": {"context": None}})
        box = {"x": 240 / WIDTH * 100, "y": 130 / HEIGHT * 100,
               "width": 390 / WIDTH * 100, "height": 370 / HEIGHT * 100,
               "rectanglelabels": ["rock"]}
        interactive = requests.post(f"{backend}/predict", timeout=60, json={
            "tasks": [{"id": 1, "data": {"image": f"{host}/scene.png"}}],
            "label_config": POLYGONS, "params": {"context": {"result": [{
                "type": "rectanglelabels", "value": box, "from_name": "rect",
                "to_name": "image", "original_width": WIDTH, "original_height": HEIGHT}]}}})
    for answer in (plain, interactive):
        assert answer.status_code == 200, answer.text
        (region,) = answer.json()["results"][0]["result"]
        assert region["type"] == "polygonlabels"
        assert region["value"]["polygonlabels"] == ["rock"]
        points = [(x * WIDTH / 100, y * HEIGHT / 100) for x, y in region["value"]["points"]]
        assert iou(points) >= MIN_IOU
