"""Shared fixtures: accounts with API keys, and an HTTP client that speaks for a key."""

from __future__ import annotations

import os
from collections import Counter

import pytest

from tests.factories import KeyClient, key_client

# MD5 instead of PBKDF2 for the passwords of the users tests make (~0.4 s each otherwise), in
# this process and in every server process a test starts with this environment
# (annotator/settings.py reads it; tests/security/test_sec_deploy.py starts its servers with a
# production environment, without it).
os.environ["ANNOTATOR_TEST_FAST_PASSWORD_HASHER"] = "1"
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_configure(config) -> None:
    from django.conf import settings

    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS


# `make test-python` runs the suite on several worker processes (pytest-xdist, --dist loadgroup
# in pyproject.toml). A costly session-scoped fixture would be set up once per worker that runs
# one of its tests: the tests that use one of these run on one worker, together
# (docs/performance.md, "The test suite's wall time"). A test module with a module-scoped
# fixture of its own keeps its tests on one worker too.
SHARED_SESSION_FIXTURES = {
    "live_server_process": "live-server",  # tests/live/conftest.py: a server and its worker
    "cluster": "scale-cluster",  # tests/scale/conftest.py: four servers and a worker
}


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the node ids
def pytest_collection_modifyitems(config, items) -> None:
    unique_node_ids(items)
    if getattr(config.option, "loadgroup", False):  # a pytest-xdist worker, --dist loadgroup
        for item in items:
            group = xdist_group(item)
            if group is not None:
                set_node_id(item, f"{item.nodeid}@{group}")


def set_node_id(item, nodeid: str) -> None:
    """pytest-xdist learns a test's group from its node id ("<id>@<group>"), and sets it in a
    string attribute that pytest 9.2 no longer reads (it keeps a structured id): grouped tests
    then run anywhere, silently (github.com/pytest-dev/pytest-xdist/issues/1386). Set here
    in either form."""
    if hasattr(item, "_id"):
        from _pytest.nodeid import NodeId

        item._id = NodeId.parse(nodeid)
    else:
        item._nodeid = nodeid


def unique_node_ids(items) -> None:
    """pytest-xdist hands tests out by node id, and runs one test of several that share an id:
    schemathesis gives each operation of its parametrized test the test's bare id (the
    operation is in the item's name). Those get their name as id; a clash left over stops the
    run rather than losing tests."""
    counts = Counter(item.nodeid for item in items)
    for item in items:
        if counts[item.nodeid] > 1 and item.parent is not None:
            set_node_id(item, f"{item.parent.nodeid}::{item.name}")
    clashes = [nodeid for nodeid, count in Counter(i.nodeid for i in items).items() if count > 1]
    if clashes:
        raise pytest.UsageError(f"tests that share a node id would not all run: {clashes[:5]}")


def xdist_group(item) -> str | None:
    """The test's group: its own xdist_group marks (their names joined, as pytest-xdist does),
    else the shared session fixture it uses, else its module when it uses a module-scoped
    fixture of that module."""
    marked = sorted({str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                     for mark in item.iter_markers("xdist_group")})
    if marked:
        return "_".join(marked)
    names = getattr(item, "fixturenames", ())
    for fixture, group in SHARED_SESSION_FIXTURES.items():
        if fixture in names:
            return group
    info = getattr(item, "_fixtureinfo", None)
    module = item.nodeid.split("::")[0]
    for name in names:
        definitions = info.name2fixturedefs.get(name) if info is not None else None
        if definitions and definitions[-1].scope == "module" and \
                definitions[-1].baseid == module:
            return module
    return None


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database; and before it is dropped, on PostgreSQL, the connections
    that other threads of the run left open are ended (asgiref's executor thread keeps the one
    of a consumer run under asyncio.run): else the drop fails, with only a warning, and each
    worker's test database stays behind."""
    yield
    from django.db import connection

    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                           " WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.fixture
def account(django_user_model):
    return django_user_model.objects.create_user("acme", password="unused-password-1")


@pytest.fixture
def other_account(django_user_model):
    return django_user_model.objects.create_user("globex", password="unused-password-2")


@pytest.fixture
def api(account) -> KeyClient:
    return key_client(account)


@pytest.fixture
def test_api(account) -> KeyClient:
    return key_client(account, is_test=True)


@pytest.fixture
def other_api(other_account) -> KeyClient:
    return key_client(other_account)


@pytest.fixture(autouse=True)
def isolated_settings(request, tmp_path):
    """Files written by a test go to its own folder, and no fetch allowance leaks in from the
    environment (`make run` sets one); a test that needs one sets it (only where Django is
    loaded)."""
    if request.config.pluginmanager.hasplugin("django"):
        settings = request.getfixturevalue("settings")
        settings.MEDIA_ROOT = tmp_path / "media"
        settings.ANNOTATOR_FETCH_ALLOW = []

