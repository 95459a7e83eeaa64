"""Single sign-on with OpenID Connect through mozilla-django-oidc (docs/sso.md).

On only when settings.ANNOTATOR_OIDC_ENABLED (a client id and the provider are set in the
environment). The provider's endpoints come from its discovery document
(`<issuer>/.well-known/openid-configuration`) unless set one by one. A sign-in maps two claims:
one names the account(s) the person works for, one their role; a person whose claims map to no
known account or role is refused with a page saying why, and nothing is created. On each
sign-in the person's memberships in the accounts sign-on manages follow the claims.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.db import transaction
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from tasks.accounts import REVIEWERS_GROUP, TASKERS_GROUP
from tasks.models import Membership

logger = logging.getLogger("annotator.sso")

MANAGERS_GROUP = "managers"
REVIEWER = "reviewer"  # a role value of the role map besides Scale's four (docs/sso.md)
# Scale's roles, least to most; a person given several gets the highest.
ROLE_ORDER = ["labeler", "member", "manager", "admin"]
QUEUE_ROLES = {"labeler", "member"}
STAFF_ROLES = {"manager", "admin"}

# settings name -> key of the discovery document
_DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
_discovery: dict[str, Any] | None = None
_discovery_lock = threading.Lock()


def discovery() -> dict[str, Any]:
    """The issuer's discovery document, fetched once per process (a failed fetch is retried on
    the next sign-in). Its `issuer` must be the configured one."""
    global _discovery
    with _discovery_lock:
        if _discovery is None:
            issuer = settings.ANNOTATOR_OIDC_ISSUER
            if not issuer:
                raise ImproperlyConfigured("ANNOTATOR_OIDC_ISSUER or every endpoint is needed")
            response = requests.get(f"{issuer}/.well-known/openid-configuration",
                                    timeout=settings.OIDC_TIMEOUT)
            response.raise_for_status()
            document = response.json()
            if str(document.get("issuer", "")).rstrip("/") != issuer:
                raise ImproperlyConfigured(
                    f"the discovery document names issuer {document.get('issuer')!r}, "
                    f"not {issuer!r}")
            _discovery = document
        return _discovery


def forget_discovery() -> None:
    global _discovery
    with _discovery_lock:
        _discovery = None


def oidc_setting(attr: str, *default: Any) -> Any:
    """mozilla-django-oidc's settings, with the provider's endpoints discovered when unset."""
    if attr in _DISCOVERED and not getattr(settings, attr, ""):
        return discovery()[_DISCOVERED[attr]]
    return import_from_settings(attr, *default)


def login_context(request) -> dict[str, Any]:
    """For the login page: the provider's name when sign-on is on."""
    if not settings.ANNOTATOR_OIDC_ENABLED:
        return {}
    return {"oidc_provider_name": settings.ANNOTATOR_OIDC_PROVIDER_NAME}


# ------------------------------------------------------------------------ the claim mapping


class Refused(Exception):
    """A sign-in the mapping refuses; the message is shown to the person."""


def parse_map(text: str) -> dict[str, str]:
    """"value=name,value=name" -> {value: name}."""
    pairs = {}
    for item in text.split(","):
        if item.strip():
            value, sep, name = item.partition("=")
            if not sep or not value.strip() or not name.strip():
                raise ImproperlyConfigured(f"{item!r} is not value=name")
            pairs[value.strip()] = name.strip()
    return pairs


def role_map() -> dict[str, str]:
    roles = {role: role for role in [*ROLE_ORDER, REVIEWER]}
    for value, role in parse_map(settings.ANNOTATOR_OIDC_ROLE_MAP).items():
        if role not in roles:
            raise ImproperlyConfigured(f"ANNOTATOR_OIDC_ROLE_MAP: unknown role {role!r}")
        roles[value] = role
    return roles


def claim_values(claims: dict[str, Any], name: str) -> list[str]:
    value = claims.get(name)
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [str(item) for item in value if item not in (None, "")]
    return [str(value)]


@dataclass
class Grant:
    accounts: list[Any]  # account users
    role: str  # one of ROLE_ORDER
    reviewer: bool


def grant_for(claims: dict[str, Any]) -> Grant:
    """The accounts and role the claims map to, or Refused."""
    account_claim = settings.ANNOTATOR_OIDC_ACCOUNT_CLAIM
    role_claim = settings.ANNOTATOR_OIDC_ROLE_CLAIM
    values = claim_values(claims, account_claim)
    if not values:
        raise Refused(f"The provider sent no “{account_claim}” claim, which names the "
                      "organisation you work for here.")
    account_map = parse_map(settings.ANNOTATOR_OIDC_ACCOUNT_MAP)
    accounts = []
    for value in values:
        name = account_map.get(value) if account_map else value
        account = get_user_model().objects.filter(username=name).first() if name else None
        if account is None or account.is_superuser:
            raise Refused(f"The organisation “{value}” is not one this server knows.")
        accounts.append(account)
    roles = claim_values(claims, role_claim)
    if not roles:
        raise Refused(f"The provider sent no “{role_claim}” claim, which names your role here.")
    known = role_map()
    mapped = set()
    for value in roles:
        if value not in known:
            raise Refused(f"The role “{value}” is not one this server knows.")
        mapped.add(known[value])
    scale_roles = [role for role in ROLE_ORDER if role in mapped]
    # A reviewer alone is a member of the account: on its projects' review queue, not on the
    # labelling queue unless assigned (docs/sso.md).
    return Grant(accounts=accounts, role=scale_roles[-1] if scale_roles else "member",
                 reviewer=REVIEWER in mapped)


def apply_grant(user, grant: Grant) -> None:
    """The user's memberships, groups and staff flag after this sign-in (docs/sso.md)."""
    for account in grant.accounts:
        Membership.objects.update_or_create(account=account, user=user,
                                            defaults={"role": grant.role})
    managed = set(parse_map(settings.ANNOTATOR_OIDC_ACCOUNT_MAP).values())
    stale = Membership.objects.filter(user=user).exclude(account__in=grant.accounts)
    if managed:  # with a map, only the mapped accounts' memberships follow the claims
        stale = stale.filter(account__username__in=managed)
    stale.delete()
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    for name, member in ((TASKERS_GROUP, grant.role in QUEUE_ROLES),
                         (REVIEWERS_GROUP, grant.reviewer),
                         (MANAGERS_GROUP, bool(roles & STAFF_ROLES))):
        group, _ = Group.objects.get_or_create(name=name)
        if member:
            user.groups.add(group)
        else:
            user.groups.remove(group)
    staff = bool(roles & STAFF_ROLES) or user.is_superuser
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])


# ------------------------------------------------------------------- mozilla-django-oidc glue


def _setting_property(name: str) -> property:
    return property(lambda self: oidc_setting(name))


class OIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend: the endpoints read when a callback is handled (never
    for a password sign-in), the ID token's audience and issuer checked, the claims of the ID
    token and the userinfo answer taken together, and the person found by e-mail address or
    made, with the memberships the claims map to."""

    get_settings = staticmethod(oidc_setting)
    OIDC_OP_TOKEN_ENDPOINT = _setting_property("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = _setting_property("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = _setting_property("OIDC_OP_JWKS_ENDPOINT")

    def __init__(self, *args, **kwargs) -> None:
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        # Only the callback, never a login form that happens to carry ?code=&state=.
        try:
            callback = reverse("oidc_authentication_callback")
        except NoReverseMatch:  # sign-on is off: its URLs are not there
            return None
        if request is None or request.path != callback:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (requests.RequestException, ValueError, ImproperlyConfigured):
            # The provider down, a token exchange it refused, an answer that is not JSON.
            logger.exception("single sign-on: the provider's answer could not be used")
            request.sso_refusal = ("The sign-in could not be completed with the provider; "
                                   "try again later.")
            return None

    def retrieve_matching_jwk(self, token):
        # The JOSE header may leave out "kid" when the provider has one signing key (OpenID
        # Connect Core 1.0, 10.1); mozilla-django-oidc requires it, so that case is ours.
        header = jwt.get_unverified_header(token)
        if "kid" in header:
            return super().retrieve_matching_jwk(token)
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        keys = [key for key in response.json().get("keys", [])
                if key.get("use", "sig") == "sig" and key.get("alg", header.get("alg"))
                == header.get("alg")]
        if len(keys) != 1:
            raise SuspiciousOperation("the ID token names no key and the provider has several")
        return jwt.PyJWK(keys[0])

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("the ID token is for another client")
        issuer = settings.ANNOTATOR_OIDC_ISSUER
        if issuer and str(payload.get("iss", "")).rstrip("/") != issuer:
            raise SuspiciousOperation("the ID token is from another issuer")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        return {**payload, **super().get_userinfo(access_token, id_token, payload)}

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        try:
            with transaction.atomic():
                return self._person(claims)
        except Refused as refusal:
            self.request.sso_refusal = str(refusal)
            return None

    def _person(self, claims: dict[str, Any]):
        grant = grant_for(claims)
        email = str(claims.get("email") or "").strip()
        if not email or claims.get("email_verified") is False:
            raise Refused("The provider sent no verified e-mail address, by which people are "
                          "known here.")
        users = list(self.UserModel.objects.filter(email__iexact=email)[:2])
        if len(users) > 1:
            raise Refused("Two people here have that e-mail address; ask an administrator to "
                          "keep one.")
        if users:
            user = users[0]
            if user.is_superuser:
                raise Refused("A superuser signs in with a password, not through sign-on.")
            if not user.is_active:
                raise Refused("This person is deactivated here.")
            if any(account.pk == user.pk for account in grant.accounts):
                raise Refused("An account cannot be a member of itself.")
        else:
            if self.UserModel.objects.filter(username__iexact=email).exists():
                raise Refused("A user with that name exists here with another e-mail address.")
            user = self.UserModel(username=email, email=email,
                                  first_name=str(claims.get("given_name") or "")[:150],
                                  last_name=str(claims.get("family_name") or "")[:150])
            user.set_unusable_password()
            user.save()
        apply_grant(user, grant)
        return user


class SignInView(OIDCAuthenticationRequestView):
    """/oidc/authenticate/: off to the provider (its endpoint discovered)."""

    get_settings = staticmethod(oidc_setting)


class CallbackView(OIDCAuthenticationCallbackView):
    """/oidc/callback/: a refused mapping answers a page that says why (403)."""

    get_settings = staticmethod(oidc_setting)

    def login_failure(self):
        reason = getattr(self.request, "sso_refusal", None)
        error = self.request.GET.get("error")
        if reason is None and error:
            detail = self.request.GET.get("error_description")
            reason = f"The provider answered “{error}”{': ' + detail if detail else ''}."
        if reason is None:
            return super().login_failure()
        return render(self.request, "registration/sso_refused.html", {
            "reason": reason, "provider_name": settings.ANNOTATOR_OIDC_PROVIDER_NAME,
        }, status=403)
