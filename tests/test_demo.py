"""load_demo: drawn images, tasks covering every feature, loaded only once."""

from __future__ import annotations

import io
import re
from io import StringIO

import pytest
from django.core.management import call_command
from PIL import Image

from tasks import demo, queue
from tasks.models import (
    Annotation,
    AnnotationVerdict,
    ApiKey,
    Batch,
    ConsensusResult,
    GoldStandard,
    Issue,
    Project,
    Task,
    TaskerStanding,
    TaskTag,
    UploadedFile,
)
from tasks.quality_flow import metrics
from tests.factories import key_client

pytestmark = pytest.mark.django_db
GEOMETRIES = {"box", "polygon", "line", "point", "cuboid", "ellipse"}


@pytest.fixture
def loaded(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def all_params() -> list[dict]:
    return list(Task.objects.filter(project__name=demo.PROJECT).values_list("params", flat=True))


def label_trees(params: dict) -> list:
    trees = [g.get("objects_to_annotate", []) for g in params["geometries"].values()]
    return trees + [a.get("choices", []) for a in params.get("annotation_attributes", {}).values()]


def test_accounts_keys_and_summary(loaded, django_user_model):
    admin = django_user_model.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("admin")
    tasker = django_user_model.objects.get(username="tasker")
    assert tasker.check_password("tasker") and tasker.groups.filter(name="taskers").exists()
    project = Project.objects.get(name=demo.PROJECT, owner__username=demo.ACCOUNT)
    assert tasker in project.taskers.all()
    live = re.search(r"live_[0-9a-f]{32}", loaded).group()
    test = re.search(r"test_[0-9a-f]{32}", loaded).group()
    assert ApiKey.lookup(live).user.username == demo.ACCOUNT
    assert ApiKey.lookup(test).is_test
    for text in ("/admin/", "/v1/docs/", "tasker / tasker", "admin / admin",
                 "/review/", "reviewer / reviewer"):
        assert text in loaded
    reviewer = django_user_model.objects.get(username=demo.REVIEWER)
    assert reviewer.check_password(demo.REVIEWER_PASSWORD)
    assert reviewer.groups.filter(name="reviewers").exists()
    for name in (demo.REVIEW_PROJECT, demo.GOLD_PROJECT):
        assert reviewer in Project.objects.get(name=name).reviewers.all()


def test_images_are_drawn_pngs_of_several_sizes(loaded):
    files = UploadedFile.objects.filter(owner__username=demo.ACCOUNT, project_names=[demo.PROJECT])
    assert files.count() == demo.SCENE_COUNT
    sizes = set()
    for upload in files:
        data = upload.file.read()
        assert upload.mime_type == "image/png" and upload.size == len(data) and upload.sha256
        sizes.add(Image.open(io.BytesIO(data)).size)
    assert (960, 640) in sizes and len(sizes) >= 3
    attachments = {p["attachment"] for p in all_params()}
    assert attachments == {f.attachment_url for f in files}


def test_tasks_cover_every_feature(loaded):
    tasks = Task.objects.filter(project__name=demo.PROJECT)
    assert 18 <= tasks.count() <= 22
    params = all_params()
    assert set().union(*(p["geometries"] for p in params)) == GEOMETRIES
    box_options = [p["geometries"]["box"] for p in params if "box" in p["geometries"]]
    assert any(b.get("can_rotate") for b in box_options)
    assert any(p["geometries"].get("point", {}).get("connections") for p in params)
    assert any(isinstance(node, dict) and "subchoices" in node
               and any(isinstance(c, dict) and "display" in c for c in node["subchoices"])
               for p in params for tree in label_trees(p) for node in tree)
    attributes = [a for p in params for a in p.get("annotation_attributes", {}).values()]
    types = {a.get("type", "category") for a in attributes}
    assert {"category", "number", "text", "angle", "linked"} <= types
    assert any(a.get("conditions", {}).get("is_global") for a in attributes)
    assert any(a.get("conditions", {}).get("attribute_conditions") for a in attributes)
    assert any(p.get("links") for p in params)
    assert any(p.get("layer") or p.get("layers") for p in params)
    assert any(p.get("image_metadata") for p in params)
    assert any(p.get("padding") or p.get("paddingX") for p in params)


def test_prelabels_priorities_tags_and_batch(loaded):
    tasks = Task.objects.filter(project__name=demo.PROJECT)
    sources = set(Annotation.objects.filter(task__in=tasks).values_list("source", flat=True))
    assert sources == {"hypothesis", "base"}
    assert Annotation.objects.filter(task__in=tasks, source="base", locked=True).exists()
    prelabel_types = set(Annotation.objects.filter(task__in=tasks).values_list("type", flat=True))
    assert prelabel_types == GEOMETRIES
    assert len(set(tasks.values_list("priority", flat=True))) >= 3
    assert TaskTag.objects.filter(task__in=tasks, tag="dusk").exists()
    batch = Batch.objects.get(name=demo.BATCH)
    assert 0 < batch.tasks.count() < tasks.count()
    assert set(tasks.values_list("status", flat=True)) == {"pending"}


def figures(name: str) -> dict:
    return metrics.project_figures(Project.objects.get(name=name))


def shown(data: dict, *names: str) -> bool:
    """Every named figure has a value, and its trend has bars on several days."""
    return all(data["figures"][name]["value"] is not None
               and sum(day[name]["n"] > 0 for day in data["trend"]) >= 3 for name in names)


def test_review_project_reviews_everything_with_three_taskers(loaded):
    project = Project.objects.get(name=demo.REVIEW_PROJECT)
    assert (project.quality.review_mode, project.quality.consensus_k) == ("all", 3)
    assert ConsensusResult.objects.filter(task__project=project).count() == 12
    data = figures(demo.REVIEW_PROJECT)
    assert shown(data, "acceptance_rate", "annotation_acceptance", "rework_rate",
                 "consensus_agreement", "work_seconds_median", "review_seconds_median")
    assert 0 < data["figures"]["acceptance_rate"]["value"] < 1
    assert {row["tasker"] for row in data["taskers"]} == {"tasker", "ann", "ben"}
    assert [row["reviewer"] for row in data["reviewers"]] == [demo.REVIEWER]
    pending = Task.objects.for_customer().filter(project=project, status="pending")
    assert set(pending.values_list("stage", flat=True)) == {"consensus"}
    replicas = Task.objects.filter(parent__in=pending, role="replica", status="pending")
    assert replicas.count() == 3 * pending.count()  # the live tasks wait for three taskers


def test_gold_project_has_gold_training_and_a_flagged_tasker(loaded, django_user_model):
    project = Project.objects.get(name=demo.GOLD_PROJECT)
    quality = project.quality
    assert quality.gold_share > 0 and quality.training_required
    kinds = sorted(GoldStandard.objects.filter(template__project=project)
                   .values_list("kind", "phase"))
    assert kinds == [("evaluation", "review"), *[("evaluation", "work")] * 4,
                     *[("training", "work")] * 2]
    data = figures(demo.GOLD_PROJECT)
    assert shown(data, "acceptance_rate", "gold_accuracy", "work_seconds_median")
    assert data["figures"]["review_accuracy"]["n"] == 1
    [reviewer] = data["reviewers"]
    assert reviewer["figures"]["review_accuracy"]["n"] == 1
    assert demo.REVIEWER not in {row["tasker"] for row in data["taskers"]}
    assert data["figures"]["training_score"]["n"] == 6
    first = data["taskers"][0]
    assert first["flagged"] in ("gold", "training")
    standings = {s.user.username: s for s in TaskerStanding.objects.filter(project=project)}
    assert standings["ben"].flag_reason == "gold"
    assert metrics.training_state(standings["cleo"]) == "failed"
    assert "tasker" not in standings  # the demo tasker starts with the training
    served = queue.claim_next(django_user_model.objects.get(username="tasker"), project)
    assert served is not None and served.role == "training"
    # hidden rows (templates, copies, replicas) are never the customer's
    assert not Task.objects.for_customer().filter(parent__isnull=False).exists()


def test_the_customer_sees_one_task_per_consensus_with_its_quality(loaded):
    owner = Project.objects.get(name=demo.REVIEW_PROJECT).owner
    docs = key_client(owner).get("tasks", project=demo.REVIEW_PROJECT,
                                 status="completed").json()["docs"]
    assert len(docs) == 12
    quality = docs[0]["quality"]
    assert quality["stage"] == "completed" and quality["consensus"]["taskers"] == 3
    assert quality["review"]["status"] in ("accepted", "fixed")
    statuses = {doc["quality"]["review"]["status"] for doc in docs}
    assert statuses == {"accepted", "fixed"}
    assert any(doc["quality"]["review"]["sent_back"] for doc in docs)


def test_a_task_waits_in_review_with_a_rejected_box_and_a_pin(loaded):
    [task] = Task.objects.filter(project__name=demo.GOLD_PROJECT, stage="review",
                                 status="pending")
    assert task.claimed_by is None
    verdict = AnnotationVerdict.objects.get(round__task=task)
    assert verdict.verdict == "rejected" and verdict.reason
    assert Annotation.objects.filter(task=task, uuid=verdict.uuid).exists()
    issue = Issue.objects.get(task=task)
    assert issue.status == "open" and issue.annotation_uuid == verdict.uuid
    assert issue.x is not None and issue.comments.exists()
    assert task.quality["stage"] == "review"
    assert task.quality["review"]["status"] == "pending"


def test_second_run_changes_nothing(loaded, django_user_model):
    models = (Task, UploadedFile, ApiKey, Annotation, Project, ConsensusResult, Issue)
    counts = [m.objects.count() for m in models]
    users = django_user_model.objects.count()
    out = StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    assert "demo data already loaded" in text
    assert "create_api_key demo" in text
    assert not re.search(r"(live|test)_[0-9a-f]{32}", text)
    assert [m.objects.count() for m in models] == counts
    assert django_user_model.objects.count() == users


def test_existing_admin_password_is_left_alone(settings, tmp_path, django_user_model):
    settings.MEDIA_ROOT = tmp_path
    django_user_model.objects.create_superuser("admin", "a@example.com", "s3cret-pass")
    call_command("load_demo", stdout=StringIO())
    assert django_user_model.objects.get(username="admin").check_password("s3cret-pass")
