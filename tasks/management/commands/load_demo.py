"""python manage.py load_demo: demo accounts, project, batch and twenty tasks, loaded once."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand

from tasks import demo
from tasks.demo.assist import PROJECT as ASSIST_PROJECT


class Command(BaseCommand):
    help = ("Load demo data once: users admin/admin, tasker/tasker, reviewer/reviewer and demo "
            "(with API keys), the project 'demo' with twenty drawn street scenes, 'demo-video' "
            "with a video, 'demo-segmentation' with images to paint, 'demo-review' and "
            "'demo-gold' for the quality loop, 'demo-assist' for the Assist tool; a second "
            "account 'partner' with its own project and tasker.")

    def handle(self, *args, **options) -> None:
        result = demo.load()
        if result.created:
            self.stdout.write(f"Loaded the demo: project '{demo.PROJECT}' with "
                              f"{result.task_count} tasks, batch '{demo.BATCH}'; project "
                              f"'{demo.VIDEO_PROJECT}' with a {demo.FRAME_COUNT}-frame video; "
                              f"'{demo.SEGMENT_PROJECT}' with {demo.SEGMENT_TASKS} images to "
                              "segment; "
                              f"'{demo.REVIEW_PROJECT}' (review, consensus) and "
                              f"'{demo.GOLD_PROJECT}' (gold, training) with 12 days of "
                              f"history; '{ASSIST_PROJECT}' for the Assist tool (W) and "
                              "model backends (docs/assist.md).")
        else:
            self.stdout.write("demo data already loaded; nothing was changed.")
        for note in result.notes:
            self.stdout.write(note)
        self.stdout.write(summary(result, os.environ.get("PORT") or "8000"))


def summary(result: demo.DemoResult, port: str) -> str:
    base = f"http://127.0.0.1:{port}"
    lines = [
        "",
        f"  Workbench   {base}/              log in as tasker / tasker"
        " (also ann / ann, ben / ben)",
        f"  Review      {base}/review/       log in as {demo.REVIEWER} / "
        f"{demo.REVIEWER_PASSWORD}",
        f"  Admin       {base}/admin/        log in as admin / admin",
        f"  API docs    {base}/v1/docs/      HTTP Basic: the API key as user, empty password",
        f"  Account     {demo.ACCOUNT} (owns project '{demo.PROJECT}'); its manager logs in to "
        f"the admin as {demo.MANAGER} / {demo.MANAGER}",
        f"  Tenancy     account {demo.PARTNER_ACCOUNT} owns '{demo.PARTNER_PROJECT}', worked "
        f"by {demo.PARTNER_TASKER} / {demo.PARTNER_TASKER} only (docs/workforce.md)",
    ]
    if result.created:
        lines += [
            f"  Live key    {result.live_key}",
            f"  Test key    {result.test_key}",
            "  (Keys are stored hashed: copy them now, they are not shown again.)",
        ]
    else:
        lines += [
            "  API keys    printed when the demo was first loaded (they are stored hashed);",
            f"              `python manage.py create_api_key {demo.ACCOUNT}` makes a new one.",
        ]
    return "\n".join(lines)
