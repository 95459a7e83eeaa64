"""Demo data for `make run`: see tasks.demo.load."""

from tasks.demo.load import ACCOUNT, BATCH, PROJECT, DemoResult, is_loaded, load
from tasks.demo.scenes import SCENE_COUNT

__all__ = ["ACCOUNT", "BATCH", "PROJECT", "SCENE_COUNT", "DemoResult", "is_loaded", "load"]
