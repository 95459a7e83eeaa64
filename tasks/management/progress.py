"""A plain-text progress bar for long-running management commands."""

from __future__ import annotations

from django.core.management.base import OutputWrapper


def progress_bar(done: int, total: int, width: int = 30) -> str:
    """`[#####.....] 12/40`"""
    filled = width * done // total if total else width
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"


class ProgressLine:
    """Redraws one line on `stream` (the command's stderr) as work advances."""

    def __init__(self, stream: OutputWrapper, noun: str) -> None:
        self.stream = stream
        self.noun = noun
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        self.stream.write(f"\r{progress_bar(done, total)} {self.noun}", ending="")
        self.stream.flush()
        self.drawn = True

    def end(self) -> None:
        if self.drawn:
            self.stream.write("")
