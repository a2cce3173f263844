"""JupyterLab, started as root on the tutorials, shows a tutorial in headless Debian chromium."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = "02_ahp_step_by_step.ipynb"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_answering(url: str, server: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"jupyter lab exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise AssertionError(f"jupyter lab did not answer {url} within {timeout:.0f} s")


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_jupyterlab_as_root_opens_the_ahp_tutorial_in_headless_chromium(tmp_path):
    from PIL import Image

    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ)
    # keep the server's runtime files, workspaces and settings in the test's directory
    for name in ("JUPYTER_RUNTIME_DIR", "JUPYTERLAB_WORKSPACES_DIR", "JUPYTERLAB_SETTINGS_DIR"):
        env[name] = str(tmp_path / name.lower())
    log = (tmp_path / "lab.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--allow-root", "--no-browser",
         f"--port={port}", "--ip=127.0.0.1", f"--ServerApp.token={token}",
         f"--notebook-dir={ROOT / 'notebooks'}",
         # checkpoints (written when a notebook opens) go to the test's directory
         f"--FileCheckpoints.root_dir={tmp_path / 'checkpoints'}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_answering(f"{base}/api/status?token={token}", server)
        url = f"{base}/lab/tree/{TUTORIAL}?token={token}"
        browser = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                   "--no-first-run", "--disable-background-networking",
                   "--disable-component-update", "--disable-sync",
                   f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,900",
                   "--virtual-time-budget=20000"]  # fmt: skip
        # the page is the tutorial, not an error or login page
        dom = subprocess.run([*browser, "--dump-dom", url], check=True, timeout=180,
                             capture_output=True, text=True).stdout  # fmt: skip
        assert "The Analytic Hierarchy Process, step by step" in dom
        shot = tmp_path / "lab.png"
        subprocess.run([*browser, f"--screenshot={shot}", url], check=True, timeout=180,
                       capture_output=True)  # fmt: skip
        image = Image.open(shot).convert("RGB")
        assert image.size == (1280, 900)
        colours = image.getcolors(maxcolors=1 << 16)
        # getcolors gives None above maxcolors distinct colours: certainly not blank
        assert colours is None or len(colours) > 1, "the screenshot is one colour"
        assert colours is None or len(colours) > 20, f"only {len(colours)} colours: no page"
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)
        log.close()
