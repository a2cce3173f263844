"""The report HTML opened in headless Debian chromium gives a non-blank screenshot."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from test_report import demo_report  # noqa: F401  (session fixture shared with test_report)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_report_html_renders_in_headless_chromium(demo_report, tmp_path):  # noqa: F811
    from matplotlib import image

    shot = tmp_path / "report.png"
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--screenshot={shot}",
        "--window-size=1280,2000",
        demo_report.html.as_uri(),
    ]
    subprocess.run(cmd, check=True, timeout=120, capture_output=True)
    pixels = image.imread(shot)
    assert pixels.shape[:2] == (2000, 1280)
    assert pixels[..., :3].std() > 0.05  # text, tables and charts, not a blank page
    # A good share of the page is not background white.
    assert (pixels[..., :3].mean(axis=2) < 0.9).mean() > 0.01
