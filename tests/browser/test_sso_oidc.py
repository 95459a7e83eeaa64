"""Single sign-on end to end (docs/sso.md): a real OpenID Connect provider on loopback
(oidc-provider-mock, built on Authlib: discovery, JWKS, RS256-signed ID tokens, the code flow
over HTTP), an annotator server process configured for it only through the environment, and
Debian's Chromium signing in through the provider's own pages.

Nothing of mozilla-django-oidc is replaced: the server discovers the provider, sends the
browser there, exchanges the code, checks the ID token's signature against the provider's
JWKS, and maps the claims to an account and a role."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from tests.live.conftest import (
    REPO_ROOT,
    PostgresDatabase,
    _stop,
    _wait_until_serving,
    free_port,
    run_manage,
    server_env,
)

pytestmark = [pytest.mark.browser, pytest.mark.live]

CLIENT_ID = "annotator-sso-test"
PROVIDER_NAME = "Loopback IdP"
PROJECT = "sso-project"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """The provider on a free loopback port; its issuer URL."""
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def sso_server(provider) -> Iterator[dict]:
    """`manage.py serve` with single sign-on configured from the environment alone."""
    import os

    data_dir = Path(tempfile.mkdtemp(prefix="annotator-sso-"))
    env = server_env(data_dir)
    env.update({
        "ANNOTATOR_OIDC_ISSUER": provider,
        "ANNOTATOR_OIDC_CLIENT_ID": CLIENT_ID,
        "ANNOTATOR_OIDC_CLIENT_SECRET": "loopback-secret",
        "ANNOTATOR_OIDC_PROVIDER_NAME": PROVIDER_NAME,
        "ANNOTATOR_OIDC_ACCOUNT_CLAIM": "org",
        "ANNOTATOR_OIDC_ROLE_CLAIM": "role",
        "ANNOTATOR_OIDC_ACCOUNT_MAP": "acme-corp=acme",
        "ANNOTATOR_OIDC_ROLE_MAP": "annotator=labeler,lead=manager,qa=reviewer",
    })
    database = None
    if os.environ.get("DATABASE_URL"):
        database = PostgresDatabase(os.environ["DATABASE_URL"])
        database.create()
        env["DATABASE_URL"] = database.url
    process = None
    try:
        run_manage(env, "migrate", "--noinput")
        port = free_port()
        stderr_path = data_dir / "server.err"
        with open(data_dir / "server.out", "wb") as out, open(stderr_path, "wb") as err:
            process = subprocess.Popen(
                [sys.executable, "manage.py", "serve", "--host", "127.0.0.1", "--port",
                 str(port)], cwd=REPO_ROOT, env=env, stdout=out, stderr=err,
                stdin=subprocess.DEVNULL)
        root = f"http://127.0.0.1:{port}"
        _wait_until_serving(process, f"{root}/v1/tasks", stderr_path)
        # The account the claim maps to, with a project that names no tasker.
        key = run_manage(env, "create_api_key", "acme").stdout.strip().splitlines()[-1]
        response = requests.post(f"{root}/v1/projects", auth=(key, ""), timeout=30,
                                 json={"type": "imageannotation", "name": PROJECT})
        assert response.status_code == 200, response.text
        yield {"root": root, "env": env}
    finally:
        if process is not None:
            _stop(process)
        if database is not None:
            database.drop()
        shutil.rmtree(data_dir, ignore_errors=True)


def person(server: dict, email: str) -> dict | None:
    """What the server's database holds of the person with `email`."""
    code = (
        "import json\n"
        "from django.contrib.auth.models import User\n"
        f"u = User.objects.filter(email={email!r}).first()\n"
        "print(json.dumps(None if u is None else {'username': u.username,"
        " 'staff': u.is_staff, 'usable_password': u.has_usable_password(),"
        " 'groups': sorted(u.groups.values_list('name', flat=True)),"
        " 'memberships': sorted([m.account.username, m.role] for m in u.memberships.all())}))"
    )
    out = run_manage(server["env"], "shell", "-c", code).stdout.strip().splitlines()[-1]
    return json.loads(out)


def loopback_only(page) -> list[str]:  # noqa: F811
    """Abort every request that would leave the machine (the provider's page links a CSS file
    on a CDN); the aborted addresses are returned for the test to see."""
    left: list[str] = []

    def route(r):
        host = urlsplit(r.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            r.continue_()
        else:
            left.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return left


def sign_in_through_provider(page, server: dict, provider: str, sub: str,  # noqa: F811
                             claims: dict) -> None:
    requests.put(f"{provider}/users/{sub}", json=claims, timeout=10).raise_for_status()
    loopback_only(page)
    page.goto(f"{server['root']}/accounts/login/")
    button = page.get_by_role("link", name=f"Sign in with {PROVIDER_NAME}")
    button.click()
    # The provider's own authorization page, reached by discovery.
    page.wait_for_url(f"{provider}/oauth2/authorize*")
    page.fill("input[name=sub]", sub)
    page.get_by_role("button", name="Authorize").click()


def test_sign_in_maps_the_claims_to_an_account_and_a_role(page, sso_server,  # noqa: F811
                                                          provider):
    email = "dana@acme-corp.example"
    assert person(sso_server, email) is None
    sign_in_through_provider(page, sso_server, provider, "dana",
                             {"email": email, "email_verified": True, "org": "acme-corp",
                              "role": "annotator", "given_name": "Dana"})
    # Back on the annotator, signed in, on the queue, with the account's project offered.
    page.wait_for_url(f"{sso_server['root']}/")
    assert page.locator(".topbar .who").inner_text() == email
    assert page.locator(f"tr[data-project='{PROJECT}']").is_visible()
    assert person(sso_server, email) == {
        "username": email, "staff": False, "usable_password": False,
        "groups": ["taskers"], "memberships": [["acme", "labeler"]],
    }


def test_the_memberships_follow_the_claims_on_each_sign_in(page, sso_server,  # noqa: F811
                                                           provider):
    email = "lee@acme-corp.example"
    sign_in_through_provider(page, sso_server, provider, "lee",
                             {"email": email, "org": "acme-corp", "role": ["annotator", "qa"]})
    page.wait_for_url(f"{sso_server['root']}/")
    assert person(sso_server, email)["memberships"] == [["acme", "labeler"]]
    assert person(sso_server, email)["groups"] == ["reviewers", "taskers"]
    # Promoted at the provider: a manager of acme on the next sign-in, staff for the admin.
    page.context.clear_cookies()
    sign_in_through_provider(page, sso_server, provider, "lee",
                             {"email": email, "org": "acme-corp", "role": "lead"})
    page.wait_for_url(f"{sso_server['root']}/**")
    after = person(sso_server, email)
    assert after["memberships"] == [["acme", "manager"]]
    assert after["staff"] is True
    assert after["groups"] == ["managers"]


def test_an_unknown_organisation_is_refused_and_nobody_is_made(page, sso_server,  # noqa: F811
                                                               provider):
    email = "mallory@elsewhere.example"
    responses = []
    page.on("response", lambda r: responses.append(r) if "/oidc/callback/" in r.url else None)
    sign_in_through_provider(page, sso_server, provider, "mallory",
                             {"email": email, "org": "initech", "role": "annotator"})
    page.wait_for_url(f"{sso_server['root']}/oidc/callback/*")
    assert page.locator("h1").inner_text() == "Sign-in refused"
    assert page.locator("#refusal").inner_text() == (
        "The organisation “initech” is not one this server knows.")
    assert [r.status for r in responses] == [403]
    assert person(sso_server, email) is None
    # Not signed in: the queue sends the browser to the login page.
    page.goto(f"{sso_server['root']}/")
    assert urlsplit(page.url).path == "/accounts/login/"


def test_an_unknown_role_is_refused(page, sso_server, provider):  # noqa: F811
    email = "sam@acme-corp.example"
    sign_in_through_provider(page, sso_server, provider, "sam",
                             {"email": email, "org": "acme-corp", "role": "intern"})
    page.wait_for_url(f"{sso_server['root']}/oidc/callback/*")
    assert page.locator("#refusal").inner_text() == (
        "The role “intern” is not one this server knows.")
    assert person(sso_server, email) is None
