"""A tile build of a 20,000 × 20,000 image: the cut's peak memory stays under the documented
bound (tasks/tiles.PEAK_BYTES, docs/deploy.md), and it is the cut's own process's, never the
peak of the process that runs the jobs (tasks/tile_cut.py): that one neither loads libvips nor
grows with the image."""

from __future__ import annotations

import json
import textwrap

from bench.payloads import huge_png as big_png
from tasks import tiles
from tests.probes import run_probe

SIDE = 20_000
# What the process running the jobs may reach while it builds: Django, the models and the
# build's bookkeeping (the tiles copied to the storage one by one), nothing of the image.
CALLER_BYTES = 160 * 1024 * 1024

# The peak is the process's VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss across
# execve from the forked parent (here the pytest process, hundreds of MiB after other tests),
# while VmHWM belongs to the new program's own memory.
PROBE = textwrap.dedent("""
    import json, logging, re, sys
    import django
    django.setup()
    from tasks import tiles
    peaks = []
    class Peaks(logging.Handler):
        def emit(self, record):
            peaks.append(record.getMessage())
    logging.getLogger("annotator.tiles").addHandler(Peaks())
    pyramid = tiles.build("bigtask", "attachments/big.png", "image/png")
    status = open("/proc/self/status").read()
    caller = int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1)) * 1024
    cut = [float(m.group(1)) for m in map(re.compile(r"peak (\\d+) MiB").search, peaks) if m]
    print(json.dumps({"caller": caller, "cut": cut[0] * 2**20, "levels": pyramid.levels,
                      "pyvips": "pyvips" in sys.modules,
                      "tile": tiles.tile_file("bigtask", 0, 39, 39) is not None}))
""")


def test_cutting_a_20000_px_image_stays_under_the_documented_peak(tmp_path):
    media = tmp_path / "media" / "attachments"
    media.mkdir(parents=True)
    big_png(media / "big.png")
    found = json.loads(run_probe(PROBE, tmp_path, timeout=600))
    assert found["levels"] == 7 and found["tile"]
    print(f"tile cut peak: {found['cut'] / 2**20:.0f} MiB, "
          f"its caller's {found['caller'] / 2**20:.0f} MiB")
    assert 50 * 2**20 < found["cut"] < tiles.PEAK_BYTES, f"cut {found['cut'] / 2**20:.0f} MiB"
    assert not found["pyvips"]
    assert found["caller"] < CALLER_BYTES, f"caller {found['caller'] / 2**20:.0f} MiB"
