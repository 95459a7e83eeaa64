"""python manage.py create_tasker NAME [NAME ...] --password P [--project P ...]"""

from __future__ import annotations

from argparse import ArgumentParser

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tasks.accounts import ensure_tasker
from tasks.models import Project


class Command(BaseCommand):
    help = ("Create or update taskers (users in the group 'taskers'), set the password and "
            "give access to the named projects.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("names", nargs="+", metavar="NAME",
                            help="one or more user names, all given the same password")
        parser.add_argument("--password", required=True)
        parser.add_argument("--project", action="append", default=[], dest="projects",
                            metavar="PROJECT",
                            help="a live project's name; repeat for several projects")

    def handle(self, *args, names: list[str], password: str, projects: list[str],
               **options) -> None:
        with transaction.atomic():
            found = find_live_projects(projects)
            results = []
            for name in dict.fromkeys(names):
                user, created = ensure_tasker(name, password)
                for project in found:
                    project.taskers.add(user)
                results.append((name, created))
        for name, created in results:
            self.stdout.write(f"{'Created' if created else 'Updated'} tasker {name}.")
            for project in found:
                self.stdout.write(f"  may work on project {project.name} (owner "
                                  f"{project.owner})")


def find_live_projects(names: list[str]) -> list[Project]:
    """Every live project with one of `names`, whichever account owns it."""
    projects = list(Project.objects.select_related("owner")
                    .filter(name__in=names, is_test=False).order_by("name", "pk"))
    missing = sorted(set(names) - {p.name for p in projects})
    if missing:
        raise CommandError(f"No live project named {', '.join(map(repr, missing))}. "
                           "Projects are created through the API (POST /v1/projects).")
    return projects

