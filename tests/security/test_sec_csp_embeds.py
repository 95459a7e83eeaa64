"""The workbench page may frame only the documents its instruction embeds."""

from __future__ import annotations

import pytest

from tasks.models import Task
from tests.security.test_sec_csp import directives

pytestmark = pytest.mark.django_db


def test_no_embed_no_frame_src(client, tasker, leased):
    client.force_login(tasker)
    policy = directives(client.get(f"/tasks/{leased.task_id}/work/"))
    assert "frame-src" not in policy  # default-src 'self' applies


def test_the_instruction_embeds_add_their_origins_only(client, tasker, leased):
    instruction = "\n".join([
        "Read the guide.",
        '<iframe width="600" src="https://docs.google.com/document/d/e/X/pub?embedded=true">'
        "</iframe>",
        "<iframe src='http://127.0.0.1:8123/guide.html' />",
        '<iframe src="javascript:alert(1)"></iframe>',
        '<iframe src="https://e.com;script-src *"></iframe>',
        "[a link](https://links.example.org/x) is no frame",
    ])
    Task.objects.filter(pk=leased.pk).update(instruction=instruction)
    client.force_login(tasker)
    policy = directives(client.get(f"/tasks/{leased.task_id}/work/"))
    assert policy["frame-src"] == ["http://127.0.0.1:8123", "https://docs.google.com"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]
