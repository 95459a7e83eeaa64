"""No page of another site may use the v1 API through a browser that holds a key (a key
typed into a Basic-auth prompt once, say). Browsers say where a request comes from
(`Sec-Fetch-Site`, `Origin`); the official client and other programs send neither, or their
own origin-less requests, and pass. Together with JSON-only bodies (no HTML form can send
`application/json`) and no Basic challenge on a 401, a cross-site page can change nothing
(docs/deploy.md, "What protects what")."""

from __future__ import annotations

from django.http import HttpRequest

from tasks.errors import ApiError
from tasks.origins import is_own_origin

# The user's own doing (typed URL, bookmark) or the site's own page.
FROM_THE_SITE = {"same-origin", "none"}


def refuse_cross_site(request: HttpRequest) -> None:
    """403 for a browser request sent by a page of another origin."""
    fetch_site = request.headers.get("Sec-Fetch-Site", "").strip().lower()
    origin = request.headers.get("Origin")
    if fetch_site in FROM_THE_SITE:
        return
    if not fetch_site and origin is None:
        return  # not a browser, or one too old to say (those send Origin on every POST)
    if origin is not None and is_own_origin(origin, request.scheme, request.get_host()):
        return  # e.g. a page of an ALLOWED_ORIGINS origin behind a proxy
    raise ApiError(403, "Requests from another site's page are refused; call the API from "
                        "a program with the key, or from this site's own pages.")
