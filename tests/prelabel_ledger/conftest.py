"""The prelabel ledger's tests share a project and its tasker."""

from __future__ import annotations

import pytest

from tests.factories import make_project, make_tasker


@pytest.fixture
def project(account):
    return make_project(account, "streets")


@pytest.fixture
def tina(account):
    return make_tasker("tina", account=account)
