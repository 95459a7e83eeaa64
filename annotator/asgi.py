"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
django.setup(set_prefix=False)

from annotator.body_limits import BodyLimitASGI  # noqa: E402
from annotator.handler import PooledASGIHandler  # noqa: E402

# Django's sync middleware chain and views in one hop to a thread pool per request
# (annotator/handler.py says why).
django_asgi_app = PooledASGIHandler()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from tasks.api.inflight import KeyInFlightASGI  # noqa: E402
from tasks.live import RemembersServerLoop  # noqa: E402
from tasks.routing import websocket_urlpatterns  # noqa: E402
from tasks.socket_origin import SameOriginValidator  # noqa: E402

application = RemembersServerLoop(ProtocolTypeRouter(
    {
        # A key's requests beyond its cap in flight wait or are refused before their body is
        # read; request bodies are bounded by the bytes that arrive, not only by what they
        # declare.
        "http": KeyInFlightASGI(BodyLimitASGI(django_asgi_app)),
        # The page's origin must be the site's own (scheme, host and port), and its host one
        # of ALLOWED_HOSTS.
        "websocket": SameOriginValidator(AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        )),
    }
))
