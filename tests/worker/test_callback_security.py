"""Callbacks a receiver can trust: `scale-callback-auth` differs between live and test tasks,
every HTTP callback is signed (HMAC-SHA256 over timestamp and body, a secret per account and
environment, shown once), and the verification example in docs/api-decisions.md works on a
real delivered callback. E-mail callbacks go only to staff-allowed addresses, never for test
keys, and at most ANNOTATOR_CALLBACK_EMAILS_PER_HOUR an hour."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from tasks import callback_signing, lifecycle
from tasks.models import AccountSettings, CallbackDelivery, Task
from tests.worker.conftest import a_response, box_body, run_jobs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("worker_settings")]

DOC = Path(__file__).resolve().parents[2] / "docs" / "api-decisions.md"


def completed(api, receiver, **extra) -> Task:
    res = api.post("task/imageannotation", box_body(receiver, **extra))
    assert res.status_code == 200, res.content
    task = Task.objects.get(pk=res.json()["task_id"])
    if task.is_test:
        return task  # a test key's task completes at once (docs/api-decisions.md)
    return lifecycle.complete_task(task, a_response())


def doc_verify():
    """The `verify` function of the docs' example, run as written."""
    text = DOC.read_text()
    block = re.search(r"<!-- verify-callback -->\s*```python\n(.*?)```", text, re.S)
    assert block, "docs/api-decisions.md lost its verification example"
    code = block.group(1)
    assert len([line for line in code.splitlines() if line.strip()]) <= 6
    namespace: dict = {}
    exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace["verify"]


def test_live_and_test_callbacks_carry_different_auth_values(api, test_api, account,
                                                            receiver):
    completed(api, receiver)
    completed(test_api, receiver)
    run_jobs()
    live_post, test_post = sorted(receiver.posts(),
                                  key=lambda p: p.json()["task"]["is_test"])
    row = AccountSettings.for_user(account)
    assert live_post.headers["scale-callback-auth"] == row.callback_auth_key
    assert test_post.headers["scale-callback-auth"] == row.test_callback_auth_key
    assert row.callback_auth_key != row.test_callback_auth_key


def test_the_docs_example_verifies_a_real_callback_and_refuses_forgeries(account, receiver,
                                                                        capsys):
    call_command("create_api_key", "acme")  # the account's first live key shows the secret
    printed = capsys.readouterr().out
    secret = re.search(r"signing secret .*: (whsec_\S+)", printed).group(1)
    raw_key = printed.strip().splitlines()[-1]
    from tests.conftest import KeyClient

    completed(KeyClient(raw_key), receiver)
    run_jobs()
    (post,) = receiver.posts()
    verify = doc_verify()
    stamp = post.headers["x-annotator-timestamp"]
    signature = post.headers["x-annotator-signature"]
    assert signature.startswith("v1=")
    assert verify(secret, stamp, signature, post.body) is True
    assert verify(secret, stamp, signature, post.body.replace(b"completed", b"canceled")) \
        is False
    assert verify("whsec_wrong", stamp, signature, post.body) is False
    old = str(int(stamp) - callback_signing.REPLAY_WINDOW_SECONDS - 1)
    replayed = callback_signing.signature(secret, int(old), post.body)
    assert verify(secret, old, replayed, post.body) is False  # outside the replay window
    # Shown once: a second key prints no secret.
    call_command("create_api_key", "acme")
    assert "signing secret" not in capsys.readouterr().out


def test_test_callbacks_are_signed_with_a_secret_of_their_own(api, test_api, account,
                                                             receiver):
    live_secret = callback_signing.new_secret(account, False)
    test_secret = callback_signing.new_secret(account, True)
    completed(test_api, receiver)
    run_jobs()
    (post,) = receiver.posts()
    stamp = int(post.headers["x-annotator-timestamp"])
    assert abs(stamp - time.time()) < 60
    assert post.headers["x-annotator-signature"] == callback_signing.signature(
        test_secret, stamp, post.body)
    assert post.headers["x-annotator-signature"] != callback_signing.signature(
        live_secret, stamp, post.body)


def test_the_secret_command_replaces_it(account, capsys):
    first = callback_signing.new_secret(account, False)
    call_command("callback_secret", "acme")
    printed = capsys.readouterr().out.strip().splitlines()[-1]
    assert printed.startswith("whsec_") and printed != first
    assert AccountSettings.for_user(account).callback_signing_secret == printed


# --- e-mail ------------------------------------------------------------------------------------

def test_email_only_to_allowed_addresses(api, account, receiver, mailoutbox):
    task = completed(api, receiver, callback_url="victim@example.org")
    run_jobs()
    assert mailoutbox == []
    delivery = CallbackDelivery.objects.get(task=task)
    assert delivery.status == "failed" and delivery.attempts == 1  # no retries either
    assert "not among the account's callback e-mail addresses" in delivery.last_error


def test_test_keys_send_no_email(test_api, account, receiver, mailoutbox):
    row = AccountSettings.for_user(account)
    row.callback_emails = "ops@example.com"
    row.save()
    task = completed(test_api, receiver, callback_url="ops@example.com")
    run_jobs()
    assert mailoutbox == []
    assert CallbackDelivery.objects.get(task=task).status == "failed"


def test_email_is_rate_limited_per_account(api, account, receiver, mailoutbox, settings):
    settings.ANNOTATOR_CALLBACK_EMAILS_PER_HOUR = 2
    settings.ANNOTATOR_CALLBACK_BACKOFF_BASE = 3600  # the next try is far off
    row = AccountSettings.for_user(account)
    row.callback_emails = "ops@example.com"
    row.save()
    tasks = [completed(api, receiver, callback_url="ops@example.com") for _ in range(3)]
    run_jobs()
    assert len(mailoutbox) == 2
    waiting = CallbackDelivery.objects.get(task=tasks[2])
    assert waiting.status == "pending" and "last hour" in waiting.last_error
