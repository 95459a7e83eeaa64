"""Which browser origins count as the site itself: the origin (scheme, host and port) the
request was made to, or one named in ALLOWED_ORIGINS (for a proxy that rewrites the host or
the scheme). Used by the session socket and by the API's cross-site check (docs/deploy.md,
"What protects what")."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

DEFAULT_PORTS = {"http": 80, "https": 443}


def normalized(origin: str) -> str | None:
    """`scheme://host:port` in lower case with the port always given; None if not an origin."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port or DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        return None
    if parts.scheme.lower() not in DEFAULT_PORTS or not parts.hostname or port is None \
            or parts.path not in ("", "/") or parts.username or parts.query:
        return None
    return f"{parts.scheme.lower()}://{parts.hostname.lower()}:{port}"


def is_own_origin(origin: str, scheme: str | None, host: str) -> bool:
    """`origin` (the browser's Origin header) is the site's: `scheme://host` (http or https,
    and the Host header, port included) or one of ALLOWED_ORIGINS. A request whose scheme is
    unknown (None, as Django's HttpRequest.scheme may say) matches ALLOWED_ORIGINS only."""
    given = normalized(origin)
    if given is None:
        return False
    allowed = {normalized(o) for o in settings.ALLOWED_ORIGINS}
    own = normalized(f"{scheme}://{host}") if scheme is not None else None
    return given == own or given in allowed
