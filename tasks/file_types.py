"""The media type recorded for an uploaded file that is not an image. Uploads take any file
(as Scale's do); whatever uses one checks it by its content then (a task's image by Pillow,
a video by PyAV, a layers file by the JSON parser). The type is read from the first bytes,
never the name, and is only ever a video type or a neutral one: a stored file is never served
as something a browser would run."""

from __future__ import annotations

OCTET_STREAM = "application/octet-stream"


def sniffed_type(data: bytes) -> str:
    head = data[:16]
    if head[4:8] == b"ftyp":
        return "video/quicktime" if head[8:10] == b"qt" else "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"  # Matroska and WebM
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "video/x-msvideo"
    return OCTET_STREAM
