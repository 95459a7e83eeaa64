"""docs/deploy.md as written: `check --deploy` passes with its production environment, the
settings behind it come out as documented, the multi-process server starts with one command
behind a (simulated) TLS proxy, and media work on an S3-compatible endpoint."""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from tests.live.conftest import free_port
from tests.polling import answers, wait_until
from tests.security.conftest import png_bytes

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOY = REPO_ROOT / "docs" / "deploy.md"
MARK = "<!-- production-environment -->"


def documented_environment() -> dict[str, str]:
    """The `export NAME=value` lines of the block after the mark in docs/deploy.md."""
    text = DEPLOY.read_text()
    block = text[text.index(MARK):].split("```sh\n", 1)[1].split("```", 1)[0]
    env = {}
    for line in block.splitlines():
        match = re.match(r"export (\w+)=(.*)$", line.strip())
        assert match, f"not an export line in the documented environment: {line!r}"
        env[match.group(1)] = match.group(2).strip("'\"")
    return env


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without anything the deployment would not have."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ANNOTATOR_", "SECURE_", "DJANGO_", "DATABASE_", "REDIS_"))
           and k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS"}}
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 120):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def production_env(tmp_path_factory) -> dict[str, str]:
    env = documented_environment()
    assert env["DEBUG"] == "false" and env["ANNOTATOR_HTTPS"] == "true"
    env["SECRET_KEY"] = secrets.token_urlsafe(50)  # the doc says to generate one
    root = tmp_path_factory.mktemp("deploy")
    env["ANNOTATOR_DATA_DIR"] = str(root / "data")
    env["ANNOTATOR_STATIC_ROOT"] = str(root / "static")
    return clean_environment(**env)


def test_check_deploy_passes_with_the_documented_environment(production_env):
    result = manage(production_env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_without_the_https_settings(production_env):
    env = {k: v for k, v in production_env.items()
           if k not in {"ANNOTATOR_HTTPS", "SECURE_HSTS_PRELOAD"}}
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr + result.stdout, check


def test_check_deploy_flags_the_tests_fast_password_hasher(production_env):
    env = {**production_env, "ANNOTATOR_TEST_FAST_PASSWORD_HASHER": "1"}
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "annotator.W001" in result.stderr + result.stdout


def test_the_documented_environment_gives_the_documented_settings(production_env):
    code = """
import json
from django.conf import settings
from django.core.files.storage import storages
print(json.dumps({
    "debug": settings.DEBUG, "storage": type(storages["default"]).__module__,
    "bucket": settings.STORAGES["default"]["OPTIONS"]["bucket_name"],
    "endpoint": settings.STORAGES["default"]["OPTIONS"]["endpoint_url"],
    "region": settings.STORAGES["default"]["OPTIONS"]["region_name"],
    "acl": settings.STORAGES["default"]["OPTIONS"]["default_acl"],
    "static": settings.STORAGES["staticfiles"]["BACKEND"],
    "finders": settings.WHITENOISE_USE_FINDERS,
    "proxy": list(settings.SECURE_PROXY_SSL_HEADER),
    "cookies": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE],
    "redirect": settings.SECURE_SSL_REDIRECT, "hsts": settings.SECURE_HSTS_SECONDS,
    "channels": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "db": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
}))
"""
    result = manage(production_env, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout.strip().splitlines()[-1])
    assert got == {
        "debug": False, "storage": "storages.backends.s3", "bucket": "annotator-media",
        "endpoint": "https://s3.example.com", "region": "us-east-1", "acl": None,
        "static": "whitenoise.storage.CompressedStaticFilesStorage", "finders": False,
        "proxy": ["HTTP_X_FORWARDED_PROTO", "https"], "cookies": [True, True],
        "redirect": True, "hsts": 31_536_000,
        "channels": "channels_redis.core.RedisChannelLayer",
        "cache": "django.core.cache.backends.redis.RedisCache",
        "db": "postgresql",
    }


@pytest.mark.live
def test_the_multi_process_server_behind_a_tls_proxy(production_env):
    """`collectstatic`, then `serve --no-worker --workers 2` (SQLite here: no database server
    needed for what this checks); curl's part of the proxy is played by requests."""
    env = {k: v for k, v in production_env.items()
           if not k.startswith(("DATABASE_", "REDIS_", "ANNOTATOR_MEDIA_S3"))}
    env["ALLOWED_HOSTS"] = "127.0.0.1"
    Path(env["ANNOTATOR_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    for step in (("migrate", "--noinput"), ("collectstatic", "--noinput")):
        result = manage(env, *step)
        assert result.returncode == 0, result.stderr
    port = free_port()
    log = Path(env["ANNOTATOR_DATA_DIR"]) / "serve.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--no-worker", "--host", "127.0.0.1",
             "--port", str(port), "--workers", "2"], cwd=REPO_ROOT, env=env, stdout=out,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    https = {"X-Forwarded-Proto": "https"}
    try:

        def serving() -> bool:
            assert server.poll() is None, log.read_text()
            return answers(f"{base}/v1/tasks")

        wait_until(serving, timeout=60, interval=0.2, message=log.read_text)
        plain = requests.get(f"{base}/v1/tasks", allow_redirects=False, timeout=5)
        assert plain.status_code == 301
        assert plain.headers["Location"] == "https://127.0.0.1/v1/tasks".replace(
            "127.0.0.1", f"127.0.0.1:{port}")
        secure = requests.get(f"{base}/v1/tasks", headers=https, timeout=5)
        assert secure.status_code == 401 and secure.json()["status_code"] == 401
        assert secure.headers["Strict-Transport-Security"] == \
            "max-age=31536000; includeSubDomains; preload"
        login = requests.get(f"{base}/accounts/login/", headers=https, timeout=5)
        assert login.status_code == 200
        assert "Secure" in login.headers["Set-Cookie"]
        css = re.search(r'href="(/static/[^"]+\.css)"', login.text).group(1)
        static = requests.get(f"{base}{css}", headers={**https, "Accept-Encoding": "gzip"},
                              timeout=5)
        assert static.status_code == 200 and static.headers["Content-Encoding"] == "gzip"
        children = [p for p in Path("/proc").iterdir() if p.name.isdigit()
                    and _parent(p) == server.pid and b"spawn_main" in _cmdline(p)]
        assert len(children) == 2, "two server processes under the one command"
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(env["ANNOTATOR_STATIC_ROOT"], ignore_errors=True)


def _parent(proc: Path) -> int | None:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _cmdline(proc: Path) -> bytes:
    try:
        return (proc / "cmdline").read_bytes()
    except OSError:
        return b""


# --- media on an S3-compatible endpoint (moto's server on 127.0.0.1) ---------------------------

class _Images(BaseHTTPRequestHandler):
    body = png_bytes((33, 22))

    def do_GET(self):  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def s3(settings, monkeypatch):
    import boto3
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "test")
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
    client.create_bucket(Bucket="annotator-media")
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": "annotator-media", "endpoint_url": endpoint,
                    "access_key": "test", "secret_key": "test", "region_name": "us-east-1",
                    "default_acl": None, "querystring_auth": True, "file_overwrite": False,
                    "addressing_style": "path"}}}
    try:
        yield client
    finally:
        server.stop()


@pytest.mark.django_db
def test_media_on_s3_uploads_serves_and_keeps_fetched_images(s3, api, client, settings,
                                                             tasker, staff):
    from tasks import jobs, queue
    from tasks.models import Project, Task, UploadedFile

    upload = api.client.post("/v1/files/upload", {"file": io.BytesIO(png_bytes())})
    assert upload.status_code == 200, upload.content
    record = upload.json()
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="annotator-media")["Contents"]]
    assert keys == [UploadedFile.objects.get().file.name]
    content = api.client.get(f"/v1/files/{record['id']}/content")
    assert b"".join(content.streaming_content) == png_bytes()

    # A task whose image is fetched by the worker: the copy goes to the bucket too.
    settings.ANNOTATOR_FETCH_ALLOW = ["127.0.0.0/8"]
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Images)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        api.post("projects", {"type": "imageannotation", "name": "s3"})
        task = api.post("task/imageannotation", {
            "attachment": f"http://127.0.0.1:{httpd.server_address[1]}/a.png", "project": "s3",
            "geometries": {"box": {"objects_to_annotate": ["car"]}},
            "context_attachments": [{"attachment": record["attachment_url"]}]}).json()
        assert jobs.fetch_for_task(task["task_id"]) == "stored"
    finally:
        httpd.shutdown()
        httpd.server_close()
    stored = Task.objects.get(pk=task["task_id"])
    assert stored.attachment_file.name.startswith("attachments/")
    assert s3.head_object(Bucket="annotator-media", Key=stored.attachment_file.name)
    held = queue.claim_next(tasker, Project.objects.get(name="s3"))
    client.force_login(tasker)
    image = client.get(f"/tasks/{held.task_id}/image")
    assert b"".join(image.streaming_content) == _Images.body
    context = client.get(f"/tasks/{held.task_id}/context/0")
    assert b"".join(context.streaming_content) == png_bytes()
    # The admin links to a signed, short-lived URL of the bucket.
    client.force_login(staff)
    page = client.get(f"/admin/tasks/uploadedfile/{record['id']}/change/").content.decode()
    assert "X-Amz-Signature=" in page or "Signature=" in page


def test_the_s3_dependency_is_declared():
    assert '"django-storages[s3]' in (REPO_ROOT / "pyproject.toml").read_text()
