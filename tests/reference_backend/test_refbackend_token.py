"""ANNOTATOR_REFBACKEND_TOKEN: the reference backend's requests need it, its health does not
(docs/assist.md, "Reference backend"). The server runs in this process, on loopback."""

from __future__ import annotations

import base64
import threading

import cv2
import numpy as np
import pytest
import requests

from reference_backend.opencv_model import OpenCvModel
from reference_backend.server import make_server


@pytest.fixture
def url(monkeypatch):
    monkeypatch.setenv("ANNOTATOR_REFBACKEND_TOKEN", "s3cret")
    server = make_server(OpenCvModel(), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def body() -> dict:
    pixels = np.zeros((120, 160, 3), np.uint8)
    pixels[30:90, 40:120] = 255
    ok, encoded = cv2.imencode(".png", pixels)
    assert ok
    return {"protocol": "annotator/1", "image": {"data": base64.b64encode(encoded).decode()},
            "prompt": {"points": [{"x": 80, "y": 60, "positive": True}]}, "geometry": "box"}


def test_requests_need_the_token_and_health_does_not(url):
    assert requests.get(f"{url}/health", timeout=10).status_code == 200
    refused = requests.post(f"{url}/interact", json=body(), timeout=30)
    assert refused.status_code == 401
    assert refused.json()["error"] == "a valid Authorization header is required"
    wrong = requests.post(f"{url}/interact", json=body(), timeout=30,
                          headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    for header in ("Bearer s3cret", "Token s3cret"):
        answer = requests.post(f"{url}/interact", json=body(), timeout=30,
                               headers={"Authorization": header})
        assert answer.status_code == 200, answer.text
        shape = answer.json()["shape"]
        assert shape["type"] == "box"
        assert abs(shape["left"] - 40) <= 2 and abs(shape["width"] - 80) <= 3
