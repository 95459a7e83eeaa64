"""libvips's part of a tile build (tasks/tile_build.py), in a process of its own:

    python -m tasks.tile_cut SOURCE MIME PREFIX MAX_PIXELS TILE_SIZE QUALITY

reads the image at SOURCE once, top to bottom, and writes its DeepZoom pyramid beside PREFIX
(`PREFIX_files/<level>/<x>_<y>.jpg`); prints `{"width", "height", "peak_bytes"}`. An image it
refuses (no loader for its format, over MAX_PIXELS) exits with REFUSED and the reason on
stderr; a broken file exits 1 with libvips's message.

Why a process: the build's peak (~200 MiB for 20,000 × 20,000 pixels) returns to the system
when it exits, libvips never loads into the process that runs the jobs (the server itself, in
a one-process install), and a crash of a decoder fails this build, not that process
(docs/performance.md "Memory of the worker"). It imports neither Django nor Pillow: it starts
in a fraction of the cut's time.
"""

from __future__ import annotations

import json
import re
import sys

REFUSED = 3  # the exit code of an image this cut refuses (a Python error exits 1)

LOADERS = {"image/png": "pngload", "image/jpeg": "jpegload", "image/webp": "webpload",
           "image/gif": "gifload", "image/tiff": "tiffload"}
MAGIC = ((b"\x89PNG", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF8", "image/gif"),
         (b"RIFF", "image/webp"), (b"II*\x00", "image/tiff"), (b"MM\x00*", "image/tiff"))


class Refused(ValueError):
    pass


def sniffed_mime(path: str) -> str | None:
    """The file's format from its first bytes, among those we cut (the attachment worker checked
    the file with Pillow already; this only picks the decoder)."""
    with open(path, "rb") as handle:
        head = handle.read(12)
    for magic, mime in MAGIC:
        if head.startswith(magic) and (mime != "image/webp" or head[8:12] == b"WEBP"):
            return mime
    return None


def open_image(path: str, mime_type: str, max_pixels: int):
    """The image as 8-bit sRGB without alpha, read in one pass (sequential access)."""
    import pyvips

    pyvips.cache_set_max(0)  # nothing of one build kept for the next
    # one libvips thread: its buffers, hence the peak, do not grow with the machine's load
    pyvips.concurrency_set(1)
    loader = LOADERS.get(mime_type) or LOADERS.get(sniffed_mime(path) or "")
    if loader is None:
        raise Refused(f"no tile loader for {mime_type or 'this file'}")
    image = getattr(pyvips.Image, loader)(path, access="sequential", fail=True)
    if image.width * image.height > max_pixels:
        raise Refused(f"{image.width}×{image.height} is over the pixel limit")
    if image.interpretation != "srgb" or image.format != "uchar":
        image = image.colourspace("srgb")
    if image.bands > 3:
        image = image.extract_band(0, n=3)
    return image


def cut(source: str, mime_type: str, prefix: str, max_pixels: int, tile_size: int,
        quality: int) -> tuple[int, int]:
    """Write the pyramid; the image's (width, height)."""
    image = open_image(source, mime_type, max_pixels)
    # DeepZoom layout: its level N is the full size, each level below halved (rounding up)
    # and tiles cut at the edges (tasks/tile_build.py maps its levels to ours).
    image.dzsave(prefix, layout="dz", tile_size=tile_size, overlap=0, depth="onepixel",
                 suffix=f".jpg[Q={quality},strip]")
    return image.width, image.height


def peak_bytes() -> int:
    """This process's peak resident memory (VmHWM: its own, where ru_maxrss would carry the
    parent's across execve)."""
    try:
        with open("/proc/self/status") as status:
            found = re.search(r"VmHWM:\s+(\d+) kB", status.read())
    except OSError:  # not Linux
        return 0
    return int(found.group(1)) * 1024 if found else 0


def main(argv: list[str]) -> int:
    source, mime_type, prefix, max_pixels, tile_size, quality = argv
    try:
        width, height = cut(source, mime_type, prefix, int(max_pixels), int(tile_size),
                            int(quality))
    except Refused as exc:
        print(exc, file=sys.stderr)
        return REFUSED
    print(json.dumps({"width": width, "height": height, "peak_bytes": peak_bytes()}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
