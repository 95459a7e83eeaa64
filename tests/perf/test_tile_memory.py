"""The worker's peak memory while cutting a 20,000 × 20,000 image into tiles stays under the
documented bound (tasks/tiles.PEAK_BYTES, docs/deploy.md), measured in a process of its own
(its VmHWM)."""

from __future__ import annotations

import json
import textwrap

from bench.payloads import huge_png as big_png
from tasks import tiles
from tests.probes import run_probe

SIDE = 20_000


# The peak is the process's VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss across
# execve from the forked parent (here the pytest process, hundreds of MiB after other tests),
# while VmHWM belongs to the new program's own memory.
PROBE = textwrap.dedent("""
    import json, re
    import django
    django.setup()
    from tasks import tiles
    pyramid = tiles.build("bigtask", "attachments/big.png", "image/png")
    status = open("/proc/self/status").read()
    peak = int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1)) * 1024
    print(json.dumps({"peak": peak, "levels": pyramid.levels,
                      "tile": tiles.tile_file("bigtask", 0, 39, 39) is not None}))
""")


def test_cutting_a_20000_px_image_stays_under_the_documented_peak(tmp_path):
    media = tmp_path / "media" / "attachments"
    media.mkdir(parents=True)
    big_png(media / "big.png")
    found = json.loads(run_probe(PROBE, tmp_path, timeout=600))
    assert found["levels"] == 7 and found["tile"]
    print(f"tile build peak: {found['peak'] / 2**20:.0f} MiB")
    assert found["peak"] < tiles.PEAK_BYTES, f"peak {found['peak'] / 2**20:.0f} MiB"
