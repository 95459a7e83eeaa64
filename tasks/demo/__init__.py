"""Demo data for `make run`: see tasks.demo.load."""

from tasks.demo.load import ACCOUNT, BATCH, PROJECT, DemoResult, is_loaded, load
from tasks.demo.quality import GOLD_PROJECT, REVIEW_PROJECT, REVIEWER, REVIEWER_PASSWORD
from tasks.demo.scenes import SCENE_COUNT
from tasks.demo.segmentation import SEGMENT_PROJECT, SEGMENT_TASKS
from tasks.demo.tenancy import MANAGER, PARTNER_ACCOUNT, PARTNER_PROJECT, PARTNER_TASKER
from tasks.demo.video import FRAME_COUNT, VIDEO_PROJECT

__all__ = ["ACCOUNT", "BATCH", "FRAME_COUNT", "GOLD_PROJECT", "MANAGER", "PARTNER_ACCOUNT",
           "PARTNER_PROJECT", "PARTNER_TASKER", "PROJECT", "REVIEWER", "REVIEWER_PASSWORD",
           "REVIEW_PROJECT", "SCENE_COUNT", "SEGMENT_PROJECT", "SEGMENT_TASKS", "VIDEO_PROJECT",
           "DemoResult", "is_loaded", "load"]
