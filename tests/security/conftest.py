"""Fixtures of the security tests: taskers, staff, and a task leased to a tasker."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from tasks import lifecycle, queue
from tests.factories import box_task, make_project, make_tasker

BOX = {"uuid": "b1", "type": "box", "label": "car", "left": 10, "top": 20, "width": 30,
       "height": 40}


@pytest.fixture
def tasker(db, account):
    return make_tasker("tina")


@pytest.fixture
def other_tasker(db, account):
    return make_tasker("otto")


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser("boss", password="pw-boss-123")


@pytest.fixture
def project(account):
    return make_project(account, "streets")


@pytest.fixture
def leased(account, project, tasker):
    """A task of `account` leased to `tasker`."""
    lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                          body=box_task(project="streets", hypothesis={"annotations": [BOX]},
                                        geometries={"box": {"objects_to_annotate": ["car"]}}))
    return queue.claim_next(tasker, project)


def png_bytes(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def bilevel_png(width: int, height: int) -> bytes:
    """A real, all-black 1-bit PNG: small on disk however many pixels it has (a bomb when it
    has too many)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat)
            + chunk(b"IEND", b""))
