"""Bodies and small helpers shared by the scale tests."""

from __future__ import annotations

import io
import uuid

from PIL import Image

from tests.scale.conftest import Cluster

GEOMETRIES = {"box": {"objects_to_annotate": ["car", "bus"]}}


def png_bytes(size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def upload_image(cluster: Cluster) -> str:
    """A stored image's scaledata:// URL: tasks using it need no fetch from elsewhere."""
    res = cluster.api("POST", 0, "files/upload",
                      files={"file": ("scale.png", png_bytes(), "image/png")})
    assert res.status_code == 200, res.text
    return res.json()["attachment_url"]


def new_project(cluster: Cluster, prefix: str, **params) -> tuple[str, int]:
    """(name, database id) of a new live project."""
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    res = cluster.api("POST", 1, "projects", {"type": "imageannotation", "name": name,
                                              "params": {"geometries": GEOMETRIES, **params}})
    assert res.status_code == 200, res.text
    [(project_id,)] = cluster.sql("SELECT id FROM tasks_project WHERE name = %s", name)
    return name, project_id


def box(n: int = 0) -> dict:
    return {"uuid": f"box-{n}", "type": "box", "label": "car", "left": 1 + n, "top": 2,
            "width": 10, "height": 12, "attributes": {}}
