"""The squashed migration (tasks/migrations/0001_squashed_0017_prelabel_ledger.py) against the
seventeen it replaces (docs/architecture.md "Migrations"): the same models, and on the suite's
database the same tables, columns, indexes, constraints and groups."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.autodetector import MigrationAutodetector
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ProjectState

from tests import machine_postgres
from tests.probes import run_probe

SQUASH = ("tasks", "0001_squashed_0017_prelabel_ledger")
CHAIN_END = ("tasks", "0017_prelabel_ledger")

# Migrates a new database either way, then prints what tests/migration_schema.py reads of it.
MIGRATE_AND_DESCRIBE = """
import json
import django
django.setup()
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from tests.migration_schema import describe
executor = MigrationExecutor(connection)
leaves = executor.loader.graph.leaf_nodes()
if {chain!r}:  # the seventeen, as a database made before the squash went through them
    executor.loader = MigrationLoader(connection, replace_migrations=False)
    leaves = [node for node in executor.loader.graph.leaf_nodes() if node != {squash!r}]
executor.migrate(leaves)
print(json.dumps(describe(connection)))
"""


def test_the_squash_is_used_for_a_new_database():
    loader = MigrationLoader(None)
    assert SQUASH in loader.graph.nodes
    assert CHAIN_END not in loader.graph.nodes


def test_the_squash_ends_at_the_models_the_chain_ends_at():
    loader = MigrationLoader(None, replace_migrations=False)
    chain, squash = loader.project_state(CHAIN_END), loader.project_state(SQUASH)
    assert set(squash.models) == set(chain.models)
    assert MigrationAutodetector(chain, squash).changes(graph=loader.graph) == {}


def test_the_models_have_their_migrations():
    """What `makemigrations --check` checks: a model change comes with its migration."""
    loader = MigrationLoader(None)
    current = ProjectState.from_apps(apps)
    assert MigrationAutodetector(loader.project_state(), current).changes(graph=loader.graph) == {}


def _described(tmp_path: Path, chain: bool, database_url: str = "") -> dict:
    code = MIGRATE_AND_DESCRIBE.format(chain=chain, squash=SQUASH)
    folder = tmp_path / ("chain" if chain else "squash")
    return json.loads(run_probe(code, folder, timeout=300, database_url=database_url))


def _both(tmp_path: Path) -> tuple[dict, dict]:
    """The database the suite runs on, made by the chain and by the squash."""
    if connection.vendor == "sqlite":
        return _described(tmp_path, True), _described(tmp_path, False)
    server = machine_postgres.required()
    with machine_postgres.scratch_database(server, "chain") as chain_url, \
            machine_postgres.scratch_database(server, "squash") as squash_url:
        return _described(tmp_path, True, chain_url), _described(tmp_path, False, squash_url)


@pytest.fixture(scope="module")
def made_both_ways(tmp_path_factory) -> tuple[dict, dict]:
    return _both(tmp_path_factory.mktemp("migrations"))


def test_the_chain_really_ran(made_both_ways):
    chain, squash = made_both_ways
    assert "tasks_prelabelledger" in chain["tables"]
    assert chain["migrations"] == squash["migrations"]
    assert ["tasks", "0017_prelabel_ledger"] in chain["migrations"]


def test_the_same_tables_and_columns(made_both_ways):
    chain, squash = made_both_ways
    assert sorted(squash["tables"]) == sorted(chain["tables"])
    for table, described in chain["tables"].items():
        assert squash["tables"][table]["columns"] == described["columns"], table


def test_the_same_indexes_and_constraints(made_both_ways):
    chain, squash = made_both_ways
    for table, described in chain["tables"].items():
        assert squash["tables"][table]["constraints"] == described["constraints"], table


def test_the_same_groups_and_permissions(made_both_ways):
    chain, squash = made_both_ways
    assert {"reviewers", "managers"} <= set(chain["groups"])
    assert "view_modelbackend" in chain["groups"]["managers"]
    assert squash["groups"] == chain["groups"]
