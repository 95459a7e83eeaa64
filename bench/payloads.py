"""What the benchmark sends: task bodies, annotations and images."""

from __future__ import annotations

import io
import math
import random
import struct
import uuid
import zlib
from pathlib import Path

# 20 leaf labels in 5 groups of 4 ("nested labels": choice → subchoices).
GROUPS = {
    "vehicle": ["car", "truck", "bus", "motorcycle"],
    "person": ["pedestrian", "cyclist", "rider", "child"],
    "animal": ["dog", "cat", "horse", "bird"],
    "infrastructure": ["traffic_light", "traffic_sign", "pole", "barrier"],
    "surface": ["road", "sidewalk", "crosswalk", "parking"],
}
LEAVES = [leaf for leaves in GROUPS.values() for leaf in leaves]
LABEL_TREE = [{"choice": group, "subchoices": leaves} for group, leaves in GROUPS.items()]
BOX_LABELS = GROUPS["vehicle"] + GROUPS["person"] + GROUPS["animal"]
POLYGON_LABELS = GROUPS["surface"] + GROUPS["infrastructure"]

# Three geometries, all 20 nested labels on each, three attributes.
GEOMETRIES = {
    "box": {"objects_to_annotate": LABEL_TREE, "min_width": 2, "min_height": 2},
    "polygon": {"objects_to_annotate": LABEL_TREE, "min_vertices": 3},
    "point": {"objects_to_annotate": LABEL_TREE},
}
ATTRIBUTES = {
    "occluded": {"type": "category", "description": "Is it occluded?",
                 "choices": ["no", "partly", "mostly"], "default": "no"},
    "truncated": {"type": "number", "description": "How much is outside the image (%)",
                  "min": 0, "max": 100, "default": 0},
    "note": {"type": "text", "description": "Anything worth saying"},
}


def task_body(*, project: str | None, attachment: str, index: int = 0, **extra) -> dict:
    body = {
        "attachment": attachment,
        "attachment_type": "image",
        "instruction": "Box every vehicle, person and animal; outline every surface.",
        "geometries": GEOMETRIES,
        "annotation_attributes": ATTRIBUTES,
        "metadata": {"frame": index, "camera": "front"},
        "callback_url": "http://127.0.0.1:9/callback",
        **extra,
    }
    if project:
        body["project"] = project
    return body


def realistic_body(*, project: str | None, attachment: str, index: int = 0, **extra) -> dict:
    """The create of issue-sized realism (bench/README.md "create, realistic"): task_body's
    nested labels, three geometries and three attributes, seven metadata keys, and an uploaded
    `scaledata://` image as the attachment."""
    metadata = {"frame": index, "camera": "front", "sequence": f"seq-{index // 100:04d}",
                "vehicle": "car-07", "weather": "overcast", "captured_at":
                "2026-11-29T13:14:15Z", "source": {"site": "depot-3", "lane": index % 4}}
    return task_body(project=project, attachment=attachment, index=index,
                     **{"metadata": metadata, **extra})


def box(rng: random.Random, width: float, height: float, label: str | None = None) -> dict:
    w, h = rng.uniform(8, 60), rng.uniform(8, 40)
    return {"uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "type": "box",
            "label": label or rng.choice(BOX_LABELS),
            "left": round(rng.uniform(0, width - w), 1),
            "top": round(rng.uniform(0, height - h), 1),
            "width": round(w, 1), "height": round(h, 1),
            "attributes": {"occluded": rng.choice(["no", "partly"]), "truncated": 0}}


def polygon(rng: random.Random, width: float, height: float, vertices: int = 20) -> dict:
    r = rng.uniform(6, 28)
    cx, cy = rng.uniform(r, width - r), rng.uniform(r, height - r)
    return {"uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "type": "polygon",
            "label": rng.choice(POLYGON_LABELS),
            "vertices": [{"x": round(cx + r * math.cos(2 * math.pi * k / vertices), 2),
                          "y": round(cy + r * math.sin(2 * math.pi * k / vertices), 2)}
                         for k in range(vertices)],
            "attributes": {"occluded": "no", "truncated": 0}}


def annotations(boxes: int, polygons: int, *, seed: int = 1, width: float = 4000,
                height: float = 3000) -> list[dict]:
    rng = random.Random(seed)
    return ([box(rng, width, height) for _ in range(boxes)]
            + [polygon(rng, width, height) for _ in range(polygons)])


def jpeg(width: int, height: int, *, quality: int = 85) -> bytes:
    """A street-ish picture with texture (so the decoder has real work), as JPEG."""
    from PIL import Image, ImageDraw, ImageFilter

    small = Image.effect_noise((max(width // 16, 1), max(height // 16, 1)), 64)
    noise = small.resize((width, height), Image.Resampling.BILINEAR)
    base = Image.merge("RGB", (noise.point(lambda v: v // 2 + 40),
                               noise.point(lambda v: v // 2 + 70),
                               noise.point(lambda v: v // 3 + 110)))
    draw = ImageDraw.Draw(base)
    draw.rectangle((0, int(height * 0.55), width, height), fill=(110, 110, 108))
    step = max(width // 40, 8)
    for x in range(0, width, step):
        draw.line((x, 0, x, height), fill=(200, 200, 60), width=max(width // 2000, 1))
    for y in range(0, height, step):
        draw.line((0, y, width, y), fill=(60, 200, 200), width=max(width // 2000, 1))
    if width * height <= 20_000_000:
        base = base.filter(ImageFilter.GaussianBlur(0.6))
    out = io.BytesIO()
    base.save(out, "JPEG", quality=quality)
    return out.getvalue()


def huge_png(path: Path, width: int = 20_000, height: int = 20_000) -> None:
    """A compressible RGB PNG written row by row (Pillow would need the whole image first):
    grey with a diagonal band, a few hundred KB like the upload that took 2 GB."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    packer = zlib.compressobj(9)
    grey = b"\x80\x80\x80" * width
    with open(path, "wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n")
        out.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)))
        for y in range(height):
            x = (y * width // height) * 3
            row = grey[:x] + b"\xff\x00\x00" * 8 + grey[x + 24:]
            data = packer.compress(b"\x00" + row[:width * 3])
            if data:
                out.write(chunk(b"IDAT", data))
        out.write(chunk(b"IDAT", packer.flush()))
        out.write(chunk(b"IEND", b""))
