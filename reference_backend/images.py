"""Getting the image a request is about: inline base64 (annotator's protocol always sends
it), a `data:` URI, or an http(s) URL fetched with a timeout and a size limit (Label Studio's
protocol sends a URL; a relative one is resolved against the Label Studio host that `/setup`
or LABEL_STUDIO_URL named, with its access token).

The backend fetches whatever URL its caller names: run it where only annotator (or Label
Studio) can reach it, as docs/assist.md says."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import urllib.error
import urllib.request
from urllib.parse import urljoin, urlsplit

import cv2
import numpy as np

from .model import BadPrompt, Image, RequestError

MAX_BYTES = int(os.environ.get("ANNOTATOR_REFBACKEND_MAX_IMAGE_BYTES", 50 * 1024 * 1024))
FETCH_TIMEOUT = float(os.environ.get("ANNOTATOR_REFBACKEND_FETCH_TIMEOUT", 15))


def decode(data: bytes) -> Image:
    pixels = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if pixels is None:
        raise BadPrompt("the image could not be decoded")
    rgb = cv2.cvtColor(pixels, cv2.COLOR_BGR2RGB)
    return Image(pixels=rgb, digest=hashlib.sha256(data).hexdigest())


def from_base64(text: str) -> Image:
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadPrompt("image.data is not valid base64") from exc
    return decode(data)


def from_reference(ref: str, *, base_url: str | None = None,
                   token: str | None = None) -> Image:
    """An image named by a `data:` URI or a URL (relative ones against `base_url`)."""
    if ref.startswith("data:"):
        header, _, payload = ref.partition(",")
        if not header.endswith(";base64"):
            raise BadPrompt("a data: image must be base64")
        return from_base64(payload)
    url = ref
    if not urlsplit(ref).scheme:
        if not base_url:
            raise BadPrompt(f"relative image URL {ref!r} and no Label Studio host: "
                            "set LABEL_STUDIO_URL or send hostname to /setup")
        url = urljoin(base_url.rstrip("/") + "/", ref.lstrip("/"))
    if urlsplit(url).scheme not in ("http", "https"):
        raise BadPrompt("an image URL must be http or https")
    headers = {"User-Agent": "annotator-reference-backend"}
    if token and not urlsplit(ref).scheme:  # the token goes only to the Label Studio host
        headers["Authorization"] = f"Token {token}"
    return decode(fetch(url, headers))


def fetch(url: str, headers: dict[str, str]) -> bytes:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:  # noqa: S310
            data = response.read(MAX_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise RequestError(f"fetching the image failed: {exc}", status=502) from exc
    if len(data) > MAX_BYTES:
        raise RequestError(f"the image is larger than {MAX_BYTES} bytes", status=413)
    return data
