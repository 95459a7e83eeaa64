"""python manage.py create_tasker NAME [NAME ...] --password P [--project P ...] [--account A]
[--reviewer]"""

from __future__ import annotations

from argparse import ArgumentParser

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tasks import workforce
from tasks.accounts import ensure_reviewer, ensure_tasker
from tasks.models import Project


class Command(BaseCommand):
    help = ("Create or update taskers (users in the group 'taskers') or, with --reviewer, "
            "reviewers (the group 'reviewers'), set the password, make them labelers of the "
            "account (--account) or of the named projects' owner accounts, and give access "
            "to the named projects (docs/workforce.md).")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("names", nargs="+", metavar="NAME",
                            help="one or more user names, all given the same password")
        parser.add_argument("--password", required=True)
        parser.add_argument("--project", action="append", default=[], dest="projects",
                            metavar="PROJECT",
                            help="a live project's name; repeat for several projects")
        parser.add_argument("--account", default=None, metavar="ACCOUNT",
                            help="the account (user name) whose workforce they join, and "
                                 "whose projects --project names")
        parser.add_argument("--reviewer", action="store_true",
                            help="make reviewers (not taskers, unless --tasker is given too)")
        parser.add_argument("--tasker", action="store_true",
                            help="with --reviewer: make them taskers as well")

    def handle(self, *args, names: list[str], password: str, projects: list[str],
               account: str | None, reviewer: bool, tasker: bool, **options) -> None:
        roles = ["reviewer"] if reviewer else []
        if tasker or not reviewer:
            roles.insert(0, "tasker")
        owner = find_account(account) if account is not None else None
        with transaction.atomic():
            found = find_live_projects(projects, owner)
            accounts = list({p.owner_id: p.owner for p in found}.values())
            if owner is not None and owner.pk not in {a.pk for a in accounts}:
                accounts.insert(0, owner)
            results = [(name, make(name, password, roles, found, accounts))
                       for name in dict.fromkeys(names)]
        for name, created in results:
            self.stdout.write(f"{'Created' if created else 'Updated'} "
                              f"{' and '.join(roles)} {name}.")
            for each in accounts:
                self.stdout.write(f"  member (labeler) of account {each}")
            for project in found:
                verb = "review" if roles == ["reviewer"] else "work on"
                self.stdout.write(f"  may {verb} project {project.name} (owner "
                                  f"{project.owner})")


def make(name: str, password: str, roles: list[str], projects: list[Project],
         accounts: list) -> bool:
    """Give `name` each role, on each project, and a membership of each account; whether
    the user is new."""
    created = False
    for role in roles:
        ensure = ensure_tasker if role == "tasker" else ensure_reviewer
        user, new = ensure(name, password)
        created = created or new
        for project in projects:
            (project.taskers if role == "tasker" else project.reviewers).add(user)
        for account in accounts:
            workforce.ensure_member(account, user)
    return created


def find_account(name: str):
    account = get_user_model().objects.filter(username=name).first()
    if account is None:
        raise CommandError(f"No account named {name!r}.")
    return account


def find_live_projects(names: list[str], owner=None) -> list[Project]:
    """The live project with each of `names` (of `owner`, when given); an error when a name
    is another account's too and no --account says which."""
    qs = Project.objects.select_related("owner").filter(name__in=names, is_test=False)
    if owner is not None:
        qs = qs.filter(owner=owner)
    projects = list(qs.order_by("name", "pk"))
    missing = sorted(set(names) - {p.name for p in projects})
    if missing:
        whose = f" of account {owner}" if owner is not None else ""
        raise CommandError(f"No live project{whose} named {', '.join(map(repr, missing))}. "
                           "Projects are created through the API (POST /v1/projects).")
    for name in dict.fromkeys(names):
        owners = sorted(p.owner.username for p in projects if p.name == name)
        if len(owners) > 1:
            raise CommandError(
                f"Several accounts have a live project named {name!r}: {', '.join(owners)}. "
                "Say which with --account ACCOUNT.")
    return projects
