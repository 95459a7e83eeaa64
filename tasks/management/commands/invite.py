"""python manage.py invite EMAIL [EMAIL...] --account A [--role R] [--days N] [--base-url U]

Invites each address to account A's team (as POST /v1/teams/invite does) and prints one line
per address: `<email> <link>`, the link to give that person (shown once: only its hash is
stored). A self-hosted install may have no mail, so the links are given by hand. An address
that is already a member gets no link. Links start with ANNOTATOR_PUBLIC_URL, else --base-url.
"""

from __future__ import annotations

from argparse import ArgumentParser

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tasks import teams
from tasks.errors import ApiError
from tasks.models import TeamRole


class Command(BaseCommand):
    help = "Invite people to an account's team and print their invitation links."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("emails", nargs="+", metavar="EMAIL")
        parser.add_argument("--account", required=True, help="the account's user name")
        parser.add_argument("--role", default=TeamRole.LABELER, choices=TeamRole.values)
        parser.add_argument("--days", type=int, default=teams.INVITATION_DAYS,
                            help="how long the links work (default %(default)s days)")
        parser.add_argument("--base-url", default="",
                            help="the server's address, when ANNOTATOR_PUBLIC_URL is not set")

    def handle(self, *args, emails: list[str], account: str, role: str, days: int,
               base_url: str, **options) -> None:
        owner = get_user_model().objects.filter(username=account).first()
        if owner is None:
            raise CommandError(f'No account "{account}".')
        if days < 1:
            raise CommandError("--days must be at least 1.")
        try:
            addresses = teams.clean_emails(emails, "EMAIL")
        except ApiError as exc:
            raise CommandError(exc.message) from exc
        for invited in teams.invite(owner, addresses, role, days):
            if invited.token is None:
                self.stdout.write(f"{invited.email} is already a member of {account}'s team.")
            else:
                self.stdout.write(f"{invited.email} {teams.invite_url(invited.token, base_url)}")
