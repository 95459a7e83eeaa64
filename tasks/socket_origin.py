"""The session socket accepts only pages of the site's own origin (tasks/origins.py): a page
on another port or scheme of the same host is another site, whatever its host name."""

from __future__ import annotations

from channels.security.websocket import WebsocketDenier
from django.conf import settings

from tasks.origins import is_own_origin


def behind_https(headers: dict[bytes, bytes]) -> bool:
    """The proxy says the page came over HTTPS, in SECURE_PROXY_SSL_HEADER, as Django trusts
    for HTTP requests."""
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if not proxy:
        return False
    name = proxy[0].removeprefix("HTTP_").replace("_", "-").lower().encode()
    value = headers.get(name, b"").decode("latin-1").split(",")[0].strip()
    return value == proxy[1]


class SameOriginValidator:
    def __init__(self, application) -> None:
        self.application = application

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers", []))
        origin = headers.get(b"origin", b"").decode("latin-1")
        host = headers.get(b"host", b"").decode("latin-1")
        scheme = "https" if scope.get("scheme") == "wss" or behind_https(headers) else "http"
        if not is_own_origin(origin, scheme, host):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
