"""python manage.py create_api_key USERNAME [--test] [--name N]

Prints the new key alone on the last line of stdout, so scripts can take it with `tail -n 1`;
with the account's first key of an environment, also the callback signing secret (once).
"""

from __future__ import annotations

from argparse import ArgumentParser

from django.core.management.base import BaseCommand

from tasks.accounts import get_or_create_account
from tasks.callback_signing import first_secret
from tasks.models import ApiKey


class Command(BaseCommand):
    help = "Issue an API key for a user (created if missing) and print it as the last line."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--test", action="store_true", help="issue a test_ key")
        parser.add_argument("--name", default="", help="a note to tell keys apart")

    def handle(self, *args, username: str, test: bool, name: str, **options) -> None:
        user, created = get_or_create_account(username)
        _, raw = ApiKey.issue(user, is_test=test, name=name)
        kind = "test" if test else "live"
        secret = first_secret(user, test)
        if secret is not None:
            self.stdout.write(f"The account's {kind} callback signing secret (shown once; "
                              f"`manage.py callback_secret` makes a new one): {secret}")
        intro = f"Created user {username}. " if created else ""
        self.stdout.write(f"{intro}New {kind} API key for {username} (shown once, only its "
                          "hash is stored):")
        self.stdout.write(raw)

