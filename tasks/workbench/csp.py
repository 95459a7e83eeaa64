"""The Content-Security-Policy of the taskers' pages (the queue and the workbench).

Scripts, styles, fonts and connections come from this server only; no inline script, no
plugins, no <base>, no framing. Images may also be data: and blob: URLs (the canvas), and —
while the worker has not yet kept its own copy of a task's image — the http(s) origin of the
task's attachment (and of its context attachments), because the image endpoint then redirects
the browser to the original (docs/deploy.md). Once the copy is kept, only 'self' remains.
Frames: only the http(s) origins of the documents the task's instruction embeds (an
`<iframe src=…>` block, static/js/lib/markdown.js), which the page shows in a sandboxed frame.
Images of the instruction (`![alt](url)`): those of this server, and of the origins of the
task's own attachments or the deployment's ANNOTATOR_INSTRUCTION_IMAGE_ORIGINS
(docs/workbench.md, "Instructions"); the page links to any other instead of loading it.

The admin and the API docs keep Django's and drf-spectacular's own pages, without this policy.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from tasks.models import Task
from tasks.models.deliveries import ContextAttachment

HEADER = "Content-Security-Policy"
# An origin that is safe to put in a header: scheme, host (name, IPv4 or [IPv6]) and port.
ORIGIN = re.compile(r"^https?://(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$")


def origin_of(url: object) -> str | None:
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname
    if ":" in host:
        host = f"[{host}]"
    origin = f"{parts.scheme}://{host}" + (f":{port}" if port else "")
    return origin if ORIGIN.match(origin) else None


def attachment_origins(task_id: str | None) -> list[str]:
    """The origins the browser loads a task's images from while we hold no copy of them: the
    attachment's, and each context attachment's that has no copy yet."""
    if not task_id:
        return []
    # Only the two keys, not the params: with a big hypothesis they are megabytes of JSON.
    rows = list(Task.objects.filter(task_id=task_id).values_list(
        "params__attachment", "params__context_attachments", "attachment_file")[:1])
    if not rows:
        return []
    attachment, contexts, kept_file = rows[0]
    urls = [] if kept_file else [attachment if isinstance(attachment, str) else None]
    contexts = contexts if isinstance(contexts, list) else []
    if contexts:
        kept = set(ContextAttachment.objects.filter(task_id=task_id).exclude(file="")
                   .values_list("position", flat=True))
        urls += [item.get("attachment") for n, item in enumerate(contexts)
                 if n not in kept and isinstance(item, dict)]
    return sorted({o for o in map(origin_of, urls) if o})


# the src of every iframe tag in an instruction (a superset of the page's embeds is harmless:
# the page frames nothing else, and always sandboxed)
IFRAME_SRC = re.compile(
    r"<iframe\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*?\ssrc\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'=<>`]+))",
    re.IGNORECASE,
)


def embed_origins(task_id: str | None) -> list[str]:
    """The origins of the documents a task's instruction embeds."""
    if not task_id:
        return []
    rows = list(Task.objects.filter(task_id=task_id).values_list("instruction", flat=True)[:1])
    instruction = rows[0] if rows and isinstance(rows[0], str) else ""
    urls = ("".join(match) for match in IFRAME_SRC.findall(instruction))
    return sorted({o for o in map(origin_of, urls) if o})


# the url of every markdown image in an instruction: ![alt](url "title")
MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*([^\s()]+)")


def instruction_image_origins(task_id: str | None) -> list[str]:
    """The origins the instruction's images may load from: those of its images that are the
    origin of the task's attachment or of a context attachment, or one the deployment allows
    (settings.ANNOTATOR_INSTRUCTION_IMAGE_ORIGINS). Images of this server need none."""
    if not task_id:
        return []
    rows = list(Task.objects.filter(task_id=task_id).values_list(
        "instruction", "params__attachment", "params__context_attachments")[:1])
    if not rows:
        return []
    instruction, attachment, contexts = rows[0]
    if not isinstance(instruction, str) or "![" not in instruction:
        return []
    contexts = contexts if isinstance(contexts, list) else []
    own = [attachment, *(item.get("attachment") for item in contexts if isinstance(item, dict))]
    allowed = {o for o in map(origin_of, own) if o}
    allowed |= {o for o in map(origin_of, getattr(
        settings, "ANNOTATOR_INSTRUCTION_IMAGE_ORIGINS", ())) if o}
    used = {o for o in map(origin_of, MARKDOWN_IMAGE.findall(instruction)) if o}
    return sorted(used & allowed)


def policy(
    request: HttpRequest, image_origins: Sequence[str] = (), frame_origins: Sequence[str] = ()
) -> str:
    host = request.get_host()
    sockets = f"{'wss' if request.is_secure() else 'ws'}://{host}"
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": " ".join(["'self'", "data:", "blob:", *image_origins]),
        "font-src": "'self'",
        "connect-src": f"'self' {sockets}",
        **({"frame-src": " ".join(frame_origins)} if frame_origins else {}),
        "object-src": "'none'",
        "base-uri": "'none'",
        "frame-ancestors": "'none'",
        "form-action": "'self'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def csp_protected(view):
    """Put the workbench's policy on the view's responses (task pages get their image
    origins from the `task_id` URL argument)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if HEADER not in response:
            ok = response.status_code == 200
            task_id = kwargs.get("task_id")
            origins = attachment_origins(task_id) if ok else []
            frames = embed_origins(task_id) if ok else []
            images = instruction_image_origins(task_id) if ok else []
            response[HEADER] = policy(request, sorted({*origins, *images}), frames)
        return response

    return wrapped
