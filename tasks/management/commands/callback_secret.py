"""python manage.py callback_secret USERNAME [--test]

Replaces the account's callback signing secret (live, or test) and prints the new one alone on
the last line: it is shown this once. Callbacks signed with the old one stop verifying.
"""

from __future__ import annotations

from argparse import ArgumentParser

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tasks.callback_signing import new_secret


class Command(BaseCommand):
    help = "Make a new callback signing secret for an account and print it (shown once)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--test", action="store_true", help="the test environment's")

    def handle(self, *args, username: str, test: bool, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account {username!r}.")
        secret = new_secret(user, test)
        self.stdout.write(f"New {'test' if test else 'live'} callback signing secret for "
                          f"{username} (shown once; the old one no longer verifies):")
        self.stdout.write(secret)
