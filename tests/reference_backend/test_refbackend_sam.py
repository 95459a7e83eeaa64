"""The reference backend with a SAM-shaped ONNX model (built here, tiny_sam.py) as a real
process on loopback: both protocols over HTTP (docs/assist.md, "Reference backend")."""

from __future__ import annotations

import base64

import cv2
import numpy as np
import pytest
import requests

from tests.reference_backend import tiny_sam
from tests.reference_backend.processes import backend_process, image_host

pytestmark = pytest.mark.live

WIDTH, HEIGHT = 800, 600
OBJECT = (500, 150, 700, 350)  # a bright square on a dark background: the detector's find
TOLERANCE = 2.0  # pixels: SAM's bilinear scaling of the 256 x 256 logits, pixel centres
POLYGONS = """<View><Image name="img" value="$picture"/>
<PolygonLabels name="outline" toName="img"><Label value="car"/><Label value="tree"/>
</PolygonLabels><KeyPointLabels name="click" toName="img" smart="true">
<Label value="car"/><Label value="tree"/></KeyPointLabels></View>"""
RECTANGLES = """<View><Image name="img" value="$image"/>
<RectangleLabels name="rect" toName="img"><Label value="box-thing"/></RectangleLabels></View>"""


def png() -> bytes:
    pixels = np.full((HEIGHT, WIDTH, 3), 30, dtype=np.uint8)
    x0, y0, x1, y1 = OBJECT
    pixels[y0:y1, x0:x1] = (230, 200, 40)
    ok, encoded = cv2.imencode(".png", pixels)
    assert ok
    return encoded.tobytes()


IMAGE = png()


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny-sam")
    encoder = tiny_sam.build_encoder(folder / "encoder.onnx")
    decoder = tiny_sam.build_decoder(folder / "decoder.onnx")
    with backend_process(folder / "backend.log", ANNOTATOR_SAM_ENCODER=str(encoder),
                         ANNOTATOR_SAM_DECODER=str(decoder)) as url:
        yield url


@pytest.fixture(scope="module")
def host():
    with image_host({"/pictures/scene.png": IMAGE}) as url:
        yield url


def annotator_image() -> dict:
    return {"data": base64.b64encode(IMAGE).decode(), "content_type": "image/png",
            "width": WIDTH, "height": HEIGHT}


def interact(url: str, prompt: dict, geometry: str = "polygon") -> requests.Response:
    return requests.post(f"{url}/interact", timeout=30, json={
        "protocol": "annotator/1", "image": annotator_image(), "prompt": prompt,
        "geometry": geometry, "max_vertices": None})


def corners(vertices: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    xs, ys = [x for x, _ in vertices], [y for _, y in vertices]
    return min(xs), min(ys), max(xs), max(ys)


def assert_near(found, expected) -> None:
    assert len(found) == len(expected)
    for got, want in zip(found, expected, strict=True):
        assert abs(got - want) <= TOLERANCE, (found, expected)


def test_health_speaks_both_protocols(backend):
    label_studio = requests.get(f"{backend}/health", timeout=10).json()
    assert label_studio["status"] == "UP"
    assert label_studio["model_class"] == "sam-onnx"
    annotator = requests.get(f"{backend}/health", timeout=10,
                             headers={"User-Agent": "annotator"}).json()
    assert annotator["status"] == "ok"
    assert annotator["capabilities"] == ["predict", "interact"]
    assert annotator["model_version"] == "sam-onnx:encoder+decoder"
    assert requests.get(f"{backend}/health?protocol=annotator", timeout=10).json()["status"] == "ok"


def test_a_click_gives_the_models_polygon_around_it(backend):
    answer = interact(backend, {"points": [{"x": 300, "y": 250, "positive": True}], "box": None})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["model_version"] == "sam-onnx:encoder+decoder"
    assert body["score"] == pytest.approx(0.9)
    shape = body["shape"]
    assert shape["type"] == "polygon"
    vertices = [(v["x"], v["y"]) for v in shape["vertices"]]
    assert len(vertices) == 4  # a square, simplified from the mask's contour
    assert_near(corners(vertices), tiny_sam.expected_square(300, 250, WIDTH, HEIGHT))


def test_a_box_prompt_and_a_box_answer(backend):
    answer = interact(backend, {"points": [], "box": [100, 100, 300, 200]}, geometry="box")
    assert answer.status_code == 200, answer.text
    shape = answer.json()["shape"]
    assert shape["type"] == "box"
    x0, y0, x1, y1 = tiny_sam.expected_square(200, 150, WIDTH, HEIGHT)  # the box's centre
    assert_near((shape["left"], shape["top"], shape["width"], shape["height"]),
                (x0, y0, x1 - x0, y1 - y0))


def test_annotator_predict_labels_the_refined_regions(backend):
    answer = requests.post(f"{backend}/predict", timeout=30, json={
        "protocol": "annotator/1", "task": {"id": "t1", "type": "imageannotation"},
        "image": annotator_image(), "labels": ["ignored"],
        "geometries": {"polygon": {"objects_to_annotate": [
            {"choice": "vehicle", "subchoices": ["car", "truck"]}, "tree"]}},
        "annotation_attributes": {}})
    assert answer.status_code == 200, answer.text
    (found,) = answer.json()["annotations"]
    assert found["type"] == "polygon"
    assert found["label"] == "car"  # the first leaf of the geometry's labels
    assert found["score"] == pytest.approx(0.9)
    # The detector's box around the square object, refined by the (tiny) SAM from that box.
    x0, y0, x1, y1 = OBJECT
    expected = tiny_sam.expected_square((x0 + x1) / 2, (y0 + y1) / 2, WIDTH, HEIGHT)
    assert_near(corners([(v["x"], v["y"]) for v in found["vertices"]]), expected)


def test_label_studio_interactive_predict_from_a_keypoint(backend, host):
    context = {"result": [{
        "original_width": WIDTH, "original_height": HEIGHT, "image_rotation": 0,
        "value": {"x": 300 / WIDTH * 100, "y": 250 / HEIGHT * 100, "width": 0.6,
                  "keypointlabels": ["tree"]},
        "is_positive": True, "id": "k1", "from_name": "click", "to_name": "img",
        "type": "keypointlabels", "origin": "manual"}]}
    answer = requests.post(f"{backend}/predict", timeout=30, json={
        "tasks": [{"id": 7, "data": {"picture": f"{host}/pictures/scene.png"}}],
        "label_config": POLYGONS, "project": "3.1700000000",
        "params": {"login": None, "password": None, "context": context}})
    assert answer.status_code == 200, answer.text
    (prediction,) = answer.json()["results"]
    assert prediction["model_version"] == "sam-onnx:encoder+decoder"
    (region,) = prediction["result"]
    assert (region["from_name"], region["to_name"], region["type"]) == (
        "outline", "img", "polygonlabels")
    assert region["value"]["polygonlabels"] == ["tree"]  # the label picked for the click
    assert (region["original_width"], region["original_height"]) == (WIDTH, HEIGHT)
    points = [(x * WIDTH / 100, y * HEIGHT / 100) for x, y in region["value"]["points"]]
    assert_near(corners(points), tiny_sam.expected_square(300, 250, WIDTH, HEIGHT))


def test_label_studio_predict_in_rectangles_with_setup(backend, host):
    setup = requests.post(f"{backend}/setup", timeout=10, json={
        "project": "4.1700000000", "schema": RECTANGLES, "hostname": host,
        "access_token": "secret", "model_version": None})
    assert setup.json() == {"model_version": "sam-onnx:encoder+decoder"}
    answer = requests.post(f"{backend}/predict", timeout=30, json={
        "tasks": [{"id": 8, "data": {"image": "/pictures/scene.png"}}],  # relative: the host
        "project": "4.1700000000", "params": {"context": None}})
    assert answer.status_code == 200, answer.text
    (region,) = answer.json()["results"][0]["result"]
    assert region["type"] == "rectanglelabels"
    assert region["value"]["rectanglelabels"] == ["box-thing"]
    x0, y0, x1, y1 = OBJECT
    sx0, sy0, sx1, sy1 = tiny_sam.expected_square((x0 + x1) / 2, (y0 + y1) / 2, WIDTH, HEIGHT)
    value = region["value"]
    assert_near((value["x"] * WIDTH / 100, value["y"] * HEIGHT / 100,
                 value["width"] * WIDTH / 100, value["height"] * HEIGHT / 100),
                (sx0, sy0, sx1 - sx0, sy1 - sy0))


@pytest.mark.parametrize(("path", "body", "status", "says"), [
    ("/interact", {"image": {"data": "not base64!"}, "prompt": {"points": [{"x": 1, "y": 1}]}},
     400, "base64"),
    ("/interact", {"image": annotator_image(), "prompt": {"points": [{"x": 900, "y": 10}]}},
     400, "outside"),
    ("/interact", {"image": annotator_image(), "prompt": {"points": []}}, 400, "points or a box"),
    ("/predict", {"tasks": [{"data": {"image": "data:image/png;base64,AAAA"}}],
                  "label_config": "<View><Image name='i' value='$image'/><BrushLabels "
                                  "name='b' toName='i'/></View>"}, 400, "PolygonLabels"),
    ("/train", {}, 404, "no route"),
])
def test_bad_requests_get_a_clear_4xx(backend, path, body, status, says):
    answer = requests.post(f"{backend}{path}", json=body, timeout=30)
    assert answer.status_code == status, answer.text
    assert answer.json()["status_code"] == status
    assert says in answer.json()["error"]


def test_a_body_that_is_not_json_is_a_400(backend):
    answer = requests.post(f"{backend}/interact", data=b"{nope", timeout=10,
                           headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert answer.json() == {"status_code": 400, "error": "the body is not JSON"}
