"""Helpers of the browser tests: tasks made through the HTTP API, and a driver of the page."""

from __future__ import annotations

import io
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field

import requests
from PIL import Image, ImageDraw
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.http_sessions import fresh_connections
from tests.live.conftest import REPO_ROOT, LiveServer
from tests.polling import Message, wait_until

PASSWORD = "pw-browser-tasker-1"


# ------------------------------------------------------------------------------ the server side


def png_bytes(width: int, height: int) -> bytes:
    """A plain street-ish picture, so screenshots look like something."""
    image = Image.new("RGB", (width, height), (92, 140, 200))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, height * 0.45, width, height), fill=(120, 120, 118))
    draw.polygon([(width * 0.35, height), (width * 0.48, height * 0.45),
                  (width * 0.52, height * 0.45), (width * 0.65, height)], fill=(60, 60, 64))
    for i in range(0, width, 40):
        draw.line((i, 0, i, height), fill=(80, 120, 175))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class TaskSetup:
    """One task on the live server, the tasker who may work on it, and an API session."""

    server: LiveServer
    api: requests.Session
    project: str
    tasker: str
    task_id: str
    width: int
    height: int
    extra: dict = field(default_factory=dict)

    @property
    def root(self) -> str:
        return self.server.root_url

    def task(self) -> dict:
        response = self.api.get(f"{self.server.base_url}/task/{self.task_id}", timeout=30)
        assert response.status_code == 200, response.text
        return response.json()


class TaskFactory:
    def __init__(self, server: LiveServer) -> None:
        self.server = server

    def __call__(self, params: dict, *, width: int = 640, height: int = 400,
                 tasks: int = 1, padding: int | None = None,
                 context_sizes: tuple[tuple[int, int], ...] = (),
                 image: bytes | None = None) -> TaskSetup:
        server = self.server
        tag = uuid.uuid4().hex[:10]
        key = server.new_key(f"owner-{tag}")
        api = fresh_connections()
        api.auth = (key, "")
        project = f"browser-{tag}"
        response = api.post(f"{server.base_url}/projects",
                            json={"type": "imageannotation", "name": project}, timeout=30)
        assert response.status_code == 200, response.text
        upload = api.post(f"{server.base_url}/files/upload",
                          files={"file": ("street.png", image or png_bytes(width, height),
                                          "image/png")},
                          timeout=30)
        assert upload.status_code == 200, upload.text
        attachment = upload.json()["attachment_url"]
        contexts = []
        for w, h in context_sizes:  # context images: uploaded files of the same account
            side = api.post(f"{server.base_url}/files/upload",
                            files={"file": ("side.png", png_bytes(w, h), "image/png")},
                            timeout=30)
            assert side.status_code == 200, side.text
            contexts.append({"attachment": side.json()["attachment_url"]})
        if contexts:
            params = {**params, "context_attachments": contexts}
        body = {"project": project, "attachment": attachment, "attachment_type": "image",
                "instruction": "Draw **every** object. <b>raw html stays text</b>", **params}
        if padding is not None:
            body["padding"] = padding
        task_ids = []
        for _ in range(tasks):
            created = api.post(f"{server.base_url}/task/imageannotation", json=body, timeout=120)
            assert created.status_code == 200, created.text
            task_ids.append(created.json()["task_id"])
        tasker = f"tasker-{tag}"
        server.manage("create_tasker", tasker, "--password", PASSWORD, "--project", project)
        return TaskSetup(server, api, project, tasker, task_ids[0], width, height,
                         {"task_ids": task_ids})


def make_admin(server: LiveServer) -> tuple[str, str]:
    username, password = f"admin-{uuid.uuid4().hex[:8]}", "pw-admin-browser-1"
    env = {**server.env, "DJANGO_SUPERUSER_PASSWORD": password}
    result = subprocess.run(
        [sys.executable, "manage.py", "createsuperuser", "--noinput", "--username", username,
         "--email", f"{username}@example.com"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return username, password


# ------------------------------------------------------------------------------ the page side


class Bench:
    """Drives the workbench page: image coordinates in, mouse events out."""

    def __init__(self, page, setup: TaskSetup | None = None) -> None:
        self.page = page
        self.setup = setup

    # -- navigation
    def login(self, username: str, password: str = PASSWORD) -> None:
        root = self.setup.root
        self.page.goto(f"{root}/accounts/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.page.click("form [type=submit]")
        self.page.wait_for_url(f"{root}/")

    def start(self, timeout: float = 60.0) -> None:
        """Log in as the setup's tasker and press Start next task in its project's row; again
        while the queue answers that nothing is ready (a video's or a mask's task is served
        once the live server's worker stored its media, later under load)."""
        self.login(self.setup.tasker)
        deadline = time.monotonic() + timeout
        while True:
            row = self.page.locator(f"tr[data-project='{self.setup.project}']")
            row.get_by_role("button", name="Start next task").click()
            try:
                self.page.wait_for_url("**/tasks/*/work/", timeout=5000)
                break
            except PlaywrightTimeout:
                assert time.monotonic() < deadline, "Start next task never opened a task"
                self.page.goto(f"{self.setup.root}/")
        self.wait_ready()

    def wait_ready(self, timeout: float = 20.0) -> None:
        # Polled with evaluate(): the page's Content-Security-Policy forbids the string
        # evaluation that wait_for_function() relies on.
        deadline = time.monotonic() + timeout
        while not self.page.evaluate("() => Boolean(window.__workbench?.ready)"):
            failed = self.page.evaluate("() => document.getElementById('workbench')?.dataset.error")
            assert not failed, f"the workbench failed to start: {failed}"
            assert time.monotonic() < deadline, "the workbench did not become ready"
            self.page.wait_for_timeout(50)
        self.wait_live(max(1.0, deadline - time.monotonic()))

    def wait_live(self, timeout: float = 20.0) -> None:
        """Wait for the live session's first welcome (editing starts then)."""
        deadline = time.monotonic() + timeout
        while not self.page.evaluate(
                "() => { const r = document.getElementById('workbench');"
                " return !window.__workbench?.live() || Boolean(r?.dataset.live); }"):
            assert time.monotonic() < deadline, "the live session never welcomed the page"
            self.page.wait_for_timeout(50)

    # -- coordinates
    def at(self, x: float, y: float) -> tuple[float, float]:
        """Page position (integer CSS pixels) of an image point."""
        p = self.page.evaluate("p => window.__workbench.toPage(p)", {"x": x, "y": y})
        return round(p["x"]), round(p["y"])

    def scale(self) -> float:
        return self.page.evaluate("window.__workbench.view().scale")

    # -- mouse
    def move(self, x: float, y: float, steps: int = 1) -> None:
        self.page.mouse.move(*self.at(x, y), steps=steps)

    def click(self, x: float, y: float, modifiers: tuple[str, ...] = ()) -> None:
        for key in modifiers:
            self.page.keyboard.down(key)
        self.page.mouse.click(*self.at(x, y))
        for key in modifiers:
            self.page.keyboard.up(key)

    def drag(self, start: tuple[float, float], end: tuple[float, float], steps: int = 8,
             modifiers: tuple[str, ...] = ()) -> None:
        mouse = self.page.mouse
        keyboard = self.page.keyboard
        for key in modifiers:
            keyboard.down(key)
        mouse.move(*self.at(*start))
        mouse.down()
        mouse.move(*self.at(*end), steps=steps)
        mouse.up()
        for key in modifiers:
            keyboard.up(key)

    def tool(self, key: str) -> None:
        self.focus_canvas()
        self.page.keyboard.press(key)

    def focus_canvas(self) -> None:
        self.page.focus("canvas.wb-canvas")

    # -- the label picker
    def picker(self):
        return self.page.locator(".wb-picker:not([hidden])")

    def pick_label(self, query: str) -> None:
        picker = self.picker()
        picker.wait_for(state="visible")
        search = picker.locator("input.wb-picker-search")
        assert search.evaluate("el => el === document.activeElement"), \
            "the picker's search field must have the focus"
        search.type(query, delay=10)
        search.press("Enter")
        picker.wait_for(state="hidden")

    # -- the model
    def annotations(self) -> list[dict]:
        return self.page.evaluate("window.__workbench.annotations()")

    def selection(self) -> list[str]:
        return self.page.evaluate("window.__workbench.selection()")

    def status(self) -> str:
        return self.page.locator(".wb-status-message").inner_text()

    def submit(self) -> None:
        self.focus_canvas()
        self.page.keyboard.press("Control+Enter")


def page_wait_until(page, predicate, timeout: float = 10.0, message: Message = ""):
    """`tests.polling.wait_until` for a page: polled with evaluate() in the predicate (the
    page's Content-Security-Policy forbids the string evaluation that wait_for_function()
    relies on), waiting with the page's own timer so that Playwright handles events meanwhile."""
    return wait_until(predicate, timeout, interval=0.05, message=message,
                      sleep=lambda seconds: page.wait_for_timeout(seconds * 1000))


def near(actual: float, expected: float, tolerance: float = 1.0) -> bool:
    return abs(actual - expected) <= tolerance


def assert_points(actual: list[dict], expected: list[tuple[float, float]],
                  tolerance: float = 1.0) -> None:
    assert len(actual) == len(expected), (actual, expected)
    for got, (x, y) in zip(actual, expected, strict=True):
        assert near(got["x"], x, tolerance) and near(got["y"], y, tolerance), (actual, expected)

