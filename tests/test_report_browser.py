"""The report HTML opened in headless Debian chromium gives a non-blank screenshot."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from test_report import demo_report  # noqa: F401  (session fixture shared with test_report)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _chromium(tmp_path, *args):
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
        *args,
    ]
    return subprocess.run(cmd, check=True, timeout=120, capture_output=True, text=True)


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_customer_list_search_works_in_headless_chromium(demo_report, tmp_path):  # noqa: F811
    """The page's script renders the customer list; a search (pre-filled from the URL hash,
    as a user's typing would) leaves only the matching customer."""
    import re

    everyone = _chromium(tmp_path, "--virtual-time-budget=5000", "--dump-dom",
                         demo_report.html.as_uri()).stdout  # fmt: skip
    rows = re.findall(r'<tr data-id="([^"]+)"', everyone)
    assert len(rows) >= 300 and len(set(rows)) == len(rows)
    wanted = rows[7]
    found = _chromium(tmp_path, "--virtual-time-budget=5000", "--dump-dom",
                      demo_report.html.as_uri() + f"#search={wanted}").stdout  # fmt: skip
    assert re.findall(r'<tr data-id="([^"]+)"', found) == [wanted]
    assert 'data-matches="1"' in found


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
