"""Library log records stay off the terminal: ``scrape`` prints its own lines, unless --debug."""

from __future__ import annotations

import codecs
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from helpers_fixtures import PAGES

from cleaners import extract


def test_truncated_and_utf16_pages_print_only_scrapes_own_lines(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    page = (PAGES / "F01.html").read_bytes()
    truncated = tmp_path / "truncated.html"
    truncated.write_bytes(page[: len(page) // 10])
    utf16 = tmp_path / "utf16.html"
    utf16.write_bytes(codecs.BOM_UTF16_LE + page.decode("utf-8").encode("utf-16-le"))
    with caplog.at_level(logging.WARNING):
        extract(truncated.read_bytes(), str(truncated))
    assert "discarding data" in caplog.text  # what trafilatura says of this page

    scrape = [sys.executable, "-m", "scraper"]
    result = subprocess.run(
        [*scrape, str(truncated), str(utf16), "--db", str(tmp_path / "x.db")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: {truncated}: empty: no article text found (no_content)"
    ]
    assert result.stdout.strip()  # the UTF-16 page came out

    debugged = subprocess.run(
        [*scrape, "--debug", str(truncated), "--db", str(tmp_path / "y.db")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "scrape: WARNING: discarding data" in debugged.stderr  # --debug shows them
