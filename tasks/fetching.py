"""Outbound HTTP requests to user-supplied URLs, guarded against SSRF.

Every request the server makes to a URL that came from a user (image attachments, file
imports from a URL, webhook callbacks) goes through `fetch` or `post_json`. Each hop:

1. parses the URL (http and https only),
2. resolves the host once and refuses it when any address is loopback, private, link-local,
   multicast, reserved, unspecified, carrier-grade NAT (or an IPv6 form of one of those),
   or when the name is a cloud metadata host, unless the allow list names it,
3. connects to exactly the address that was checked (so a second DNS answer cannot
   rebind the request elsewhere), sending the original Host header and verifying TLS
   certificates against the original host name.

Redirects (GET only) are followed by hand so every hop is checked again. `timeout` is the
total wall time of the whole exchange, redirects included; a watchdog aborts the socket
when it runs out, so a server that trickles bytes cannot hold a worker. Proxy settings
from the environment are ignored.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from http.client import HTTPException
from urllib.parse import unquote, urljoin

import certifi
from urllib3 import BaseHTTPResponse
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import HTTPError, LocationParseError
from urllib3.util import make_headers, parse_url
from urllib3.util.ssl_match_hostname import CertificateError

__all__ = ["FetchError", "FetchResult", "PostResult", "fetch", "post_json"]

MAX_REDIRECTS = 5
POST_BODY_LIMIT = 4096
USER_AGENT = "annotator"

_GERUNDS = {"fetch": "fetching", "post to": "posting to"}
# What a failing exchange raises: urllib3, socket and TLS, http.client parsing, and
# urllib3's host name check (a ValueError).
_TRANSPORT_ERRORS = (HTTPError, OSError, HTTPException, CertificateError)
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_READ_CHUNK = 64 * 1024
_METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata"})
_METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)
_PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)
_SHARED_NETWORK = ipaddress.ip_network("100.64.0.0/10")
_NAT64_NETWORK = ipaddress.ip_network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class FetchError(Exception):
    """An outbound request was refused or failed.

    `status_code` is the HTTP status when the remote answered with a non-2xx status,
    otherwise None (refused by policy, unreachable, timed out, too large, ...).
    """

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


@dataclass(frozen=True)
class FetchResult:
    status_code: int
    content: bytes
    content_type: str  # "" when the response has no Content-Type
    final_url: str  # the URL of the last hop, after redirects


@dataclass(frozen=True)
class PostResult:
    status_code: int
    body: bytes  # at most the first `response_limit` bytes (POST_BODY_LIMIT by default)

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300


def fetch(
    url: str, *, max_bytes: int, timeout: float = 10.0, allow: list[str] | None = None
) -> FetchResult:
    """GET `url`, following up to MAX_REDIRECTS checked redirects; the body must be 2xx."""
    deadline = _Deadline(timeout)
    policy = _AllowList.build(allow)
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        target = _Target.parse(current, "fetch")
        addresses = _checked_addresses(target, policy, "fetch")
        with _exchange(target, addresses, deadline, "GET", None, _headers(target)) as exchange:
            response = exchange.response
            location = response.headers.get("Location")
            if response.status in _REDIRECT_STATUSES and location:
                current = urljoin(current, location.strip())
                continue
            if not 200 <= response.status < 300:
                raise FetchError(
                    f"fetching {target.display} failed: HTTP {response.status}",
                    status_code=response.status,
                )
            return FetchResult(
                status_code=response.status,
                content=_read_limited_body(exchange, target, max_bytes),
                content_type=response.headers.get("Content-Type", ""),
                final_url=current,
            )
    raise FetchError(f"fetching {_display(url)} failed: more than {MAX_REDIRECTS} redirects")


def post_json(
    url: str,
    body: bytes,
    *,
    headers: dict[str, str],
    timeout: float = 10.0,
    allow: list[str] | None = None,
    response_limit: int = POST_BODY_LIMIT,
) -> PostResult:
    """POST `body` to `url` and report the status; redirects are not followed.

    Any status is returned (check `.ok`; a 3xx is not ok). FetchError means the request
    was refused or never got a status line back. The body kept is at most `response_limit`
    bytes (a model backend's answer is larger than a callback's reply; see `PostResult.body`).
    """
    deadline = _Deadline(timeout)
    target = _Target.parse(url, "post to")
    addresses = _checked_addresses(target, _AllowList.build(allow), "post to")
    request_headers = {"Content-Type": "application/json", **_headers(target)}
    for name, value in headers.items():
        # Host must name the checked target; the caller's other headers win over defaults.
        if name.lower() != "host":
            _set_header(request_headers, name, value)
    with _exchange(target, addresses, deadline, "POST", body, request_headers) as exchange:
        return PostResult(exchange.response.status, _read_some(exchange, response_limit))


# --- URLs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    url: str
    scheme: str
    host: str  # lowercase, IDNA-encoded, without IPv6 brackets
    port: int
    request_uri: str
    auth: str | None

    @classmethod
    def parse(cls, url: str, verb: str) -> _Target:
        try:
            parsed = parse_url(url)
        except LocationParseError:
            raise FetchError(f"refused to {verb} {url!r}: not a valid URL") from None
        display = _display(url)
        if parsed.scheme not in ("http", "https"):
            raise FetchError(f"refused to {verb} {display}: only http and https URLs are allowed")
        if not parsed.host:
            raise FetchError(f"refused to {verb} {display}: the URL has no host")
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        if not 0 < port < 65536:
            raise FetchError(f"refused to {verb} {display}: invalid port {port}")
        return cls(
            url=url,
            scheme=parsed.scheme,
            host=parsed.host.strip("[]"),
            port=port,
            request_uri=parsed.request_uri,
            auth=parsed.auth,
        )

    @property
    def display(self) -> str:
        return _display(self.url)

    @property
    def name(self) -> str:
        """The host for comparisons: a trailing dot makes no difference."""
        return self.host.rstrip(".")

    @property
    def literal(self) -> IPAddress | None:
        """The address when the URL names one rather than a host name."""
        try:
            return ipaddress.ip_address(self.host)
        except ValueError:
            return None

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default_port = 443 if self.scheme == "https" else 80
        return host if self.port == default_port else f"{host}:{self.port}"


def _display(url: str) -> str:
    """The URL for messages, without credentials."""
    try:
        parsed = parse_url(url)
    except LocationParseError:
        return repr(url)
    return parsed._replace(auth="***").url if parsed.auth else url


def _headers(target: _Target) -> dict[str, str]:
    headers = {
        "Host": target.host_header,
        "User-Agent": USER_AGENT,
        "Accept-Encoding": "identity",
        "Connection": "close",
    }
    if target.auth:
        headers["Authorization"] = make_headers(basic_auth=unquote(target.auth))["authorization"]
    return headers


def _set_header(headers: dict[str, str], name: str, value: str) -> None:
    for existing in [key for key in headers if key.lower() == name.lower()]:
        del headers[existing]
    headers[name] = value


# --- Address policy ---------------------------------------------------------------------


@dataclass(frozen=True)
class _AllowList:
    hosts: frozenset[str]
    networks: tuple[IPNetwork, ...]

    @classmethod
    def build(cls, allow: list[str] | None) -> _AllowList:
        entries = _configured_allow_list() if allow is None else allow
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in entries:
            entry = entry.strip()
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                if entry:
                    hosts.add(entry.lower().rstrip("."))
        return cls(frozenset(hosts), tuple(networks))

    def permits_host(self, name: str) -> bool:
        return name.lower() in self.hosts

    def permits_address(self, ip: IPAddress) -> bool:
        candidates = [ip, _embedded_ipv4(ip)]
        return any(c is not None and c in net for c in candidates for net in self.networks)


def _configured_allow_list() -> list[str]:
    from django.conf import settings

    if not settings.configured:
        return []
    value = getattr(settings, "ANNOTATOR_FETCH_ALLOW", None) or []
    return value.split(",") if isinstance(value, str) else list(value)


def _checked_addresses(target: _Target, policy: _AllowList, verb: str) -> list[IPAddress]:
    """Resolve the target once; every address must pass or be allowed."""
    refused = f"refused to {verb} {target.display}"
    hint = "set ANNOTATOR_FETCH_ALLOW to allow it"
    host_allowed = policy.permits_host(target.name)
    if target.name in _METADATA_HOSTS and not host_allowed:
        raise FetchError(f"{refused}: {target.name} is a cloud metadata host; {hint}")
    addresses = _resolve(target, verb)
    if host_allowed:
        return addresses
    for ip in addresses:
        reason = _refusal_reason(ip)
        if reason and not policy.permits_address(ip):
            # What a name resolves to is not told: the message reaches API callers, and
            # would map the server's network for them.
            if target.literal:
                raise FetchError(f"{refused}: {target.host} is {reason}; {hint}")
            raise FetchError(f"{refused}: {target.name} resolves to an address that is not "
                             f"public; {hint}")
    return addresses


def _resolve(target: _Target, verb: str) -> list[IPAddress]:
    if target.literal is not None:
        return [target.literal]
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchError(
            f"{_GERUNDS[verb]} {target.display} failed: could not resolve {target.host} ({exc})"
        ) from None
    addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
    if not addresses:
        raise FetchError(
            f"{_GERUNDS[verb]} {target.display} failed: {target.host} has no addresses"
        )
    return addresses


def _refusal_reason(ip: IPAddress) -> str | None:
    """Why `ip` must not be contacted, or None when it is a public unicast address."""
    reason = _address_category(ip)
    if reason and ip in _METADATA_ADDRESSES:
        return f"{reason} (the cloud metadata service)"
    return reason


def _address_category(ip: IPAddress) -> str | None:
    embedded = _embedded_ipv4(ip)
    if embedded is not None:
        reason = _refusal_reason(embedded)
        if reason:
            return f"an IPv6 form of {embedded}, which is {reason}"
        if _is_translated_ipv4(ip):
            return None
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip in _SHARED_NETWORK:
        return "a carrier-grade NAT address"
    if ip.is_multicast:
        return "a multicast address"
    if any(ip in net for net in _PRIVATE_NETWORKS):
        return "a private address"
    if ip.is_reserved:
        return "a reserved address"
    if not ip.is_global:
        return "not a globally routable address"
    return None


def _is_translated_ipv4(ip: IPAddress) -> bool:
    """IPv6 forms that simply stand for an IPv4 address (mapped, NAT64)."""
    return isinstance(ip, ipaddress.IPv6Address) and (
        ip.ipv4_mapped is not None or ip in _NAT64_NETWORK
    )


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4, Teredo client)."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64_NETWORK:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


# --- Connections ------------------------------------------------------------------------


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds
        self._expired = False

    def remaining(self) -> float:
        return self._end - time.monotonic()

    def expire(self) -> None:
        self._expired = True

    def expired(self) -> bool:
        return self._expired or self.remaining() <= 0


class _Watchdog:
    """Shuts the current connection's socket down when the deadline passes.

    Socket timeouts only bound each single read, so a server that sends one byte at a
    time could otherwise keep a request alive forever. The lock keeps the timer from
    touching a socket after `close()` released it (its descriptor could be reused).
    """

    def __init__(self, deadline: _Deadline) -> None:
        self._deadline = deadline
        self._lock = threading.Lock()
        self._conn: HTTPConnection | None = None
        self._sock: socket.socket | None = None
        self._timer = threading.Timer(max(deadline.remaining(), 0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, conn: HTTPConnection) -> None:
        with self._lock:
            self._conn, self._sock = conn, None

    def connected(self) -> None:
        # Keep the socket itself: http.client drops conn.sock as soon as a response says
        # the connection will close, while the response goes on reading from it.
        with self._lock:
            self._sock = self._conn.sock if self._conn is not None else None

    def close(self) -> None:
        """Close the watched connection (the watchdog stays armed for the next one)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
            self._conn, self._sock = None, None

    def stop(self) -> None:
        self._timer.cancel()
        self.close()

    def _fire(self) -> None:
        with self._lock:
            self._deadline.expire()
            sock = self._sock or (self._conn.sock if self._conn is not None else None)
            if sock is not None:
                with suppress(OSError):
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)


@dataclass
class _Exchange:
    target: _Target
    deadline: _Deadline
    response: BaseHTTPResponse
    verb: str

    def error(self, exc: BaseException | None = None) -> FetchError:
        return _transport_error(self.verb, self.target, self.deadline, exc)


@contextmanager
def _exchange(
    target: _Target,
    addresses: list[IPAddress],
    deadline: _Deadline,
    method: str,
    body: bytes | None,
    headers: dict[str, str],
) -> Iterator[_Exchange]:
    verb = _GERUNDS["fetch" if method == "GET" else "post to"]
    watchdog = _Watchdog(deadline)
    response: BaseHTTPResponse | None = None
    try:
        conn = _connect(target, addresses, deadline, watchdog, verb)
        try:
            conn.request(
                method,
                target.request_uri,
                body=body,
                headers=headers,
                preload_content=False,
                decode_content=False,
            )
            response = conn.getresponse()
        except _TRANSPORT_ERRORS as exc:
            raise _transport_error(verb, target, deadline, exc) from None
        yield _Exchange(target, deadline, response, verb)
    finally:
        watchdog.stop()
        if response is not None:
            # The response holds its own reference to the socket.
            response.close()


def _connect(
    target: _Target,
    addresses: list[IPAddress],
    deadline: _Deadline,
    watchdog: _Watchdog,
    verb: str,
) -> HTTPConnection:
    """Connect to the first reachable checked address (never to the host name)."""
    error: str | None = None
    for ip in addresses:
        if deadline.expired():
            break
        conn = _new_connection(target, ip, deadline.remaining())
        watchdog.watch(conn)
        try:
            conn.connect()
            watchdog.connected()
        except _TRANSPORT_ERRORS as exc:
            error = f"could not connect to {ip} port {target.port} ({_connect_failure(exc)})"
            watchdog.close()
            continue
        return conn
    raise _transport_error(verb, target, deadline, error)


def _connect_failure(exc: BaseException) -> str:
    if isinstance(exc, CertificateError):
        return f"TLS certificate mismatch: {exc}"
    # urllib3 wraps the socket error in a message that repeats the address.
    return str(exc.__cause__ or exc)


def _new_connection(target: _Target, ip: IPAddress, timeout: float) -> HTTPConnection:
    # No proxy arguments: urllib3 connections never read proxy settings from the environment.
    if target.scheme == "http":
        return HTTPConnection(str(ip), target.port, timeout=timeout)
    hostname = target.name
    return HTTPSConnection(
        str(ip),
        target.port,
        timeout=timeout,
        server_hostname=hostname,
        assert_hostname=hostname,
        cert_reqs="CERT_REQUIRED",
        ca_certs=_ca_bundle(),
    )


def _ca_bundle() -> str:
    return certifi.where()


def _transport_error(
    verb: str, target: _Target, deadline: _Deadline, exc: BaseException | str | None
) -> FetchError:
    if deadline.expired():
        return FetchError(f"{verb} {target.display} timed out after {deadline.seconds:g} seconds")
    return FetchError(f"{verb} {target.display} failed: {exc or 'no address could be reached'}")


# --- Bodies -----------------------------------------------------------------------------


def _read_limited_body(exchange: _Exchange, target: _Target, max_bytes: int) -> bytes:
    too_large = FetchError(
        f"fetching {target.display} failed: the response is larger than {max_bytes} bytes"
    )
    length = exchange.response.headers.get("Content-Length", "")
    if length.strip().isdigit() and int(length) > max_bytes:
        raise too_large
    try:
        content = b"".join(_body_chunks(exchange.response, max_bytes + 1))
    except _TRANSPORT_ERRORS as exc:
        raise exchange.error(exc) from None
    # The watchdog ends a trickling body with what can look like a clean end of stream.
    if exchange.deadline.expired():
        raise exchange.error()
    if len(content) > max_bytes:
        raise too_large
    return content


def _read_some(exchange: _Exchange, limit: int) -> bytes:
    """Up to `limit` bytes of a callback's reply. The status is what matters, so a reply
    that breaks off or runs out of time keeps what was read."""
    chunks: list[bytes] = []
    with suppress(*_TRANSPORT_ERRORS):
        for chunk in _body_chunks(exchange.response, limit):
            chunks.append(chunk)
    return b"".join(chunks)


def _body_chunks(response: BaseHTTPResponse, limit: int) -> Iterator[bytes]:
    """The body as it arrives, stopping once `limit` bytes were read."""
    size = 0
    while size < limit:
        # read1 returns what one socket read brings instead of waiting for a full buffer.
        chunk = response.read1(min(_READ_CHUNK, limit - size))
        if not chunk:
            return
        size += len(chunk)
        yield chunk


# --- at create: addresses refused whatever DNS says -------------------------------------------

_LEGACY_IPV4 = re.compile(r"^[0-9a-fx.]+$", re.IGNORECASE)


def literal_refusal(url: str) -> str | None:
    """Why a task may not name `url` at all (a phrase completing "… must not be used: the
    host …"), or None. Only what needs no DNS is judged here, so that a create stays fast: a
    literal address of a refused category (in any spelling `getaddrinfo` accepts, such as
    `2130706433` or `127.1`), a metadata host name, `localhost`. Names are judged by `fetch`
    and `post_json` when the worker contacts them. ANNOTATOR_FETCH_ALLOW applies as there."""
    try:
        target = _Target.parse(url, "fetch")
    except FetchError:
        return None  # not an http(s) URL: the rules that check the format say so
    policy = _AllowList.build(None)
    name = target.name
    if policy.permits_host(name):
        return None
    if name in _METADATA_HOSTS:
        return f"{name} is a cloud metadata host"
    if name == "localhost" or name.endswith(".localhost"):
        return f"{name} is a loopback host name"
    ip = target.literal or _legacy_ipv4(name)
    if ip is None or policy.permits_address(ip):
        return None
    reason = _refusal_reason(ip)
    return f"{target.host} is {reason}" if reason else None


def _legacy_ipv4(host: str) -> IPAddress | None:
    """`127.1`, `0x7f000001`, `2130706433`: IPv4 in the forms inet_aton (and so getaddrinfo)
    reads without asking DNS."""
    if not _LEGACY_IPV4.match(host):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None
