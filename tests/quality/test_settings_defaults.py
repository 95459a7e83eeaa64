"""A project's quality settings: no row is every default, and the defaults are off."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from tasks.admin_quality_settings import ProjectQualityForm
from tasks.models import Project, ProjectQuality, ReviewMode
from tasks.quality_flow import settings as quality_settings
from tests.factories import make_project

pytestmark = pytest.mark.django_db


def test_no_row_and_no_project_are_the_defaults_and_off(account):
    project = make_project(account)
    found = quality_settings.of(project)
    assert found == quality_settings.DEFAULTS == quality_settings.of(None)
    assert found.review_mode == ReviewMode.OFF and not found.review_on
    assert found.consensus_k == 1 and not found.consensus_on
    assert found.gold_share == 0 and not found.training_required


def test_a_row_is_read_with_its_values(account):
    project = make_project(account)
    ProjectQuality.objects.create(project=project, review_mode=ReviewMode.SAMPLE,
                                  review_percent=30, consensus_k=3, gold_share=0.1)
    found = quality_settings.of(Project.objects.select_related("quality").get(pk=project.pk))
    assert (found.review_mode, found.review_percent, found.consensus_k) == ("sample", 30, 3)
    assert found.review_on and found.consensus_on and found.gold_share == 0.1
    assert found.as_json()["review_percent"] == 30


def test_a_row_of_defaults_is_off(account):
    project = make_project(account)
    ProjectQuality.objects.create(project=project)
    assert quality_settings.of(Project.objects.get(pk=project.pk)) == quality_settings.DEFAULTS


def video_project(account):
    from tasks import projects

    return projects.create_project(owner=account, is_test=False,
                                   body={"type": "videoannotation", "name": "clips"})


@pytest.mark.parametrize("field,value", [("consensus_k", 3), ("gold_share", 0.2),
                                         ("training_required", True)])
def test_the_admin_refuses_consensus_gold_and_training_for_video(account, field, value):
    form = quality_form(video_project(account), **{field: value})
    assert not form.is_valid()
    assert "Consensus, gold and training are available for imageannotation" in str(form.errors)
    assert "this project is for videoannotation tasks" in str(form.errors)


def test_the_admin_accepts_them_for_images_and_checks_the_agreement_order(account):
    project = make_project(account)
    assert quality_form(project, consensus_k=3, gold_share=0.2).is_valid()
    form = quality_form(project, consensus_review_below=0.9, consensus_skip_review_at=0.5)
    assert not form.is_valid() and "must not be above" in str(form.errors)


def test_the_project_admin_shows_the_inline_and_the_reviewers(admin_client, account):
    project = make_project(account)
    page = admin_client.get(f"/admin/tasks/project/{project.pk}/change/")
    assert page.status_code == 200
    assert b"quality settings" in page.content.lower()
    assert b'name="reviewers"' in page.content
    model_admin = site._registry[Project]
    request = RequestFactory().get("/")
    assert "reviewers" in model_admin.get_fields(request, project)


def quality_form(project, **values) -> ProjectQualityForm:
    data = {"review_mode": "off", "review_percent": 100, "review_first_n": 0,
            "consensus_k": 1, "consensus_min_similarity": 0.5, "gold_share": 0,
            "gold_threshold": 0.8, "gold_min_answers": 5, "gold_window": 20,
            "training_threshold": 0.8, **{k: v for k, v in values.items() if v is not True}}
    data.update({k: "on" for k, v in values.items() if v is True})
    return ProjectQualityForm(data=data, instance=ProjectQuality(project=project))
