"""The SSRF-safe outbound HTTP client, against real local servers."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tasks import fetching
from tasks.fetching import FetchError, fetch, post_json

Respond = Callable[["_Handler"], None]


@dataclass
class Seen:
    method: str
    path: str
    headers: Message  # case-insensitive lookups
    body: bytes


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    respond: Respond
    requests: list[Seen]
    stopping: threading.Event

    @property
    def port(self) -> int:
        return self.server_address[1]

    def url(self, path: str = "/") -> str:
        return f"http://{self.server_address[0]}:{self.port}{path}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.requests.append(Seen(self.command, self.path, self.headers, body))
        with suppress(OSError):  # the client hung up, which several tests expect
            self.server.respond(self)

    def send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def serve() -> Iterator[Callable[..., _Server]]:
    """Start HTTP servers in threads: serve(respond, host="127.0.0.1", tls=None)."""
    servers: list[_Server] = []

    def start(
        respond: Respond, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None
    ) -> _Server:
        server = _Server((host, 0), _Handler)
        server.respond, server.requests, server.stopping = respond, [], threading.Event()
        if tls is not None:
            server.socket = tls.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stopping.set()
        server.shutdown()
        server.server_close()


def ok(body: bytes = b"hello", content_type: str = "text/plain") -> Respond:
    return lambda handler: handler.send(200, body, {"Content-Type": content_type})


def status(code: int, headers: dict[str, str] | None = None) -> Respond:
    return lambda handler: handler.send(code, b"nope", headers)


def redirect(location: str, code: int = 302) -> Respond:
    return status(code, {"Location": location})


@pytest.fixture
def no_network(monkeypatch) -> Iterator[list[tuple]]:
    """Fail on any DNS lookup or connection attempt from this process."""
    attempts: list[tuple] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise AssertionError(f"network used: {args}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    yield attempts
    assert attempts == []


def addrinfo(ip: str, port: int | None) -> tuple:
    family = socket.AF_INET6 if ":" in ip else socket.AF_INET
    return (family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (ip, port or 0))


@pytest.fixture
def fake_dns(monkeypatch) -> dict[str, list[str]]:
    """Names made up for a test, resolved by socket.getaddrinfo only (connections are real).

    Each name maps to a list of answers; every lookup takes the next one and the last one
    repeats, so a name can answer differently the second time (DNS rebinding).
    """
    answers: dict[str, list[str]] = {}
    lookups: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real(host, port, *args, **kwargs)
        seen = lookups.setdefault(host, [])
        answer = answers[host][min(len(seen), len(answers[host]) - 1)]
        seen.append(answer)
        return [addrinfo(ip, port) for ip in answer.split(",")]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    answers["__lookups__"] = lookups  # type: ignore[assignment]
    return answers


# --- Address policy ---------------------------------------------------------------------


def test_loopback_is_refused_by_default_with_a_clear_message(serve, settings):
    settings.ANNOTATOR_FETCH_ALLOW = []
    server = serve(ok())
    with pytest.raises(FetchError) as caught:
        fetch(server.url("/x"), max_bytes=100)
    assert str(caught.value) == (
        f"refused to fetch http://127.0.0.1:{server.port}/x: 127.0.0.1 is a loopback "
        "address; set ANNOTATOR_FETCH_ALLOW to allow it"
    )
    assert caught.value.status_code is None
    assert server.requests == []


def test_allow_by_cidr(serve):
    server = serve(ok(b"pixels", "image/png"))
    result = fetch(server.url("/a.png?size=2"), max_bytes=100, allow=["127.0.0.0/8"])
    assert result.status_code == 200
    assert result.content == b"pixels"
    assert result.content_type == "image/png"
    assert result.final_url == server.url("/a.png?size=2")
    [seen] = server.requests
    assert seen.path == "/a.png?size=2"
    assert seen.headers["Host"] == f"127.0.0.1:{server.port}"


def test_allow_from_settings_when_no_allow_list_is_passed(serve, settings):
    settings.ANNOTATOR_FETCH_ALLOW = ["127.0.0.1"]
    server = serve(ok())
    assert fetch(server.url(), max_bytes=100).content == b"hello"
    with pytest.raises(FetchError, match="loopback"):
        fetch(server.url(), max_bytes=100, allow=[])


def test_allow_by_host_name(serve):
    server = serve(ok())
    url = f"http://localhost:{server.port}/"
    with pytest.raises(FetchError, match="localhost resolves to an address that is not "
                                         "public") as refused:
        fetch(url, max_bytes=100, allow=[])
    assert "127.0.0.1" not in str(refused.value) and "loopback" not in str(refused.value)
    result = fetch(url, max_bytes=100, allow=["LocalHost"])
    assert result.content == b"hello"
    assert server.requests[0].headers["Host"] == f"localhost:{server.port}"


REFUSED_WITHOUT_CONTACT = [
    (
        "http://169.254.169.254/latest/meta-data/",
        "169.254.169.254 is a link-local address (the cloud metadata service)",
    ),
    ("http://10.0.0.1/", "10.0.0.1 is a private address"),
    ("http://172.16.5.4/", "172.16.5.4 is a private address"),
    ("http://192.168.1.1/", "192.168.1.1 is a private address"),
    ("http://[::1]:8000/", "::1 is a loopback address"),
    ("http://0.0.0.0:8000/", "0.0.0.0 is an unspecified address"),
    ("http://[::]/", ":: is an unspecified address"),
    ("http://100.64.0.1/", "100.64.0.1 is a carrier-grade NAT address"),
    ("http://224.0.0.251/", "224.0.0.251 is a multicast address"),
    ("http://240.0.0.1/", "240.0.0.1 is a reserved address"),
    ("http://[fe80::1]/", "fe80::1 is a link-local address"),
    ("http://[fd00:ec2::254]/", "fd00:ec2::254 is a private address (the cloud metadata"),
    ("http://[fc00::1]/", "fc00::1 is a private address"),
    ("http://[::ffff:169.254.169.254]/", "IPv6 form of 169.254.169.254, which is a link-local"),
    ("http://[::ffff:127.0.0.1]/", "IPv6 form of 127.0.0.1, which is a loopback address"),
    ("http://metadata.google.internal/computeMetadata/v1/", "is a cloud metadata host"),
    ("ftp://example.com/file.png", "only http and https URLs are allowed"),
    ("file:///etc/passwd", "only http and https URLs are allowed"),
    ("gopher://example.com/", "only http and https URLs are allowed"),
    ("http:///no-host", "the URL has no host"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED_WITHOUT_CONTACT)
def test_refused_before_any_lookup_or_connection(no_network, url, reason):
    started = time.monotonic()
    with pytest.raises(FetchError, match="^refused to fetch") as caught:
        fetch(url, max_bytes=100)
    assert reason in str(caught.value)
    assert caught.value.status_code is None
    assert time.monotonic() - started < 0.5


@pytest.mark.parametrize(
    ("url", "reason"),
    [("http://169.254.169.254/hook", "link-local"), ("file:///etc/passwd", "only http")],
)
def test_post_json_is_refused_by_the_same_policy(no_network, url, reason):
    with pytest.raises(FetchError, match=f"^refused to post to .*{reason}"):
        post_json(url, b"{}", headers={})


def test_a_host_is_refused_when_any_of_its_addresses_is(no_network, monkeypatch):
    def getaddrinfo(host, port, *args, **kwargs):
        assert host == "mixed.test"
        return [addrinfo("1.1.1.1", port), addrinfo("192.168.0.7", port)]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    with pytest.raises(FetchError, match="mixed.test resolves to an address that is not "
                                         "public") as refused:
        fetch("http://mixed.test/", max_bytes=100)
    assert "192.168" not in str(refused.value)  # where a name leads is not told


def test_credentials_in_the_url_are_sent_as_basic_auth_but_never_shown(serve):
    server = serve(status(401))
    url = f"http://user:s%40cret@127.0.0.1:{server.port}/"
    with pytest.raises(FetchError) as caught:
        fetch(url, max_bytes=100, allow=["127.0.0.1"])
    assert "s%40cret" not in str(caught.value) and "***@127.0.0.1" in str(caught.value)
    assert server.requests[0].headers["Authorization"] == "Basic dXNlcjpzQGNyZXQ="


def test_proxy_settings_in_the_environment_are_ignored(serve, monkeypatch):
    proxy = serve(ok(b"from the proxy"), host="127.0.0.2")
    target = serve(ok(b"direct"))
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, proxy.url())
    assert fetch(target.url(), max_bytes=100, allow=["127.0.0.1"]).content == b"direct"
    assert proxy.requests == []


# --- DNS rebinding ----------------------------------------------------------------------


def test_connects_to_the_checked_address_with_the_original_host_header(serve, fake_dns):
    checked = serve(ok(b"checked"))
    elsewhere = serve(ok(b"rebound"), host="127.0.0.2")
    # The first answer passes the check; any later lookup would lead elsewhere.
    fake_dns["rebind.test"] = ["127.0.0.1", "127.0.0.2"]
    result = fetch(f"http://rebind.test:{checked.port}/img", max_bytes=100, allow=["127.0.0.1"])
    assert result.content == b"checked"
    [seen] = checked.requests
    assert seen.headers.get_all("Host") == [f"rebind.test:{checked.port}"]
    assert elsewhere.requests == []
    assert fake_dns["__lookups__"]["rebind.test"] == ["127.0.0.1"]


def test_a_name_that_resolves_to_a_refused_address_is_refused(serve, fake_dns):
    server = serve(ok())
    fake_dns["rebind.test"] = ["127.0.0.1"]
    url = f"http://rebind.test:{server.port}/"
    with pytest.raises(FetchError, match="rebind.test resolves to an address that is not "
                                         "public") as refused:
        fetch(url, max_bytes=100, allow=[])
    assert "127.0.0.1" not in str(refused.value)
    assert server.requests == []
    assert fetch(url, max_bytes=100, allow=["Rebind.Test"]).content == b"hello"


# --- Redirects --------------------------------------------------------------------------


def test_follows_redirects_within_the_policy(serve):
    target = serve(ok(b"moved here"))
    start = serve(redirect(target.url("/final")))
    result = fetch(start.url("/start"), max_bytes=100, allow=["127.0.0.1"])
    assert result.content == b"moved here"
    assert result.final_url == target.url("/final")


def test_the_callers_headers_go_to_the_first_origin_only(serve):
    # A model backend's Authorization (tasks/model_backends/transport.py) must not follow a
    # redirect to another host or port.
    other = serve(ok(b"elsewhere"))
    start = serve(lambda h: (ok(b"same")(h) if h.path == "/same" else
                             redirect("/same" if h.path == "/a" else other.url("/b"))(h)))
    fetch(start.url("/a"), max_bytes=100, allow=["127.0.0.1"],
          headers={"Authorization": "Token s3cret", "Host": "evil.example"})
    assert [r.headers["Authorization"] for r in start.requests] == ["Token s3cret"] * 2
    assert start.requests[0].headers["Host"] == f"127.0.0.1:{start.port}"
    fetch(start.url("/c"), max_bytes=100, allow=["127.0.0.1"],
          headers={"Authorization": "Token s3cret"})
    assert start.requests[-1].headers["Authorization"] == "Token s3cret"
    assert [r.headers.get("Authorization") for r in other.requests] == [None]


def test_a_redirect_to_a_refused_address_is_not_followed(serve):
    forbidden = serve(ok(b"secret"), host="127.0.0.2")
    start = serve(redirect(forbidden.url("/admin")))
    with pytest.raises(FetchError) as caught:
        fetch(start.url(), max_bytes=100, allow=["127.0.0.1"])
    assert str(caught.value) == (
        f"refused to fetch {forbidden.url('/admin')}: 127.0.0.2 is a loopback address; "
        "set ANNOTATOR_FETCH_ALLOW to allow it"
    )
    assert len(start.requests) == 1
    assert forbidden.requests == []


def test_a_redirect_to_another_scheme_is_refused(serve):
    start = serve(redirect("file:///etc/passwd", code=301))
    with pytest.raises(FetchError, match="only http and https"):
        fetch(start.url(), max_bytes=100, allow=["127.0.0.1"])


def hops(count: int) -> Respond:
    """/hop/0 redirects (relatively) to /hop/1 and so on; /hop/<count> answers."""

    def respond(handler: _Handler) -> None:
        step = int(handler.path.rsplit("/", 1)[1])
        if step < count:
            handler.send(307, headers={"Location": f"{step + 1}"})
        else:
            handler.send(200, b"arrived")

    return respond


def test_follows_five_redirects(serve):
    server = serve(hops(5))
    result = fetch(server.url("/hop/0"), max_bytes=100, allow=["127.0.0.1"])
    assert result.content == b"arrived"
    assert result.final_url == server.url("/hop/5")


def test_refuses_a_sixth_redirect(serve):
    server = serve(hops(6))
    with pytest.raises(FetchError, match="more than 5 redirects") as caught:
        fetch(server.url("/hop/0"), max_bytes=100, allow=["127.0.0.1"])
    assert caught.value.status_code is None
    assert [r.path for r in server.requests] == [f"/hop/{n}" for n in range(6)]


# --- Status, size and time limits -------------------------------------------------------


@pytest.mark.parametrize("code", [403, 404, 500])
def test_a_non_2xx_status_is_an_error_carrying_the_status(serve, code):
    server = serve(status(code))
    with pytest.raises(FetchError, match=f"failed: HTTP {code}$") as caught:
        fetch(server.url(), max_bytes=100, allow=["127.0.0.1"])
    assert caught.value.status_code == code


def test_a_redirect_without_location_is_an_error(serve):
    server = serve(status(302))
    with pytest.raises(FetchError) as caught:
        fetch(server.url(), max_bytes=100, allow=["127.0.0.1"])
    assert caught.value.status_code == 302


def test_a_larger_content_length_is_refused_before_reading(serve):
    def huge(handler: _Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(10**9))
        handler.end_headers()
        handler.server.stopping.wait(10)  # never sends the body

    server = serve(huge)
    started = time.monotonic()
    with pytest.raises(FetchError, match="larger than 1000 bytes$") as caught:
        fetch(server.url(), max_bytes=1000, timeout=5, allow=["127.0.0.1"])
    assert caught.value.status_code is None
    assert time.monotonic() - started < 2


def chunked(chunks: Iterator[bytes]) -> Respond:
    def respond(handler: _Handler) -> None:
        handler.send_response(200)
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        for chunk in chunks:
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        handler.wfile.write(b"0\r\n\r\n")

    return respond


def test_a_chunked_body_within_the_limit(serve):
    server = serve(chunked(iter([b"x" * 60, b"y" * 40])))
    result = fetch(server.url(), max_bytes=100, allow=["127.0.0.1"])
    assert result.content == b"x" * 60 + b"y" * 40


def test_a_chunked_body_over_the_limit_is_refused(serve):
    server = serve(chunked(iter([b"x" * 60, b"y" * 41])))
    with pytest.raises(FetchError, match="larger than 100 bytes$"):
        fetch(server.url(), max_bytes=100, allow=["127.0.0.1"])


def test_an_endless_chunked_body_is_cut_off_at_the_limit(serve):
    server = serve(chunked(iter(lambda: b"z" * 4096, None)))
    with pytest.raises(FetchError, match="larger than 100000 bytes$"):
        fetch(server.url(), max_bytes=100_000, timeout=5, allow=["127.0.0.1"])


def trickle(head: bytes, body: bytes, pause: float, raw_head: bool = False) -> Respond:
    """Send `head` (raw bytes, one at a time when raw_head) then `body` one byte per pause."""

    def respond(handler: _Handler) -> None:
        out = handler.wfile
        for byte in (head[i : i + 1] for i in range(len(head))) if raw_head else [head]:
            out.write(byte)
            out.flush()
            if raw_head and handler.server.stopping.wait(pause):
                return
        for i in range(len(body)):
            out.write(body[i : i + 1])
            out.flush()
            if handler.server.stopping.wait(pause):
                return

    return respond


@pytest.mark.parametrize(
    "respond",
    [
        trickle(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", b"a" * 100, 0.1),
        trickle(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", b"a" * 100, 0.1),
        trickle(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"h" * 100 + b"\r\n\r\n", b"", 0.1, True),
    ],
    ids=["body with length", "body until close", "headers"],
)
def test_the_timeout_bounds_the_whole_exchange(serve, respond):
    server = serve(respond)
    started = time.monotonic()
    with pytest.raises(FetchError, match="timed out after 1 seconds$") as caught:
        fetch(server.url(), max_bytes=1000, timeout=1, allow=["127.0.0.1"])
    assert caught.value.status_code is None
    assert 0.9 < time.monotonic() - started < 1.8


def test_the_timeout_spans_redirects(serve):
    def slow_redirect(handler: _Handler) -> None:
        handler.server.stopping.wait(0.4)
        hops(100)(handler)

    server = serve(slow_redirect)
    with pytest.raises(FetchError, match="timed out after 1 seconds$"):
        fetch(server.url("/hop/0"), max_bytes=100, timeout=1, allow=["127.0.0.1"])
    assert len(server.requests) <= 3


def test_an_unreachable_port_is_a_clear_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match=f"could not connect to 127.0.0.1 port {port}"):
        fetch(f"http://127.0.0.1:{port}/", max_bytes=100, allow=["127.0.0.1"])


# --- post_json --------------------------------------------------------------------------


def test_post_json_sends_body_and_headers_and_reports_the_status(serve):
    server = serve(lambda handler: handler.send(201, b'{"ok": true}'))
    result = post_json(
        server.url("/callback"),
        b'{"task_id": "t1"}',
        headers={"X-Scale-Callback-Auth": "token-1", "Host": "evil.example"},
        allow=["127.0.0.1"],
    )
    assert (result.status_code, result.ok, result.body) == (201, True, b'{"ok": true}')
    [seen] = server.requests
    assert (seen.method, seen.path, seen.body) == ("POST", "/callback", b'{"task_id": "t1"}')
    assert seen.headers["Content-Type"] == "application/json"
    assert seen.headers["X-Scale-Callback-Auth"] == "token-1"
    assert seen.headers["Host"] == f"127.0.0.1:{server.port}"


def test_post_json_reports_error_statuses_without_raising(serve):
    server = serve(status(500))
    result = post_json(server.url(), b"{}", headers={}, allow=["127.0.0.1"])
    assert (result.status_code, result.ok, result.body) == (500, False, b"nope")


def test_post_json_keeps_only_the_first_4_kb_of_the_reply(serve):
    server = serve(lambda handler: handler.send(200, b"r" * 100_000))
    result = post_json(server.url(), b"{}", headers={}, allow=["127.0.0.1"])
    assert result.body == b"r" * 4096


def test_post_json_does_not_follow_redirects(serve):
    target = serve(ok())
    start = serve(redirect(target.url("/elsewhere")))
    result = post_json(start.url("/hook"), b"{}", headers={}, allow=["127.0.0.1"])
    assert (result.status_code, result.ok) == (302, False)
    assert len(start.requests) == 1
    assert target.requests == []


def test_post_json_times_out(serve):
    server = serve(lambda handler: handler.server.stopping.wait(10))
    with pytest.raises(FetchError, match="^posting to .* timed out after 0.5 seconds$"):
        post_json(server.url(), b"{}", headers={}, timeout=0.5, allow=["127.0.0.1"])


# --- TLS --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificates(tmp_path_factory) -> Path:
    """A test CA and a server certificate for rebind.test only, made with openssl."""
    if shutil.which("openssl") is None:
        pytest.fail("the TLS tests need the openssl command (apt-get install openssl)")
    folder = tmp_path_factory.mktemp("tls")
    (folder / "server.ext").write_text(
        "subjectAltName=DNS:rebind.test\nbasicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
    )
    key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
    commands = [
        f"req -x509 {key} -keyout ca.key -out ca.pem -days 2 -subj /CN=test-CA"
        " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign",
        f"req {key} -keyout server.key -out server.csr -subj /CN=rebind.test",
        "x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem"
        " -days 2 -extfile server.ext",
    ]
    for command in commands:
        subprocess.run(["openssl", *command.split()], cwd=folder, check=True, capture_output=True)
    return folder


def server_tls(certificates: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificates / "server.pem", certificates / "server.key")
    return context


@pytest.fixture
def trust_test_ca(certificates, monkeypatch) -> None:
    monkeypatch.setattr(fetching, "_ca_bundle", lambda: str(certificates / "ca.pem"))


@pytest.fixture
def tls_server(serve, certificates, trust_test_ca) -> _Server:
    return serve(ok(b"over tls"), tls=server_tls(certificates))


def test_https_verifies_the_certificate_against_the_original_host_name(tls_server, fake_dns):
    fake_dns["rebind.test"] = ["127.0.0.1"]
    result = fetch(f"https://rebind.test:{tls_server.port}/", max_bytes=100, allow=["127.0.0.1"])
    assert result.content == b"over tls"
    assert tls_server.requests[0].headers["Host"] == f"rebind.test:{tls_server.port}"


@pytest.mark.parametrize("host", ["other.test", "127.0.0.1"])
def test_https_refuses_a_certificate_for_another_name(tls_server, fake_dns, host):
    fake_dns["other.test"] = ["127.0.0.1"]
    with pytest.raises(FetchError, match="TLS certificate mismatch") as caught:
        fetch(f"https://{host}:{tls_server.port}/", max_bytes=100, allow=["127.0.0.1"])
    assert caught.value.status_code is None
    assert tls_server.requests == []


def test_https_refuses_a_certificate_from_an_unknown_authority(serve, certificates, fake_dns):
    server = serve(ok(), tls=server_tls(certificates))
    fake_dns["rebind.test"] = ["127.0.0.1"]
    with pytest.raises(FetchError, match="CERTIFICATE_VERIFY_FAILED"):
        fetch(f"https://rebind.test:{server.port}/", max_bytes=100, allow=["127.0.0.1"])
    assert server.requests == []


def test_the_timeout_bounds_a_tls_exchange(serve, certificates, trust_test_ca, fake_dns):
    slow = trickle(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", b"a" * 100, 0.1)
    server = serve(slow, tls=server_tls(certificates))
    fake_dns["rebind.test"] = ["127.0.0.1"]
    started = time.monotonic()
    with pytest.raises(FetchError, match="timed out after 1 seconds$"):
        fetch(f"https://rebind.test:{server.port}/", max_bytes=1000, timeout=1, allow=["127.0.0.1"])
    assert time.monotonic() - started < 1.8
