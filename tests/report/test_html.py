"""The HTML report: self-contained, captions escaped; rendered by headless Chromium.

`.ci/run` installs Debian's chromium when it is missing, so the rendering tests run in CI;
they skip (saying why) only on a machine without it.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from capeval.report import format_leaderboard
from capeval.report.leaderboard import leaderboard
from tests.report.corpus import REFERENCES, SYSTEMS

SCRIPT_CAPTION = SYSTEMS["markup"][1]
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    board = leaderboard(SYSTEMS, REFERENCES, tokenizer="none", n_bootstrap=50, seed=0,
                        test="bs", baseline="weak", human=True)
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(format_leaderboard(board, "html"), encoding="utf-8")
    return path


class Page(HTMLParser):
    """Collects the tags, the text and the attributes of a document."""

    def __init__(self, document: str) -> None:
        super().__init__()
        self.tags, self.text, self.attributes = [], [], []
        self.feed(document)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend(attrs)

    def handle_data(self, data):
        self.text.append(data)


def check_page(document: str) -> None:
    page = Page(document)
    assert "script" not in page.tags
    text = "".join(page.text)
    assert SCRIPT_CAPTION in text  # shown as text, markup and all
    assert "a bird <b>on</b> a branch" in text
    assert page.tags.count("svg") == 2 * 7  # a bar chart and a box plot per score
    for name in ("strong", "weak (baseline)", "markup", "Human"):
        assert name in text
    assert "Signature: nrefs:var|refs:leave-one-out|" in text


def test_report_is_self_contained_and_escapes_captions(report):
    document = report.read_text(encoding="utf-8")
    check_page(document)
    attributes = Page(document).attributes
    assert not [value for name, value in attributes if name in ("src", "href", "action")]
    assert not re.search(r"url\(|@import", document)
    assert "default-src 'none'" in document  # the CSP blocks scripts and fetches


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        if shutil.which(name):
            return shutil.which(name)
    pytest.skip("chromium is not installed (apt-get install chromium; .ci/run does this)")


def run_chromium(tmp_path, *arguments) -> subprocess.CompletedProcess:
    return subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *arguments],
        capture_output=True, text=True, timeout=120, check=True,
    )


def test_chromium_renders_captions_as_text(report, tmp_path):
    dom = run_chromium(tmp_path, "--dump-dom", report.as_uri()).stdout
    assert dom.startswith("<!DOCTYPE html>") and "</body></html>" in dom  # Chromium's serialization
    check_page(dom)


def test_chromium_screenshot(report, tmp_path):
    screenshot = tmp_path / "report.png"
    run_chromium(tmp_path, f"--screenshot={screenshot}", "--window-size=1100,1400",
                 report.as_uri())
    data = screenshot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1100, 1400)
    assert len(data) > 30_000  # a blank page compresses to a few kilobytes
