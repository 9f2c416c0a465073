"""Log output (issue 16): one line a record on stderr, tracebacks only with ``scrape --debug``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.cli import main
from scraper.logs import configure_logging

# A worker process logs through the same setup as the command (scraper.crawl.worker
# and scraper.reclean.run start their workers with configure_logging).
FAILING_WORKER = """
import logging, sys
from scraper.logs import configure_logging
configure_logging(debug=sys.argv[1] == "debug")
try:
    raise ValueError("first line\\n\\tsecond line")
except ValueError:
    logging.getLogger("scraper.crawl.worker").exception("page failed")
"""


@pytest.mark.parametrize("debug", [False, True])
def test_an_error_is_one_line_unless_debug_asks_for_the_traceback(debug: bool) -> None:
    run = subprocess.run(
        [sys.executable, "-c", FAILING_WORKER, "debug" if debug else "quiet"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    if debug:
        assert run.stderr.startswith("scrape: ERROR: page failed\nTraceback")
        assert "ValueError: first line" in run.stderr
    else:
        assert run.stderr.splitlines() == [
            "scrape: ERROR: page failed (ValueError: first line second line)"
        ]


def test_debug_comes_before_the_command_and_a_target_still_means_get(
    fixture_pages: Path, tmp_path: Path
) -> None:
    page = str(fixture_pages / "F01.html")
    try:
        result = CliRunner().invoke(main, ["--debug", page, "--db", str(tmp_path / "x.db")])
    finally:
        configure_logging(debug=False)  # as it was for the tests that follow
    assert result.exit_code == 0, result.output
    assert result.stdout.strip()
