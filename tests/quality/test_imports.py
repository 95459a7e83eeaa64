"""The web server never loads numpy, scipy, shapely or OpenCV: only tasks.quality's modules
(and an export of masks, tasks/exports/polygons.py) do."""

import os
import subprocess
import sys

HEAVY = ("numpy", "scipy", "shapely")
OPENCV = "cv2"


def loaded_after(code: str, modules: tuple[str, ...] = HEAVY) -> list[str]:
    probe = (f"import sys\n{code}\n"
             f"print(' '.join(m for m in {modules!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, timeout=120,
                            env={**os.environ, "DJANGO_SETTINGS_MODULE": "annotator.settings"})
    return result.stdout.split()


def test_the_server_starts_without_them():
    assert loaded_after("import django; django.setup(); import annotator.asgi, "
                        "annotator.urls, tasks.admin, tasks.quality, tasks.exports",
                        (*HEAVY, OPENCV)) == []


def test_the_quality_modules_bring_them():
    assert loaded_after("import tasks.quality.merge") == list(HEAVY)
