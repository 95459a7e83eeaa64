"""An account's team as Scale's Teams API shows it, and the invitation links that bring people
in (docs/api-decisions.md, "Teams and Studio"; who sees what: docs/workforce.md).

People are named by e-mail address. The person of an address is the user whose user name or
e-mail is that address (compared without case); an invited person's user name is the address.
An invitation's link holds a secret token; only its sha256 is stored, so a link is shown once,
when it is made (`manage.py invite`, the admin's "Make new links" action).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tasks.accounts import TASKERS_GROUP
from tasks.errors import ApiError
from tasks.models import Invitation, Membership, TeamRole
from tasks.presenters import iso
from tasks.workforce import MANAGERS_GROUP, MANAGING_ROLES, grant_manager

INVITATION_DAYS = 7
MAX_EMAILS = 1000  # addresses in one request


# --- people by e-mail -----------------------------------------------------------------------

def clean_emails(value: object, field: str = "emails") -> list[str]:
    """A non-empty list of distinct e-mail addresses, lower-cased, in the order given."""
    if not isinstance(value, list) or not value:
        raise ApiError(400, f"{field} must be a non-empty list of e-mail addresses.")
    if len(value) > MAX_EMAILS:
        raise ApiError(400, f"{field} may hold at most {MAX_EMAILS} addresses.")
    found: list[str] = []
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise ApiError(400, f"{field}[{i}] must be an e-mail address.")
        email = item.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise ApiError(400, f'{field}[{i}] "{item}" is not an e-mail address.') from None
        if email not in found:
            found.append(email)
    return found


def clean_role(value: object) -> str:
    if value not in TeamRole.values:
        raise ApiError(400, f"team_role must be one of {', '.join(TeamRole.values)}.")
    return str(value)


def people_by_email(emails: list[str]) -> dict[str, Any]:
    """The user of each address that has one (user name first, then e-mail)."""
    query = Q()
    for email in emails:
        query |= Q(username__iexact=email) | Q(email__iexact=email)
    found: dict[str, Any] = {}
    if not emails:
        return found
    users = list(get_user_model().objects.filter(query).order_by("pk"))
    for email in emails:
        by_name = [u for u in users if u.username.lower() == email]
        by_email = [u for u in users if (u.email or "").lower() == email]
        if by_name or by_email:
            found[email] = (by_name or by_email)[0]
    return found


def email_of(user) -> str:
    """The address a person is named by: their e-mail, else a user name that is one."""
    if user.email:
        return user.email.lower()
    return user.username.lower() if "@" in user.username else ""


def members_by_email(account, emails: list[str], field: str = "emails") -> dict[str, Any]:
    """The members of `account` with these addresses; any other address is a 400 naming it."""
    people = people_by_email(emails)
    member_ids = set(Membership.objects.filter(
        account=account, user__in=[p.pk for p in people.values()]).values_list("user_id",
                                                                                flat=True))
    missing = [e for e in emails if e not in people or people[e].pk not in member_ids]
    if missing:
        raise ApiError(400, f"{field}: not a member of this account's team: "
                            f"{', '.join(missing)}.")
    return people


# --- the team -------------------------------------------------------------------------------

def teammate_json(membership: Membership) -> dict:
    user = membership.user
    entry: dict = {"email": email_of(user), "role": membership.role,
                   "isStudioLabeler": membership.role == TeamRole.LABELER}
    if user.first_name:
        entry["firstName"] = user.first_name
    if user.last_name:
        entry["lastName"] = user.last_name
    return entry


def pending_invitations(account):
    return Invitation.objects.filter(account=account, accepted_at__isnull=True,
                                     expires_at__gt=timezone.now())


def teammates(account) -> list[dict]:
    """Scale's teammate list: the members (by address) and the pending invitations, whose
    `expiry` is when their link stops working. Members without an address are left out: the
    API cannot name them."""
    rows = [teammate_json(m) for m in Membership.objects.filter(account=account)
            .select_related("user")]
    rows = [r for r in rows if r["email"]]
    known = {r["email"] for r in rows}
    for invitation in pending_invitations(account).order_by("created_at"):
        if invitation.email in known:
            continue
        known.add(invitation.email)
        rows.append({"email": invitation.email, "role": invitation.role,
                     "isStudioLabeler": invitation.role == TeamRole.LABELER,
                     "expiry": iso(invitation.expires_at)})
    return sorted(rows, key=lambda r: r["email"])


def apply_role(user) -> None:
    """What a person's roles mean outside the team: everyone may work the queue (when
    assigned); a manager or admin of any account is staff in the admin's "managers" group,
    which scopes them to their accounts (tasks.workforce.grant_manager). A person who is no
    longer a manager anywhere leaves that group and, unless a superuser, the admin."""
    user.groups.add(Group.objects.get_or_create(name=TASKERS_GROUP)[0])
    if Membership.objects.filter(user=user, role__in=MANAGING_ROLES).exists():
        grant_manager(user)
        return
    managers = Group.objects.filter(name=MANAGERS_GROUP).first()
    if managers is not None and user.groups.filter(pk=managers.pk).exists():
        user.groups.remove(managers)
        if user.is_staff and not user.is_superuser:
            user.is_staff = False
            user.save(update_fields=["is_staff"])


@transaction.atomic
def set_role(account, emails: list[str], role: str) -> None:
    """Members take the new role; a pending invitation of the address is changed too. Every
    address must be a member or have a pending invitation (else a 400 naming it)."""
    people = people_by_email(emails)
    memberships = {m.user_id: m for m in Membership.objects.filter(
        account=account, user__in=[p.pk for p in people.values()])}
    invited = set(pending_invitations(account).filter(email__in=emails)
                  .values_list("email", flat=True))
    missing = [e for e in emails
               if not (e in people and people[e].pk in memberships) and e not in invited]
    if missing:
        raise ApiError(400, f"emails: not in this account's team: {', '.join(missing)}.")
    for email in emails:
        person = people.get(email)
        membership = memberships.get(person.pk) if person is not None else None
        if membership is not None and membership.role != role:
            membership.role = role
            membership.save(update_fields=["role"])
            apply_role(person)
    pending_invitations(account).filter(email__in=emails).update(role=role)


# --- invitations ----------------------------------------------------------------------------

def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_path(token: str) -> str:
    return f"/invite/{token}"


def invite_url(token: str, base_url: str = "") -> str:
    """The link to give the person: ANNOTATOR_PUBLIC_URL (else `base_url`) + /invite/<token>."""
    base = (settings.ANNOTATOR_PUBLIC_URL or base_url).rstrip("/")
    return base + invite_path(token)


def new_link(invitation: Invitation, days: int = INVITATION_DAYS) -> str:
    """Give the invitation a new secret (the old link stops working) and a new expiry; the
    token is returned, to be shown once."""
    token = secrets.token_urlsafe(32)
    invitation.token_hash = token_hash(token)
    invitation.expires_at = timezone.now() + timedelta(days=days)
    if invitation.pk is None:
        invitation.save()
    else:
        invitation.save(update_fields=["token_hash", "expires_at"])
    return token


@dataclass(frozen=True)
class Invited:
    email: str
    token: str | None  # None: already a member, no invitation was made


@transaction.atomic
def invite(account, emails: list[str], role: str, days: int = INVITATION_DAYS) -> list[Invited]:
    """An invitation (with a new link) for each address not yet a member of the account; a
    pending invitation of the address is replaced (its old link stops working). Members are
    left as they are: their role changes with set_role."""
    people = people_by_email(emails)
    member_ids = set(Membership.objects.filter(account=account).values_list("user_id",
                                                                             flat=True))
    result = []
    for email in emails:
        person = people.get(email)
        if person is not None and person.pk in member_ids:
            result.append(Invited(email, None))
            continue
        pending_invitations(account).filter(email=email).delete()
        invitation = Invitation(account=account, email=email, role=role)
        result.append(Invited(email, new_link(invitation, days)))
    return result


def find_invitation(token: str) -> Invitation | None:
    return Invitation.objects.select_related("account").filter(
        token_hash=token_hash(token)).first()


def state(invitation: Invitation | None) -> str:
    """`valid`, `used`, `expired` or `unknown`."""
    if invitation is None:
        return "unknown"
    if invitation.accepted_at is not None:
        return "used"
    if invitation.expires_at <= timezone.now():
        return "expired"
    return "valid"


def existing_person(invitation: Invitation):
    return people_by_email([invitation.email]).get(invitation.email)


@transaction.atomic
def accept(invitation: Invitation, user) -> Membership:
    """`user` joins the invitation's account with its role (an existing membership keeps its
    role); the invitation is used up."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if state(invitation) != "valid":
        raise ValueError(f"the invitation is {state(invitation)}")
    membership, _ = Membership.objects.get_or_create(
        account=invitation.account, user=user, defaults={"role": invitation.role})
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    apply_role(user)
    return membership


def new_person(invitation: Invitation):
    """The (unsaved) user an invitation to a new person makes: user name = e-mail = the
    address."""
    return get_user_model()(username=invitation.email, email=invitation.email)


@transaction.atomic
def join_as_new_person(invitation: Invitation, password: str):
    """A new user for the invitation's address, with this password, joins; nothing is made
    when the invitation is no longer valid (ValueError)."""
    user = new_person(invitation)
    user.set_password(password)
    user.save()
    accept(invitation, user)
    return user
