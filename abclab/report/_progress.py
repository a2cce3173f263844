"""Progress of a report run: each report section as its cell starts, each pipeline step as
the kernel writes it (:data:`abclab.pipeline.PROGRESS_ENV`)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from abclab.report._i18n import text

Progress = Callable[[str], None]


def _section_announcer(
    say: Progress, then: Callable[..., None] | None = None
) -> Callable[..., None]:
    """nbclient ``on_cell_start`` hook: names each report section as its cell starts, then
    calls ``then(cell, cell_index)`` (the document builder's hook)."""
    seen: set[str] = set()

    def hook(cell: Any, cell_index: int) -> None:
        if then is not None:
            then(cell, cell_index)
        key = cell.get("metadata", {}).get("abclab", {}).get("section")
        if not key or key in seen or key == "setup":
            return
        seen.add(key)
        try:
            heading = text(f"section.{key}", "en")
        except KeyError:
            heading = key
        say(f"section: {heading}")

    return hook


class _ProgressFollower:
    """Follows the file the kernel's pipeline writes its step names to (one per line)."""

    def __init__(self, path: Path, say: Progress, interval: float = 0.2) -> None:
        self.path, self.say, self.interval = path, say, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._offset = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2)
        self._drain()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._drain()

    def _drain(self) -> None:
        try:
            with self.path.open("rb") as fh:
                fh.seek(self._offset)
                data = fh.read()
        except OSError:
            return
        complete = data[: data.rfind(b"\n") + 1]
        self._offset += len(complete)
        for line in complete.decode("utf-8", "replace").splitlines():
            if line.strip():
                self.say(f"pipeline: {line.strip()}")
